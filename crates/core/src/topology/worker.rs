//! Fan-out to consumers and the loop of one transform worker: spans,
//! timings, the acknowledgement hand-over from input to outputs, and
//! quarantine of an article the transform fails or panics on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;
use tracing::{Span, error, info_span, warn};

use crate::error::StageError;
use crate::event::Event;
use crate::stage::Transform;

/// Sends each event to every consumer, cloning for all but the last.
#[derive(Clone)]
pub(super) struct Fanout {
    pub(super) outputs: Vec<mpsc::Sender<Event>>,
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

    pub(super) async fn send(&self, event: Event) {
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

pub(super) fn run_transform_worker(
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
