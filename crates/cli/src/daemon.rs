//! `wirehose run`: the daemon around the topology — signals, the API, the
//! progress bar, and hot reload.
//!
//! Reload (SIGHUP, `--watch-config`, `POST /reload`): the new config is read
//! and validated first; if it fails, the running pipeline goes on as it was
//! and the log says why. If it passes, the running pipeline takes it while
//! records flow ([`topology::run_reloadable`]): unchanged components keep
//! running, added ones start, removed ones drain and stop, changed ones are
//! replaced after draining; nothing in flight is lost or redone. A change
//! to `[state]` or `[runtime]` drains the whole pipeline and starts it
//! again on the same state directory. `[api]` itself changes only at
//! restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use tokio::sync::mpsc;
use tracing::{error, info, warn};
use wirehose_api::ReloadRequest;
use wirehose_core::telemetry::Telemetry;
use wirehose_core::topology::Reload;
use wirehose_core::{CancellationToken, Config, RunOptions, RunStats, topology};

use crate::logging::note;
use crate::{EXIT_INTERRUPTED, load};

/// How often `--watch-config` looks at the config file.
const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// Runs the daemon; returns the exit code: 0, or [`EXIT_INTERRUPTED`] for a
/// backfill stopped by a signal.
pub(crate) fn run(path: &Path, once: bool, progress: bool, watch_config: bool) -> Result<u8> {
    let config = load(path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wirehose")
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let shutdown = CancellationToken::new();
        let stats = Arc::new(RunStats::default());
        let telemetry = Arc::new(Telemetry::new(stats.clone()));
        // Reload needs a daemon: a backfill takes what is there and stops.
        let (reload_tx, reload_rx) = mpsc::channel::<ReloadRequest>(4);
        let reloads = (!once).then(|| reload_tx.clone());
        let api = match config.api {
            Some(address) => Some(start_api(address, telemetry.clone(), reloads.clone()).await?),
            None => None,
        };
        let signalled = Arc::new(AtomicBool::new(false));
        tokio::spawn(watch_signals(
            shutdown.clone(),
            signalled.clone(),
            telemetry.clone(),
            reloads.clone(),
        ));
        if let Some(reloads) = reloads.filter(|_| watch_config) {
            tokio::spawn(watch_config_file(
                path.to_path_buf(),
                reloads,
                shutdown.clone(),
            ));
        }
        drop(reload_tx);
        let bar = progress.then(|| spawn_progress(stats.clone()));
        let result = pipelines(path, config, &shutdown, once, &telemetry, reload_rx).await;
        telemetry.close_taps();
        if let Some((stop, server)) = api {
            stop.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
        if let Some((bar, task)) = bar {
            task.abort();
            bar.finish_and_clear();
        }
        let summary = (
            RunStats::get(&stats.completed),
            RunStats::get(&stats.duplicates),
            RunStats::get(&stats.quarantined),
        );
        info!(
            completed = summary.0,
            duplicates = summary.1,
            quarantined = summary.2,
            "run finished"
        );
        if once {
            note(format_args!(
                "wirehose: {} articles written, {} duplicates skipped, {} quarantined",
                summary.0, summary.1, summary.2
            ));
        }
        result.context("pipeline failed")?;
        if once && signalled.load(Ordering::SeqCst) {
            warn!(
                exit_code = EXIT_INTERRUPTED,
                "backfill interrupted by a signal; run it again to take the rest"
            );
            return Ok(EXIT_INTERRUPTED);
        }
        Ok(0)
    })
}

/// Runs the pipeline, applying each accepted reload to it while it runs;
/// a reload that changes settings outside the components drains it and
/// starts the next one. Returns once a pipeline stops on its own
/// (shutdown, a finished backfill, a failure).
async fn pipelines(
    path: &Path,
    mut config: Config,
    shutdown: &CancellationToken,
    once: bool,
    telemetry: &Arc<Telemetry>,
    requests: mpsc::Receiver<ReloadRequest>,
) -> Result<()> {
    let (reloads, mut accepted) = mpsc::channel::<Reload>(1);
    let forwarder = tokio::spawn(validate_reloads(
        path.to_path_buf(),
        config.api,
        requests,
        reloads,
    ));
    let result = loop {
        let run = topology::run_reloadable(
            config,
            shutdown.child_token(),
            RunOptions { once },
            telemetry.clone(),
            &mut accepted,
        )
        .await;
        match run {
            Err(err) => break Err(err.into()),
            Ok(None) => break Ok(()),
            Ok(Some(_)) if shutdown.is_cancelled() => break Ok(()),
            Ok(Some(next)) => {
                config = *next;
                info!("config reloaded; pipeline starting");
            }
        }
    };
    forwarder.abort();
    result
}

/// Reads and validates the config file for each reload request; hands a
/// valid one to the running pipeline (which answers the request), answers
/// a broken one with its problems.
async fn validate_reloads(
    path: PathBuf,
    api: Option<std::net::SocketAddr>,
    mut requests: mpsc::Receiver<ReloadRequest>,
    reloads: mpsc::Sender<Reload>,
) {
    while let Some(request) = requests.recv().await {
        let file = path.clone();
        let loaded = tokio::task::spawn_blocking(move || load(&file))
            .await
            .map_err(anyhow::Error::from)
            .and_then(|loaded| loaded);
        match loaded {
            Ok(next) => {
                if next.api != api {
                    warn!("[api] changes take effect at the next restart");
                }
                let reload = Reload {
                    config: Box::new(next),
                    reply: request.into_reply(),
                };
                if reloads.send(reload).await.is_err() {
                    return;
                }
            }
            Err(err) => {
                let reason = format!("{err:#}");
                error!(error = %reason, "config reload refused; the running pipeline keeps its config");
                request.answer(Err(reason));
            }
        }
    }
}

/// Binds the API's address and serves it until the returned token is
/// cancelled.
async fn start_api(
    address: std::net::SocketAddr,
    telemetry: Arc<Telemetry>,
    reloads: Option<mpsc::Sender<ReloadRequest>>,
) -> Result<(CancellationToken, tokio::task::JoinHandle<()>)> {
    let listener = wirehose_api::bind(address).await?;
    let stop = CancellationToken::new();
    let server = tokio::spawn(wirehose_api::serve(
        listener,
        telemetry,
        reloads,
        stop.clone(),
    ));
    Ok((stop, server))
}

/// Asks for a reload whenever the config file's modification time or size
/// changes.
async fn watch_config_file(
    path: PathBuf,
    reloads: mpsc::Sender<ReloadRequest>,
    shutdown: CancellationToken,
) {
    let stamp = |path: &Path| -> Option<(SystemTime, u64)> {
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    };
    let mut last = stamp(&path);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(WATCH_INTERVAL) => {}
        }
        let now = stamp(&path);
        if now != last && now.is_some() {
            last = now;
            info!(file = %path.display(), "config file changed; reloading");
            if reloads.send(ReloadRequest::unanswered()).await.is_err() {
                return;
            }
        }
    }
}

fn spawn_progress(stats: Arc<RunStats>) -> (indicatif::ProgressBar, tokio::task::JoinHandle<()>) {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} articles ({per_sec}, eta {eta}) {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let handle = bar.clone();
    let task = tokio::spawn(async move {
        loop {
            let done = RunStats::get(&stats.completed)
                + RunStats::get(&stats.duplicates)
                + RunStats::get(&stats.quarantined);
            handle.set_length(RunStats::get(&stats.discovered).max(done));
            handle.set_position(done);
            let quarantined = RunStats::get(&stats.quarantined);
            if quarantined > 0 {
                handle.set_message(format!("{quarantined} quarantined"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    (bar, task)
}

/// Cancels `shutdown` (and sets `signalled`, and marks the daemon draining)
/// at the first SIGINT or SIGTERM; exits with 130 at the second. SIGHUP asks
/// for a reload when `reloads` is given.
async fn watch_signals(
    shutdown: CancellationToken,
    signalled: Arc<AtomicBool>,
    telemetry: Arc<Telemetry>,
    reloads: Option<mpsc::Sender<ReloadRequest>>,
) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut terminate), Ok(mut interrupt), Ok(mut hangup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        warn!("cannot install signal handlers; stop wirehose with SIGKILL");
        return;
    };
    loop {
        tokio::select! {
            _ = terminate.recv() => {
                info!(signal = "SIGTERM", "signal received; shutting down");
                break;
            }
            _ = interrupt.recv() => {
                info!(signal = "SIGINT", "signal received; shutting down");
                break;
            }
            _ = hangup.recv() => match &reloads {
                Some(reloads) => {
                    info!(signal = "SIGHUP", "signal received; reloading the config");
                    let _ = reloads.send(ReloadRequest::unanswered()).await;
                }
                None => info!(signal = "SIGHUP", "signal received; a backfill does not reload, ignored"),
            },
        }
    }
    signalled.store(true, Ordering::SeqCst);
    telemetry.set_draining();
    shutdown.cancel();
    tokio::select! {
        _ = terminate.recv() => {},
        _ = interrupt.recv() => {},
    }
    warn!("second signal; exiting at once (unacknowledged articles are taken again at next start)");
    std::process::exit(130);
}
