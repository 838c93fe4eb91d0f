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
}
