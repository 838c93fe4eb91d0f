//! When a file is complete: the settle logic. A file is taken once it was
//! closed after writing or renamed in, or once its size and mtime have not
//! changed for the settle time. The state also tracks what is queued and in
//! flight, so a file is never taken twice at once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use notify::EventKind;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use tokio::time::Instant;
use wirehose_core::{AckStatus, RunStats};

use super::root::{FileInfo, Root, mtime_ns};

/// A file waiting to settle: its size and mtime when last seen, and when it
/// is due to be looked at again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Pending {
    pub(super) size: u64,
    pub(super) mtime_ns: i64,
    pub(super) due: Instant,
}

/// Why a file is being looked at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Hint {
    /// It may still be written: wait until it settles.
    Settle,
    /// It is known complete (closed after write, renamed in).
    Complete,
    /// Found by a scan: complete if older than the settle time.
    Scan,
}

/// An emitted article's acknowledgement, resolved with the file it came from.
pub(super) type Completion = BoxFuture<'static, (FileInfo, AckStatus)>;

/// What the source knows of the files it has not finished.
pub(super) struct State {
    pub(super) root: Arc<Root>,
    pub(super) settle: Duration,
    pub(super) pending: HashMap<PathBuf, Pending>,
    pub(super) ready: VecDeque<(PathBuf, String)>,
    pub(super) queued: HashSet<PathBuf>,
    pub(super) in_flight: FuturesUnordered<Completion>,
    pub(super) in_flight_paths: HashSet<PathBuf>,
    pub(super) in_flight_ids: HashSet<String>,
    pub(super) recheck: HashSet<PathBuf>,
    pub(super) seen: HashSet<PathBuf>,
}

impl State {
    /// Returns the state of a source that has seen nothing yet.
    pub(super) fn new(root: Arc<Root>, settle: Duration) -> State {
        State {
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
        }
    }

    pub(super) fn busy(&self, path: &Path) -> bool {
        self.queued.contains(path) || self.in_flight_paths.contains(path)
    }

    fn count_new(&mut self, path: &Path, stats: &RunStats) {
        if self.seen.insert(path.to_path_buf()) {
            RunStats::bump(&stats.discovered);
        }
    }

    /// Notes a file from a watcher event.
    pub(super) fn consider(&mut self, path: PathBuf, hint: Hint, stats: &RunStats) {
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
    pub(super) fn settle_due(&mut self) {
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
    pub(super) fn forget(&mut self, path: &Path) {
        if let Some(key) = self.root.accept(path) {
            self.pending.remove(&self.root.path.join(key));
        }
    }

    pub(super) fn idle(&self) -> bool {
        self.pending.is_empty() && self.ready.is_empty() && self.in_flight.is_empty()
    }
}

impl State {
    pub(super) fn on_event(&mut self, event: notify::Event, stats: &RunStats, rescan: &mut bool) {
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
