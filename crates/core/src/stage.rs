//! Stage traits and the contexts the runner hands to stages.
//!
//! - A [`Source`] is async, runs until it is cancelled (or, in `--once` mode,
//!   until it has taken everything there is), and emits [`Event`]s.
//! - A [`Transform`] is synchronous and CPU-bound: record in, zero or more
//!   records out. The runner runs `workers` instances on blocking threads and
//!   does all the cross-cutting work (acks, timings, spans, quarantine on error).
//! - A [`Sink`] is async, runs until its input closes, and resolves each
//!   event's ack after a durable write.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{ConfigProblem, StageError};
use crate::event::Event;
use crate::ledger::Ledger;
use crate::quarantine::Quarantine;
use crate::record::Record;
use crate::telemetry::{ComponentMetrics, Ready, Telemetry};

/// Counters of a run, read by the command line for progress and summaries.
#[derive(Debug, Default)]
pub struct RunStats {
    /// Inputs found that need processing.
    pub discovered: AtomicU64,
    /// Inputs whose records every sink acknowledged.
    pub completed: AtomicU64,
    /// Inputs quarantined.
    pub quarantined: AtomicU64,
    /// Inputs skipped as exact duplicates of an earlier article.
    pub duplicates: AtomicU64,
    /// Inputs skipped because the ledger already had them.
    pub skipped: AtomicU64,
}

impl RunStats {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads `counter`.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// What a component learns about itself when it is built.
#[derive(Debug, Clone)]
pub struct BuildContext {
    /// Full component key: `sources.inbox`, `transforms.clean`, `sinks.out`.
    pub key: String,
    /// The component id alone (`inbox`).
    pub id: String,
    /// The daemon's state directory.
    pub state_dir: PathBuf,
}

impl BuildContext {
    /// Returns a config problem about `key` of this component.
    pub fn problem(&self, key: &str, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem::new(Some(&self.key), Some(key), message)
    }
}

/// Everything a running source needs.
pub struct SourceContext {
    /// Full component key (`sources.inbox`).
    pub key: String,
    /// The component id (`inbox`), the ledger's namespace for this source.
    pub id: String,
    /// Where emitted events go.
    pub out: mpsc::Sender<Event>,
    /// Cancelled when the daemon shuts down: take nothing new, then drain.
    pub shutdown: CancellationToken,
    /// The checkpoint store.
    pub ledger: Ledger,
    /// Where refused inputs go.
    pub quarantine: Quarantine,
    /// Take what is there now, then stop (backfill mode).
    pub once: bool,
    /// Shared counters.
    pub stats: Arc<RunStats>,
    /// This source's metrics: count each input read and emitted
    /// (`received`, `sent`).
    pub metrics: ComponentMetrics,
    /// Call once the source is watching (its inputs are being taken).
    pub ready: Ready,
}

/// Everything a running sink needs.
pub struct SinkContext {
    /// Full component key (`sinks.out`).
    pub key: String,
    /// This sink's metrics.
    pub metrics: ComponentMetrics,
    /// Call once the sink has connected (its store is open).
    pub ready: Ready,
}

impl SinkContext {
    /// A context for sink `key` whose metrics and readiness nobody reads
    /// (tests, tools).
    pub fn untracked(key: &str) -> SinkContext {
        let id = key.rsplit('.').next().unwrap_or(key);
        SinkContext {
            key: key.to_string(),
            metrics: Telemetry::new(Arc::new(RunStats::default())).component("sink", id, ""),
            ready: Ready::untracked(),
        }
    }
}

/// A source of articles.
#[async_trait]
pub trait Source: Send {
    /// Runs until cancelled (or done, in once mode), then waits for the
    /// acknowledgements of what it emitted and records them.
    async fn run(self: Box<Self>, cx: SourceContext) -> Result<(), StageError>;
}

/// A synchronous record-to-records step.
pub trait Transform: Send {
    /// Processes one record, pushing zero or more records to `out`. An
    /// [`StageError::InvalidArticle`] quarantines the article; the transform
    /// keeps running either way.
    fn process(&mut self, record: Record, out: &mut Vec<Record>) -> Result<(), StageError>;

    /// Processes one record for a transform with named outputs
    /// ([`TransformConfig::outputs`]), pushing each record with the index of
    /// the output it goes to (a record may go to several). The runner calls
    /// this instead of [`Transform::process`] when the transform names its
    /// outputs; the default sends everything `process` emits to output 0.
    fn process_routed(
        &mut self,
        record: Record,
        out: &mut Vec<(usize, Record)>,
    ) -> Result<(), StageError> {
        let mut plain = Vec::new();
        self.process(record, &mut plain)?;
        out.extend(plain.into_iter().map(|record| (0, record)));
        Ok(())
    }
}

/// A destination for records.
#[async_trait]
pub trait Sink: Send {
    /// Consumes `input` until it closes, resolving each event's ack once the
    /// record is stored durably.
    async fn run(
        self: Box<Self>,
        input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError>;
}

/// A validated source configuration that can build the runtime source.
pub trait SourceConfig: Send + Sync + std::fmt::Debug {
    /// Validates and builds the runtime source.
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Source>, ConfigProblem>;
}

/// A transform configuration as the registry parsed it.
///
/// Building is phase one of two: it validates the configuration and prepares
/// whatever needs no state (tables, compiled patterns, a model file named by
/// the config), but it must not touch the state directory: `wirehose
/// validate` stops after this phase and writes nothing.
pub trait TransformConfig: Send + Sync + std::fmt::Debug {
    /// Validates the configuration and returns the transform, not yet open.
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem>;

    /// The names of the transform's outputs, for a transform that sends
    /// records to several (`route`): readers list them as `ID.NAME` in their
    /// `inputs`. Empty (the default) for one unnamed output, read as `ID`.
    fn outputs(&self) -> Vec<String> {
        Vec::new()
    }
}

/// What a transform learns when it is opened, after the runner has locked
/// the state directory.
#[derive(Debug, Clone)]
pub struct OpenContext {
    /// Full component key: `transforms.extract`.
    pub key: String,
    /// The component id alone (`extract`).
    pub id: String,
    /// The daemon's state directory, locked by this process.
    pub state_dir: PathBuf,
    /// How many worker instances the runner runs (the component's `workers`).
    pub workers: usize,
    /// The component's metrics (a stateful transform reports its state's
    /// size with [`ComponentMetrics::set_state_entries`]).
    pub metrics: ComponentMetrics,
}

/// A validated transform, ready to open (phase two).
///
/// `open` runs once per run, after the state directory is locked: it opens
/// any store the transform keeps (its state lives under `cx.state_dir`) and
/// hands back one instance per worker. Instances may share state through an
/// `Arc`.
pub trait BuiltTransform: Send + Sync {
    /// Opens the transform's state and returns `cx.workers` instances.
    fn open(&self, cx: &OpenContext) -> Result<Vec<Box<dyn Transform>>, StageError>;
}

/// A stateless transform: every worker gets its own clone.
///
/// ```
/// use wirehose_core::{BuiltTransform, Cloned, OpenContext, Record, StageError, Transform};
/// #[derive(Clone)]
/// struct Upper;
/// impl Transform for Upper {
///     fn process(&mut self, mut record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
///         record.title = record.title.map(|t| t.to_uppercase());
///         out.push(record);
///         Ok(())
///     }
/// }
/// let cx = OpenContext { key: "transforms.up".into(), id: "up".into(), state_dir: "state".into(), workers: 2, metrics: wirehose_core::telemetry::ComponentMetrics::untracked() };
/// assert_eq!(Cloned(Upper).open(&cx).unwrap().len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Cloned<T>(pub T);

impl<T> BuiltTransform for Cloned<T>
where
    T: Transform + Clone + Sync + 'static,
{
    fn open(&self, cx: &OpenContext) -> Result<Vec<Box<dyn Transform>>, StageError> {
        Ok((0..cx.workers)
            .map(|_| Box::new(self.0.clone()) as Box<dyn Transform>)
            .collect())
    }
}

/// A validated sink configuration.
pub trait SinkConfig: Send + Sync + std::fmt::Debug {
    /// Validates and builds the runtime sink.
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem>;
}
