//! The running directory source: the watcher, the run loop, reading and
//! emitting files, and recording what became of them.

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, info, warn};
use wirehose_core::{
    Ack, AckStatus, Event, Evidence, InputMover, InputStatus, Record, RunStats, Settled, Source,
    SourceContext, SourceInfo, StageError, now_rfc3339,
};

use super::at;
use super::config::{DirectoryConfig, Filter, OnComplete, OnQuarantine};
use super::root::{FileInfo, Found, ReadOutcome, Root, ledger_entry};
use super::state::{Completion, Hint, State};
use super::watch::Watches;

/// What an article is to the inputs already known.
enum Earlier {
    New,
    SameFile,
    Other(String),
}

/// A rescan after dropped events waits until no event was dropped for this
/// long: during a burst a rescan would only be overtaken by more drops.
const RESCAN_QUIET: Duration = Duration::from_secs(1);
/// …but never longer than this after the first drop it covers.
const RESCAN_MAX_WAIT: Duration = Duration::from_secs(10);

/// The running directory source.
#[derive(Debug)]
pub struct Directory {
    pub(super) config: DirectoryConfig,
    pub(super) filter: Filter,
}

/// What a scan found: files to consider and real subdirectories.
type ScanResult = (Vec<Found>, Vec<PathBuf>);

/// Rescans: at most one runs (off the async thread), and rescans asked for
/// while one runs, or during a burst of dropped events, are coalesced.
#[derive(Default)]
struct Rescans {
    running: Option<(JoinHandle<ScanResult>, Instant)>,
    /// When the first dropped event not yet covered by a scan was noticed.
    dropped_since: Option<Instant>,
    last_drop: Option<Instant>,
    /// The next overflow rescan starts no earlier: a scan's cost is paid
    /// back in as much time without one.
    not_before: Option<Instant>,
    periodic_wanted: bool,
}

impl Rescans {
    fn note_drop(&mut self, now: Instant) {
        self.dropped_since.get_or_insert(now);
        self.last_drop = Some(now);
    }

    /// Returns whether an overflow rescan is due now.
    fn overflow_due(&self, now: Instant) -> bool {
        let (Some(since), Some(last)) = (self.dropped_since, self.last_drop) else {
            return false;
        };
        let calm = now.duration_since(last) >= RESCAN_QUIET
            || now.duration_since(since) >= RESCAN_MAX_WAIT;
        calm && self.not_before.is_none_or(|at| now >= at)
    }

    /// Waits for the running scan; never resolves when none runs.
    async fn finished(&mut self) -> Option<ScanResult> {
        let Some((handle, _)) = self.running.as_mut() else {
            return std::future::pending().await;
        };
        let result = handle.await;
        let started = self.running.take().map(|(_, started)| started);
        if let Some(started) = started {
            let now = Instant::now();
            self.not_before = Some(now + now.duration_since(started));
        }
        match result {
            Ok(found) => Some(found),
            Err(err) => {
                warn!(error = %err, "scan task failed");
                None
            }
        }
    }
}

impl Directory {
    /// Returns what goes into the quarantine with a refused file: with
    /// `on_quarantine = "move"`, the file, moved relative to the root's
    /// handle (never through a link) and only if it is still the file read.
    fn evidence(&self, root: &Arc<Root>, info: &FileInfo) -> Evidence {
        if self.config.on_quarantine == OnQuarantine::Keep {
            return Evidence::File { move_input: false };
        }
        let (root, relative, stat) = (root.clone(), info.relative.clone(), info.stat);
        Evidence::Moved(InputMover(Arc::new(move |target| {
            root.move_out(&relative, &stat, target)
        })))
    }

    /// Does this source's part once core settled `info`: records the ledger
    /// entry (`on_complete` runs once it is committed), or forgets a lost
    /// input so that it is taken again. A refused input whose report could
    /// not be written is not recorded: it stays where it is and the next
    /// rescan takes it again.
    fn record_settled(state: &mut State, cx: &SourceContext, info: &FileInfo, settled: Settled) {
        match settled {
            Settled::Done => {
                // Finished: the ledger knows it from here on (scans skip it),
                // so the source need not remember the path.
                state.seen.remove(&info.path);
                let after = Directory::after_commit(&state.root, info);
                cx.ledger.record(
                    ledger_entry(&cx.id, info, InputStatus::Done, None, None),
                    after,
                );
            }
            Settled::Quarantined { rejection, .. } => {
                state.seen.remove(&info.path);
                let reason = format!("{}: {}", rejection.component, rejection.reason);
                cx.ledger.record(
                    ledger_entry(&cx.id, info, InputStatus::Quarantined, Some(reason), None),
                    None,
                );
            }
            Settled::Unwritable { .. } => {
                warn!(
                    file = %info.shown_path(&state.root).display(),
                    "file left in place without a ledger entry; it is taken again at the next rescan"
                );
                state.seen.remove(&info.path);
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
        let (root, relative, stat) = (root.clone(), info.relative.clone(), info.stat);
        Some(Box::new(move || root.finish_file(&relative, &stat)))
    }

    /// Returns what an article read from `info` is to the inputs known: new,
    /// the same file read again, or a duplicate of another input (one in
    /// flight, or one the ledger holds).
    fn earlier(state: &State, cx: &SourceContext, info: &FileInfo, id: &str) -> Earlier {
        if state.in_flight_ids.contains(id) {
            return Earlier::Other(String::from("(in flight)"));
        }
        match cx.ledger.article(id) {
            Ok(Some((source, key))) if source == cx.id && key == info.key => Earlier::SameFile,
            Ok(Some((source, key))) => Earlier::Other(format!("{source}:{key}")),
            Ok(None) => Earlier::New,
            Err(err) => {
                warn!(error = %err, "ledger lookup failed; treating article as new");
                Earlier::New
            }
        }
    }

    async fn take(
        &self,
        state: &mut State,
        cx: &SourceContext,
        permit: mpsc::Permit<'_, Event>,
        path: PathBuf,
        relative: PathBuf,
    ) {
        state.queued.remove(&path);
        let (root, ledger, source) = (state.root.clone(), cx.ledger.clone(), cx.id.clone());
        let read_path = path.clone();
        let outcome = match tokio::task::spawn_blocking(move || {
            root.read(&read_path, &relative, &ledger, &source)
        })
        .await
        {
            Ok(outcome) => outcome,
            Err(err) => {
                warn!(error = %err, file = %path.display(), "read task failed; will retry at next rescan");
                return;
            }
        };
        let (info, bytes) = match outcome {
            ReadOutcome::Vanished => {
                state.seen.remove(&path);
                RunStats::bump(&cx.stats.skipped);
                debug!(file = %path.display(), "file vanished before it was read");
                return;
            }
            ReadOutcome::Unsettled => {
                state.consider(path, Hint::Settle, &cx.stats);
                return;
            }
            ReadOutcome::Finished { info, status } => {
                debug!(file = %info.shown_path(&state.root).display(), status = status.as_str(), "file already recorded; not taken again");
                if status != InputStatus::Quarantined
                    && let Some(after) = Directory::after_commit(&state.root, &info)
                {
                    tokio::task::spawn_blocking(after);
                }
                return;
            }
            ReadOutcome::Refused { info, reason, hint } => {
                let evidence = self.evidence(&state.root, &info);
                let settled = cx
                    .refuse(&info.input(&state.root), reason, hint, evidence)
                    .await;
                Directory::record_settled(state, cx, &info, settled);
                return;
            }
            ReadOutcome::Read { info, bytes } => (info, bytes),
        };
        self.emit(state, cx, permit, info, bytes);
    }

    /// Sends a read article downstream, or records it as a duplicate.
    fn emit(
        &self,
        state: &mut State,
        cx: &SourceContext,
        permit: mpsc::Permit<'_, Event>,
        mut info: FileInfo,
        bytes: Vec<u8>,
    ) {
        let shown = info.shown_path(&state.root);
        let record = Record::from_raw(
            bytes,
            SourceInfo {
                path: shown.clone(),
                bytes: info.stat.size,
                received_at: now_rfc3339(),
            },
        );
        info.id = Some(record.id.clone());
        match Directory::earlier(state, cx, &info, &record.id) {
            Earlier::New => {}
            Earlier::SameFile => {
                // Read again with the same content (touched, or rewritten as
                // it was): the sinks hold it already; it stays done.
                debug!(record_id = %record.id, file = %shown.display(), "file read again with the same content; still done");
                state.seen.remove(&info.path);
                let after = Directory::after_commit(&state.root, &info);
                cx.ledger.record(
                    ledger_entry(&cx.id, &info, InputStatus::Done, None, None),
                    after,
                );
                return;
            }
            Earlier::Other(earlier) => {
                info!(
                    record_id = %record.id,
                    file = %shown.display(),
                    stage = %cx.key,
                    duplicate_of = %earlier,
                    "duplicate article skipped"
                );
                state.seen.remove(&info.path);
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
        }
        let (ack, waiter) = Ack::new();
        debug!(record_id = %record.id, file = %shown.display(), bytes = info.stat.size, "article read");
        state.in_flight_ids.insert(record.id.clone());
        state.in_flight_paths.insert(info.path.clone());
        permit.send(Event::new(record, ack));
        cx.metrics.received.inc();
        cx.metrics.sent.inc();
        let completion: Completion = Box::pin(async move {
            let status = waiter.await.unwrap_or(AckStatus::Lost);
            (info, status)
        });
        state.in_flight.push(completion);
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
        let evidence = self.evidence(&state.root, &info);
        let settled = cx.settle(&info.input(&state.root), status, evidence).await;
        Directory::record_settled(state, cx, &info, settled);
        // An event while it was in flight: look again only if the file
        // changed since it was read (a rename event and a close-write, or a
        // scan, for the very file just taken, are not a change).
        if state.recheck.remove(&info.path) {
            let changed = state
                .root
                .stat(&info.relative)
                .is_some_and(|now| !now.same_as(&info.stat));
            if changed {
                state.consider(info.path, Hint::Settle, &cx.stats);
            }
        }
    }

    /// Starts a scan on a blocking thread; skips what is already known.
    fn start_scan(state: &State, cx: &SourceContext, rescans: &mut Rescans) {
        let (root, ledger, source) = (state.root.clone(), cx.ledger.clone(), cx.id.clone());
        let known: HashSet<PathBuf> = state.known();
        let handle = tokio::task::spawn_blocking(move || root.scan(&ledger, &source, &known));
        rescans.running = Some((handle, Instant::now()));
        rescans.dropped_since = None;
        rescans.periodic_wanted = false;
    }

    /// Takes in what a scan found.
    fn apply_scan(
        state: &mut State,
        cx: &SourceContext,
        watches: Option<&mut Watches>,
        found: ScanResult,
    ) {
        let (files, dirs) = found;
        if let Some(watches) = watches {
            watches.add_all(&state.root, &dirs);
        }
        let mut added = 0usize;
        for file in files {
            if !state.busy(&file.path) && !state.pending.contains_key(&file.path) {
                state.consider_stat(file.path, Hint::Scan, Some(file.stat), &cx.stats);
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
        let handle = at::open_root(&config.path).map_err(|e| StageError::io(&config.path, e))?;
        let root = Arc::new(Root {
            path: config.path.clone(),
            canonical,
            handle,
            filter: self.filter.clone(),
            recursive: config.recursive,
            max_bytes: config.max_bytes,
            on_complete: config.on_complete,
        });
        let mut state = State::new(root.clone(), Duration::from_millis(config.settle_ms));

        // Watch first, then scan, so nothing arriving in between is missed.
        let (event_sender, mut events) = mpsc::channel(4096);
        let overflow = Arc::new(AtomicBool::new(false));
        let mut watches = if cx.once {
            drop(event_sender);
            None
        } else {
            let mut watches = Watches::start(config, &root, event_sender, overflow.clone())
                .map_err(|e| {
                    StageError::Other(format!("cannot watch {}: {e}", config.path.display()))
                })?;
            if config.recursive {
                let lister = root.clone();
                let dirs = tokio::task::spawn_blocking(move || lister.subdirectories())
                    .await
                    .unwrap_or_default();
                watches.add_all(&root, &dirs);
            }
            Some(watches)
        };
        info!(
            path = %config.path.display(),
            poll = config.poll,
            recursive = config.recursive,
            subdirectories = watches.as_ref().map_or(0, Watches::count),
            "watching directory"
        );
        cx.ready.ready();
        let mut rescans = Rescans::default();
        Directory::start_scan(&state, &cx, &mut rescans);
        if let Some(found) = rescans.finished().await {
            Directory::apply_scan(&mut state, &cx, watches.as_mut(), found);
        }
        self.run_loop(
            &mut state,
            &cx,
            watches.as_mut(),
            &mut events,
            &overflow,
            rescans,
        )
        .await;

        // Take nothing new; wait for what is in flight, then return.
        drop(watches);
        while let Some((info, status)) = state.in_flight.next().await {
            self.complete(&mut state, &cx, info, status).await;
        }
        Ok(())
    }
}

impl Directory {
    /// Runs until shutdown (or, with `--once`, until nothing is left).
    async fn run_loop(
        &self,
        state: &mut State,
        cx: &SourceContext,
        mut watches: Option<&mut Watches>,
        events: &mut mpsc::Receiver<notify::Result<notify::Event>>,
        overflow: &AtomicBool,
        mut rescans: Rescans,
    ) {
        let config = &self.config;
        let tick_every = Duration::from_millis((config.settle_ms / 4).clamp(20, 250));
        let mut tick = tokio::time::interval(tick_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let rescan_every = Duration::from_secs(config.rescan_secs.max(1));
        let mut rescan_timer =
            tokio::time::interval_at(Instant::now() + rescan_every, rescan_every);
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
                    self.complete(state, cx, info, status).await;
                }
                permit = out.reserve(), if can_take => {
                    let Ok(permit) = permit else {
                        warn!("downstream closed; source stopping");
                        break;
                    };
                    if let Some((path, relative)) = state.ready.pop_front() {
                        self.take(state, cx, permit, path, relative).await;
                    }
                }
                event = events.recv(), if events_open => match event {
                    Some(Ok(event)) => {
                        if let Some(watches) = watches.as_deref_mut() {
                            for file in watches.on_event(&state.root, &event) {
                                state.consider(file, Hint::Scan, &cx.stats);
                            }
                        }
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
                found = rescans.finished() => {
                    if let Some(found) = found {
                        Directory::apply_scan(state, cx, watches.as_deref_mut(), found);
                    }
                }
                _ = tick.tick() => {
                    state.settle_due();
                    let now = Instant::now();
                    if overflow.swap(false, Ordering::AcqRel) {
                        rescans.note_drop(now);
                    }
                    if rescans.running.is_none() {
                        if rescans.overflow_due(now) {
                            warn!(pending = state.pending.len(), queued = state.ready.len(), "watcher events were dropped or overflowed; rescanning");
                            Directory::start_scan(state, cx, &mut rescans);
                        } else if rescans.periodic_wanted {
                            Directory::start_scan(state, cx, &mut rescans);
                        }
                    }
                }
                _ = rescan_timer.tick(), if config.rescan_secs > 0 && !cx.once => {
                    // Started at the next tick, unless a scan runs: then it is
                    // the one that counts.
                    rescans.periodic_wanted = rescans.running.is_none();
                }
            }
        }
    }
}
