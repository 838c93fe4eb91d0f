//! The topology: builds components from a validated [`Config`], wires them
//! with bounded channels and runs them until the sources finish or shutdown.
//!
//! Cross-cutting work lives here so stages hold only their own logic:
//! spans, timings, acknowledgement hand-over between a transform's input and
//! outputs, quarantine of articles a transform fails on (including panics)
//! or emits too large (`[runtime] max_body_bytes`, `max_record_bytes`),
//! fan-out, periodic ledger commits, the shutdown deadline, and reloads
//! that change components while records flow ([`run_reloadable`]).
//!
//! - `build`: building (validation, no I/O) and opening components.
//! - `runtime`: the running components, their channels and fan-outs, and
//!   what a reload does to them.
//! - `plan`: what a reload changes, component by component.
//! - `worker`: the loop of one transform worker, and the fan-out.

mod build;
mod plan;
mod runtime;
mod worker;

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::config::Config;
use crate::error::CoreError;
use crate::ledger::Ledger;
use crate::quarantine::Quarantine;
use crate::telemetry::Telemetry;

use build::{build_components, lock_state_dir, open_transforms, private_ledger_file};
pub use runtime::Reload;
use runtime::{Runtime, Shared};

/// How a run behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Take what is there now, then stop (backfill).
    pub once: bool,
}

/// Builds every component of `config` without running anything, reporting all
/// problems at once. `validate` and `run` share this path; it touches no
/// file (transforms open their state only in [`run`], after the state
/// directory is locked).
pub fn build(config: &Config) -> Result<(), CoreError> {
    build_components(config, |_| true).map(|_| ())
}

/// Notices the ledger file being removed or replaced while the daemon runs:
/// SQLite keeps writing to the open (now unlinked) file, so everything
/// committed from then on would be lost at the next start, silently.
struct LedgerWatch {
    path: PathBuf,
    /// Device and inode of the file opened at start.
    identity: Option<(u64, u64)>,
    /// Whether the current removal was already reported.
    reported: bool,
}

impl LedgerWatch {
    fn new(path: PathBuf) -> LedgerWatch {
        let identity = Self::identity_of(&path);
        LedgerWatch {
            path,
            identity,
            reported: false,
        }
    }

    fn identity_of(path: &std::path::Path) -> Option<(u64, u64)> {
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }

    /// Checks the file after a commit; logs an error once per removal.
    fn check(&mut self) {
        let now = Self::identity_of(&self.path);
        if now.is_some() && now == self.identity {
            self.reported = false;
        } else if !self.reported {
            self.reported = true;
            error!(
                file = %self.path.display(),
                "ledger file removed or replaced while running; commits go to the removed file and are lost at restart (stop wirehose: at the next start every input is taken again, and sinks skip what they hold)"
            );
        }
    }
}

/// Commits the ledger every `interval` until `stop` is cancelled, checking
/// after each commit that the ledger file is still the one opened.
fn spawn_flusher(
    ledger: Ledger,
    mut watch: LedgerWatch,
    interval: Duration,
    stop: CancellationToken,
    telemetry: Arc<Telemetry>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {
                    let ledger = ledger.clone();
                    let started = std::time::Instant::now();
                    let flushed = tokio::task::spawn_blocking(move || ledger.flush()).await;
                    telemetry.ledger_commit().observe(started.elapsed().as_secs_f64());
                    match flushed {
                        Ok(Err(err)) => error!(error = %err, "ledger commit failed; retrying at next interval"),
                        Err(err) => error!(error = %err, "ledger commit task failed"),
                        Ok(Ok(_)) => {}
                    }
                    watch.check();
                }
            }
        }
    })
}

/// Runs the pipeline of `config` until the sources finish (once mode) or
/// `shutdown` is cancelled and everything in flight has drained.
pub async fn run(
    config: Config,
    shutdown: CancellationToken,
    options: RunOptions,
    telemetry: Arc<Telemetry>,
) -> Result<(), CoreError> {
    run_inner(config, shutdown, options, telemetry, None)
        .await
        .map(|_| ())
}

/// Runs the pipeline of `config` as [`run`] does, applying each [`Reload`]
/// from `reloads` while it runs: unchanged components keep running, added
/// ones start, removed ones drain and stop, changed ones are replaced after
/// draining. A reload that changes settings outside the components
/// (`[state]`, `[runtime]`) drains the whole pipeline instead and returns
/// its config, to be run next.
pub async fn run_reloadable(
    config: Config,
    shutdown: CancellationToken,
    options: RunOptions,
    telemetry: Arc<Telemetry>,
    reloads: &mut mpsc::Receiver<Reload>,
) -> Result<Option<Box<Config>>, CoreError> {
    run_inner(config, shutdown, options, telemetry, Some(reloads)).await
}

/// Order matters: build (validate) everything, lock the state directory,
/// then open the transforms' stores and the ledger, so a second daemon on
/// the same state directory is refused before it opens anything.
async fn run_inner(
    config: Config,
    shutdown: CancellationToken,
    options: RunOptions,
    telemetry: Arc<Telemetry>,
    reloads: Option<&mut mpsc::Receiver<Reload>>,
) -> Result<Option<Box<Config>>, CoreError> {
    let mut built = build_components(&config, |_| true)?;
    let _lock = lock_state_dir(&config)?;
    let opened = open_transforms(std::mem::take(&mut built.transforms), &config, &telemetry)?;
    let ledger_path = config.state_dir.join("ledger.db");
    private_ledger_file(&ledger_path)?;
    let ledger = Ledger::open(&ledger_path)?;
    let shared = Shared {
        shutdown: shutdown.clone(),
        ledger: ledger.clone(),
        quarantine: Quarantine::new(config.state_dir.join("quarantine")),
        once: options.once,
        telemetry: telemetry.clone(),
    };
    let flusher_stop = CancellationToken::new();
    let flusher = spawn_flusher(
        ledger.clone(),
        LedgerWatch::new(ledger_path),
        config.commit_interval,
        flusher_stop.clone(),
        telemetry.clone(),
    );
    info!(
        sources = config.sources.len(),
        transforms = config.transforms.len(),
        sinks = config.sinks.len(),
        state_dir = %config.state_dir.display(),
        once = options.once,
        "pipeline started"
    );
    let mut runtime = Runtime::new(config, shared);
    runtime.start_all(built, opened);
    telemetry.set_running(true);
    let restart = runtime.supervise(reloads).await;
    telemetry.set_running(false);
    flusher_stop.cancel();
    let _ = flusher.await;
    let mut failure = runtime.failure.take();
    match tokio::task::spawn_blocking(move || ledger.flush()).await {
        Ok(Ok(count)) => info!(committed = count, "ledger committed"),
        Ok(Err(err)) => {
            error!(error = %err, "final ledger commit failed");
            failure.get_or_insert(err);
        }
        Err(err) => error!(error = %err, "final ledger commit task failed"),
    }
    match failure {
        Some(err) => Err(err),
        None => {
            info!("pipeline stopped");
            Ok(restart)
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_reload;
