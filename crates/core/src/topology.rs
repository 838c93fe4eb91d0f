//! The topology: builds components from a validated [`Config`], wires them
//! with bounded channels and runs them until the sources finish or shutdown.
//!
//! Cross-cutting work lives here so stages hold only their own logic:
//! spans, timings, acknowledgement hand-over between a transform's input and
//! outputs, quarantine of articles a transform fails on (including panics),
//! fan-out, periodic ledger commits and the shutdown deadline.

use std::collections::HashMap;
use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, Span, error, info, info_span, warn};

use crate::config::Config;
use crate::error::{ConfigProblem, ConfigProblems, CoreError, StageError};
use crate::event::Event;
use crate::ledger::Ledger;
use crate::quarantine::Quarantine;
use crate::stage::{
    BuildContext, BuiltTransform, OpenContext, RunStats, Sink, SinkContext, Source, SourceContext,
    Transform,
};

/// How a run behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Take what is there now, then stop (backfill).
    pub once: bool,
}

/// Sends each event to every consumer, cloning for all but the last.
#[derive(Clone)]
struct Fanout {
    outputs: Vec<mpsc::Sender<Event>>,
}

impl Fanout {
    /// Pairs each consumer with its copy of `event`: clones for all but the
    /// last, which gets the original. A copy sent to a closed consumer is
    /// dropped unresolved, so its ack reports Lost.
    fn copies(&self, event: Event) -> impl Iterator<Item = (&mpsc::Sender<Event>, Event)> {
        let last = self.outputs.len().saturating_sub(1);
        let mut event = Some(event);
        self.outputs
            .iter()
            .enumerate()
            .filter_map(move |(index, output)| {
                let copy = if index == last {
                    event.take()
                } else {
                    event.clone()
                };
                copy.map(|copy| (output, copy))
            })
    }

    async fn send(&self, event: Event) {
        for (output, copy) in self.copies(event) {
            let _ = output.send(copy).await;
        }
    }

    fn blocking_send(&self, event: Event) {
        for (output, copy) in self.copies(event) {
            let _ = output.blocking_send(copy);
        }
    }
}

/// A built component: its id, type name and runtime object(s).
struct Component<T> {
    id: String,
    type_name: String,
    runtime: T,
}

/// The worker instances of one opened transform.
type Workers = Vec<Box<dyn Transform>>;

struct Built {
    sources: Vec<Component<Box<dyn Source>>>,
    transforms: Vec<Component<(usize, Box<dyn BuiltTransform>)>>,
    sinks: Vec<Component<Box<dyn Sink>>>,
}

/// Builds every component of `config` without running anything, reporting all
/// problems at once. `validate` and `run` share this path; it touches no
/// file (transforms open their state only in [`run`], after the state
/// directory is locked).
pub fn build(config: &Config) -> Result<(), CoreError> {
    build_components(config).map(|_| ())
}

fn build_components(config: &Config) -> Result<Built, CoreError> {
    let mut problems: Vec<ConfigProblem> = Vec::new();
    let cx = |kind: &str, id: &str| BuildContext {
        key: format!("{kind}.{id}"),
        id: id.to_string(),
        state_dir: config.state_dir.clone(),
    };
    let mut built = Built {
        sources: Vec::new(),
        transforms: Vec::new(),
        sinks: Vec::new(),
    };
    for spec in &config.sources {
        match spec.config.build(&cx("sources", &spec.id)) {
            Ok(runtime) => built.sources.push(Component {
                id: spec.id.clone(),
                type_name: spec.type_name.clone(),
                runtime,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    for spec in &config.transforms {
        match spec.config.build(&cx("transforms", &spec.id)) {
            Ok(runtime) => built.transforms.push(Component {
                id: spec.id.clone(),
                type_name: spec.type_name.clone(),
                runtime: (spec.workers, runtime),
            }),
            Err(problem) => problems.push(problem),
        }
    }
    for spec in &config.sinks {
        match spec.config.build(&cx("sinks", &spec.id)) {
            Ok(runtime) => built.sinks.push(Component {
                id: spec.id.clone(),
                type_name: spec.type_name.clone(),
                runtime,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(built)
    } else {
        Err(ConfigProblems(problems).into())
    }
}

fn run_transform_worker(
    key: Arc<str>,
    mut transform: Box<dyn Transform>,
    input: Arc<Mutex<mpsc::Receiver<Event>>>,
    fanout: Fanout,
    span: Span,
) {
    let _entered = span.enter();
    let mut outputs = Vec::new();
    loop {
        let next = {
            let mut receiver = input.lock().unwrap_or_else(|e| e.into_inner());
            receiver.blocking_recv()
        };
        let Some(Event {
            record,
            ack,
            emitted_at,
        }) = next
        else {
            break;
        };
        let article = info_span!(
            "article",
            record_id = %record.id,
            file = %record.source.path.display()
        );
        let _article = article.enter();
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| transform.process(record, &mut outputs)));
        ack.add_timing(&key, started.elapsed());
        match result {
            Ok(Ok(())) => {
                for record in outputs.drain(..) {
                    fanout.blocking_send(Event {
                        record,
                        ack: ack.clone(),
                        emitted_at,
                    });
                }
                ack.delivered();
            }
            Ok(Err(err)) => {
                outputs.clear();
                let hint = match &err {
                    StageError::InvalidArticle { hint, .. } => hint.clone(),
                    _ => "see the log line for this article; fix the cause and drop the file in again".to_string(),
                };
                warn!(error = %err, "article rejected");
                ack.reject(&key, err.to_string(), hint);
            }
            Err(panic) => {
                outputs.clear();
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                error!(panic = %message, "transform panicked on article");
                ack.reject(
                    &key,
                    format!("transform panicked: {message}"),
                    "this is a bug in wirehose: report it with the quarantined file",
                );
            }
        }
    }
}

/// Phase two: opens every transform (its stores, under the locked state
/// directory) and returns its worker instances.
fn open_transforms(
    transforms: Vec<Component<(usize, Box<dyn BuiltTransform>)>>,
    config: &Config,
) -> Result<Vec<Component<Workers>>, CoreError> {
    transforms
        .into_iter()
        .map(|component| {
            let (workers, built) = component.runtime;
            let cx = OpenContext {
                key: format!("transforms.{}", component.id),
                id: component.id.clone(),
                state_dir: config.state_dir.clone(),
                workers,
            };
            let instances = built.open(&cx).map_err(|source| CoreError::Open {
                component: cx.key.clone(),
                source,
            })?;
            Ok(Component {
                id: component.id,
                type_name: component.type_name,
                runtime: instances,
            })
        })
        .collect()
}

fn lock_state_dir(config: &Config) -> Result<File, CoreError> {
    let dir = &config.state_dir;
    let state_err = |source| CoreError::StateDir {
        path: dir.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(state_err)?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("lock"))
        .map_err(state_err)?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(CoreError::StateLocked { path: dir.clone() }),
        Err(std::fs::TryLockError::Error(source)) => Err(state_err(source)),
    }
}

/// Runs the pipeline of `config` until the sources finish (once mode) or
/// `shutdown` is cancelled and everything in flight has drained.
pub async fn run(
    config: Config,
    shutdown: CancellationToken,
    options: RunOptions,
    stats: Arc<RunStats>,
) -> Result<(), CoreError> {
    let built = build_components(&config)?;
    let _lock = lock_state_dir(&config)?;
    let transforms = open_transforms(built.transforms, &config)?;
    let ledger = Ledger::open(&config.state_dir.join("ledger.db"))?;
    let quarantine = Quarantine::new(config.state_dir.join("quarantine"));

    // One bounded input channel per transform and sink.
    let mut senders: HashMap<String, mpsc::Sender<Event>> = HashMap::new();
    let mut receivers: HashMap<String, mpsc::Receiver<Event>> = HashMap::new();
    for id in config
        .transforms
        .iter()
        .map(|t| &t.id)
        .chain(config.sinks.iter().map(|s| &s.id))
    {
        let (sender, receiver) = mpsc::channel(config.channel_capacity);
        senders.insert(id.clone(), sender);
        receivers.insert(id.clone(), receiver);
    }
    let readers: Vec<(&String, &Vec<String>)> = config
        .transforms
        .iter()
        .map(|t| (&t.id, &t.inputs))
        .chain(config.sinks.iter().map(|s| (&s.id, &s.inputs)))
        .collect();
    let fanout_of = |id: &str| Fanout {
        outputs: readers
            .iter()
            .filter(|(_, inputs)| inputs.iter().any(|input| input == id))
            .filter_map(|(reader, _)| senders.get(reader.as_str()).cloned())
            .collect(),
    };

    let mut tasks: JoinSet<Result<(), StageError>> = JoinSet::new();
    let mut names: HashMap<tokio::task::Id, String> = HashMap::new();

    for Component {
        id,
        type_name,
        runtime: sink,
    } in built.sinks
    {
        let key = format!("sinks.{id}");
        let Some(receiver) = receivers.remove(&id) else {
            continue;
        };
        let span = info_span!("component", component_kind = "sink", component_id = %id, component_type = %type_name);
        let handle = tasks.spawn(
            sink.run(receiver, SinkContext { key: key.clone() })
                .instrument(span),
        );
        names.insert(handle.id(), key);
    }
    for Component {
        id,
        type_name,
        runtime: instances,
    } in transforms
    {
        let Some(receiver) = receivers.remove(&id) else {
            continue;
        };
        let key: Arc<str> = Arc::from(format!("transforms.{id}"));
        let input = Arc::new(Mutex::new(receiver));
        let fanout = fanout_of(&id);
        for (worker, instance) in instances.into_iter().enumerate() {
            let span = info_span!("component", component_kind = "transform", component_id = %id, component_type = %type_name, worker);
            let (key, input, fanout) = (key.clone(), input.clone(), fanout.clone());
            let handle = tasks.spawn_blocking(move || {
                run_transform_worker(key, instance, input, fanout, span);
                Ok(())
            });
            names.insert(handle.id(), format!("transforms.{id}"));
        }
    }
    for Component {
        id,
        type_name,
        runtime: source,
    } in built.sources
    {
        let key = format!("sources.{id}");
        let fanout = fanout_of(&id);
        let out = if fanout.outputs.len() == 1 {
            fanout.outputs[0].clone()
        } else {
            let (sender, mut receiver) = mpsc::channel::<Event>(config.channel_capacity);
            let handle = tasks.spawn(async move {
                while let Some(event) = receiver.recv().await {
                    fanout.send(event).await;
                }
                Ok(())
            });
            names.insert(handle.id(), format!("{key} (fan-out)"));
            sender
        };
        let cx = SourceContext {
            key: key.clone(),
            id: id.clone(),
            out,
            shutdown: shutdown.child_token(),
            ledger: ledger.clone(),
            quarantine: quarantine.clone(),
            once: options.once,
            stats: stats.clone(),
        };
        let span = info_span!("component", component_kind = "source", component_id = %id, component_type = %type_name);
        let handle = tasks.spawn(source.run(cx).instrument(span));
        names.insert(handle.id(), key);
    }
    // Channels close once every upstream holder is gone.
    drop(senders);

    let flusher_stop = CancellationToken::new();
    let flusher = {
        let ledger = ledger.clone();
        let stop = flusher_stop.clone();
        let interval = config.commit_interval;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tick.tick() => {
                        let ledger = ledger.clone();
                        match tokio::task::spawn_blocking(move || ledger.flush()).await {
                            Ok(Err(err)) => error!(error = %err, "ledger commit failed; retrying at next interval"),
                            Err(err) => error!(error = %err, "ledger commit task failed"),
                            Ok(Ok(_)) => {}
                        }
                    }
                }
            }
        })
    };

    info!(
        sources = config.sources.len(),
        transforms = config.transforms.len(),
        sinks = config.sinks.len(),
        state_dir = %config.state_dir.display(),
        once = options.once,
        "pipeline started"
    );
    let mut failure: Option<CoreError> = None;
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        let sleep_target = deadline.unwrap_or_else(|| {
            tokio::time::Instant::now() + std::time::Duration::from_secs(86_400)
        });
        tokio::select! {
            joined = tasks.join_next_with_id() => match joined {
                None => break,
                Some(Ok((id, Ok(())))) => { names.remove(&id); }
                Some(Ok((id, Err(err)))) => {
                    let component = names.remove(&id).unwrap_or_default();
                    error!(component = %component, error = %err, "component failed; stopping the pipeline");
                    failure.get_or_insert(CoreError::Component { component, source: err });
                    shutdown.cancel();
                }
                Some(Err(join_error)) => {
                    let component = names.remove(&join_error.id()).unwrap_or_default();
                    error!(component = %component, error = %join_error, "component crashed; stopping the pipeline");
                    failure.get_or_insert(CoreError::Component {
                        component,
                        source: StageError::Other(join_error.to_string()),
                    });
                    shutdown.cancel();
                }
            },
            _ = shutdown.cancelled(), if deadline.is_none() => {
                info!(timeout_secs = config.shutdown_timeout.as_secs(), "shutdown requested; draining in-flight articles");
                deadline = Some(tokio::time::Instant::now() + config.shutdown_timeout);
            }
            _ = tokio::time::sleep_until(sleep_target), if deadline.is_some() => {
                let mut hung: Vec<String> = names.values().cloned().collect();
                hung.sort();
                hung.dedup();
                error!(components = %hung.join(", "), "shutdown timed out; abandoning in-flight articles (they are taken again at next start)");
                tasks.abort_all();
                failure.get_or_insert(CoreError::ShutdownTimeout { components: hung });
                break;
            }
        }
    }
    flusher_stop.cancel();
    let _ = flusher.await;
    let final_ledger = ledger.clone();
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
