//! Sinks for wirehose.
//!
//! - [`jsonl`]: one record per line in a file, fsynced before acknowledging,
//!   one line per article id even across crashes (`type = "jsonl"`);
//! - [`stdout`]: one record per line on standard output (`type = "stdout"`);
//! - [`sqlite`]: an embedded store with full-text search (`type = "sqlite"`);
//! - `postgres`: PostgreSQL, batched upserts (`type = "postgres"`, feature `postgres`);
//! - `nats`: NATS JetStream publishing (`type = "nats"`, feature `nats`).
//!
//! Every sink runs on one batch driver (module `driver`): batching with an
//! optional linger, the sink's timing on each acknowledgement, retries with
//! capped backoff that hold the pipeline, record-by-record writing of a batch
//! refused for its data, and the final delivered / rejected outcome. A sink
//! supplies only how to connect and how to write a batch. The SQLite and
//! PostgreSQL sinks map records to the same rows (module `rows`) and differ
//! only in their SQL.
//!
//! # Example
//!
//! ```
//! let mut registry = wirehose_core::Registry::new();
//! wirehose_sink::register(&mut registry);
//! assert!(registry.names("sinks").contains(&"sqlite"));
//! ```

#![deny(missing_docs)]

mod driver;
pub mod jsonl;
mod lock;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "postgres")]
pub mod postgres;
mod rows;
pub mod sqlite;
pub mod stdout;

use std::path::PathBuf;

/// Errors of the sink crate's query functions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// The store does not exist.
    #[error("no database at {path} (run the daemon with a sqlite sink first, or pass --db)")]
    Missing {
        /// The expected file.
        path: PathBuf,
    },
    /// SQLite failed.
    #[error("sqlite database {path} failed")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// A file operation failed.
    #[error("i/o error on {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Registers every sink type of this crate.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_sink::<jsonl::JsonlConfig>(
        "jsonl",
        "one JSON record per line, appended to a file, fsynced before the ack",
    );
    #[cfg(feature = "nats")]
    registry.register_sink::<nats::NatsSinkConfig>(
        "nats",
        "records published to a NATS JetStream subject",
    );
    #[cfg(feature = "postgres")]
    registry.register_sink::<postgres::PostgresConfig>(
        "postgres",
        "records upserted into PostgreSQL tables (articles, entities, mentions, quotes)",
    );
    registry.register_sink::<sqlite::SqliteConfig>(
        "sqlite",
        "records upserted into an embedded SQLite store with a full-text index",
    );
    registry.register_sink::<stdout::StdoutConfig>(
        "stdout",
        "records printed as JSON lines on standard output",
    );
}
