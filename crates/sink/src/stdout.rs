//! `type = "stdout"`: one JSON record per line on standard output.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tracing::warn;
use wirehose_core::config::in_range;
use wirehose_core::{
    BuildContext, ConfigProblem, Event, Record, Sink, SinkConfig, SinkContext, StageError,
};

use crate::driver::{self, BatchWriter, Outcome, Texts, WriteError};

fn default_batch_max_records() -> usize {
    256
}

/// Raw configuration of the stdout sink.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdoutConfig {
    /// Pretty-print each record over several lines instead of one line.
    /// Default false.
    #[serde(default)]
    pub pretty: bool,
    /// Most records written per flush. Default 256.
    #[serde(default = "default_batch_max_records")]
    pub batch_max_records: usize,
}

impl SinkConfig for StdoutConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem> {
        in_range(cx, "batch_max_records", self.batch_max_records, 1..=65_536)?;
        Ok(Box::new(Stdout {
            config: self.clone(),
        }))
    }
}

/// The running stdout sink.
#[derive(Debug)]
pub struct Stdout {
    config: StdoutConfig,
}

/// The stdout sink's side of the batch driver.
struct StdoutWriter {
    stdout: tokio::io::Stdout,
    pretty: bool,
    buffer: Vec<u8>,
}

impl BatchWriter for StdoutWriter {
    const TEXTS: Texts = Texts {
        unavailable: "standard output unavailable; retrying",
        retrying: "cannot write records; holding them and retrying",
        one_by_one: "standard output refused a batch; writing its records one by one",
        refused: "standard output refused the record",
    };

    async fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
        self.buffer.clear();
        let mut outcomes = Vec::with_capacity(records.len());
        for record in records {
            let line_start = self.buffer.len();
            let encoded = if self.pretty {
                serde_json::to_writer_pretty(&mut self.buffer, &**record)
            } else {
                serde_json::to_writer(&mut self.buffer, &**record)
            };
            match encoded {
                Ok(()) => {
                    self.buffer.push(b'\n');
                    outcomes.push(Outcome::Delivered);
                }
                Err(err) => {
                    self.buffer.truncate(line_start);
                    outcomes.push(Outcome::Rejected {
                        reason: format!("cannot encode record: {err}"),
                        hint: "report this as a bug",
                    });
                }
            }
        }
        let result = async {
            self.stdout.write_all(&self.buffer).await?;
            self.stdout.flush().await
        }
        .await;
        match result {
            Ok(()) => Ok(outcomes),
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                warn!("standard output closed; records not delivered");
                Err(WriteError::Closed)
            }
            Err(err) => Err(WriteError::Fatal(StageError::io("<stdout>", err))),
        }
    }
}

#[async_trait]
impl Sink for Stdout {
    async fn run(
        self: Box<Self>,
        input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        let writer = StdoutWriter {
            stdout: tokio::io::stdout(),
            pretty: self.config.pretty,
            buffer: Vec::new(),
        };
        let options = driver::Options {
            batch_max_records: self.config.batch_max_records,
            linger: Duration::ZERO,
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
        };
        driver::run(writer, input, &cx, options).await
    }
}
