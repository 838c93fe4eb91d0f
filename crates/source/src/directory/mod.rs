//! `type = "directory"`: watches a directory and emits every complete article.
//!
//! At start the source watches `path` (inotify, or notify's poll watcher with
//! `poll = true`), then takes what is already there. A file is read only when
//! complete: after a close-after-write event, when renamed in, or once its
//! size and mtime have not changed for `settle_ms`. A periodic rescan catches
//! events that were missed (queue overflow, network file systems).
//!
//! Each input is recorded in the ledger only once its acknowledgement
//! resolved: done (every sink stored it), duplicate (same content as an
//! earlier article), or quarantined (moved to the quarantine with a report).
//! `on_complete` (keep, move, delete) runs only after that record is committed.

mod config;
mod root;
mod run;
mod state;

pub use config::{DirectoryConfig, OnComplete, OnQuarantine};
pub use run::Directory;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use wirehose_core::{BuildContext, ConfigProblem, Source, SourceConfig};

    use super::config::{Filter, default_include, glob_set};
    use super::*;

    fn build(extra: &str) -> Result<Box<dyn Source>, ConfigProblem> {
        let config: DirectoryConfig = toml::from_str(&format!("path = \"/tmp/x\"\n{extra}"))
            .map_err(|e| ConfigProblem::new(None, None, e.to_string()))?;
        let cx = BuildContext {
            key: "sources.inbox".into(),
            id: "inbox".into(),
            state_dir: "/tmp/state".into(),
        };
        config.build(&cx)
    }

    #[test]
    fn unknown_key_is_refused() {
        let err = build("setle_ms = 3").err().unwrap();
        assert!(err.message.contains("unknown field `setle_ms`"), "{err}");
    }

    #[test]
    fn bad_glob_names_the_key() {
        let err = build("include = [\"a[\"]").err().unwrap();
        assert_eq!(err.key.as_deref(), Some("include"));
    }

    #[test]
    fn filter_ignores_hidden_and_temporary_files() {
        let cx = BuildContext {
            key: "sources.s".into(),
            id: "s".into(),
            state_dir: "/tmp".into(),
        };
        let filter = Filter {
            include: glob_set(&default_include(), &cx, "include").unwrap(),
            exclude: glob_set(&["skip*".to_string()], &cx, "exclude").unwrap(),
            done_dir: "/x/done".into(),
        };
        assert!(filter.accepts(Path::new("a.txt")));
        assert!(filter.accepts(Path::new("b.md")));
        assert!(!filter.accepts(Path::new("a.json")));
        assert!(!filter.accepts(Path::new(".hidden.txt")));
        assert!(!filter.accepts(Path::new("a.txt.part")));
        assert!(!filter.accepts(Path::new("a.txt~")));
        assert!(!filter.accepts(Path::new("a.tmp")));
        assert!(!filter.accepts(Path::new("skip.txt")));
        assert!(!filter.accepts(Path::new(".git/a.txt")));
    }

    /// The settle logic, on a temporary directory with tokio's clock paused:
    /// `advance` moves the clock the state reads, nothing sleeps.
    mod settle {
        use std::fs;
        use std::path::{Path, PathBuf};
        use std::sync::Arc;
        use std::time::{Duration, SystemTime};

        use notify::EventKind;
        use notify::event::{ModifyKind, RemoveKind, RenameMode};
        use tokio::time::advance;
        use wirehose_core::{BuildContext, RunStats};

        use super::super::config::{Filter, OnComplete, default_include, glob_set};
        use super::super::root::Root;
        use super::super::state::{Hint, State};

        const SETTLE: Duration = Duration::from_millis(500);
        const MS: Duration = Duration::from_millis(1);

        struct Fixture {
            dir: tempfile::TempDir,
            state: State,
            stats: RunStats,
        }

        impl Fixture {
            fn new() -> Fixture {
                let dir = tempfile::tempdir().unwrap();
                let cx = BuildContext {
                    key: "sources.inbox".into(),
                    id: "inbox".into(),
                    state_dir: dir.path().join("state"),
                };
                let root = Root {
                    path: dir.path().to_path_buf(),
                    canonical: fs::canonicalize(dir.path()).unwrap(),
                    filter: Filter {
                        include: glob_set(&default_include(), &cx, "include").unwrap(),
                        exclude: glob_set(&[], &cx, "exclude").unwrap(),
                        done_dir: dir.path().join("done"),
                    },
                    recursive: false,
                    max_bytes: 1 << 20,
                    on_complete: OnComplete::Keep,
                };
                let state = State::new(Arc::new(root), SETTLE);
                Fixture {
                    dir,
                    state,
                    stats: RunStats::default(),
                }
            }

            fn write(&self, name: &str, text: &str) -> PathBuf {
                let path = self.dir.path().join(name);
                fs::write(&path, text).unwrap();
                path
            }

            fn append(&self, path: &Path, text: &str) {
                let mut old = fs::read(path).unwrap();
                old.extend_from_slice(text.as_bytes());
                fs::write(path, old).unwrap();
            }

            fn consider(&mut self, path: &Path, hint: Hint) {
                self.state.consider(path.to_path_buf(), hint, &self.stats);
            }

            fn ready(&self) -> Vec<String> {
                self.state
                    .ready
                    .iter()
                    .map(|(_, key)| key.clone())
                    .collect()
            }
        }

        #[tokio::test(start_paused = true)]
        async fn a_file_is_ready_only_once_unchanged_for_settle_ms() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "text");
            fixture.consider(&path, Hint::Settle);
            assert!(fixture.state.pending.contains_key(&path));
            fixture.state.settle_due();
            assert!(fixture.ready().is_empty());

            advance(SETTLE - MS).await;
            fixture.state.settle_due();
            assert!(fixture.ready().is_empty(), "not yet settled");

            advance(MS).await;
            fixture.state.settle_due();
            assert_eq!(fixture.ready(), ["a.txt"]);
            assert!(fixture.state.pending.is_empty());
            assert!(fixture.state.busy(&path), "queued");
        }

        #[tokio::test(start_paused = true)]
        async fn a_change_found_when_due_restarts_the_wait() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "first part");
            fixture.consider(&path, Hint::Settle);
            advance(SETTLE / 2).await;
            fixture.append(&path, ", second part");

            advance(SETTLE / 2).await;
            fixture.state.settle_due();
            assert!(fixture.ready().is_empty(), "the size changed: wait again");
            assert_eq!(fixture.state.pending[&path].size, 23);

            advance(SETTLE - MS).await;
            fixture.state.settle_due();
            assert!(fixture.ready().is_empty());
            advance(MS).await;
            fixture.state.settle_due();
            assert_eq!(fixture.ready(), ["a.txt"]);
        }

        #[tokio::test(start_paused = true)]
        async fn a_modify_event_restarts_the_wait() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "first part");
            fixture.consider(&path, Hint::Settle);
            advance(SETTLE - 100 * MS).await;
            fixture.append(&path, " and more");
            fixture.consider(&path, Hint::Settle);

            advance(100 * MS).await;
            fixture.state.settle_due();
            assert!(fixture.ready().is_empty(), "due counts from the last event");

            advance(SETTLE - 100 * MS).await;
            fixture.state.settle_due();
            assert_eq!(fixture.ready(), ["a.txt"]);
        }

        #[tokio::test(start_paused = true)]
        async fn a_removed_file_is_forgotten() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "text");
            fixture.consider(&path, Hint::Settle);
            fs::remove_file(&path).unwrap();
            fixture.state.forget(&path);
            assert!(fixture.state.pending.is_empty());
            assert!(fixture.state.idle());

            // Removed without an event: dropped when it is due.
            let other = fixture.write("b.txt", "text");
            fixture.consider(&other, Hint::Settle);
            fs::remove_file(&other).unwrap();
            advance(SETTLE).await;
            fixture.state.settle_due();
            assert!(fixture.ready().is_empty());
            assert!(fixture.state.idle());
        }

        #[tokio::test(start_paused = true)]
        async fn complete_takes_a_file_at_once_and_only_once() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "text");
            fixture.consider(&path, Hint::Settle);
            fixture.consider(&path, Hint::Complete);
            assert_eq!(fixture.ready(), ["a.txt"]);
            assert!(fixture.state.pending.is_empty(), "no longer waiting");
            fixture.consider(&path, Hint::Complete);
            assert_eq!(fixture.ready(), ["a.txt"], "queued once");
            assert_eq!(RunStats::get(&fixture.stats.discovered), 1);
        }

        #[tokio::test(start_paused = true)]
        async fn an_empty_file_settles_even_when_closed() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "");
            fixture.consider(&path, Hint::Complete);
            assert!(fixture.ready().is_empty(), "it may be about to be written");
            advance(SETTLE).await;
            fixture.state.settle_due();
            assert_eq!(fixture.ready(), ["a.txt"], "then it is taken (and refused)");
        }

        #[tokio::test(start_paused = true)]
        async fn a_scan_takes_old_files_at_once_and_waits_for_new_ones() {
            let mut fixture = Fixture::new();
            let old = fixture.write("old.txt", "text");
            fs::File::options()
                .write(true)
                .open(&old)
                .unwrap()
                .set_modified(SystemTime::now() - Duration::from_secs(60))
                .unwrap();
            let new = fixture.write("new.txt", "text");
            fixture.consider(&old, Hint::Scan);
            fixture.consider(&new, Hint::Scan);
            assert_eq!(fixture.ready(), ["old.txt"]);
            assert!(fixture.state.pending.contains_key(&new));
            advance(SETTLE).await;
            fixture.state.settle_due();
            assert_eq!(fixture.ready(), ["old.txt", "new.txt"]);
        }

        #[tokio::test(start_paused = true)]
        async fn a_file_in_flight_is_rechecked_later() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "text");
            fixture.state.in_flight_paths.insert(path.clone());
            fixture.consider(&path, Hint::Complete);
            assert!(fixture.ready().is_empty());
            assert!(fixture.state.pending.is_empty());
            assert!(fixture.state.recheck.contains(&path));
        }

        #[tokio::test(start_paused = true)]
        async fn files_the_filter_refuses_are_ignored() {
            let mut fixture = Fixture::new();
            for name in ["a.json", ".hidden.txt", "a.txt.part"] {
                let path = fixture.write(name, "text");
                fixture.consider(&path, Hint::Complete);
            }
            assert!(fixture.state.idle());
            assert_eq!(RunStats::get(&fixture.stats.discovered), 0);
        }

        #[tokio::test(start_paused = true)]
        async fn watcher_events_map_to_hints() {
            let mut fixture = Fixture::new();
            let written = fixture.write("written.txt", "text");
            let renamed = fixture.write("renamed.txt", "text");
            let gone = fixture.dir.path().join("gone.txt");
            fs::write(&gone, "text").unwrap();
            fixture.consider(&gone, Hint::Settle);
            let mut rescan = false;

            let created = notify::Event::new(EventKind::Create(notify::event::CreateKind::File))
                .add_path(written.clone());
            fixture.state.on_event(created, &fixture.stats, &mut rescan);
            assert!(
                fixture.state.pending.contains_key(&written),
                "created: settle"
            );

            // Renamed from gone.txt: the old name is forgotten, the new one is complete.
            fs::rename(&gone, fixture.dir.path().join("moved-away")).unwrap();
            let rename = notify::Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
                .add_path(gone.clone())
                .add_path(renamed.clone());
            fixture.state.on_event(rename, &fixture.stats, &mut rescan);
            assert!(!fixture.state.pending.contains_key(&gone));
            assert_eq!(fixture.ready(), ["renamed.txt"]);

            fs::remove_file(&written).unwrap();
            let removed =
                notify::Event::new(EventKind::Remove(RemoveKind::File)).add_path(written.clone());
            fixture.state.on_event(removed, &fixture.stats, &mut rescan);
            assert!(fixture.state.pending.is_empty());
            assert!(!rescan);
        }
    }
}
