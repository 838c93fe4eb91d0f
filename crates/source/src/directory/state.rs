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
use tracing::info;
use wirehose_core::{AckStatus, RunStats};

use super::at::Stat;
use super::root::{FileInfo, Root, now_ns};

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

/// What the source knows of the files it has not finished. Paths are keyed
/// in one spelling: the root's path joined with the real relative path.
pub(super) struct State {
    pub(super) root: Arc<Root>,
    pub(super) settle: Duration,
    pub(super) pending: HashMap<PathBuf, Pending>,
    pub(super) ready: VecDeque<(PathBuf, PathBuf)>,
    pub(super) queued: HashSet<PathBuf>,
    pub(super) in_flight: FuturesUnordered<Completion>,
    pub(super) in_flight_paths: HashSet<PathBuf>,
    pub(super) in_flight_ids: HashSet<String>,
    pub(super) recheck: HashSet<PathBuf>,
    /// Files counted as discovered and not finished yet (a finished one is
    /// the ledger's to remember: scans skip it).
    pub(super) seen: HashSet<PathBuf>,
    /// Files that settled empty: not taken, and not waited for again until
    /// an event or a scan shows content.
    pub(super) empty: HashSet<PathBuf>,
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
            empty: HashSet::new(),
        }
    }

    pub(super) fn busy(&self, path: &Path) -> bool {
        self.queued.contains(path) || self.in_flight_paths.contains(path)
    }

    /// Returns every path a scan need not look at: pending, queued or in flight.
    pub(super) fn known(&self) -> HashSet<PathBuf> {
        self.pending
            .keys()
            .chain(&self.queued)
            .chain(&self.in_flight_paths)
            .cloned()
            .collect()
    }

    fn count_new(&mut self, path: &Path, stats: &RunStats) {
        if self.seen.insert(path.to_path_buf()) {
            RunStats::bump(&stats.discovered);
        }
    }

    /// Notes a file from a watcher event.
    pub(super) fn consider(&mut self, path: PathBuf, hint: Hint, stats: &RunStats) {
        self.consider_stat(path, hint, None, stats);
    }

    /// Notes a file, with its `stat` when the caller already has it.
    pub(super) fn consider_stat(
        &mut self,
        path: PathBuf,
        hint: Hint,
        known: Option<Stat>,
        stats: &RunStats,
    ) {
        let Some((path, relative)) = self.root.accept(&path) else {
            return;
        };
        if self.in_flight_paths.contains(&path) {
            self.recheck.insert(path);
            return;
        }
        if self.queued.contains(&path) {
            return;
        }
        let Some(stat) = known.or_else(|| self.root.stat(&relative)) else {
            self.pending.remove(&path);
            self.empty.remove(&path);
            return;
        };
        if stat.size == 0 && hint == Hint::Scan && self.empty.contains(&path) {
            return;
        }
        let settle_ns = i64::try_from(self.settle.as_nanos()).unwrap_or(i64::MAX);
        let old_enough = now_ns().saturating_sub(stat.mtime_ns) >= settle_ns;
        let complete =
            stat.size > 0 && (hint == Hint::Complete || (hint == Hint::Scan && old_enough));
        self.count_new(&path, stats);
        if complete {
            self.pending.remove(&path);
            self.empty.remove(&path);
            self.queued.insert(path.clone());
            self.ready.push_back((path, relative));
        } else {
            self.pending.insert(
                path,
                Pending {
                    size: stat.size,
                    mtime_ns: stat.mtime_ns,
                    due: Instant::now() + self.settle,
                },
            );
        }
    }

    /// Moves settled files to the ready queue. A file that settled empty is
    /// not complete: it is left alone (logged once) until it changes.
    pub(super) fn settle_due(&mut self) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(path, _)| path.clone())
            .collect();
        for path in due {
            let Some((_, relative)) = self.root.accept(&path) else {
                self.pending.remove(&path);
                continue;
            };
            let Some(stat) = self.root.stat(&relative) else {
                self.pending.remove(&path);
                self.empty.remove(&path);
                continue;
            };
            let Some(entry) = self.pending.get_mut(&path) else {
                continue;
            };
            if entry.size != stat.size || entry.mtime_ns != stat.mtime_ns {
                *entry = Pending {
                    size: stat.size,
                    mtime_ns: stat.mtime_ns,
                    due: now + self.settle,
                };
                continue;
            }
            self.pending.remove(&path);
            if stat.size == 0 {
                if self.empty.insert(path.clone()) {
                    info!(file = %self.root.path.join(super::root::key_of(&relative)).display(), "file is empty; it is taken once it has content");
                }
                continue;
            }
            self.empty.remove(&path);
            self.queued.insert(path.clone());
            self.ready.push_back((path, relative));
        }
    }

    /// Stops waiting for a file that went away.
    pub(super) fn forget(&mut self, path: &Path) {
        if let Some((path, _)) = self.root.accept(path) {
            self.pending.remove(&path);
            self.empty.remove(&path);
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
