//! Fan-out to consumers and the loop of one transform worker: spans,
//! timings, the acknowledgement hand-over from input to outputs, and
//! quarantine of an article the transform fails or panics on, or emits past
//! the per-article size limits.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use tokio::sync::{broadcast, mpsc};
use tracing::{Span, error, info_span, warn};

use crate::config::Limits;
use crate::error::StageError;
use crate::event::Event;
use crate::record::{PARAGRAPH_SEPARATOR, Record};
use crate::stage::Transform;
use crate::telemetry::ComponentMetrics;

/// The readers of one output: each reader's id with the sender of its
/// input channel. A reload swaps the whole list; a send works on the list it
/// found, so a record is never sent to half of an old and half of a new one.
pub(super) type TargetList = Arc<Vec<(String, mpsc::Sender<Event>)>>;

/// Sends each event to every reader of one output, cloning for all but the
/// last. Cheap to clone (the readers' list is shared, and a reload changes
/// it for every clone).
#[derive(Clone, Default)]
pub(super) struct Fanout {
    targets: Arc<RwLock<TargetList>>,
}

impl Fanout {
    /// The readers now.
    pub(super) fn current(&self) -> TargetList {
        self.targets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the readers (a reload, or the output's end with `vec![]`).
    pub(super) fn set(&self, targets: Vec<(String, mpsc::Sender<Event>)>) {
        *self.targets.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(targets);
    }

    /// Pairs each reader in `targets` with its copy of `event`: clones for
    /// all but the last, which gets the original. A copy sent to a closed
    /// reader is dropped unresolved, so its ack reports Lost.
    fn copies(
        targets: &TargetList,
        event: Event,
    ) -> impl Iterator<Item = (&mpsc::Sender<Event>, Event)> {
        let last = targets.len().saturating_sub(1);
        let mut event = Some(event);
        targets
            .iter()
            .enumerate()
            .filter_map(move |(index, (_, output))| {
                let copy = if index == last {
                    event.take()
                } else {
                    event.clone()
                };
                copy.map(|copy| (output, copy))
            })
    }

    /// Sends a source's `event` to every reader. With none (a moment no
    /// config allows), the event is dropped unresolved: its input is taken
    /// again at the next start rather than marked done unwritten.
    pub(super) async fn send(&self, event: Event) {
        let targets = self.current();
        for (output, copy) in Self::copies(&targets, event) {
            let _ = output.send(copy).await;
        }
    }

    /// Sends a transform's `event` to every reader; with none (a named
    /// output nobody reads), the record is dropped and its copy resolved as
    /// consumed.
    fn blocking_send(&self, event: Event) {
        let targets = self.current();
        if targets.is_empty() {
            event.ack.delivered();
            return;
        }
        for (output, copy) in Self::copies(&targets, event) {
            let _ = output.blocking_send(copy);
        }
    }
}

/// The outputs of one transform: one fan-out per output, in the order of
/// its named outputs (or the one unnamed output).
#[derive(Clone)]
pub(super) struct Outputs {
    pub(super) fanouts: Vec<Fanout>,
    /// Whether the transform names its outputs (and so is run through
    /// [`Transform::process_routed`]).
    pub(super) routed: bool,
    /// The transform's metrics.
    pub(super) metrics: ComponentMetrics,
    /// Records leaving the transform, as JSON, for whoever taps it.
    pub(super) tap: broadcast::Sender<Arc<str>>,
}

impl Outputs {
    /// Runs `transform` on `record`, leaving what it emitted, with the
    /// index of the output each goes to, in `emitted`.
    fn process(
        &self,
        transform: &mut dyn Transform,
        record: Record,
        plain: &mut Vec<Record>,
        emitted: &mut Vec<(usize, Record)>,
    ) -> Result<(), StageError> {
        if self.routed {
            transform.process_routed(record, emitted)
        } else {
            let result = transform.process(record, plain);
            emitted.extend(plain.drain(..).map(|record| (0, record)));
            result
        }
    }
}

/// Returns the size of `record`'s body: its paragraphs joined, in bytes.
fn body_bytes(record: &Record) -> u64 {
    let separators = record.paragraphs.len().saturating_sub(1) * PARAGRAPH_SEPARATOR.len();
    (record.paragraphs.iter().map(String::len).sum::<usize>() + separators) as u64
}

/// Returns about how many bytes `record` takes as JSON, without encoding it:
/// its strings plus a fixed allowance per object for keys and offsets.
fn estimated_json_bytes(record: &Record) -> u64 {
    let text = |s: &str| s.len() + 3;
    let option = |s: &Option<String>| s.as_deref().map_or(5, text);
    let mut total = 512 + text(&record.id) + record.source.path.as_os_str().len();
    total += option(&record.title) + option(&record.published) + option(&record.published_at);
    total += record.authors.iter().map(|a| text(a)).sum::<usize>();
    total += option(&record.modified_at) + option(&record.url) + option(&record.site);
    total += option(&record.description) + option(&record.section);
    total += record.tags.iter().map(|t| text(t)).sum::<usize>();
    if !record.fields.is_empty() {
        // Whatever a plugin put there: measured as it is written.
        total += serde_json::to_vec(&record.fields).map_or(0, |json| json.len());
    }
    total += record.paragraphs.iter().map(|p| text(p)).sum::<usize>();
    total += record.agencies.iter().map(|a| text(a)).sum::<usize>();
    total += record.keywords.iter().map(|k| text(k)).sum::<usize>();
    for entity in &record.entities {
        total += 96 + text(&entity.name) + text(&entity.kind);
        total += entity
            .mentions
            .iter()
            .map(|m| 40 + text(&m.text))
            .sum::<usize>();
    }
    total += record
        .quotes
        .iter()
        .map(|q| 64 + text(&q.text) + option(&q.speaker) + option(&q.cue))
        .sum::<usize>();
    total += record
        .removed
        .iter()
        .map(|r| 24 + text(&r.text) + text(&r.reason))
        .sum::<usize>();
    total += record
        .dates
        .iter()
        .map(|d| 48 + text(&d.text) + option(&d.value))
        .sum::<usize>();
    total += record
        .amounts
        .iter()
        .map(|a| 64 + text(&a.text) + text(&a.unit))
        .sum::<usize>();
    total as u64
}

/// Returns why one of `outputs` breaks `limits`, if one does.
fn oversized<'a>(mut outputs: impl Iterator<Item = &'a Record>, limits: Limits) -> Option<String> {
    outputs.find_map(|record| {
        let body = body_bytes(record);
        if body > limits.max_body_bytes {
            return Some(format!(
                "article body is {body} bytes, over the limit of {} ([runtime] max_body_bytes)",
                limits.max_body_bytes
            ));
        }
        let size = estimated_json_bytes(record);
        (size > limits.max_record_bytes).then(|| {
            format!(
                "record is about {size} bytes, over the limit of {} ([runtime] max_record_bytes)",
                limits.max_record_bytes
            )
        })
    })
}

pub(super) fn run_transform_worker(
    key: Arc<str>,
    mut transform: Box<dyn Transform>,
    input: Arc<Mutex<mpsc::Receiver<Event>>>,
    targets: Outputs,
    limits: Limits,
    span: Span,
) {
    let _entered = span.enter();
    let mut plain = Vec::new();
    let mut outputs: Vec<(usize, Record)> = Vec::new();
    loop {
        let next = {
            let mut receiver = input.lock().unwrap_or_else(|e| e.into_inner());
            receiver.blocking_recv()
        };
        let Some(Event {
            record,
            ack,
            emitted_at,
        }) = next
        else {
            break;
        };
        let article = info_span!(
            "article",
            record_id = %record.id,
            file = %record.source.path.display()
        );
        let _article = article.enter();
        targets.metrics.received.inc();
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            targets.process(transform.as_mut(), record, &mut plain, &mut outputs)
        }));
        let elapsed = started.elapsed();
        ack.add_timing(&key, elapsed);
        targets.metrics.observe(elapsed);
        let result = match result {
            Ok(Ok(())) => match oversized(outputs.iter().map(|(_, record)| record), limits) {
                Some(reason) => Ok(Err(StageError::invalid(
                    reason,
                    "split the file into separate articles, or raise the limit in [runtime]",
                ))),
                None => Ok(Ok(())),
            },
            other => other,
        };
        match result {
            Ok(Ok(())) => {
                if outputs.is_empty() {
                    targets.metrics.discarded.inc();
                }
                let tapped = targets.tap.receiver_count() > 0;
                for (port, record) in outputs.drain(..) {
                    targets.metrics.sent.inc();
                    if tapped && let Ok(json) = serde_json::to_string(&record) {
                        // A lagging reader skips records (sampling), never blocks.
                        let _ = targets.tap.send(Arc::from(json));
                    }
                    let Some(fanout) = targets.fanouts.get(port) else {
                        // A transform naming an output it does not have: a bug in it.
                        error!(
                            output = port,
                            "transform emitted to an output it does not have; record dropped"
                        );
                        continue;
                    };
                    fanout.blocking_send(Event {
                        record,
                        ack: ack.clone(),
                        emitted_at,
                    });
                }
                ack.delivered();
            }
            Ok(Err(err)) => {
                outputs.clear();
                plain.clear();
                let hint = match &err {
                    StageError::InvalidArticle { hint, .. } => hint.clone(),
                    _ => "see the log line for this article; fix the cause and drop the file in again".to_string(),
                };
                targets.metrics.errors.inc();
                warn!(error = %err, "article rejected");
                ack.reject(&key, err.to_string(), hint);
            }
            Err(panic) => {
                outputs.clear();
                plain.clear();
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                targets.metrics.errors.inc();
                error!(panic = %message, "transform panicked on article");
                ack.reject(
                    &key,
                    format!("transform panicked: {message}"),
                    "this is a bug in wirehose: report it with the quarantined file",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Entity, Mention};

    fn record(paragraphs: &[&str]) -> Record {
        Record {
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            ..Record::default()
        }
    }

    #[test]
    fn body_is_measured_as_joined_paragraphs() {
        assert_eq!(body_bytes(&record(&["abc", "de"])), 3 + 2 + 2);
        assert_eq!(body_bytes(&record(&[])), 0);
    }

    #[test]
    fn estimate_is_at_least_the_json_size() {
        let mut big = record(&["Kerry met Lavrov in Geneva.", "He said “yes”."]);
        big.title = Some("Talks".into());
        big.published_at = Some("2026-03-02T10:00:00+01:00".into());
        big.authors = vec!["John Smith".into(), "Jane Doe".into()];
        big.entities = vec![Entity {
            name: "John Kerry".into(),
            kind: "PER".into(),
            mentions: vec![Mention {
                start: 0,
                end: 5,
                text: "Kerry".into(),
            }],
            geo: None,
        }];
        let json = serde_json::to_vec(&big).unwrap().len() as u64;
        let estimate = estimated_json_bytes(&big);
        assert!(estimate >= json, "{estimate} < {json}");
        assert!(estimate < json * 4, "{estimate} far above {json}");
    }

    #[test]
    fn limits_name_their_key() {
        let limits = Limits {
            max_body_bytes: 4,
            max_record_bytes: 1 << 20,
        };
        let reason = oversized([record(&["hello"])].iter(), limits).unwrap();
        assert!(reason.contains("max_body_bytes"), "{reason}");
        let limits = Limits {
            max_body_bytes: 1 << 20,
            max_record_bytes: 600,
        };
        let reason = oversized([record(&[&"word ".repeat(100)])].iter(), limits).unwrap();
        assert!(reason.contains("max_record_bytes"), "{reason}");
        assert!(oversized([record(&["fine"])].iter(), Limits::default()).is_none());
    }
}
