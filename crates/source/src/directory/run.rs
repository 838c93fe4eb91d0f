//! The running directory source: the watcher, the run loop, reading and
//! emitting files, and recording what became of them.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use wirehose_core::{
    Ack, AckStatus, Event, Evidence, InputStatus, Record, RunStats, Settled, Source, SourceContext,
    SourceInfo, StageError, now_rfc3339,
};

use super::config::{DirectoryConfig, Filter, OnComplete, OnQuarantine};
use super::root::{FileInfo, ReadOutcome, Root, ledger_entry};
use super::state::{Completion, Hint, State};

/// The running directory source.
#[derive(Debug)]
pub struct Directory {
    pub(super) config: DirectoryConfig,
    pub(super) filter: Filter,
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
        let mut state = State::new(root, settle);

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
