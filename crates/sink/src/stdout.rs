//! `type = "stdout"`: one JSON record per line on standard output.

use async_trait::async_trait;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tracing::warn;
use wirehose_core::{
    BuildContext, ConfigProblem, Event, Sink, SinkConfig, SinkContext, StageError,
};

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
        if self.batch_max_records == 0 {
            return Err(cx.problem("batch_max_records", "must be at least 1"));
        }
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

#[async_trait]
impl Sink for Stdout {
    async fn run(
        self: Box<Self>,
        mut input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        let mut stdout = tokio::io::stdout();
        let mut buffer = Vec::new();
        loop {
            let batch = crate::next_batch(&mut input, self.config.batch_max_records).await;
            if batch.is_empty() {
                return Ok(());
            }
            buffer.clear();
            let mut written = Vec::with_capacity(batch.len());
            for event in batch {
                let encoded = if self.config.pretty {
                    serde_json::to_writer_pretty(&mut buffer, &event.record)
                } else {
                    serde_json::to_writer(&mut buffer, &event.record)
                };
                match encoded {
                    Ok(()) => {
                        buffer.push(b'\n');
                        written.push(event);
                    }
                    Err(err) => event.ack.reject(
                        &cx.key,
                        format!("cannot encode record: {err}"),
                        "report this as a bug",
                    ),
                }
            }
            let result = async {
                stdout.write_all(&buffer).await?;
                stdout.flush().await
            }
            .await;
            match result {
                Ok(()) => written.into_iter().for_each(|e| e.ack.delivered()),
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                    warn!("standard output closed; records not delivered");
                    return Ok(());
                }
                Err(err) => return Err(StageError::io("<stdout>", err)),
            }
        }
    }
}
