//! Reloads of a running pipeline with in-memory stages: added, removed,
//! replaced and rewired components while a source keeps emitting, checked
//! for lost and repeated records.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};

use super::tests::{note, registry, seen};
use super::*;
use crate::ack::{Ack, AckStatus};
use crate::error::{ConfigProblem, StageError};
use crate::event::Event;
use crate::record::Record;
use crate::stage::{BuildContext, Source, SourceConfig, SourceContext};

/// Emits one record every `every_ms` until cancelled, then waits for every
/// ack and notes each outcome (`source:TAG`) and each start (`started:TAG`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DripConfig {
    tag: String,
    every_ms: u64,
}

impl SourceConfig for DripConfig {
    fn build(&self, _: &BuildContext) -> Result<Box<dyn Source>, ConfigProblem> {
        Ok(Box::new(self.clone()))
    }
}

#[async_trait]
impl Source for DripConfig {
    async fn run(self: Box<Self>, cx: SourceContext) -> Result<(), StageError> {
        note(format!("started:{}", self.tag), String::new());
        let mut waiters = Vec::new();
        for n in 0.. {
            tokio::select! {
                _ = cx.shutdown.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_millis(self.every_ms)) => {}
            }
            let (ack, waiter) = Ack::new();
            let record = Record {
                id: format!("{n:04}"),
                paragraphs: vec![format!("article {n}")],
                ..Record::default()
            };
            if cx.out.send(Event::new(record, ack)).await.is_err() {
                break;
            }
            waiters.push((n, waiter));
        }
        for (n, waiter) in waiters {
            let outcome = match waiter.await.unwrap_or(AckStatus::Lost) {
                AckStatus::Delivered { .. } => "delivered",
                AckStatus::Rejected(_) => "rejected",
                AckStatus::Lost => "lost",
            };
            note(format!("source:{}", self.tag), format!("{n:04} {outcome}"));
        }
        Ok(())
    }
}

/// Runs `initial` (`STATE_DIR` replaced by a new directory), sends each of `reloads` after its wait (ms), stops
/// after `tail_ms` more; returns the verdicts and the run's result.
async fn reloading(
    initial: &str,
    reloads: &[(u64, &str)],
    tail_ms: u64,
) -> (
    Vec<Result<String, String>>,
    Result<Option<Box<Config>>, CoreError>,
) {
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().display().to_string();
    let parse = |text: &str| Config::parse(&text.replace("STATE_DIR", &dir), &registry()).unwrap();
    let shutdown = CancellationToken::new();
    let (sender, mut receiver) = mpsc::channel(1);
    let run = run_reloadable(
        parse(initial),
        shutdown.clone(),
        RunOptions::default(),
        Arc::default(),
        &mut receiver,
    );
    let driver = async {
        let mut verdicts = Vec::new();
        for (wait, text) in reloads {
            tokio::time::sleep(Duration::from_millis(*wait)).await;
            let (reply, verdict) = oneshot::channel();
            let config = Box::new(parse(text));
            sender.send(Reload { config, reply }).await.unwrap();
            verdicts.push(verdict.await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(tail_ms)).await;
        shutdown.cancel();
        verdicts
    };
    let (result, verdicts) = tokio::join!(run, driver);
    (verdicts, result)
}

/// The ids a sink noted, in order.
fn ids(sink: &str) -> Vec<String> {
    seen(&format!("sink:{sink}"))
        .iter()
        .map(|line| line[..4].to_string())
        .collect()
}

/// Checks that every record the source emitted was delivered.
fn all_delivered(tag: &str) -> Vec<String> {
    let outcomes = seen(&format!("source:{tag}"));
    assert!(outcomes.len() > 20, "{outcomes:?}");
    for outcome in &outcomes {
        assert!(outcome.ends_with(" delivered"), "{outcome}");
    }
    outcomes.iter().map(|o| o[..4].to_string()).collect()
}

const PIPELINE: &str = r#"
[state]
dir = "STATE_DIR"
[runtime]
shutdown_timeout_secs = 30
[sources.in]
type = "drip"
tag = "TAG"
every_ms = 4
[transforms.up]
type = "picky"
inputs = ["in"]
workers = 2
[sinks.a]
type = "collect"
tag = "TAG-a"
inputs = ["up"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_sink_gets_every_later_record_and_nothing_restarts() {
    let initial = PIPELINE.replace("TAG", "add");
    let added =
        format!("{initial}\n[sinks.b]\ntype = \"collect\"\ntag = \"add-b\"\ninputs = [\"up\"]\n");
    let (verdicts, result) = reloading(&initial, &[(150, &added)], 150).await;
    assert!(result.unwrap().is_none());
    assert_eq!(
        verdicts,
        [Ok(
            "added: sinks.b; kept: sinks.a, sources.in, transforms.up".to_string()
        )]
    );
    let emitted = all_delivered("add");
    assert_eq!(ids("add-a"), emitted, "the first sink misses nothing");
    let b = ids("add-b");
    assert!(b.len() > 5, "{b:?}");
    // From its first record on, the new sink gets every one.
    let later: Vec<String> = emitted.into_iter().filter(|id| *id >= b[0]).collect();
    assert_eq!(b, later);
    assert_eq!(seen("started:add").len(), 1, "the source kept running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_sink_and_a_removed_transform_lose_and_repeat_nothing() {
    let initial = PIPELINE.replace("TAG", "swap");
    let changed = r#"
[state]
dir = "STATE_DIR"
[runtime]
shutdown_timeout_secs = 30
[sources.in]
type = "drip"
tag = "swap"
every_ms = 4
[sinks.a]
type = "collect"
tag = "swap-new"
inputs = ["in"]
"#;
    let (verdicts, result) = reloading(&initial, &[(150, changed)], 150).await;
    assert!(result.unwrap().is_none());
    assert_eq!(
        verdicts,
        [Ok(
            "removed: transforms.up; replaced: sinks.a; kept: sources.in".to_string()
        )]
    );
    let emitted = all_delivered("swap");
    let (old, new) = (ids("swap-a"), ids("swap-new"));
    assert!(old.len() > 5 && new.len() > 5, "{old:?} {new:?}");
    let mut both = [old.clone(), new.clone()].concat();
    both.sort();
    assert_eq!(both, emitted, "each record written once, by one of the two");
    // The old sink took what passed the old transform; the new one reads
    // the source directly.
    assert!(
        seen("sink:swap-a")
            .iter()
            .all(|l| l.ends_with(&l[5..].to_uppercase()))
    );
    assert!(seen("sink:swap-new").iter().all(|l| l.contains("article")));
    assert_eq!(seen("started:swap").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_that_fails_to_build_leaves_the_pipeline_running() {
    let initial = PIPELINE.replace("TAG", "broken");
    let broken = format!(
        "{initial}\n[sinks.b]\ntype = \"collect\"\ntag = \"broken-b\"\ninputs = [\"up\"]\nbroken = true\n"
    );
    let (verdicts, result) = reloading(&initial, &[(100, &broken)], 100).await;
    assert!(result.unwrap().is_none());
    let reason = verdicts[0].clone().unwrap_err();
    assert!(
        reason.contains("sinks.b") && reason.contains("cannot be built"),
        "{reason}"
    );
    assert_eq!(ids("broken-a"), all_delivered("broken"));
    assert!(ids("broken-b").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_runtime_setting_drains_and_returns_the_new_config() {
    let initial = PIPELINE.replace("TAG", "restart");
    let changed = initial.replace("workers = 2", "workers = 1");
    // A transform's workers are its own: replaced, not a restart.
    let (verdicts, _) = reloading(&initial, &[(60, &changed)], 0).await;
    assert!(
        verdicts[0]
            .as_ref()
            .unwrap()
            .contains("replaced: transforms.up")
    );
    let capacity = initial.replace("[runtime]", "commit_interval_ms = 50\n[runtime]");
    let (verdicts, result) = reloading(&initial, &[(60, &capacity)], 0).await;
    let summary = verdicts[0].clone().unwrap();
    assert!(summary.contains("commit_interval_ms changed"), "{summary}");
    let next = result.unwrap().expect("the new config to run");
    assert_eq!(next.commit_interval, Duration::from_millis(50));
}
