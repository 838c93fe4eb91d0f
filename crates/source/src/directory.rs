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

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use globset::{Glob, GlobSet, GlobSetBuilder};
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::{debug, info, warn};
use wirehose_core::{
    Ack, AckStatus, BuildContext, ConfigProblem, Event, Evidence, InputEntry, InputInfo,
    InputStatus, Ledger, Record, RunStats, Settled, Source, SourceConfig, SourceContext,
    SourceInfo, StageError, now_rfc3339,
};

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

fn default_include() -> Vec<String> {
    vec!["*.txt".to_string(), "*.md".to_string()]
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
    /// Globs a file must match, relative to `path`. Default `["*.txt", "*.md"]`.
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

#[derive(Debug, Clone)]
struct Filter {
    include: GlobSet,
    exclude: GlobSet,
    done_dir: PathBuf,
}

impl Filter {
    /// Returns whether `relative` (a path under the root) is an article file name.
    fn accepts(&self, relative: &Path) -> bool {
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

fn glob_set(patterns: &[String], cx: &BuildContext, key: &str) -> Result<GlobSet, ConfigProblem> {
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
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn wirehose_core::Source>, ConfigProblem> {
        if self.path.as_os_str().is_empty() {
            return Err(cx.problem("path", "must not be empty"));
        }
        if self.include.is_empty() {
            return Err(cx.problem("include", "must list at least one glob"));
        }
        if self.max_in_flight == 0 {
            return Err(cx.problem("max_in_flight", "must be at least 1"));
        }
        if self.max_bytes == 0 {
            return Err(cx.problem("max_bytes", "must be at least 1"));
        }
        if self.poll && self.poll_interval_ms == 0 {
            return Err(cx.problem("poll_interval_ms", "must be at least 1"));
        }
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

/// The running directory source.
#[derive(Debug)]
pub struct Directory {
    config: DirectoryConfig,
    filter: Filter,
}

/// Identity of an input file at the time it was read.
#[derive(Debug, Clone)]
struct FileInfo {
    path: PathBuf,
    key: String,
    size: u64,
    mtime_ns: i64,
    id: Option<String>,
    read_at: Instant,
}

impl FileInfo {
    /// Returns what core needs to settle this input.
    fn input(&self) -> InputInfo {
        InputInfo {
            id: self.id.clone(),
            file: self.path.clone(),
            bytes: self.size,
            read_at: self.read_at,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    size: u64,
    mtime_ns: i64,
    due: Instant,
}

/// Why a file is being looked at.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Hint {
    /// It may still be written: wait until it settles.
    Settle,
    /// It is known complete (closed after write, renamed in).
    Complete,
    /// Found by a scan: complete if older than the settle time.
    Scan,
}

enum ReadOutcome {
    Vanished,
    Refused {
        info: FileInfo,
        reason: String,
        hint: String,
    },
    Read {
        info: FileInfo,
        bytes: Vec<u8>,
    },
}

fn mtime_ns(metadata: &fs::Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Shared, immutable facts the blocking helpers need.
#[derive(Debug, Clone)]
struct Root {
    /// The configured path, used to build record paths.
    path: PathBuf,
    /// Its canonical form, used to confine symlinks.
    canonical: PathBuf,
    filter: Filter,
    recursive: bool,
    max_bytes: u64,
    on_complete: OnComplete,
}

impl Root {
    fn relative<'a>(&self, path: &'a Path) -> Option<&'a Path> {
        path.strip_prefix(&self.path)
            .ok()
            .or_else(|| path.strip_prefix(&self.canonical).ok())
    }

    fn key_of(relative: &Path) -> String {
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Returns metadata of an acceptable regular file at `path` (following a
    /// symlink only when it stays inside the root).
    fn file_metadata(&self, path: &Path) -> Option<fs::Metadata> {
        let link = fs::symlink_metadata(path).ok()?;
        if link.file_type().is_symlink() {
            let target = fs::canonicalize(path).ok()?;
            if !target.starts_with(&self.canonical) {
                debug!(file = %path.display(), "symlink leads outside the watched directory; ignored");
                return None;
            }
            let metadata = fs::metadata(&target).ok()?;
            return metadata.is_file().then_some(metadata);
        }
        link.is_file().then_some(link)
    }

    /// Returns the key of `path` if it is an article file this source takes.
    fn accept(&self, path: &Path) -> Option<String> {
        let relative = self.relative(path)?;
        if self.path.join(relative).starts_with(&self.filter.done_dir) {
            return None;
        }
        if !self.recursive && relative.components().count() != 1 {
            return None;
        }
        self.filter
            .accepts(relative)
            .then(|| Root::key_of(relative))
    }

    fn walk(&self, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if self.recursive && !hidden && !path.starts_with(&self.filter.done_dir) {
                    self.walk(&path, out);
                }
            } else {
                out.push(path);
            }
        }
    }

    /// Scans the root (blocking): returns files that need attention, with their
    /// size and mtime. Inputs the ledger already finished are skipped (and their
    /// `on_complete` action is applied if a crash prevented it).
    fn scan(&self, ledger: &Ledger, source: &str) -> Vec<(PathBuf, String, u64, i64)> {
        let mut files = Vec::new();
        self.walk(&self.path, &mut files);
        files.sort();
        let mut wanted = Vec::new();
        for path in files {
            let Some(key) = self.accept(&path) else {
                continue;
            };
            let Some(metadata) = self.file_metadata(&path) else {
                continue;
            };
            let (size, mtime) = (metadata.len(), mtime_ns(&metadata));
            match ledger.lookup(source, &key) {
                Ok(Some(entry)) if entry.size == size && entry.mtime_ns == mtime => {
                    if entry.status != InputStatus::Quarantined {
                        self.finish_file(&path, &key);
                    }
                }
                Ok(_) => wanted.push((path, key, size, mtime)),
                Err(err) => {
                    warn!(error = %err, file = %path.display(), "ledger lookup failed; taking the file");
                    wanted.push((path, key, size, mtime));
                }
            }
        }
        wanted
    }

    /// Applies `on_complete` to a finished input (blocking).
    fn finish_file(&self, path: &Path, key: &str) {
        let result = match self.on_complete {
            OnComplete::Keep => return,
            OnComplete::Delete => fs::remove_file(path),
            OnComplete::Move => {
                let mut target = self.filter.done_dir.join(key);
                if target.exists() {
                    let mut name = target.clone().into_os_string();
                    name.push(format!(
                        ".{}",
                        SystemTime::now()
                            .duration_since(UNIX_EPOCH)
                            .map(|d| d.as_nanos())
                            .unwrap_or(0)
                    ));
                    target = PathBuf::from(name);
                }
                target
                    .parent()
                    .map(fs::create_dir_all)
                    .unwrap_or(Ok(()))
                    .and_then(|()| fs::rename(path, &target))
            }
        };
        match result {
            Ok(()) => {
                debug!(file = %path.display(), action = ?self.on_complete, "on_complete applied")
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                warn!(file = %path.display(), error = %err, "on_complete failed; the file stays in place")
            }
        }
    }

    /// Reads one file (blocking), refusing empty and oversized files.
    fn read(&self, path: &Path, key: &str) -> ReadOutcome {
        let Some(metadata) = self.file_metadata(path) else {
            return ReadOutcome::Vanished;
        };
        let mut info = FileInfo {
            path: path.to_path_buf(),
            key: key.to_string(),
            size: metadata.len(),
            mtime_ns: mtime_ns(&metadata),
            id: None,
            read_at: Instant::now(),
        };
        if info.size > self.max_bytes {
            return ReadOutcome::Refused {
                reason: format!(
                    "file is {} bytes, more than max_bytes = {}",
                    info.size, self.max_bytes
                ),
                hint: "raise max_bytes for this source if such large articles are expected".into(),
                info,
            };
        }
        if info.size == 0 {
            return ReadOutcome::Refused {
                info,
                reason: "file is empty".into(),
                hint: "write the article's text to the file; an empty file holds no article".into(),
            };
        }
        match fs::read(path) {
            Ok(bytes) if bytes.len() as u64 > self.max_bytes => ReadOutcome::Refused {
                reason: format!(
                    "file grew past max_bytes = {} while being read",
                    self.max_bytes
                ),
                hint: "raise max_bytes for this source if such large articles are expected".into(),
                info,
            },
            Ok(bytes) => {
                info.size = bytes.len() as u64;
                ReadOutcome::Read { info, bytes }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => ReadOutcome::Vanished,
            Err(err) => ReadOutcome::Refused {
                reason: format!("cannot read file: {err}"),
                hint: "check the file's permissions".into(),
                info,
            },
        }
    }
}

type Completion = BoxFuture<'static, (FileInfo, AckStatus)>;

/// Returns the ledger entry recording what became of the input `info`.
fn ledger_entry(
    source: &str,
    info: &FileInfo,
    status: InputStatus,
    reason: Option<String>,
    duplicate_of: Option<String>,
) -> InputEntry {
    InputEntry {
        source: source.to_string(),
        key: info.key.clone(),
        size: info.size,
        mtime_ns: info.mtime_ns,
        id: info.id.clone(),
        status,
        reason,
        duplicate_of,
    }
}

struct State {
    root: Arc<Root>,
    settle: Duration,
    pending: HashMap<PathBuf, Pending>,
    ready: VecDeque<(PathBuf, String)>,
    queued: HashSet<PathBuf>,
    in_flight: FuturesUnordered<Completion>,
    in_flight_paths: HashSet<PathBuf>,
    in_flight_ids: HashSet<String>,
    recheck: HashSet<PathBuf>,
    seen: HashSet<PathBuf>,
}

impl State {
    fn busy(&self, path: &Path) -> bool {
        self.queued.contains(path) || self.in_flight_paths.contains(path)
    }

    fn count_new(&mut self, path: &Path, stats: &RunStats) {
        if self.seen.insert(path.to_path_buf()) {
            RunStats::bump(&stats.discovered);
        }
    }

    /// Notes a file from a watcher event.
    fn consider(&mut self, path: PathBuf, hint: Hint, stats: &RunStats) {
        let Some(key) = self.root.accept(&path) else {
            return;
        };
        // One spelling per file: events give absolute paths, scans relative ones.
        let path = self.root.path.join(&key);
        if self.in_flight_paths.contains(&path) {
            self.recheck.insert(path);
            return;
        }
        if self.queued.contains(&path) {
            return;
        }
        let Some(key) = self.root.accept(&path) else {
            return;
        };
        let Some(metadata) = self.root.file_metadata(&path) else {
            self.pending.remove(&path);
            return;
        };
        let (size, mtime) = (metadata.len(), mtime_ns(&metadata));
        let old_enough = metadata
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= self.settle);
        let complete = size > 0 && (hint == Hint::Complete || (hint == Hint::Scan && old_enough));
        self.count_new(&path, stats);
        if complete {
            self.pending.remove(&path);
            self.queued.insert(path.clone());
            self.ready.push_back((path, key));
        } else {
            self.pending.insert(
                path,
                Pending {
                    size,
                    mtime_ns: mtime,
                    due: Instant::now() + self.settle,
                },
            );
        }
    }

    /// Moves settled files to the ready queue.
    fn settle_due(&mut self) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(path, _)| path.clone())
            .collect();
        for path in due {
            let Some(metadata) = self.root.file_metadata(&path) else {
                self.pending.remove(&path);
                continue;
            };
            let (size, mtime) = (metadata.len(), mtime_ns(&metadata));
            let Some(entry) = self.pending.get_mut(&path) else {
                continue;
            };
            if entry.size == size && entry.mtime_ns == mtime {
                self.pending.remove(&path);
                if let Some(key) = self.root.accept(&path) {
                    self.queued.insert(path.clone());
                    self.ready.push_back((path, key));
                }
            } else {
                *entry = Pending {
                    size,
                    mtime_ns: mtime,
                    due: now + self.settle,
                };
            }
        }
    }

    /// Stops waiting for a file that went away.
    fn forget(&mut self, path: &Path) {
        if let Some(key) = self.root.accept(path) {
            self.pending.remove(&self.root.path.join(key));
        }
    }

    fn idle(&self) -> bool {
        self.pending.is_empty() && self.ready.is_empty() && self.in_flight.is_empty()
    }
}

fn watch_events(
    config: &DirectoryConfig,
    root: &Path,
    sender: mpsc::Sender<notify::Result<notify::Event>>,
    overflow: Arc<AtomicBool>,
) -> Result<Box<dyn Watcher + Send>, notify::Error> {
    let handler = move |event: notify::Result<notify::Event>| {
        // Never block notify's thread: on a full queue, ask for a rescan.
        if sender.try_send(event).is_err() {
            overflow.store(true, Ordering::Release);
        }
    };
    let mode = if config.recursive {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    let mut watcher: Box<dyn Watcher + Send> = if config.poll {
        let poll_config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(config.poll_interval_ms));
        Box::new(notify::PollWatcher::new(handler, poll_config)?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    watcher.watch(root, mode)?;
    Ok(watcher)
}

impl State {
    fn on_event(&mut self, event: notify::Event, stats: &RunStats, rescan: &mut bool) {
        if event.need_rescan() {
            *rescan = true;
        }
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for path in event.paths {
                    self.consider(path, Hint::Complete, stats);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                for path in event.paths {
                    self.consider(path, Hint::Complete, stats);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                let mut paths = event.paths.into_iter();
                if let Some(from) = paths.next() {
                    self.forget(&from);
                }
                if let Some(to) = paths.next() {
                    self.consider(to, Hint::Complete, stats);
                }
            }
            EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_) => {
                for path in event.paths {
                    self.forget(&path);
                }
            }
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any => {
                for path in event.paths {
                    self.consider(path, Hint::Settle, stats);
                }
            }
            _ => {}
        }
    }
}

impl Directory {
    /// Returns what goes into the quarantine with a refused file.
    fn evidence(&self) -> Evidence {
        Evidence::File {
            move_input: self.config.on_quarantine == OnQuarantine::Move,
        }
    }

    /// Does this source's part once core settled `info`: records the ledger
    /// entry (`on_complete` runs once it is committed), or forgets a lost
    /// input so that it is taken again. A refused input is recorded whether or
    /// not its quarantine report could be written, so it is not taken again
    /// until it changes.
    fn record_settled(state: &mut State, cx: &SourceContext, info: &FileInfo, settled: Settled) {
        match settled {
            Settled::Done => {
                let after = Directory::after_commit(&state.root, info);
                cx.ledger.record(
                    ledger_entry(&cx.id, info, InputStatus::Done, None, None),
                    after,
                );
            }
            Settled::Quarantined { rejection, .. } | Settled::Unwritable { rejection } => {
                let reason = format!("{}: {}", rejection.component, rejection.reason);
                cx.ledger.record(
                    ledger_entry(&cx.id, info, InputStatus::Quarantined, Some(reason), None),
                    None,
                );
            }
            Settled::Lost => {
                state.seen.remove(&info.path);
            }
        }
    }

    fn after_commit(
        root: &Arc<Root>,
        info: &FileInfo,
    ) -> Option<wirehose_core::ledger::AfterCommit> {
        if root.on_complete == OnComplete::Keep {
            return None;
        }
        let (root, path, key) = (root.clone(), info.path.clone(), info.key.clone());
        Some(Box::new(move || root.finish_file(&path, &key)))
    }

    async fn take(
        &self,
        state: &mut State,
        cx: &SourceContext,
        permit: mpsc::Permit<'_, Event>,
        path: PathBuf,
        key: String,
    ) {
        state.queued.remove(&path);
        let root = state.root.clone();
        let read_path = path.clone();
        let outcome = match tokio::task::spawn_blocking(move || root.read(&read_path, &key)).await {
            Ok(outcome) => outcome,
            Err(err) => {
                warn!(error = %err, file = %path.display(), "read task failed; will retry at next rescan");
                return;
            }
        };
        match outcome {
            ReadOutcome::Vanished => {
                state.seen.remove(&path);
                RunStats::bump(&cx.stats.skipped);
                debug!(file = %path.display(), "file vanished before it was read");
            }
            ReadOutcome::Refused { info, reason, hint } => {
                let settled = cx
                    .refuse(&info.input(), reason, hint, self.evidence())
                    .await;
                Directory::record_settled(state, cx, &info, settled);
            }
            ReadOutcome::Read { mut info, bytes } => {
                let record = Record::from_raw(
                    bytes,
                    SourceInfo {
                        path: path.clone(),
                        bytes: info.size,
                        received_at: now_rfc3339(),
                    },
                );
                info.id = Some(record.id.clone());
                let earlier = if state.in_flight_ids.contains(&record.id) {
                    Some(String::from("(in flight)"))
                } else {
                    match cx.ledger.article(&record.id) {
                        Ok(found) => found.map(|(source, key)| format!("{source}:{key}")),
                        Err(err) => {
                            warn!(error = %err, "ledger lookup failed; treating article as new");
                            None
                        }
                    }
                };
                if let Some(earlier) = earlier {
                    info!(
                        record_id = %record.id,
                        file = %path.display(),
                        stage = %cx.key,
                        duplicate_of = %earlier,
                        "duplicate article skipped"
                    );
                    let after = Directory::after_commit(&state.root, &info);
                    cx.ledger.record(
                        ledger_entry(
                            &cx.id,
                            &info,
                            InputStatus::Duplicate,
                            None,
                            Some(record.id.clone()),
                        ),
                        after,
                    );
                    RunStats::bump(&cx.stats.duplicates);
                    return;
                }
                let (ack, waiter) = Ack::new();
                debug!(record_id = %record.id, file = %path.display(), bytes = info.size, "article read");
                state.in_flight_ids.insert(record.id.clone());
                state.in_flight_paths.insert(path);
                permit.send(Event::new(record, ack));
                let completion: Completion = Box::pin(async move {
                    let status = waiter.await.unwrap_or(AckStatus::Lost);
                    (info, status)
                });
                state.in_flight.push(completion);
            }
        }
    }

    async fn complete(
        &self,
        state: &mut State,
        cx: &SourceContext,
        info: FileInfo,
        status: AckStatus,
    ) {
        state.in_flight_paths.remove(&info.path);
        if let Some(id) = &info.id {
            state.in_flight_ids.remove(id);
        }
        let settled = cx.settle(&info.input(), status, self.evidence()).await;
        Directory::record_settled(state, cx, &info, settled);
        if state.recheck.remove(&info.path) {
            state.consider(info.path, Hint::Settle, &cx.stats);
        }
    }

    async fn scan(&self, state: &mut State, cx: &SourceContext) {
        let (root, ledger, source) = (state.root.clone(), cx.ledger.clone(), cx.id.clone());
        let found = match tokio::task::spawn_blocking(move || root.scan(&ledger, &source)).await {
            Ok(found) => found,
            Err(err) => {
                warn!(error = %err, "scan task failed");
                return;
            }
        };
        let mut added = 0usize;
        for (path, _key, _size, _mtime) in found {
            if !state.busy(&path) && !state.pending.contains_key(&path) {
                state.consider(path, Hint::Scan, &cx.stats);
                added += 1;
            }
        }
        debug!(files = added, "scan done");
    }
}

#[async_trait]
impl Source for Directory {
    async fn run(self: Box<Self>, cx: SourceContext) -> Result<(), StageError> {
        let config = &self.config;
        if config.create && !config.path.exists() {
            fs::create_dir_all(&config.path).map_err(|e| StageError::io(&config.path, e))?;
            info!(path = %config.path.display(), "created watched directory");
        }
        let canonical =
            fs::canonicalize(&config.path).map_err(|e| StageError::io(&config.path, e))?;
        let root = Arc::new(Root {
            path: config.path.clone(),
            canonical: canonical.clone(),
            filter: self.filter.clone(),
            recursive: config.recursive,
            max_bytes: config.max_bytes,
            on_complete: config.on_complete,
        });
        let settle = Duration::from_millis(config.settle_ms);
        let mut state = State {
            root,
            settle,
            pending: HashMap::new(),
            ready: VecDeque::new(),
            queued: HashSet::new(),
            in_flight: FuturesUnordered::new(),
            in_flight_paths: HashSet::new(),
            in_flight_ids: HashSet::new(),
            recheck: HashSet::new(),
            seen: HashSet::new(),
        };

        // Watch first, then scan, so nothing arriving in between is missed.
        let (event_sender, mut events) = mpsc::channel(4096);
        let overflow = Arc::new(AtomicBool::new(false));
        let _watcher = if cx.once {
            drop(event_sender);
            None
        } else {
            let watcher = watch_events(config, &config.path, event_sender, overflow.clone())
                .map_err(|e| {
                    StageError::Other(format!("cannot watch {}: {e}", config.path.display()))
                })?;
            Some(watcher)
        };
        info!(path = %config.path.display(), poll = config.poll, recursive = config.recursive, "watching directory");
        self.scan(&mut state, &cx).await;

        let tick_every = Duration::from_millis((config.settle_ms / 4).clamp(20, 250));
        let mut tick = tokio::time::interval(tick_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let rescan_every = Duration::from_secs(config.rescan_secs.max(1));
        let mut rescan_timer =
            tokio::time::interval_at(tokio::time::Instant::now() + rescan_every, rescan_every);
        rescan_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let out = cx.out.clone();
        let mut events_open = !cx.once;

        loop {
            if cx.once && state.idle() {
                info!("backfill finished");
                break;
            }
            let can_take = !state.ready.is_empty() && state.in_flight.len() < config.max_in_flight;
            tokio::select! {
                _ = cx.shutdown.cancelled() => {
                    info!(in_flight = state.in_flight.len(), "source stopping; taking no new files");
                    break;
                }
                Some((info, status)) = state.in_flight.next(), if !state.in_flight.is_empty() => {
                    self.complete(&mut state, &cx, info, status).await;
                }
                permit = out.reserve(), if can_take => {
                    let Ok(permit) = permit else {
                        warn!("downstream closed; source stopping");
                        break;
                    };
                    if let Some((path, key)) = state.ready.pop_front() {
                        self.take(&mut state, &cx, permit, path, key).await;
                    }
                }
                event = events.recv(), if events_open => match event {
                    Some(Ok(event)) => {
                        let mut rescan = false;
                        state.on_event(event, &cx.stats, &mut rescan);
                        if rescan {
                            overflow.store(true, Ordering::Release);
                        }
                    }
                    Some(Err(err)) => {
                        warn!(error = %err, "watcher error; rescanning");
                        overflow.store(true, Ordering::Release);
                    }
                    None => events_open = false,
                },
                _ = tick.tick() => {
                    state.settle_due();
                    if overflow.swap(false, Ordering::AcqRel) {
                        warn!("watcher events were dropped or overflowed; rescanning");
                        self.scan(&mut state, &cx).await;
                    }
                }
                _ = rescan_timer.tick(), if config.rescan_secs > 0 && !cx.once => {
                    self.scan(&mut state, &cx).await;
                }
            }
        }

        // Take nothing new; wait for what is in flight, then return.
        drop(out);
        drop(_watcher);
        while let Some((info, status)) = state.in_flight.next().await {
            self.complete(&mut state, &cx, info, status).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
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
