//! The topology: builds components from a validated [`Config`], wires them
//! with bounded channels and runs them until the sources finish or shutdown.
//!
//! Cross-cutting work lives here so stages hold only their own logic:
//! spans, timings, acknowledgement hand-over between a transform's input and
//! outputs, quarantine of articles a transform fails on (including panics)
//! or emits too large (`[runtime] max_body_bytes`, `max_record_bytes`),
//! fan-out, periodic ledger commits and the shutdown deadline.

mod build;
mod worker;

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, info, info_span};

use crate::config::Config;
use crate::error::{CoreError, StageError};
use crate::event::Event;
use crate::ledger::Ledger;
use crate::quarantine::Quarantine;
use crate::stage::{SinkContext, SourceContext};
use crate::telemetry::Telemetry;

use build::{
    Built, Component, Workers, build_components, lock_state_dir, open_transforms,
    private_ledger_file,
};
use worker::{Fanout, Outputs, run_transform_worker};

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
    build_components(config).map(|_| ())
}

/// The bounded channels of a pipeline: one input per transform and sink.
struct Wiring {
    senders: HashMap<String, mpsc::Sender<Event>>,
    receivers: HashMap<String, mpsc::Receiver<Event>>,
    /// Each reader (transform or sink) with the ids it reads from.
    readers: Vec<(String, Vec<String>)>,
}

impl Wiring {
    fn new(config: &Config) -> Wiring {
        let readers: Vec<(String, Vec<String>)> = config
            .transforms
            .iter()
            .map(|t| (t.id.clone(), t.inputs.clone()))
            .chain(
                config
                    .sinks
                    .iter()
                    .map(|s| (s.id.clone(), s.inputs.clone())),
            )
            .collect();
        let mut senders = HashMap::new();
        let mut receivers = HashMap::new();
        for (id, _) in &readers {
            let (sender, receiver) = mpsc::channel(config.channel_capacity);
            senders.insert(id.clone(), sender);
            receivers.insert(id.clone(), receiver);
        }
        Wiring {
            senders,
            receivers,
            readers,
        }
    }

    /// Where the output `output` (a component id, or `ID.NAME` for a named
    /// output) goes.
    fn fanout_of(&self, output: &str) -> Fanout {
        Fanout {
            outputs: self
                .readers
                .iter()
                .filter(|(_, inputs)| inputs.iter().any(|input| input == output))
                .filter_map(|(reader, _)| self.senders.get(reader).cloned())
                .collect(),
        }
    }

    /// The fan-outs of transform `id`, one per output: its named outputs in
    /// order, or its one unnamed output.
    fn fanouts_of(&self, id: &str, named: &[String]) -> Vec<Fanout> {
        if named.is_empty() {
            vec![self.fanout_of(id)]
        } else {
            named
                .iter()
                .map(|name| self.fanout_of(&format!("{id}.{name}")))
                .collect()
        }
    }
}

/// The running tasks of a pipeline, each with the component it runs.
#[derive(Default)]
struct Tasks {
    set: JoinSet<Result<(), StageError>>,
    names: HashMap<tokio::task::Id, String>,
}

impl Tasks {
    fn spawn(
        &mut self,
        name: String,
        task: impl Future<Output = Result<(), StageError>> + Send + 'static,
    ) {
        let handle = self.set.spawn(task);
        self.names.insert(handle.id(), name);
    }

    fn spawn_blocking(
        &mut self,
        name: String,
        task: impl FnOnce() -> Result<(), StageError> + Send + 'static,
    ) {
        let handle = self.set.spawn_blocking(task);
        self.names.insert(handle.id(), name);
    }
}

/// What every source of one run shares.
struct Shared {
    shutdown: CancellationToken,
    ledger: Ledger,
    quarantine: Quarantine,
    once: bool,
    telemetry: Arc<Telemetry>,
}

fn spawn_sinks(
    sinks: Vec<Component<Box<dyn crate::stage::Sink>>>,
    wiring: &mut Wiring,
    telemetry: &Arc<Telemetry>,
    tasks: &mut Tasks,
) {
    for Component {
        id,
        type_name,
        runtime: sink,
    } in sinks
    {
        let key = format!("sinks.{id}");
        let Some(receiver) = wiring.receivers.remove(&id) else {
            continue;
        };
        let span = info_span!("component", component_kind = "sink", component_id = %id, component_type = %type_name);
        let cx = SinkContext {
            key: key.clone(),
            metrics: telemetry.component("sink", &id, &type_name),
            ready: telemetry.expect_ready(&key),
        };
        let task = sink.run(receiver, cx).instrument(span);
        tasks.spawn(key, task);
    }
}

fn spawn_transforms(
    transforms: Vec<Component<Workers>>,
    config: &Config,
    wiring: &mut Wiring,
    telemetry: &Telemetry,
    tasks: &mut Tasks,
) {
    for Component {
        id,
        type_name,
        runtime: instances,
    } in transforms
    {
        let Some(receiver) = wiring.receivers.remove(&id) else {
            continue;
        };
        let named = config
            .transforms
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.outputs.clone())
            .unwrap_or_default();
        let key: Arc<str> = Arc::from(format!("transforms.{id}"));
        let input = Arc::new(Mutex::new(receiver));
        let outputs = Outputs {
            fanouts: wiring.fanouts_of(&id, &named),
            routed: !named.is_empty(),
            metrics: telemetry.component("transform", &id, &type_name),
            tap: telemetry.tap_sender(&id),
        };
        for (worker, instance) in instances.into_iter().enumerate() {
            let span = info_span!("component", component_kind = "transform", component_id = %id, component_type = %type_name, worker);
            let (key, input, outputs) = (key.clone(), input.clone(), outputs.clone());
            let limits = config.limits;
            tasks.spawn_blocking(format!("transforms.{id}"), move || {
                run_transform_worker(key, instance, input, outputs, limits, span);
                Ok(())
            });
        }
    }
}

fn spawn_sources(
    sources: Vec<Component<Box<dyn crate::stage::Source>>>,
    wiring: &Wiring,
    shared: &Shared,
    channel_capacity: usize,
    tasks: &mut Tasks,
) {
    for Component {
        id,
        type_name,
        runtime: source,
    } in sources
    {
        let key = format!("sources.{id}");
        let fanout = wiring.fanout_of(&id);
        let out = if fanout.outputs.len() == 1 {
            fanout.outputs[0].clone()
        } else {
            let (sender, mut receiver) = mpsc::channel::<Event>(channel_capacity);
            tasks.spawn(format!("{key} (fan-out)"), async move {
                while let Some(event) = receiver.recv().await {
                    fanout.send(event).await;
                }
                Ok(())
            });
            sender
        };
        let cx = SourceContext {
            key: key.clone(),
            id: id.clone(),
            out,
            shutdown: shared.shutdown.child_token(),
            ledger: shared.ledger.clone(),
            quarantine: shared.quarantine.clone(),
            once: shared.once,
            stats: shared.telemetry.stats().clone(),
            metrics: shared.telemetry.component("source", &id, &type_name),
            ready: shared.telemetry.expect_ready(&key),
        };
        let span = info_span!("component", component_kind = "source", component_id = %id, component_type = %type_name);
        tasks.spawn(key, source.run(cx).instrument(span));
    }
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

/// Waits for every task; on a component failure cancels `shutdown`, and
/// once shutdown is requested gives the tasks `timeout` to drain before
/// aborting them. Returns the first failure.
async fn supervise(
    mut tasks: Tasks,
    shutdown: &CancellationToken,
    timeout: Duration,
) -> Option<CoreError> {
    let mut failure: Option<CoreError> = None;
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        let sleep_target =
            deadline.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(86_400));
        tokio::select! {
            joined = tasks.set.join_next_with_id() => match joined {
                None => break,
                Some(Ok((id, Ok(())))) => { tasks.names.remove(&id); }
                Some(Ok((id, Err(err)))) => {
                    let component = tasks.names.remove(&id).unwrap_or_default();
                    error!(component = %component, error = %err, "component failed; stopping the pipeline");
                    failure.get_or_insert(CoreError::Component { component, source: err });
                    shutdown.cancel();
                }
                Some(Err(join_error)) => {
                    let component = tasks.names.remove(&join_error.id()).unwrap_or_default();
                    error!(component = %component, error = %join_error, "component crashed; stopping the pipeline");
                    failure.get_or_insert(CoreError::Component {
                        component,
                        source: StageError::Other(join_error.to_string()),
                    });
                    shutdown.cancel();
                }
            },
            _ = shutdown.cancelled(), if deadline.is_none() => {
                info!(timeout_secs = timeout.as_secs(), "shutdown requested; draining in-flight articles");
                deadline = Some(tokio::time::Instant::now() + timeout);
            }
            _ = tokio::time::sleep_until(sleep_target), if deadline.is_some() => {
                let mut hung: Vec<String> = tasks.names.values().cloned().collect();
                hung.sort();
                hung.dedup();
                error!(components = %hung.join(", "), "shutdown timed out; abandoning in-flight articles (they are taken again at next start)");
                tasks.set.abort_all();
                failure.get_or_insert(CoreError::ShutdownTimeout { components: hung });
                break;
            }
        }
    }
    failure
}

/// Runs the pipeline of `config` until the sources finish (once mode) or
/// `shutdown` is cancelled and everything in flight has drained.
///
/// Order matters: build (validate) everything, lock the state directory,
/// then open the transforms' stores and the ledger, so a second daemon on
/// the same state directory is refused before it opens anything.
pub async fn run(
    config: Config,
    shutdown: CancellationToken,
    options: RunOptions,
    telemetry: Arc<Telemetry>,
) -> Result<(), CoreError> {
    let Built {
        sources,
        transforms,
        sinks,
    } = build_components(&config)?;
    let _lock = lock_state_dir(&config)?;
    let transforms = open_transforms(transforms, &config, &telemetry)?;
    let ledger_path = config.state_dir.join("ledger.db");
    private_ledger_file(&ledger_path)?;
    let shared = Shared {
        shutdown: shutdown.clone(),
        ledger: Ledger::open(&ledger_path)?,
        quarantine: Quarantine::new(config.state_dir.join("quarantine")),
        once: options.once,
        telemetry: telemetry.clone(),
    };

    let mut wiring = Wiring::new(&config);
    for t in &config.transforms {
        if let Some(sender) = wiring.senders.get(&t.id) {
            telemetry.watch_channel("transform", &t.id, &t.type_name, sender);
        }
    }
    for s in &config.sinks {
        if let Some(sender) = wiring.senders.get(&s.id) {
            telemetry.watch_channel("sink", &s.id, &s.type_name, sender);
        }
    }
    let mut tasks = Tasks::default();
    spawn_sinks(sinks, &mut wiring, &telemetry, &mut tasks);
    spawn_transforms(transforms, &config, &mut wiring, &telemetry, &mut tasks);
    spawn_sources(
        sources,
        &wiring,
        &shared,
        config.channel_capacity,
        &mut tasks,
    );
    // Channels close once every upstream holder is gone.
    drop(wiring);
    telemetry.set_running(true);

    let flusher_stop = CancellationToken::new();
    let flusher = spawn_flusher(
        shared.ledger.clone(),
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
    let mut failure = supervise(tasks, &shutdown, config.shutdown_timeout).await;
    telemetry.set_running(false);
    flusher_stop.cancel();
    let _ = flusher.await;
    let final_ledger = shared.ledger.clone();
    match tokio::task::spawn_blocking(move || final_ledger.flush()).await {
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
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
