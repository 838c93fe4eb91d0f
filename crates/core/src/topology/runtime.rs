//! The running pipeline: its components, the channels between them, and
//! the changes a reload makes while records flow.
//!
//! Every reader (transform or sink) has one bounded input channel. The
//! runtime holds one sender of it (the *keepalive*) while the reader is in
//! the config; each upstream output holds the others in a [`Fanout`] whose
//! readers a reload can swap. A reader's channel so closes only when the
//! runtime lets go of it: once every upstream it reads has finished (the
//! end of a backfill, a shutdown), or when a reload removes or replaces it.
//!
//! A reload, after the new components are built and the added transforms
//! opened (any failure leaves everything as it was):
//! - unchanged components keep running; a rewired one's upstreams send to
//!   it from their next record;
//! - a removed source stops taking inputs and waits for its in-flight ones;
//!   a removed reader is cut from its upstreams and drains its channel;
//! - a replaced component does both, and its successor starts once it has
//!   stopped (a replaced reader's new channel fills meanwhile, so nothing
//!   is lost; a stateful transform reopens its store only after the old one
//!   wrote its last);
//! - added components start, their upstreams sending to them from their
//!   next record.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, info, info_span};

use super::build::{Built, Component, Workers, build_components, open_transforms};
use super::plan::{Change, Plan, plan};
use super::worker::{Fanout, Outputs, run_transform_worker};
use crate::config::Config;
use crate::error::{CoreError, StageError};
use crate::event::Event;
use crate::ledger::Ledger;
use crate::quarantine::Quarantine;
use crate::stage::{BuiltTransform, Sink, SinkContext, Source, SourceContext};
use crate::telemetry::Telemetry;

/// A reload of a running pipeline: the new config, validated, and where to
/// report what was done (`Ok` with a summary of the changes) or why not.
#[derive(Debug)]
pub struct Reload {
    /// The new config.
    pub config: Box<Config>,
    /// Where the verdict goes.
    pub reply: oneshot::Sender<Result<String, String>>,
}

/// What every source of one run shares.
pub(super) struct Shared {
    pub(super) shutdown: CancellationToken,
    pub(super) ledger: Ledger,
    pub(super) quarantine: Quarantine,
    pub(super) once: bool,
    pub(super) telemetry: Arc<Telemetry>,
}

/// The kind of a component, as telemetry labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Source,
    Transform,
    Sink,
}

impl Kind {
    fn of_key(key: &str) -> Kind {
        match key.split_once('.').map(|(kind, _)| kind) {
            Some("sources") => Kind::Source,
            Some("transforms") => Kind::Transform,
            _ => Kind::Sink,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Transform => "transform",
            Kind::Sink => "sink",
        }
    }
}

/// A component waiting to start (a reader's receiver is in [`Live::input`]).
enum Start {
    Source(Box<dyn Source>),
    /// Opened (added at a reload, or at the start).
    Transform(Workers),
    /// Opened when its predecessor has stopped (a replacement).
    Unopened(usize, Box<dyn BuiltTransform>),
    Sink(Box<dyn Sink>),
}

/// One generation of one component: what runs (or waits to) under a key.
struct Live {
    kind: Kind,
    key: String,
    id: String,
    type_name: String,
    generation: u64,
    /// Tasks still running.
    tasks: usize,
    /// What to start: set until it starts.
    start: Option<Start>,
    /// A reader's input, until it starts.
    input: Option<mpsc::Receiver<Event>>,
    /// A reader's input sender, held while it is in the config and its
    /// upstreams have not all finished.
    keepalive: Option<mpsc::Sender<Event>>,
    /// A source's or transform's outputs, each with the name readers give
    /// it (`ID`, or `ID.NAME` for a named output).
    outputs: Vec<(String, Fanout)>,
    /// A source's own cancellation (a child of the pipeline's).
    cancel: Option<CancellationToken>,
    /// A transform with named outputs (run through `process_routed`).
    routed: bool,
}

impl Live {
    /// Whether it has run and stopped (nothing left to send).
    fn finished(&self) -> bool {
        self.tasks == 0 && self.start.is_none()
    }

    /// Ends its outputs: readers it sent to no longer wait on it.
    fn close_outputs(&self) {
        for (_, fanout) in &self.outputs {
            fanout.set(Vec::new());
        }
    }
}

/// What a reload came to.
pub(super) enum Reloaded {
    /// Applied while running; the summary of the changes.
    Applied(String),
    /// Refused (the new components failed to build or open); nothing changed.
    Refused(String),
    /// A setting outside the components changed: the pipeline must drain
    /// and start again with the new config.
    Restart(String, Box<Config>),
}

/// The running pipeline.
pub(super) struct Runtime {
    pub(super) config: Config,
    shared: Shared,
    set: JoinSet<Result<(), StageError>>,
    /// Each task's component key and generation.
    names: HashMap<tokio::task::Id, (String, u64)>,
    /// The current generation of every component in the config, by key.
    live: HashMap<String, Live>,
    /// Generations a reload removed or replaced, while they drain.
    draining: HashMap<u64, Live>,
    next_generation: u64,
    /// The first failure; the pipeline stops on it.
    pub(super) failure: Option<CoreError>,
}

/// The component id `input` reads (`ID` or `ID.NAME`).
fn upstream_id(input: &str) -> &str {
    input.split_once('.').map_or(input, |(id, _)| id)
}

/// The component key of `id` in `config`.
fn key_of(config: &Config, id: &str) -> String {
    if config.sources.iter().any(|s| s.id == id) {
        format!("sources.{id}")
    } else if config.transforms.iter().any(|t| t.id == id) {
        format!("transforms.{id}")
    } else {
        format!("sinks.{id}")
    }
}

/// Each reader of `config` (transform or sink) by key, with its inputs.
fn readers(config: &Config) -> Vec<(String, &[String])> {
    config
        .transforms
        .iter()
        .map(|t| (format!("transforms.{}", t.id), t.inputs.as_slice()))
        .chain(
            config
                .sinks
                .iter()
                .map(|s| (format!("sinks.{}", s.id), s.inputs.as_slice())),
        )
        .collect()
}

impl Runtime {
    pub(super) fn new(config: Config, shared: Shared) -> Runtime {
        Runtime {
            config,
            shared,
            set: JoinSet::new(),
            names: HashMap::new(),
            live: HashMap::new(),
            draining: HashMap::new(),
            next_generation: 0,
            failure: None,
        }
    }

    /// Starts every component of the config (built, transforms opened).
    pub(super) fn start_all(&mut self, built: Built, opened: Vec<Component<Workers>>) {
        let plan = Plan {
            changes: built
                .sources
                .iter()
                .map(|c| format!("sources.{}", c.id))
                .chain(opened.iter().map(|c| format!("transforms.{}", c.id)))
                .chain(built.sinks.iter().map(|c| format!("sinks.{}", c.id)))
                .map(|key| (key, Change::Add))
                .collect(),
        };
        self.install(&plan, built, opened);
    }

    /// A new generation of component `key`, waiting to start with `start`;
    /// a reader gets its input channel.
    fn prepare(&mut self, key: String, type_name: String, start: Start) -> Live {
        let kind = Kind::of_key(&key);
        let id = key
            .split_once('.')
            .map_or(key.as_str(), |(_, id)| id)
            .to_string();
        self.next_generation += 1;
        let named = self
            .config
            .transforms
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.outputs.clone())
            .unwrap_or_default();
        let outputs = match kind {
            Kind::Sink => Vec::new(),
            _ if named.is_empty() => vec![(id.clone(), Fanout::default())],
            _ => named
                .iter()
                .map(|name| (format!("{id}.{name}"), Fanout::default()))
                .collect(),
        };
        let (keepalive, input) = if kind == Kind::Source {
            (None, None)
        } else {
            let (sender, receiver) = mpsc::channel(self.config.channel_capacity);
            self.shared
                .telemetry
                .watch_channel(kind.label(), &id, &type_name, &sender);
            (Some(sender), Some(receiver))
        };
        Live {
            kind,
            key,
            id,
            type_name,
            generation: self.next_generation,
            tasks: 0,
            start: Some(start),
            input,
            keepalive,
            outputs,
            cancel: None,
            routed: !named.is_empty(),
        }
    }

    /// Puts the components of `built` (sources, sinks, and the replaced
    /// transforms, unopened) and `opened` (added transforms) in place,
    /// retires the removed and replaced ones, points every output at the
    /// config's readers, and starts what can start. `self.config` is
    /// already the new config.
    fn install(&mut self, plan: &Plan, built: Built, opened: Vec<Component<Workers>>) {
        for key in plan.keys(Change::Remove).chain(plan.keys(Change::Replace)) {
            self.retire(key, plan.changes[key] == Change::Remove);
        }
        let mut fresh: Vec<(String, String, Start)> = Vec::new();
        for c in built.sources {
            fresh.push((
                format!("sources.{}", c.id),
                c.type_name,
                Start::Source(c.runtime),
            ));
        }
        for c in opened {
            let start = Start::Transform(c.runtime);
            fresh.push((format!("transforms.{}", c.id), c.type_name, start));
        }
        for c in built.transforms {
            let (workers, transform) = c.runtime;
            let start = Start::Unopened(workers, transform);
            fresh.push((format!("transforms.{}", c.id), c.type_name, start));
        }
        for c in built.sinks {
            fresh.push((
                format!("sinks.{}", c.id),
                c.type_name,
                Start::Sink(c.runtime),
            ));
        }
        for (key, type_name, start) in fresh {
            let live = self.prepare(key.clone(), type_name, start);
            self.live.insert(key, live);
        }
        self.rewire();
        // Readers first, so a source's first record finds them running.
        let mut keys: Vec<String> = plan
            .keys(Change::Add)
            .chain(plan.keys(Change::Replace))
            .map(str::to_string)
            .collect();
        keys.sort_by_key(|key| Kind::of_key(key) == Kind::Source);
        for key in keys {
            let waits = self.draining.values().any(|old| old.key == key);
            if !waits {
                self.start(&key);
            }
        }
        self.cascade();
    }

    /// Takes component `key` out of the config: a source stops taking
    /// inputs, a reader's input is let go (the next [`Runtime::rewire`]
    /// cuts its upstreams from it); it drains and stops on its own.
    fn retire(&mut self, key: &str, removed: bool) {
        let Some(mut old) = self.live.remove(key) else {
            return;
        };
        if let Some(cancel) = &old.cancel {
            cancel.cancel();
        }
        old.keepalive = None;
        info!(component = %key, generation = old.generation, removed, "component draining");
        if old.tasks == 0 {
            self.stopped(old);
        } else {
            self.draining.insert(old.generation, old);
        }
    }

    /// Points every output of the config's components at the readers the
    /// config gives it.
    fn rewire(&self) {
        let readers = readers(&self.config);
        let senders: HashMap<&str, mpsc::Sender<Event>> = readers
            .iter()
            .filter_map(|(key, _)| {
                let live = self.live.get(key)?;
                Some((live.id.as_str(), live.keepalive.clone()?))
            })
            .collect();
        for live in self.live.values() {
            for (name, fanout) in &live.outputs {
                let targets = readers
                    .iter()
                    .filter(|(_, inputs)| inputs.iter().any(|input| input == name))
                    .filter_map(|(key, _)| {
                        let id = key.split_once('.').map_or(key.as_str(), |(_, id)| id);
                        Some((id.to_string(), senders.get(id)?.clone()))
                    })
                    .collect();
                fanout.set(targets);
            }
        }
    }

    /// Lets go of the input of every reader whose upstreams have all
    /// finished, so it drains and stops (a backfill's end, a shutdown).
    fn cascade(&mut self) {
        let finished = |id: &str| {
            let key = key_of(&self.config, id);
            self.live.get(&key).is_none_or(Live::finished)
        };
        let done: Vec<String> = readers(&self.config)
            .into_iter()
            .filter(|(_, inputs)| inputs.iter().all(|input| finished(upstream_id(input))))
            .map(|(key, _)| key)
            .collect();
        for key in done {
            if let Some(live) = self.live.get_mut(&key) {
                live.keepalive = None;
            }
        }
    }

    fn spawn(
        &mut self,
        key: &str,
        generation: u64,
        task: impl Future<Output = Result<(), StageError>> + Send + 'static,
    ) {
        let handle = self.set.spawn(task);
        self.names
            .insert(handle.id(), (key.to_string(), generation));
    }

    /// Starts the waiting generation of component `key`.
    fn start(&mut self, key: &str) {
        let Some(mut live) = self.live.remove(key) else {
            return;
        };
        if live.kind == Kind::Source && self.shared.shutdown.is_cancelled() {
            // A replaced source whose predecessor drained at shutdown.
            live.start = None;
        }
        if let Some(start) = live.start.take() {
            match start {
                Start::Source(source) => self.start_source(&mut live, source),
                Start::Sink(sink) => self.start_sink(&mut live, sink),
                Start::Transform(workers) => self.start_transform(&mut live, workers),
                Start::Unopened(workers, built) => {
                    let cx = crate::stage::OpenContext {
                        key: key.to_string(),
                        id: live.id.clone(),
                        state_dir: self.config.state_dir.clone(),
                        workers,
                        metrics: self.shared.telemetry.component(
                            "transform",
                            &live.id,
                            &live.type_name,
                        ),
                    };
                    match built.open(&cx) {
                        Ok(instances) => self.start_transform(&mut live, instances),
                        Err(source) => {
                            error!(component = %key, error = %source, "replaced transform failed to open; stopping the pipeline");
                            self.fail(CoreError::Open {
                                component: key.to_string(),
                                source,
                            });
                        }
                    }
                }
            }
            info!(component = %key, generation = live.generation, "component started");
        }
        self.live.insert(key.to_string(), live);
    }

    fn start_source(&mut self, live: &mut Live, source: Box<dyn Source>) {
        let shared = &self.shared;
        let cancel = shared.shutdown.child_token();
        // The source writes to a pump that sends each event to the
        // output's readers of the moment (a reload may change them).
        let (out, mut pump) = mpsc::channel::<Event>(1);
        let fanout = live.outputs[0].1.clone();
        let cx = SourceContext {
            key: live.key.clone(),
            id: live.id.clone(),
            out,
            shutdown: cancel.clone(),
            ledger: shared.ledger.clone(),
            quarantine: shared.quarantine.clone(),
            once: shared.once,
            stats: shared.telemetry.stats().clone(),
            metrics: shared
                .telemetry
                .component("source", &live.id, &live.type_name),
            ready: shared.telemetry.expect_ready(&live.key),
        };
        let span = info_span!("component", component_kind = "source", component_id = %live.id, component_type = %live.type_name);
        self.spawn(&live.key, live.generation, source.run(cx).instrument(span));
        self.spawn(&live.key, live.generation, async move {
            while let Some(event) = pump.recv().await {
                fanout.send(event).await;
            }
            Ok(())
        });
        live.tasks += 2;
        live.cancel = Some(cancel);
    }

    fn start_sink(&mut self, live: &mut Live, sink: Box<dyn Sink>) {
        let Some(input) = live.input.take() else {
            return;
        };
        let telemetry = &self.shared.telemetry;
        let cx = SinkContext {
            key: live.key.clone(),
            metrics: telemetry.component("sink", &live.id, &live.type_name),
            ready: telemetry.expect_ready(&live.key),
        };
        let span = info_span!("component", component_kind = "sink", component_id = %live.id, component_type = %live.type_name);
        self.spawn(
            &live.key,
            live.generation,
            sink.run(input, cx).instrument(span),
        );
        live.tasks += 1;
    }

    fn start_transform(&mut self, live: &mut Live, instances: Workers) {
        let Some(input) = live.input.take() else {
            return;
        };
        let telemetry = &self.shared.telemetry;
        let key: Arc<str> = Arc::from(live.key.as_str());
        let input = Arc::new(Mutex::new(input));
        let outputs = Outputs {
            fanouts: live.outputs.iter().map(|(_, f)| f.clone()).collect(),
            routed: live.routed,
            metrics: telemetry.component("transform", &live.id, &live.type_name),
            tap: telemetry.tap_sender(&live.id),
        };
        let limits = self.config.limits;
        for (worker, instance) in instances.into_iter().enumerate() {
            let span = info_span!("component", component_kind = "transform", component_id = %live.id, component_type = %live.type_name, worker);
            let (key, input, outputs) = (key.clone(), input.clone(), outputs.clone());
            let handle = self.set.spawn_blocking(move || {
                run_transform_worker(key, instance, input, outputs, limits, span);
                Ok(())
            });
            self.names
                .insert(handle.id(), (live.key.clone(), live.generation));
            live.tasks += 1;
        }
    }

    /// Records a failure and stops the pipeline.
    fn fail(&mut self, err: CoreError) {
        self.failure.get_or_insert(err);
        self.shared.shutdown.cancel();
    }

    /// One task of generation `generation` of `key` ended.
    fn task_ended(&mut self, key: &str, generation: u64) {
        if let Some(live) = self.live.get_mut(key)
            && live.generation == generation
        {
            live.tasks = live.tasks.saturating_sub(1);
            if live.tasks == 0 {
                live.close_outputs();
                info!(component = %key, generation, "component stopped");
            }
        } else if let Some(old) = self.draining.get_mut(&generation) {
            old.tasks = old.tasks.saturating_sub(1);
            if old.tasks == 0
                && let Some(old) = self.draining.remove(&generation)
            {
                self.stopped(old);
            }
        }
        self.cascade();
    }

    /// A retired generation has drained and stopped: its successor (a
    /// replacement) starts; a removed component's metrics go.
    fn stopped(&mut self, old: Live) {
        old.close_outputs();
        info!(component = %old.key, generation = old.generation, "component drained and stopped");
        let successor = self.live.get(&old.key).map(|new| new.type_name.clone());
        if successor.as_deref() != Some(old.type_name.as_str()) {
            // Removed, or replaced by another type: its metrics go.
            self.shared
                .telemetry
                .forget(old.kind.label(), &old.id, &old.type_name);
        }
        if successor.is_some() {
            self.start(&old.key.clone());
        }
    }
}

/// Waits for the next reload request, or forever when there is no channel
/// (or it has closed).
async fn next_reload(reloads: &mut Option<&mut mpsc::Receiver<Reload>>) -> Reload {
    if let Some(receiver) = reloads.as_deref_mut()
        && let Some(reload) = receiver.recv().await
    {
        return reload;
    }
    *reloads = None;
    std::future::pending().await
}

impl Runtime {
    /// Applies the config `new` while the pipeline runs (see the module
    /// docs); nothing changes when a new component fails to build or open.
    pub(super) fn reload(&mut self, new: Config) -> Reloaded {
        let plan = match plan(&self.config, &new) {
            Ok(plan) => plan,
            Err(reason) => return Reloaded::Restart(reason, Box::new(new)),
        };
        if plan.is_noop() {
            self.config = new;
            return Reloaded::Applied("no component changed".to_string());
        }
        let wanted = |key: &str| {
            matches!(
                plan.changes.get(key),
                Some(Change::Add) | Some(Change::Replace)
            )
        };
        let mut built = match build_components(&new, wanted) {
            Ok(built) => built,
            Err(err) => return Reloaded::Refused(err.to_string()),
        };
        let (added, replaced): (Vec<_>, Vec<_>) = built
            .transforms
            .into_iter()
            .partition(|c| plan.changes.get(&format!("transforms.{}", c.id)) == Some(&Change::Add));
        built.transforms = replaced;
        let opened = match open_transforms(added, &new, &self.shared.telemetry) {
            Ok(opened) => opened,
            Err(err) => return Reloaded::Refused(err.to_string()),
        };
        self.config = new;
        self.install(&plan, built, opened);
        Reloaded::Applied(plan.to_string())
    }

    /// Runs until every task has stopped: takes task ends, reloads (until
    /// shutdown is requested) and the shutdown deadline. Returns the config
    /// of a reload that needs the whole pipeline restarted.
    pub(super) async fn supervise(
        &mut self,
        mut reloads: Option<&mut mpsc::Receiver<Reload>>,
    ) -> Option<Box<Config>> {
        let shutdown = self.shared.shutdown.clone();
        let timeout = self.config.shutdown_timeout;
        let mut restart: Option<Box<Config>> = None;
        let mut deadline: Option<tokio::time::Instant> = None;
        while !self.set.is_empty() {
            let sleep_target = deadline
                .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(86_400));
            tokio::select! {
                joined = self.set.join_next_with_id() => match joined {
                    None => break,
                    Some(Ok((id, result))) => self.joined(id, result.err()),
                    Some(Err(join_error)) => {
                        let id = join_error.id();
                        self.joined(id, Some(StageError::Other(join_error.to_string())));
                    }
                },
                _ = shutdown.cancelled(), if deadline.is_none() => {
                    info!(timeout_secs = timeout.as_secs(), "shutdown requested; draining in-flight articles");
                    deadline = Some(tokio::time::Instant::now() + timeout);
                }
                _ = tokio::time::sleep_until(sleep_target), if deadline.is_some() => {
                    let mut hung: Vec<String> = self.names.values().map(|(key, _)| key.clone()).collect();
                    hung.sort();
                    hung.dedup();
                    error!(components = %hung.join(", "), "shutdown timed out; abandoning in-flight articles (they are taken again at next start)");
                    self.set.abort_all();
                    self.failure.get_or_insert(CoreError::ShutdownTimeout { components: hung });
                    break;
                }
                reload = next_reload(&mut reloads), if deadline.is_none() => {
                    let Reload { config, reply } = reload;
                    match self.reload(*config) {
                        Reloaded::Applied(summary) => {
                            info!(changes = %summary, "config reloaded while running");
                            let _ = reply.send(Ok(summary));
                        }
                        Reloaded::Refused(reason) => {
                            error!(error = %reason, "config reload refused; the running pipeline keeps its config");
                            let _ = reply.send(Err(reason));
                        }
                        Reloaded::Restart(reason, config) => {
                            info!(reason = %reason, "config reload needs the whole pipeline restarted; draining it");
                            let _ = reply.send(Ok(format!("{reason}: the whole pipeline restarts")));
                            restart = Some(config);
                            shutdown.cancel();
                        }
                    }
                }
            }
        }
        restart
    }

    /// A task ended, with `error` if it failed.
    fn joined(&mut self, id: tokio::task::Id, error: Option<StageError>) {
        let Some((key, generation)) = self.names.remove(&id) else {
            return;
        };
        if let Some(source) = error {
            error!(component = %key, error = %source, "component failed; stopping the pipeline");
            self.fail(CoreError::Component {
                component: key.clone(),
                source,
            });
        }
        self.task_ended(&key, generation);
    }
}
