//! `type = "nats"`: publishes records to NATS JetStream.
//!
//! Each record goes to a subject rendered from a template
//! (`articles.{language}`), with the article id as `Nats-Msg-Id` so JetStream
//! drops re-sent duplicates within its deduplication window. A batch is
//! published with its acknowledgements pipelined, and each record is
//! acknowledged only once JetStream confirmed it. With `payload = "raw"` the
//! undecoded input bytes are sent (the edge of a scale-out layout, before
//! normalize), with the source path and receive time in headers.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::mpsc;
use tracing::{info, warn};
use wirehose_core::config::in_range;
use wirehose_core::{
    BuildContext, ConfigProblem, Event, Record, Sink, SinkConfig, SinkContext, StageError, wire,
};

use crate::driver::{self, BatchWriter, Outcome, Texts, WriteError};

pub use wirehose_core::wire::{HEADER_PATH, HEADER_RECEIVED_AT, Payload};

fn default_url() -> String {
    "nats://127.0.0.1:4222".to_string()
}
fn default_payload() -> Payload {
    Payload::Record
}
fn default_subject() -> String {
    "articles.{language}".to_string()
}
fn default_batch_max_records() -> usize {
    256
}
fn default_max_backoff_secs() -> u64 {
    30
}

/// Raw configuration of the NATS sink.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsSinkConfig {
    /// Server URL. Default `nats://127.0.0.1:4222`.
    #[serde(default = "default_url")]
    pub url: String,
    /// Subject template: `{language}`, `{id}`, `{agency}` are replaced (an
    /// absent value becomes `unknown`). Default `articles.{language}`.
    #[serde(default = "default_subject")]
    pub subject: String,
    /// `record` (JSON) or `raw` (the input bytes). Default `record`.
    #[serde(default = "default_payload")]
    pub payload: Payload,
    /// Create (or update) this stream at start, bound to `stream_subjects`.
    /// Default: none (the stream must exist).
    #[serde(default)]
    pub stream: Option<String>,
    /// Subjects of the stream created with `stream`. Default: the template
    /// with each `{…}` replaced by `*`.
    #[serde(default)]
    pub stream_subjects: Option<Vec<String>>,
    /// Most records published before their acknowledgements are awaited.
    /// Default 256.
    #[serde(default = "default_batch_max_records")]
    pub batch_max_records: usize,
    /// Longest pause between retries, in seconds. Default 30.
    #[serde(default = "default_max_backoff_secs")]
    pub max_backoff_secs: u64,
}

impl SinkConfig for NatsSinkConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem> {
        if self.subject.is_empty() || self.subject.contains([' ', '>', '*']) {
            return Err(cx.problem(
                "subject",
                "a subject template without spaces or wildcards is required",
            ));
        }
        in_range(cx, "batch_max_records", self.batch_max_records, 1..=65_536)?;
        in_range(cx, "max_backoff_secs", self.max_backoff_secs, 1..=3_600)?;
        if let Some(stream) = &self.stream
            && (stream.is_empty() || stream.contains(['.', ' ', '*', '>']))
        {
            return Err(cx.problem(
                "stream",
                "a stream name without dots, spaces or wildcards is required",
            ));
        }
        Ok(Box::new(NatsSink {
            config: self.clone(),
        }))
    }
}

/// Returns the subjects a stream needs for `template`.
pub fn template_subjects(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push('*');
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn token(value: Option<&str>) -> String {
    let cleaned: String = value
        .unwrap_or("unknown")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "unknown".into()
    } else {
        cleaned
    }
}

/// Renders the subject for `record`.
pub fn render_subject(template: &str, record: &Record) -> String {
    template
        .replace("{language}", &token(record.language.as_deref()))
        .replace("{id}", &token(Some(&record.id)))
        .replace(
            "{agency}",
            &token(record.agencies.first().map(String::as_str)),
        )
}

/// The running NATS sink.
#[derive(Debug)]
pub struct NatsSink {
    config: NatsSinkConfig,
}

/// The NATS sink's side of the batch driver.
struct NatsWriter {
    config: NatsSinkConfig,
    context: Option<jetstream::Context>,
    /// Whether the last write left records to retry.
    failed: bool,
}

impl NatsWriter {
    /// Connects and creates (or updates) the configured stream.
    async fn open(&self) -> Result<jetstream::Context, String> {
        let client = async_nats::connect(&self.config.url)
            .await
            .map_err(|e| e.to_string())?;
        let context = jetstream::new(client);
        if let Some(stream) = &self.config.stream {
            let subjects = self
                .config
                .stream_subjects
                .clone()
                .unwrap_or_else(|| vec![template_subjects(&self.config.subject)]);
            context
                .get_or_create_stream(jetstream::stream::Config {
                    name: stream.clone(),
                    subjects,
                    duplicate_window: Duration::from_secs(120),
                    ..Default::default()
                })
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(context)
    }

    fn message(&self, record: &Record) -> Result<(async_nats::HeaderMap, Vec<u8>), String> {
        let mut headers = async_nats::HeaderMap::new();
        for (name, value) in wire::headers(record) {
            headers.insert(name, value.as_str());
        }
        let payload = wire::encode(record, self.config.payload)?;
        Ok((headers, payload))
    }
}

impl BatchWriter for NatsWriter {
    const TEXTS: Texts = Texts {
        unavailable: "nats unavailable; holding records and retrying",
        retrying: "nats publishes failed; holding records and retrying (duplicates are dropped by Nats-Msg-Id)",
        one_by_one: "nats refused a batch; writing its records one by one",
        refused: "nats refused the record",
    };

    async fn connect(&mut self) -> Result<(), WriteError> {
        self.context = None;
        let context = self.open().await.map_err(WriteError::Unavailable)?;
        info!(url = %self.config.url, "nats sink connected");
        self.context = Some(context);
        self.failed = false;
        Ok(())
    }

    /// After a failed write, a client that lost its server is replaced.
    fn needs_connect(&self) -> bool {
        self.context.as_ref().is_none_or(|context| {
            self.failed
                && context.client().connection_state() != async_nats::connection::State::Connected
        })
    }

    /// Publishes the batch with its acknowledgements pipelined.
    async fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
        let Some(context) = &self.context else {
            return Err(WriteError::Unavailable("not connected".into()));
        };
        let mut outcomes = vec![Outcome::Retry; records.len()];
        let mut acks = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            let (headers, payload) = match self.message(record) {
                Ok(message) => message,
                Err(reason) => {
                    outcomes[index] = Outcome::Rejected {
                        reason,
                        hint: "check the sink's place in the pipeline and its payload setting",
                    };
                    continue;
                }
            };
            let max_payload = context.client().server_info().max_payload;
            if max_payload > 0 && payload.len() > max_payload {
                outcomes[index] = Outcome::Rejected {
                    reason: format!(
                        "message of {} bytes exceeds the server's max_payload of {max_payload}",
                        payload.len()
                    ),
                    hint: "raise max_payload on the NATS server or lower the source's max_bytes",
                };
                continue;
            }
            let subject = render_subject(&self.config.subject, record);
            match context
                .publish_with_headers(subject, headers, payload.into())
                .await
            {
                Ok(future) => acks.push((index, future)),
                Err(err) => warn!(error = %err, "nats publish failed"),
            }
        }
        for (index, future) in acks {
            match future.await {
                Ok(_) => outcomes[index] = Outcome::Delivered,
                Err(err) => {
                    warn!(error = %err, record_id = %records[index].id, "nats publish not acknowledged");
                }
            }
        }
        self.failed = outcomes.contains(&Outcome::Retry);
        Ok(outcomes)
    }
}

#[async_trait]
impl Sink for NatsSink {
    async fn run(
        self: Box<Self>,
        input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        let options = driver::Options {
            batch_max_records: self.config.batch_max_records,
            linger: Duration::ZERO,
            first_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(self.config.max_backoff_secs.max(1)),
        };
        let NatsSink { config } = *self;
        let writer = NatsWriter {
            config,
            context: None,
            failed: false,
        };
        driver::run(writer, input, &cx, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_render_and_derive() {
        let record = Record {
            id: "abc".into(),
            language: Some("en".into()),
            ..Record::default()
        };
        assert_eq!(
            render_subject("articles.{language}", &record),
            "articles.en"
        );
        assert_eq!(render_subject("a.{agency}.{id}", &record), "a.unknown.abc");
        assert_eq!(template_subjects("articles.{language}"), "articles.*");
        assert_eq!(template_subjects("wirehose.raw"), "wirehose.raw");
    }
}
