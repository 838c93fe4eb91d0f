//! The runner with in-memory stages: wiring, fan-out, acknowledgement
//! hand-over, rejection and panics in transforms, component failure and the
//! shutdown deadline (on tokio's paused clock).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use async_trait::async_trait;
use serde::Deserialize;

use super::*;
use crate::ack::{Ack, AckStatus};
use crate::error::{ConfigProblem, StageError};
use crate::event::Event;
use crate::record::Record;
use crate::registry::Registry;
use crate::stage::{
    BuildContext, BuiltTransform, Cloned, Sink, SinkConfig, SinkContext, Source, SourceConfig,
    SourceContext, Transform, TransformConfig,
};
use tokio::sync::mpsc;

/// What the test stages saw, by the `tag` of their config: source outcomes
/// (`source:TAG` → one entry per article) and sink deliveries (`sink:TAG`).
static SEEN: LazyLock<Mutex<HashMap<String, Vec<String>>>> = LazyLock::new(Default::default);

pub(super) fn note(key: String, value: String) {
    SEEN.lock().unwrap().entry(key).or_default().push(value);
}

pub(super) fn seen(key: &str) -> Vec<String> {
    let mut values = SEEN.lock().unwrap().get(key).cloned().unwrap_or_default();
    values.sort();
    values
}

/// Emits `count` records, waits for their acks and notes each outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountConfig {
    tag: String,
    count: usize,
}

impl SourceConfig for CountConfig {
    fn build(&self, _: &BuildContext) -> Result<Box<dyn Source>, ConfigProblem> {
        Ok(Box::new(self.clone()))
    }
}

#[async_trait]
impl Source for CountConfig {
    async fn run(self: Box<Self>, cx: SourceContext) -> Result<(), StageError> {
        let mut waiters = Vec::new();
        for n in 0..self.count {
            let (ack, waiter) = Ack::new();
            let record = Record {
                id: format!("{n:03}"),
                paragraphs: vec![format!("article {n}")],
                ..Record::default()
            };
            if cx.out.send(Event::new(record, ack)).await.is_err() {
                break;
            }
            waiters.push((n, waiter));
        }
        if !cx.once {
            cx.shutdown.cancelled().await;
        }
        for (n, waiter) in waiters {
            let outcome = match waiter.await.unwrap_or(AckStatus::Lost) {
                AckStatus::Delivered { timings } => {
                    let stages: Vec<&str> = timings.iter().map(|(c, _)| c.as_str()).collect();
                    format!("{n:03} delivered {}", stages.join(","))
                }
                AckStatus::Rejected(r) => format!("{n:03} rejected {}: {}", r.component, r.reason),
                AckStatus::Lost => format!("{n:03} lost"),
            };
            note(format!("source:{}", self.tag), outcome);
        }
        Ok(())
    }
}

/// Upper-cases the body; rejects articles whose number is in `reject`,
/// panics on those in `panic`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PickyConfig {
    #[serde(default)]
    reject: Vec<usize>,
    #[serde(default)]
    panic: Vec<usize>,
}

impl TransformConfig for PickyConfig {
    fn build(&self, _: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        Ok(Box::new(Cloned(self.clone())))
    }
}

impl Transform for PickyConfig {
    fn process(&mut self, mut record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let n: usize = record.id.parse().unwrap();
        if self.panic.contains(&n) {
            panic!("picky cannot stand article {n}");
        }
        if self.reject.contains(&n) {
            return Err(StageError::invalid("odd article", "none"));
        }
        record.paragraphs = record.paragraphs.iter().map(|p| p.to_uppercase()).collect();
        out.push(record);
        Ok(())
    }
}

/// Delivers every record and notes it; `fail_after` stops with an error,
/// `hang` never reads its input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectConfig {
    tag: String,
    #[serde(default)]
    fail_after: Option<usize>,
    #[serde(default)]
    hang: bool,
    /// Fails to build (a config that validates but cannot be built).
    #[serde(default)]
    broken: bool,
}

impl SinkConfig for CollectConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem> {
        if self.broken {
            return Err(cx.problem("broken", "this sink cannot be built"));
        }
        Ok(Box::new(self.clone()))
    }
}

#[async_trait]
impl Sink for CollectConfig {
    async fn run(
        self: Box<Self>,
        mut input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        if self.hang {
            std::future::pending::<()>().await;
        }
        let mut taken = 0;
        while let Some(event) = input.recv().await {
            if self.fail_after == Some(taken) {
                return Err(StageError::Other("disk on fire".into()));
            }
            taken += 1;
            event.ack.add_timing(&cx.key, Duration::from_micros(1));
            note(
                format!("sink:{}", self.tag),
                format!("{} {}", event.record.id, event.record.paragraphs[0]),
            );
            event.ack.delivered();
        }
        Ok(())
    }
}

pub(super) fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register_source::<CountConfig>("count", "test source");
    registry.register_transform::<PickyConfig>("picky", "test transform");
    registry.register_sink::<CollectConfig>("collect", "test sink");
    registry.register_source::<super::tests_reload::DripConfig>("drip", "test source");
    registry
}

async fn run_config(text: &str, once: bool, shutdown: CancellationToken) -> Result<(), CoreError> {
    let state = tempfile::tempdir().unwrap();
    let text = format!(
        "[state]\ndir = \"{}\"\n[runtime]\nshutdown_timeout_secs = 30\n{text}",
        state.path().display()
    );
    let config = Config::parse(&text, &registry()).unwrap();
    run(config, shutdown, RunOptions { once }, Arc::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_reaches_every_sink_and_acks_resolve_once_all_delivered() {
    let config = r#"
[sources.in]
type = "count"
tag = "fan"
count = 40
[transforms.up]
type = "picky"
inputs = ["in"]
workers = 3
[sinks.a]
type = "collect"
tag = "fan-a"
inputs = ["up"]
[sinks.b]
type = "collect"
tag = "fan-b"
inputs = ["up", "in"]
"#;
    run_config(config, true, CancellationToken::new())
        .await
        .unwrap();
    let outcomes = seen("source:fan");
    assert_eq!(outcomes.len(), 40);
    for outcome in &outcomes {
        // Timings of every component the article passed, in no fixed order.
        assert!(outcome.contains(" delivered "), "{outcome}");
        for component in ["transforms.up", "sinks.a", "sinks.b"] {
            assert!(outcome.contains(component), "{outcome}");
        }
    }
    assert_eq!(seen("sink:fan-a").len(), 40);
    // Sink b reads both the transform and the source: two copies each.
    let b = seen("sink:fan-b");
    assert_eq!(b.len(), 80);
    assert!(b.contains(&"007 ARTICLE 7".to_string()));
    assert!(b.contains(&"007 article 7".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_or_panicking_article_is_reported_and_the_rest_flow() {
    let config = r#"
[sources.in]
type = "count"
tag = "picky"
count = 10
[transforms.picky]
type = "picky"
inputs = ["in"]
reject = [3]
panic = [5]
workers = 2
[sinks.out]
type = "collect"
tag = "picky"
inputs = ["picky"]
"#;
    run_config(config, true, CancellationToken::new())
        .await
        .unwrap();
    let outcomes = seen("source:picky");
    assert_eq!(outcomes.len(), 10);
    assert_eq!(outcomes[3], "003 rejected transforms.picky: odd article");
    assert_eq!(
        outcomes[5],
        "005 rejected transforms.picky: transform panicked: picky cannot stand article 5"
    );
    let delivered = outcomes.iter().filter(|o| o.contains("delivered")).count();
    assert_eq!(delivered, 8);
    assert_eq!(seen("sink:picky").len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sink_stops_the_pipeline_and_is_named() {
    let config = r#"
[sources.in]
type = "count"
tag = "fail"
count = 5
[sinks.out]
type = "collect"
tag = "fail"
inputs = ["in"]
fail_after = 2
"#;
    let err = run_config(config, false, CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::Component { component, .. } if component == "sinks.out"),
        "{err:?}"
    );
    // Nothing the sink dropped counts as delivered.
    let outcomes = seen("source:fail");
    assert_eq!(outcomes.len(), 5);
    assert_eq!(outcomes.iter().filter(|o| o.ends_with("lost")).count(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_hung_sink_is_abandoned_at_the_shutdown_deadline() {
    let config = r#"
[sources.in]
type = "count"
tag = "hang"
count = 2
[sinks.out]
type = "collect"
tag = "hang"
inputs = ["in"]
hang = true
"#;
    let shutdown = CancellationToken::new();
    let stopper = {
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            shutdown.cancel();
        })
    };
    let started = tokio::time::Instant::now();
    let err = run_config(config, false, shutdown).await.unwrap_err();
    stopper.await.unwrap();
    match err {
        // The source still waits for the acks the sink holds.
        CoreError::ShutdownTimeout { components } => {
            assert_eq!(components, ["sinks.out", "sources.in"])
        }
        other => panic!("{other:?}"),
    }
    // 5 s until the signal, then the 30 s deadline (on the paused clock).
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(35) && waited < Duration::from_secs(40),
        "{waited:?}"
    );
}
