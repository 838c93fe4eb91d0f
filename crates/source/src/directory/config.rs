//! The directory source's raw configuration and its validation.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use wirehose_core::config::in_range;
use wirehose_core::{BuildContext, ConfigProblem, Source, SourceConfig};

use super::run::Directory;

/// What to do with an input file once every sink acknowledged its article.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OnComplete {
    /// Leave it where it is (the ledger remembers it). The default.
    #[default]
    Keep,
    /// Move it into `done_dir`.
    Move,
    /// Delete it.
    Delete,
}

/// What to do with an input file that is quarantined.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OnQuarantine {
    /// Move it into the quarantine directory beside its report. The default.
    #[default]
    Move,
    /// Leave it in place; only the report is written.
    Keep,
}

pub(super) fn default_include() -> Vec<String> {
    ["*.txt", "*.md", "*.html", "*.htm"]
        .map(String::from)
        .to_vec()
}
fn default_settle_ms() -> u64 {
    500
}
fn default_rescan_secs() -> u64 {
    30
}
fn default_poll_interval_ms() -> u64 {
    1000
}
fn default_max_bytes() -> u64 {
    10 * 1024 * 1024
}
fn default_max_in_flight() -> usize {
    256
}
fn default_true() -> bool {
    true
}

/// Raw configuration of the directory source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryConfig {
    /// Directory to watch. Required. Relative paths are taken from the
    /// working directory.
    pub path: PathBuf,
    /// Globs a file must match, relative to `path`. Default `["*.txt", "*.md", "*.html", "*.htm"]`.
    #[serde(default = "default_include")]
    pub include: Vec<String>,
    /// Globs that exclude a file, relative to `path`. Default none. Hidden
    /// files and `*.tmp`, `*.part`, `*~` are always ignored.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Also watch subdirectories. Default false.
    #[serde(default)]
    pub recursive: bool,
    /// Use notify's poll watcher instead of inotify (network file systems).
    /// Default false.
    #[serde(default)]
    pub poll: bool,
    /// Poll period of the poll watcher, in milliseconds. Default 1000.
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// A file without a close-after-write event is complete once its size and
    /// mtime have not changed for this long, in milliseconds. Default 500.
    #[serde(default = "default_settle_ms")]
    pub settle_ms: u64,
    /// Period of the full rescan that catches missed events, in seconds;
    /// 0 disables it. Default 30.
    #[serde(default = "default_rescan_secs")]
    pub rescan_secs: u64,
    /// Larger files are quarantined, in bytes. Default 10 MiB.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
    /// `keep`, `move` (into `done_dir`) or `delete`, applied after every sink
    /// acknowledged the article. Default `keep`.
    #[serde(default)]
    pub on_complete: OnComplete,
    /// Where `on_complete = "move"` puts files. Default `PATH/done`.
    #[serde(default)]
    pub done_dir: Option<PathBuf>,
    /// `move` a quarantined file into the quarantine, or `keep` it in place.
    /// Default `move`.
    #[serde(default)]
    pub on_quarantine: OnQuarantine,
    /// Most articles read but not yet acknowledged. Default 256.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
    /// Create `path` if it does not exist. Default true.
    #[serde(default = "default_true")]
    pub create: bool,
}

/// Which files under the root are articles.
#[derive(Debug, Clone)]
pub(super) struct Filter {
    pub(super) include: GlobSet,
    pub(super) exclude: GlobSet,
    pub(super) done_dir: PathBuf,
}

impl Filter {
    /// Returns whether `relative` (a path under the root) is an article file name.
    pub(super) fn accepts(&self, relative: &Path) -> bool {
        for component in relative.components() {
            if component.as_os_str().to_string_lossy().starts_with('.') {
                return false;
            }
        }
        let Some(name) = relative.file_name().map(|n| n.to_string_lossy()) else {
            return false;
        };
        let temporary = [".tmp", ".part", ".partial", ".crdownload", ".swp", "~"];
        if temporary.iter().any(|suffix| name.ends_with(suffix)) {
            return false;
        }
        self.include.is_match(relative) && !self.exclude.is_match(relative)
    }
}

pub(super) fn glob_set(
    patterns: &[String],
    cx: &BuildContext,
    key: &str,
) -> Result<GlobSet, ConfigProblem> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern)
            .map_err(|err| cx.problem(key, format!("invalid glob `{pattern}`: {err}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|err| cx.problem(key, format!("invalid globs: {err}")))
}

impl SourceConfig for DirectoryConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Source>, ConfigProblem> {
        if self.path.as_os_str().is_empty() {
            return Err(cx.problem("path", "must not be empty"));
        }
        if self.include.is_empty() {
            return Err(cx.problem("include", "must list at least one glob"));
        }
        // Bounds documented in the README; a huge value would overflow a
        // deadline (a panic at run time) or make `--once` wait for ever.
        in_range(cx, "max_in_flight", self.max_in_flight, 1..=65_536)?;
        in_range(cx, "max_bytes", self.max_bytes, 1..=1 << 30)?;
        in_range(cx, "settle_ms", self.settle_ms, 0..=3_600_000)?;
        in_range(cx, "rescan_secs", self.rescan_secs, 0..=86_400)?;
        let min_poll = u64::from(self.poll);
        in_range(
            cx,
            "poll_interval_ms",
            self.poll_interval_ms,
            min_poll..=3_600_000,
        )?;
        let done_dir = self
            .done_dir
            .clone()
            .unwrap_or_else(|| self.path.join("done"));
        let filter = Filter {
            include: glob_set(&self.include, cx, "include")?,
            exclude: glob_set(&self.exclude, cx, "exclude")?,
            done_dir,
        };
        Ok(Box::new(Directory {
            config: self.clone(),
            filter,
        }))
    }
}
