//! What every source does when an article's acknowledgement resolves.
//!
//! [`SourceContext::settle`] is the shared part: it logs the per-article line
//! inside the article's span (`article completed`, `article quarantined`,
//! `article was not delivered`), counts the outcome in [`RunStats`] and, for a
//! refused article, writes the quarantine report. It returns a [`Settled`]
//! saying what happened, and the source then does only what is its own: the
//! directory source records a ledger entry and applies `on_complete`, the NATS
//! source acks, terminates or naks the message.
//!
//! A source that refuses an input before emitting it (an empty file, an
//! undecodable message) calls [`SourceContext::refuse`], which settles it as
//! rejected by the source itself.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::time::Instant;
use tracing::{Instrument, Span, error, info, info_span, warn};

use crate::ack::{AckStatus, Rejection, format_timings};
use crate::now_rfc3339;
use crate::quarantine::QuarantineReport;
use crate::stage::{RunStats, SourceContext};

/// What a source knows of one input while its article is in the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct InputInfo {
    /// Article id; `None` for an input refused before it was read.
    pub id: Option<String>,
    /// Where the input came from: a file path, or a message subject.
    pub file: PathBuf,
    /// Size of the raw input, in bytes.
    pub bytes: u64,
    /// When the source read it; `article completed` reports the time since.
    pub read_at: Instant,
}

impl InputInfo {
    /// Returns the `article` span (`record_id`, `file`) the lines about this
    /// input are logged in.
    pub fn span(&self) -> Span {
        info_span!(
            "article",
            record_id = %self.id.as_deref().unwrap_or(""),
            file = %self.file.display()
        )
    }
}

/// What goes into the quarantine beside the report of a refused article.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    /// The input file at [`InputInfo::file`]: moved into the quarantine when
    /// `move_input` is set, left in place otherwise.
    File {
        /// Move the file beside its report.
        move_input: bool,
    },
    /// The input file, moved beside its report by the source's own function
    /// (given the target path), for a source that must not move it by path.
    Moved(InputMover),
    /// Bytes that have no file of their own (a message payload), written to
    /// the quarantine as `name`.
    Bytes {
        /// File name in the quarantine.
        name: String,
        /// The input's bytes.
        bytes: Vec<u8>,
    },
}

/// A source's way of moving its input into the quarantine, given the target
/// path. Two movers are equal only when they are the same function.
#[derive(Clone)]
pub struct InputMover(pub Arc<MoveFn>);

/// The function an [`InputMover`] holds.
pub type MoveFn = dyn Fn(&Path) -> io::Result<()> + Send + Sync;

impl fmt::Debug for InputMover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InputMover")
    }
}

impl PartialEq for InputMover {
    fn eq(&self, other: &InputMover) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What became of an article once its acknowledgement resolved.
///
/// Deliberately exhaustive: a source must decide what each outcome means for
/// its input.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Every sink stored it; logged and counted as completed.
    Done,
    /// A stage refused it and the report was written; logged and counted as
    /// quarantined.
    Quarantined {
        /// Why, and by which component.
        rejection: Rejection,
        /// Path of the report.
        report: PathBuf,
    },
    /// A stage refused it but the quarantine could not be written; logged as
    /// an error and not counted.
    Unwritable {
        /// Why, and by which component.
        rejection: Rejection,
    },
    /// A copy was dropped before delivery (a component stopped); logged. The
    /// source should take the input again.
    Lost,
}

impl SourceContext {
    /// Settles `input` once its acknowledgement resolved with `status`: logs
    /// the outcome in the article's span, counts it and, when the article was
    /// refused, writes `evidence` and the report to the quarantine (on a
    /// blocking thread). Returns what happened, for the source to finish its
    /// own part.
    pub async fn settle(
        &self,
        input: &InputInfo,
        status: AckStatus,
        evidence: Evidence,
    ) -> Settled {
        let span = input.span();
        match status {
            AckStatus::Delivered { timings } => {
                let _entered = span.enter();
                info!(
                    stage = %self.key,
                    total_ms = input.read_at.elapsed().as_secs_f64() * 1000.0,
                    stages = %format_timings(&timings),
                    bytes = input.bytes,
                    "article completed"
                );
                RunStats::bump(&self.stats.completed);
                Settled::Done
            }
            AckStatus::Rejected(rejection) => {
                self.quarantine(input, rejection, evidence)
                    .instrument(span)
                    .await
            }
            AckStatus::Lost => {
                let _entered = span.enter();
                warn!(
                    stage = %self.key,
                    "article was not delivered (a component stopped); it will be taken again"
                );
                Settled::Lost
            }
        }
    }

    /// Settles `input` as refused by this source before it was emitted.
    pub async fn refuse(
        &self,
        input: &InputInfo,
        reason: impl Into<String>,
        hint: impl Into<String>,
        evidence: Evidence,
    ) -> Settled {
        self.metrics.received.inc();
        self.metrics.errors.inc();
        let rejection = Rejection {
            component: self.key.clone(),
            reason: reason.into(),
            hint: hint.into(),
        };
        self.settle(input, AckStatus::Rejected(rejection), evidence)
            .await
    }

    async fn quarantine(
        &self,
        input: &InputInfo,
        rejection: Rejection,
        evidence: Evidence,
    ) -> Settled {
        let report = QuarantineReport {
            input: input.file.clone(),
            id: input.id.clone(),
            component: rejection.component.clone(),
            reason: rejection.reason.clone(),
            hint: rejection.hint.clone(),
            at: now_rfc3339(),
            note: None,
        };
        let quarantine = self.quarantine.clone();
        let written = tokio::task::spawn_blocking(move || match evidence {
            Evidence::File { move_input } => quarantine.put(&report, move_input),
            Evidence::Moved(mover) => quarantine.put_with(&report, Some(&*mover.0)),
            Evidence::Bytes { name, bytes } => quarantine.put_bytes(&report, &name, &bytes),
        })
        .await
        .map_err(|err| err.to_string())
        .and_then(|written| written.map_err(|err| err.to_string()));
        match written {
            Ok(report) => {
                warn!(
                    stage = %rejection.component,
                    reason = %rejection.reason,
                    hint = %rejection.hint,
                    report = %report.display(),
                    "article quarantined"
                );
                RunStats::bump(&self.stats.quarantined);
                Settled::Quarantined { rejection, report }
            }
            Err(err) => {
                error!(
                    stage = %rejection.component,
                    reason = %rejection.reason,
                    error = %err,
                    "article refused but the quarantine could not be written; check the state directory"
                );
                Settled::Unwritable { rejection }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::Arc;

    use tokio::sync::mpsc;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::ledger::Ledger;
    use crate::quarantine::Quarantine;

    fn context(dir: &std::path::Path, quarantine: PathBuf) -> SourceContext {
        let (out, _input) = mpsc::channel(1);
        SourceContext {
            key: "sources.inbox".into(),
            id: "inbox".into(),
            out,
            shutdown: CancellationToken::new(),
            ledger: Ledger::open(&dir.join("ledger.db")).unwrap(),
            quarantine: Quarantine::new(quarantine),
            once: true,
            stats: Arc::default(),
            metrics: crate::telemetry::Telemetry::new(Arc::default()).component(
                "source",
                "inbox",
                "directory",
            ),
            ready: crate::telemetry::Ready::untracked(),
        }
    }

    fn input(file: PathBuf) -> InputInfo {
        InputInfo {
            id: Some("0123456789abcdef0123456789abcdef".into()),
            file,
            bytes: 5,
            read_at: Instant::now(),
        }
    }

    fn rejected() -> AckStatus {
        AckStatus::Rejected(Rejection {
            component: "transforms.normalize".into(),
            reason: "not text".into(),
            hint: "send text".into(),
        })
    }

    #[tokio::test]
    async fn delivered_counts_completed() {
        let dir = tempfile::tempdir().unwrap();
        let cx = context(dir.path(), dir.path().join("q"));
        let input = input(dir.path().join("a.txt"));
        let status = AckStatus::Delivered {
            timings: vec![("sinks.out".into(), 7)],
        };
        let settled = cx
            .settle(&input, status, Evidence::File { move_input: true })
            .await;
        assert_eq!(settled, Settled::Done);
        assert_eq!(RunStats::get(&cx.stats.completed), 1);
        assert_eq!(RunStats::get(&cx.stats.quarantined), 0);
        assert!(!dir.path().join("q").exists(), "nothing quarantined");
    }

    #[tokio::test]
    async fn rejected_file_is_moved_beside_its_report() {
        let dir = tempfile::tempdir().unwrap();
        let cx = context(dir.path(), dir.path().join("q"));
        let file = dir.path().join("a.txt");
        fs::write(&file, "bytes").unwrap();
        let settled = cx
            .settle(
                &input(file.clone()),
                rejected(),
                Evidence::File { move_input: true },
            )
            .await;
        let Settled::Quarantined { rejection, report } = settled else {
            panic!("unexpected {settled:?}");
        };
        assert_eq!(rejection.component, "transforms.normalize");
        assert_eq!(report, dir.path().join("q/a.txt.error.json"));
        let written: serde_json::Value =
            serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
        assert_eq!(written["reason"], "not text");
        assert_eq!(written["id"], "0123456789abcdef0123456789abcdef");
        assert!(!file.exists());
        assert!(dir.path().join("q/a.txt").exists());
        assert_eq!(RunStats::get(&cx.stats.quarantined), 1);
    }

    #[tokio::test]
    async fn a_file_kept_in_place_gets_only_a_report() {
        let dir = tempfile::tempdir().unwrap();
        let cx = context(dir.path(), dir.path().join("q"));
        let file = dir.path().join("a.txt");
        fs::write(&file, "bytes").unwrap();
        let settled = cx
            .refuse(
                &input(file.clone()),
                "file is empty",
                "write text",
                Evidence::File { move_input: false },
            )
            .await;
        let Settled::Quarantined { rejection, .. } = settled else {
            panic!("unexpected {settled:?}");
        };
        assert_eq!(
            rejection.component, "sources.inbox",
            "the source refused it"
        );
        assert!(file.exists());
        assert!(!dir.path().join("q/a.txt").exists());
    }

    #[tokio::test]
    async fn rejected_bytes_are_written_under_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let cx = context(dir.path(), dir.path().join("q"));
        let evidence = Evidence::Bytes {
            name: "nats-1.txt".into(),
            bytes: b"payload".to_vec(),
        };
        let settled = cx
            .settle(&input("articles.raw".into()), rejected(), evidence)
            .await;
        assert!(
            matches!(settled, Settled::Quarantined { .. }),
            "{settled:?}"
        );
        assert_eq!(
            fs::read(dir.path().join("q/nats-1.txt")).unwrap(),
            b"payload"
        );
        assert!(dir.path().join("q/nats-1.txt.error.json").exists());
    }

    #[tokio::test]
    async fn an_unwritable_quarantine_is_reported_and_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        // A regular file where the quarantine directory should be.
        let blocked = dir.path().join("q");
        fs::write(&blocked, "").unwrap();
        let cx = context(dir.path(), blocked);
        let evidence = Evidence::Bytes {
            name: "x".into(),
            bytes: vec![1],
        };
        let settled = cx.settle(&input("s".into()), rejected(), evidence).await;
        assert!(matches!(settled, Settled::Unwritable { .. }), "{settled:?}");
        assert_eq!(RunStats::get(&cx.stats.quarantined), 0);
    }

    #[tokio::test]
    async fn lost_is_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let cx = context(dir.path(), dir.path().join("q"));
        let settled = cx
            .settle(
                &input("a".into()),
                AckStatus::Lost,
                Evidence::File { move_input: true },
            )
            .await;
        assert_eq!(settled, Settled::Lost);
        assert_eq!(RunStats::get(&cx.stats.completed), 0);
        assert_eq!(RunStats::get(&cx.stats.quarantined), 0);
    }
}
