//! What a running pipeline tells its operators: Prometheus metrics, health
//! and readiness, and taps on the records leaving a component.
//!
//! One [`Telemetry`] lives for a run; the topology hands each component its
//! [`ComponentMetrics`] (counters and a processing-time histogram, labelled
//! `component_id`, `component_kind`, `component_type`) and each source and
//! sink a [`Ready`] to call once it is watching or connected. The API server
//! (crate `wirehose-api`) reads it: [`Telemetry::encode`] for `/metrics`,
//! [`Telemetry::pending`] for `/ready`, [`Telemetry::tap`] for `/tap`.
//! Nothing here is on the records' path but atomic increments, one histogram
//! observation per article and stage, and a tap check (one atomic load) per
//! record.
//!
//! ```
//! use std::sync::Arc;
//! use wirehose_core::{RunStats, telemetry::Telemetry};
//! let telemetry = Telemetry::new(Arc::new(RunStats::default()));
//! let metrics = telemetry.component("transform", "extract", "extract");
//! metrics.received.inc();
//! let text = telemetry.encode();
//! assert!(text.contains(r#"wirehose_component_received_events_total{component_id="extract",component_kind="transform",component_type="extract"} 1"#));
//! ```

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::sync::{broadcast, mpsc};

use crate::event::Event;
use crate::stage::RunStats;

/// The labels of every per-component metric.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ComponentLabels {
    /// The component's id (`extract`).
    pub component_id: String,
    /// `source`, `transform` or `sink`.
    pub component_kind: String,
    /// Its registered type (`normalize`, `jsonl`).
    pub component_type: String,
}

/// The metrics of one component, cheap to clone (each is an `Arc`).
#[derive(Clone, Debug)]
pub struct ComponentMetrics {
    /// Events taken in.
    pub received: Counter,
    /// Events passed on (a sink: stored).
    pub sent: Counter,
    /// Events the component refused or failed on (quarantined).
    pub errors: Counter,
    /// Events consumed without output (a filter's drops).
    pub discarded: Counter,
    /// Seconds spent on each event.
    pub processing: Histogram,
    /// Retries of a failed write (sinks).
    pub retries: Counter,
    /// Entries a stateful component keeps in memory (the stories window),
    /// exported once the component sets it.
    state: (Family<ComponentLabels, Gauge>, ComponentLabels),
    /// Microseconds spent, in all (for `top`; not exported).
    busy_micros: Counter,
    /// Events timed (for `top`; not exported).
    timed: Counter,
}

impl ComponentMetrics {
    /// Metrics nobody reads (tests, tools).
    pub fn untracked() -> ComponentMetrics {
        Telemetry::default().component("transform", "untracked", "")
    }

    /// Reports how many entries the component keeps in memory now
    /// (`wirehose_component_state_entries`: the stories window's articles).
    pub fn set_state_entries(&self, entries: usize) {
        let (family, labels) = &self.state;
        family
            .get_or_create(labels)
            .set(i64::try_from(entries).unwrap_or(i64::MAX));
    }

    /// Records the time spent on one event.
    pub fn observe(&self, elapsed: std::time::Duration) {
        self.processing.observe(elapsed.as_secs_f64());
        self.busy_micros
            .inc_by(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
        self.timed.inc();
    }
}

/// Processing-time buckets: 50 µs to about 26 s, doubling.
fn processing_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 20))
}

/// Per-component metric families.
#[derive(Debug, Default)]
struct Families {
    received: Family<ComponentLabels, Counter>,
    sent: Family<ComponentLabels, Counter>,
    errors: Family<ComponentLabels, Counter>,
    discarded: Family<ComponentLabels, Counter>,
    retries: Family<ComponentLabels, Counter>,
    buffer: Family<ComponentLabels, Gauge>,
    state: Family<ComponentLabels, Gauge>,
}

/// How many records a tap holds for a slow reader before it skips some.
const TAP_CAPACITY: usize = 64;

/// Everything the operators' view reads.
pub struct Telemetry {
    stats: Arc<RunStats>,
    registry: Registry,
    families: Families,
    processing: Family<ComponentLabels, Histogram, fn() -> Histogram>,
    ledger_commit: Histogram,
    rss: Gauge,
    /// Every component's metrics, for [`Telemetry::snapshot`].
    components: Mutex<Vec<(ComponentLabels, ComponentMetrics)>>,
    /// Each reader's input channel, to report how full it is.
    channels: Mutex<Vec<(ComponentLabels, mpsc::WeakSender<Event>)>>,
    /// Sources not yet watching and sinks not yet connected (`kind.id`).
    pending: Mutex<BTreeSet<String>>,
    draining: AtomicBool,
    /// Whether a pipeline is running with every component registered.
    running: AtomicBool,
    /// Records leaving each transform, as JSON, for `tap`.
    taps: Mutex<HashMap<String, broadcast::Sender<Arc<str>>>>,
}

impl Default for Telemetry {
    /// Telemetry with fresh counters.
    fn default() -> Self {
        Telemetry::new(Arc::new(RunStats::default()))
    }
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Telemetry")
    }
}

/// The daemon's input counters ([`RunStats`]), read at each scrape.
#[derive(Debug)]
struct InputCounters(Arc<RunStats>);

impl Collector for InputCounters {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = &self.0;
        for (name, help, counter) in [
            (
                "wirehose_inputs_discovered",
                "Inputs found that need processing.",
                &stats.discovered,
            ),
            (
                "wirehose_inputs_done",
                "Inputs whose records every sink stored (or that were consumed).",
                &stats.completed,
            ),
            (
                "wirehose_inputs_quarantined",
                "Inputs quarantined.",
                &stats.quarantined,
            ),
            (
                "wirehose_inputs_duplicates",
                "Inputs skipped as exact duplicates of an earlier article.",
                &stats.duplicates,
            ),
            (
                "wirehose_inputs_skipped",
                "Inputs skipped because the ledger already had them.",
                &stats.skipped,
            ),
        ] {
            let value = ConstCounter::new(RunStats::get(counter));
            let metric = encoder.encode_descriptor(name, help, None, value.metric_type())?;
            value.encode(metric)?;
        }
        Ok(())
    }
}

impl Telemetry {
    /// Returns the telemetry of a run whose daemon counters are `stats`.
    pub fn new(stats: Arc<RunStats>) -> Telemetry {
        let mut registry = Registry::default();
        let families = Families::default();
        let processing: Family<ComponentLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(processing_histogram);
        let ledger_commit = Histogram::new(exponential_buckets(0.000_1, 2.0, 16));
        let rss = Gauge::default();
        registry.register(
            "wirehose_component_received_events",
            "Events a component took in.",
            families.received.clone(),
        );
        registry.register(
            "wirehose_component_sent_events",
            "Events a component passed on (a sink: stored durably).",
            families.sent.clone(),
        );
        registry.register(
            "wirehose_component_errors",
            "Events a component refused or failed on (quarantined).",
            families.errors.clone(),
        );
        registry.register(
            "wirehose_component_discarded_events",
            "Events a component consumed without output (a filter's drops).",
            families.discarded.clone(),
        );
        registry.register(
            "wirehose_component_processing_seconds",
            "Time a component spent on one event.",
            processing.clone(),
        );
        registry.register(
            "wirehose_buffer_events",
            "Events waiting in a component's input channel.",
            families.buffer.clone(),
        );
        registry.register(
            "wirehose_sink_retries",
            "Retries of a failed sink write.",
            families.retries.clone(),
        );
        registry.register(
            "wirehose_component_state_entries",
            "Entries a stateful component keeps in memory (the stories window's articles).",
            families.state.clone(),
        );
        registry.register(
            "wirehose_ledger_commit_seconds",
            "Time of one ledger commit.",
            ledger_commit.clone(),
        );
        registry.register(
            "wirehose_process_resident_memory_bytes",
            "Resident memory of the daemon.",
            rss.clone(),
        );
        registry.register_collector(Box::new(InputCounters(stats.clone())));
        Telemetry {
            stats,
            registry,
            families,
            processing,
            ledger_commit,
            rss,
            components: Mutex::new(Vec::new()),
            channels: Mutex::new(Vec::new()),
            pending: Mutex::new(BTreeSet::new()),
            draining: AtomicBool::new(false),
            running: AtomicBool::new(false),
            taps: Mutex::new(HashMap::new()),
        }
    }

    /// The daemon's input counters.
    pub fn stats(&self) -> &Arc<RunStats> {
        &self.stats
    }

    fn labels(kind: &str, id: &str, type_name: &str) -> ComponentLabels {
        ComponentLabels {
            component_id: id.to_string(),
            component_kind: kind.to_string(),
            component_type: type_name.to_string(),
        }
    }

    /// Returns the metrics of component `id` (`kind`: `source`, `transform`,
    /// `sink`), creating them at zero.
    pub fn component(&self, kind: &str, id: &str, type_name: &str) -> ComponentMetrics {
        let labels = Self::labels(kind, id, type_name);
        let mut components = self.components.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, known)) = components.iter().find(|(known, _)| *known == labels) {
            // The same component asked again (its workers, a reload): one set.
            return known.clone();
        }
        let metrics = ComponentMetrics {
            received: self.families.received.get_or_create(&labels).clone(),
            sent: self.families.sent.get_or_create(&labels).clone(),
            errors: self.families.errors.get_or_create(&labels).clone(),
            discarded: self.families.discarded.get_or_create(&labels).clone(),
            // Sources spend no time per event of their own; only sinks retry.
            processing: if kind == "source" {
                processing_histogram()
            } else {
                self.processing.get_or_create(&labels).clone()
            },
            retries: if kind == "sink" {
                self.families.retries.get_or_create(&labels).clone()
            } else {
                Counter::default()
            },
            state: (self.families.state.clone(), labels.clone()),
            busy_micros: Counter::default(),
            timed: Counter::default(),
        };
        components.push((labels, metrics.clone()));
        metrics
    }

    /// Every component's counters now, in the order they were created (the
    /// API's `/components`, read by `wirehose top`).
    pub fn snapshot(&self) -> Snapshot {
        let fills: HashMap<(String, String), usize> = {
            let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            channels
                .iter()
                .filter_map(|(labels, weak)| {
                    let sender = weak.upgrade()?;
                    let key = (labels.component_kind.clone(), labels.component_id.clone());
                    Some((key, sender.max_capacity() - sender.capacity()))
                })
                .collect()
        };
        let components = self.components.lock().unwrap_or_else(|e| e.into_inner());
        let stats = &self.stats;
        Snapshot {
            components: components
                .iter()
                .map(|(labels, metrics)| ComponentSnapshot {
                    id: labels.component_id.clone(),
                    kind: labels.component_kind.clone(),
                    type_name: labels.component_type.clone(),
                    received: metrics.received.get(),
                    sent: metrics.sent.get(),
                    errors: metrics.errors.get(),
                    discarded: metrics.discarded.get(),
                    buffer: fills
                        .get(&(labels.component_kind.clone(), labels.component_id.clone()))
                        .copied(),
                    processing_seconds: metrics.busy_micros.get() as f64 / 1e6,
                    processed: metrics.timed.get(),
                })
                .collect(),
            discovered: RunStats::get(&stats.discovered),
            done: RunStats::get(&stats.completed),
            quarantined: RunStats::get(&stats.quarantined),
            duplicates: RunStats::get(&stats.duplicates),
            resident_bytes: resident_bytes(),
            draining: self.draining(),
        }
    }

    /// Reports the fill of the input channel of component `id` at each scrape.
    pub fn watch_channel(
        &self,
        kind: &str,
        id: &str,
        type_name: &str,
        sender: &mpsc::Sender<Event>,
    ) {
        let labels = Self::labels(kind, id, type_name);
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        // A component replaced by a reload reports its new channel.
        channels.retain(|(known, _)| *known != labels);
        channels.push((labels, sender.downgrade()));
    }

    /// Forgets component `id` (removed by a reload, and drained): its
    /// metrics leave `/metrics` and `/components`, its readiness and its tap
    /// go (a tap's readers see the end of the stream).
    pub fn forget(&self, kind: &str, id: &str, type_name: &str) {
        let labels = Self::labels(kind, id, type_name);
        let families = &self.families;
        for family in [
            &families.received,
            &families.sent,
            &families.errors,
            &families.discarded,
            &families.retries,
        ] {
            family.remove(&labels);
        }
        families.buffer.remove(&labels);
        families.state.remove(&labels);
        self.processing.remove(&labels);
        let mut components = self.components.lock().unwrap_or_else(|e| e.into_inner());
        components.retain(|(known, _)| *known != labels);
        drop(components);
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.retain(|(known, _)| *known != labels);
        drop(channels);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.remove(&format!("{kind}s.{id}"));
        drop(pending);
        if kind == "transform" {
            let mut taps = self.taps.lock().unwrap_or_else(|e| e.into_inner());
            taps.remove(id);
        }
    }

    /// Returns the time histogram of ledger commits.
    pub fn ledger_commit(&self) -> &Histogram {
        &self.ledger_commit
    }

    /// Registers `key` (`sinks.out`) as not ready yet; the [`Ready`] returned
    /// marks it ready.
    pub fn expect_ready(self: &Arc<Self>, key: &str) -> Ready {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.insert(key.to_string());
        Ready {
            telemetry: Some(self.clone()),
            key: key.to_string(),
        }
    }

    /// The sources not yet watching and sinks not yet connected; `pipeline`
    /// while no pipeline runs (starting, or between two during a reload).
    pub fn pending(&self) -> Vec<String> {
        if !self.running.load(Ordering::SeqCst) {
            return vec!["pipeline".to_string()];
        }
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.iter().cloned().collect()
    }

    /// Marks a pipeline as running (every component registered) or stopped.
    pub fn set_running(&self, running: bool) {
        self.running.store(running, Ordering::SeqCst);
    }

    /// Marks the daemon as draining (shutdown requested): `/health` answers 503.
    pub fn set_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Whether shutdown was requested.
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Returns the tap of transform `id` (created on first use).
    pub fn tap_sender(&self, id: &str) -> broadcast::Sender<Arc<str>> {
        let mut taps = self.taps.lock().unwrap_or_else(|e| e.into_inner());
        taps.entry(id.to_string())
            .or_insert_with(|| broadcast::channel(TAP_CAPACITY).0)
            .clone()
    }

    /// Subscribes to the records leaving component `id`, if it has a tap.
    pub fn tap(&self, id: &str) -> Option<broadcast::Receiver<Arc<str>>> {
        let taps = self.taps.lock().unwrap_or_else(|e| e.into_inner());
        taps.get(id).map(broadcast::Sender::subscribe)
    }

    /// Ends every tap (their readers see the end of the stream); called once
    /// the pipeline has stopped.
    pub fn close_taps(&self) {
        let mut taps = self.taps.lock().unwrap_or_else(|e| e.into_inner());
        taps.clear();
    }

    /// The components that can be tapped.
    pub fn tappable(&self) -> Vec<String> {
        let taps = self.taps.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = taps.keys().cloned().collect();
        names.sort();
        names
    }

    /// Encodes every metric in the Prometheus (OpenMetrics) text format,
    /// reading channel fill and resident memory now.
    pub fn encode(&self) -> String {
        {
            let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            for (labels, weak) in channels.iter() {
                let fill = weak
                    .upgrade()
                    .map_or(0, |sender| sender.max_capacity() - sender.capacity());
                self.families.buffer.get_or_create(labels).set(fill as i64);
            }
        }
        if let Some(bytes) = resident_bytes() {
            self.rss.set(bytes as i64);
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// One component's counters at one moment.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ComponentSnapshot {
    /// Component id.
    pub id: String,
    /// `source`, `transform` or `sink`.
    pub kind: String,
    /// Registered type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Events taken in.
    pub received: u64,
    /// Events passed on (a sink: stored).
    pub sent: u64,
    /// Events refused or failed on.
    pub errors: u64,
    /// Events consumed without output.
    pub discarded: u64,
    /// Events waiting in its input channel (none for a source).
    pub buffer: Option<usize>,
    /// Total seconds spent on events.
    pub processing_seconds: f64,
    /// Events timed.
    pub processed: u64,
}

/// The pipeline's counters at one moment.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    /// Every component.
    pub components: Vec<ComponentSnapshot>,
    /// Inputs found.
    pub discovered: u64,
    /// Inputs done.
    pub done: u64,
    /// Inputs quarantined.
    pub quarantined: u64,
    /// Inputs skipped as duplicates.
    pub duplicates: u64,
    /// Resident memory, bytes.
    pub resident_bytes: Option<u64>,
    /// Whether the daemon is shutting down.
    pub draining: bool,
}

/// The resident memory of this process (`VmRSS` of `/proc/self/status`).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Marks one source (watching) or sink (connected) ready when called.
#[derive(Debug, Clone, Default)]
pub struct Ready {
    telemetry: Option<Arc<Telemetry>>,
    key: String,
}

impl Ready {
    /// A handle that reports to nobody (tests, `inspect`).
    pub fn untracked() -> Ready {
        Ready::default()
    }

    /// Marks the component ready. Calling it again does nothing.
    pub fn ready(&self) {
        if let Some(telemetry) = &self.telemetry {
            let mut pending = telemetry.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_asked_twice_shares_its_metrics() {
        let telemetry = Telemetry::default();
        let first = telemetry.component("transform", "extract", "extract");
        let again = telemetry.component("transform", "extract", "extract");
        first.observe(std::time::Duration::from_millis(3));
        again.observe(std::time::Duration::from_millis(1));
        let snapshot = telemetry.snapshot();
        assert_eq!(snapshot.components.len(), 1);
        assert_eq!(snapshot.components[0].processed, 2);
        assert!((snapshot.components[0].processing_seconds - 0.004).abs() < 1e-9);
    }

    #[test]
    fn readiness_waits_for_every_component() {
        let telemetry = Arc::new(Telemetry::new(Arc::new(RunStats::default())));
        let sink = telemetry.expect_ready("sinks.out");
        let source = telemetry.expect_ready("sources.in");
        assert_eq!(telemetry.pending(), vec!["pipeline"]);
        telemetry.set_running(true);
        assert_eq!(telemetry.pending(), vec!["sinks.out", "sources.in"]);
        sink.ready();
        sink.ready();
        assert_eq!(telemetry.pending(), vec!["sources.in"]);
        source.ready();
        assert!(telemetry.pending().is_empty());
    }

    #[test]
    fn encodes_components_inputs_and_buffers() {
        let stats = Arc::new(RunStats::default());
        RunStats::bump(&stats.completed);
        let telemetry = Telemetry::new(stats);
        let metrics = telemetry.component("sink", "out", "jsonl");
        metrics.sent.inc();
        metrics.observe(std::time::Duration::from_millis(2));
        let (sender, _receiver) = mpsc::channel::<Event>(8);
        telemetry.watch_channel("sink", "out", "jsonl", &sender);
        let text = telemetry.encode();
        assert!(text.contains("wirehose_inputs_done_total 1"), "{text}");
        assert!(text.contains(r#"wirehose_component_sent_events_total{component_id="out",component_kind="sink",component_type="jsonl"} 1"#), "{text}");
        assert!(text.contains(r#"wirehose_buffer_events{component_id="out",component_kind="sink",component_type="jsonl"} 0"#), "{text}");
        assert!(
            text.contains("wirehose_component_processing_seconds_count"),
            "{text}"
        );
        assert!(
            text.contains("wirehose_process_resident_memory_bytes"),
            "{text}"
        );
    }
}
