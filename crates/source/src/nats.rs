//! `type = "nats"`: a durable JetStream pull consumer.
//!
//! Several wirehose processes configured with the same `stream` and
//! `consumer` share the work: JetStream hands each message to one of them.
//! A message is acknowledged only after every sink downstream acknowledged its
//! record; a process that dies leaves its unacknowledged messages to be
//! redelivered (after `ack_wait_secs`) to the others. `max_in_flight` bounds
//! the messages a process holds unacknowledged (the consumer's
//! `max_ack_pending`). A message a stage refuses is written to the quarantine
//! with its report and terminated, so it is not redelivered.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::pull};
use async_trait::async_trait;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use serde::Deserialize;
use tokio::time::Instant;
use tracing::{error, info, warn};
use wirehose_core::config::in_range;
use wirehose_core::wire;
pub use wirehose_core::wire::Payload;
use wirehose_core::{
    Ack, AckStatus, BuildContext, ConfigProblem, Event, Evidence, InputInfo, Record, Rejection,
    RunStats, Settled, Source, SourceConfig, SourceContext, StageError,
};

fn default_url() -> String {
    "nats://127.0.0.1:4222".to_string()
}
fn default_payload() -> Payload {
    Payload::Raw
}
fn default_max_in_flight() -> usize {
    256
}
fn default_ack_wait_secs() -> u64 {
    30
}

/// Raw configuration of the NATS source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsSourceConfig {
    /// Server URL. Default `nats://127.0.0.1:4222`.
    #[serde(default = "default_url")]
    pub url: String,
    /// The stream to consume. Required.
    pub stream: String,
    /// Durable consumer name; processes sharing it share the work. Required.
    pub consumer: String,
    /// Only messages on this subject. Default: all of the stream.
    #[serde(default)]
    pub filter_subject: Option<String>,
    /// Create the stream with these subjects if it does not exist (so workers
    /// may start before the edge). Default: none (the stream must exist).
    #[serde(default)]
    pub stream_subjects: Option<Vec<String>>,
    /// `raw` (article bytes) or `record` (JSON records). Default `raw`.
    #[serde(default = "default_payload")]
    pub payload: Payload,
    /// Most messages held unacknowledged by this process. Default 256.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
    /// Seconds before JetStream redelivers an unacknowledged message to
    /// another process. Default 30.
    #[serde(default = "default_ack_wait_secs")]
    pub ack_wait_secs: u64,
}

impl SourceConfig for NatsSourceConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Source>, ConfigProblem> {
        let name_ok = |name: &str| !name.is_empty() && !name.contains(['.', ' ', '*', '>']);
        if !name_ok(&self.stream) {
            return Err(cx.problem(
                "stream",
                "a stream name without dots, spaces or wildcards is required",
            ));
        }
        if !name_ok(&self.consumer) {
            return Err(cx.problem(
                "consumer",
                "a consumer name without dots, spaces or wildcards is required",
            ));
        }
        in_range(cx, "max_in_flight", self.max_in_flight, 1..=65_536)?;
        in_range(cx, "ack_wait_secs", self.ack_wait_secs, 1..=86_400)?;
        Ok(Box::new(NatsSource {
            config: self.clone(),
        }))
    }
}

/// The running NATS source.
#[derive(Debug)]
pub struct NatsSource {
    config: NatsSourceConfig,
}

struct InFlight {
    acker: jetstream::message::Acker,
    input: InputInfo,
    payload: Vec<u8>,
}

type Completion = BoxFuture<'static, (InFlight, AckStatus)>;

impl NatsSource {
    async fn consumer(&self) -> Result<pull::Stream, String> {
        let client = async_nats::connect(&self.config.url)
            .await
            .map_err(|e| e.to_string())?;
        let context = jetstream::new(client);
        let stream = match &self.config.stream_subjects {
            Some(subjects) => context
                .get_or_create_stream(jetstream::stream::Config {
                    name: self.config.stream.clone(),
                    subjects: subjects.clone(),
                    duplicate_window: Duration::from_secs(120),
                    ..Default::default()
                })
                .await
                .map_err(|e| e.to_string())?,
            None => context
                .get_stream(&self.config.stream)
                .await
                .map_err(|e| e.to_string())?,
        };
        let consumer: jetstream::consumer::Consumer<pull::Config> = stream
            .get_or_create_consumer(
                &self.config.consumer,
                pull::Config {
                    durable_name: Some(self.config.consumer.clone()),
                    ack_policy: jetstream::consumer::AckPolicy::Explicit,
                    ack_wait: Duration::from_secs(self.config.ack_wait_secs),
                    max_ack_pending: self.config.max_in_flight as i64,
                    filter_subject: self.config.filter_subject.clone().unwrap_or_default(),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        consumer.messages().await.map_err(|e| e.to_string())
    }

    fn record(&self, message: &async_nats::Message) -> Result<Record, String> {
        let header = |name: &str| {
            message
                .headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_string())
        };
        wire::decode(
            self.config.payload,
            header,
            &message.payload,
            message.subject.as_str(),
        )
    }

    /// Settles a message whose acknowledgement resolved, then acks,
    /// terminates or naks it.
    async fn complete(&self, cx: &SourceContext, done: InFlight, status: AckStatus) {
        let span = done.input.span();
        // Ack before settling: a failed ack leaves the message to be
        // redelivered, so the article is not complete yet.
        if matches!(status, AckStatus::Delivered { .. })
            && let Err(err) = done.acker.ack().await
        {
            span.in_scope(|| warn!(error = %err, "ack failed; the message will be redelivered (sinks write idempotently)"));
            return;
        }
        let name = format!("nats-{}.txt", done.input.id.as_deref().unwrap_or_default());
        let evidence = Evidence::Bytes {
            name,
            bytes: done.payload,
        };
        match cx.settle(&done.input, status, evidence).await {
            Settled::Done => {}
            Settled::Quarantined { .. } => {
                if let Err(err) = done.acker.ack_with(AckKind::Term).await {
                    span.in_scope(|| {
                        warn!(error = %err, "terminating the message failed; it may be redelivered")
                    });
                }
            }
            Settled::Unwritable { .. } => {
                let _ = done
                    .acker
                    .ack_with(AckKind::Nak(Some(Duration::from_secs(5))))
                    .await;
            }
            Settled::Lost => {
                let _ = done.acker.ack_with(AckKind::Nak(None)).await;
            }
        }
    }
}

#[async_trait]
impl Source for NatsSource {
    async fn run(self: Box<Self>, cx: SourceContext) -> Result<(), StageError> {
        let mut backoff = Duration::from_millis(200);
        let mut messages = loop {
            tokio::select! {
                _ = cx.shutdown.cancelled() => return Ok(()),
                attempt = self.consumer() => match attempt {
                    Ok(messages) => break messages,
                    Err(err) => {
                        error!(error = %err, retry_in_ms = backoff.as_millis() as u64, "nats unavailable; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(30));
                    }
                }
            }
        };
        info!(stream = %self.config.stream, consumer = %self.config.consumer, "consuming from nats");
        cx.ready.ready();
        let mut in_flight: FuturesUnordered<Completion> = FuturesUnordered::new();
        let out = cx.out.clone();
        loop {
            let can_take = in_flight.len() < self.config.max_in_flight;
            tokio::select! {
                _ = cx.shutdown.cancelled() => {
                    info!(in_flight = in_flight.len(), "source stopping; taking no new messages");
                    break;
                }
                Some((done, status)) = in_flight.next(), if !in_flight.is_empty() => {
                    self.complete(&cx, done, status).await;
                }
                // The message stream is its own branch: completions must keep
                // being polled (and acked) while we wait for messages, because
                // the consumer's max_ack_pending is shared by every worker.
                next = messages.next(), if can_take => match next {
                    None => {
                        warn!("nats message stream ended; stopping");
                        break;
                    }
                    Some(Err(err)) => warn!(error = %err, "nats message error"),
                    Some(Ok(message)) => {
                        let (message, acker) = message.split();
                        let done = |id: String| InFlight {
                            acker,
                            input: InputInfo {
                                id: Some(id),
                                file: message.subject.to_string().into(),
                                bytes: message.payload.len() as u64,
                                read_at: Instant::now(),
                            },
                            payload: message.payload.to_vec(),
                        };
                        match self.record(&message) {
                            Ok(record) => {
                                let (ack, waiter) = Ack::new();
                                RunStats::bump(&cx.stats.discovered);
                                let done = done(record.id.clone());
                                // Waits only for channel room, which downstream
                                // frees on its own: no cycle with our acks.
                                if out.send(Event::new(record, ack)).await.is_err() {
                                    warn!("downstream closed; source stopping");
                                    break;
                                }
                                cx.metrics.received.inc();
                                cx.metrics.sent.inc();
                                in_flight.push(Box::pin(async move {
                                    let status = waiter.await.unwrap_or(AckStatus::Lost);
                                    (done, status)
                                }));
                            }
                            Err(reason) => {
                                let rejection = Rejection {
                                    component: cx.key.clone(),
                                    reason,
                                    hint: "publish records with the nats sink's matching payload setting".into(),
                                };
                                let done = done(wirehose_core::article_id(&message.payload));
                                self.complete(&cx, done, AckStatus::Rejected(rejection)).await;
                            }
                        }
                    }
                },
            }
        }
        drop(out);
        drop(messages);
        while let Some((done, status)) = in_flight.next().await {
            self.complete(&cx, done, status).await;
        }
        Ok(())
    }
}
