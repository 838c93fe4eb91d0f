//! The core of wirehose: the record, the stage traits, the registry of stage
//! types, configuration, the topology that wires components with bounded
//! channels, end-to-end acknowledgement, the ledger and the quarantine.
//!
//! Main types:
//! - [`Record`]: one article as the sinks write it; [`Event`] carries it with
//!   its [`Ack`] through the pipeline.
//! - [`Source`], [`Transform`], [`Sink`]: the stage traits; their `*Config`
//!   counterparts are what a [`Registry`] builds from TOML.
//! - [`Config`]: a validated configuration; [`topology::run`] runs it.
//! - [`Ledger`]: the checkpoint store; [`Quarantine`]: where refused inputs go.
//! - [`SourceContext::settle`]: what every source does when an article's
//!   acknowledgement resolves (log line, counters, quarantine report).
//! - [`wire`]: the NATS message contract shared by the NATS source and sink.
//! - [`telemetry`]: metrics, readiness and taps, read by the API server.
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use wirehose_core::{Config, Registry, RunOptions, RunStats, topology};
//!
//! # async fn example() -> Result<(), wirehose_core::CoreError> {
//! let mut registry = Registry::new();
//! // wirehose_source::register(&mut registry); … one call per stage crate.
//! let config = Config::load("config/wirehose.toml".as_ref(), &registry)?;
//! let shutdown = tokio_util::sync::CancellationToken::new();
//! let telemetry = Arc::new(wirehose_core::telemetry::Telemetry::new(Arc::new(RunStats::default())));
//! topology::run(config, shutdown, RunOptions { once: true }, telemetry).await?;
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

pub mod ack;
pub mod completion;
pub mod config;
pub mod error;
pub mod event;
pub mod ledger;
pub mod quarantine;
pub mod record;
pub mod registry;
pub mod stage;
pub mod telemetry;
pub mod testing;
pub mod topology;
pub mod wire;

pub use ack::{Ack, AckStatus, AckWaiter, Rejection, format_timings};
pub use completion::{Evidence, InputInfo, InputMover, Settled};
pub use config::Config;
pub use error::{ConfigProblem, ConfigProblems, CoreError, StageError};
pub use event::Event;
pub use ledger::{InputEntry, InputStatus, Ledger};
pub use quarantine::{Quarantine, QuarantineReport};
pub use record::{
    Amount, DateMention, Dateline, Entity, Geo, Mention, Quote, Record, Removed, SourceInfo,
    article_id,
};
pub use registry::Registry;
pub use stage::{
    BuildContext, BuiltTransform, Cloned, OpenContext, RunStats, Sink, SinkConfig, SinkContext,
    Source, SourceConfig, SourceContext, Transform, TransformConfig,
};
pub use topology::RunOptions;

/// Returns the current time as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

pub use tokio_util::sync::CancellationToken;
