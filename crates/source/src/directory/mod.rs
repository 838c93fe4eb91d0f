//! `type = "directory"`: watches a directory and emits every complete article.
//!
//! At start the source watches `path` (inotify, or notify's poll watcher with
//! `poll = true`), then takes what is already there. A file is read only when
//! complete: after a close-after-write event, when renamed in, or once its
//! size and mtime have not changed for `settle_ms`. An empty file is never
//! complete: it is taken once it has content. A periodic rescan catches
//! events that were missed (network file systems); dropped events (queue
//! overflow) start one rescan, off the async thread, once the burst is over.
//!
//! Symlinks are never followed, inside the root or not: every file and
//! directory is opened relative to the root's handle, one component at a
//! time with `O_NOFOLLOW`, and its size and mtime come from that handle, so
//! a name swapped for a link after a check is not read, moved or deleted
//! through it. With `recursive`, each real subdirectory gets its own watch.
//! A file whose name is not UTF-8 is read under its real name; records,
//! reports and the ledger show it with the stray bytes escaped (`\xE9`).
//!
//! Each input is recorded in the ledger only once its acknowledgement
//! resolved: done (every sink stored it), duplicate (same content as an
//! earlier article), or quarantined (moved to the quarantine with a report).
//! `on_complete` (keep, move, delete) runs only after that record is committed.

mod at;
mod config;
mod root;
mod run;
mod state;
mod watch;

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

        use super::super::at;
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
                    handle: at::open_root(dir.path()).unwrap(),
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
                    .map(|(_, relative)| relative.to_string_lossy().into_owned())
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
        async fn an_empty_file_is_not_taken_until_it_has_content() {
            let mut fixture = Fixture::new();
            let path = fixture.write("a.txt", "");
            fixture.consider(&path, Hint::Complete);
            assert!(fixture.ready().is_empty(), "it may be about to be written");
            advance(SETTLE).await;
            fixture.state.settle_due();
            assert!(fixture.ready().is_empty(), "settled empty: still not taken");
            assert!(fixture.state.pending.is_empty(), "and not waited for");
            assert!(fixture.state.idle(), "a backfill does not wait for it");

            // A scan that finds it still empty does not start a new wait.
            fixture.consider(&path, Hint::Scan);
            assert!(fixture.state.pending.is_empty());

            // Written at last: taken once it settles.
            fixture.append(&path, "text");
            fixture.consider(&path, Hint::Settle);
            advance(SETTLE).await;
            fixture.state.settle_due();
            assert_eq!(fixture.ready(), ["a.txt"]);
        }

        #[tokio::test(start_paused = true)]
        async fn every_scan_lists_the_whole_root() {
            let fixture = Fixture::new();
            fixture.write("a.txt", "text");
            fixture.write("b.md", "text");
            let ledger =
                wirehose_core::Ledger::open(&fixture.dir.path().join("ledger.db")).unwrap();
            let skip = std::collections::HashSet::new();
            for round in 0..3 {
                let (found, _) = fixture.state.root.scan(&ledger, "inbox", &skip);
                assert_eq!(found.len(), 2, "round {round}");
            }
        }

        #[tokio::test(start_paused = true)]
        async fn a_file_name_that_is_not_utf8_keeps_its_bytes_and_gets_an_escaped_key() {
            use std::os::unix::ffi::OsStrExt;
            let mut fixture = Fixture::new();
            let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
            let path = fixture.dir.path().join(name);
            fs::write(&path, "text").unwrap();
            fixture.consider(&path, Hint::Complete);
            let (queued, relative) = fixture.state.ready.front().cloned().unwrap();
            assert_eq!(queued, path, "the real name is read");
            assert_eq!(super::super::root::key_of(&relative), "caf\\xE9.txt");
        }

        #[tokio::test(start_paused = true)]
        async fn a_symlink_is_never_taken() {
            let mut fixture = Fixture::new();
            let target = fixture.write("target.md", "text");
            let link = fixture.dir.path().join("link.txt");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            fixture.consider(&link, Hint::Complete);
            assert!(
                fixture.state.idle(),
                "a link inside the root is ignored too"
            );
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
