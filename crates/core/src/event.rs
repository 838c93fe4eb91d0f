//! The unit that travels on the channels between components.

use std::time::Instant;

use crate::ack::Ack;
use crate::record::Record;

/// A record plus its acknowledgement handle and arrival time.
#[derive(Debug, Clone)]
pub struct Event {
    /// The article.
    pub record: Record,
    /// Resolves at the source when every copy of this event is gone.
    pub ack: Ack,
    /// When the source handed the event to the pipeline (for latency figures).
    pub emitted_at: Instant,
}

impl Event {
    /// Returns an event for `record` tracked by `ack`.
    pub fn new(record: Record, ack: Ack) -> Event {
        Event {
            record,
            ack,
            emitted_at: Instant::now(),
        }
    }
}
