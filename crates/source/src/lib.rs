//! Sources for wirehose.
//!
//! - [`directory`]: watches a directory and emits each complete article file
//!   (`type = "directory"`);
//! - `nats`: a durable JetStream pull consumer shared by several processes
//!   (`type = "nats"`, feature `nats`).
//!
//! # Example
//!
//! ```
//! let mut registry = wirehose_core::Registry::new();
//! wirehose_source::register(&mut registry);
//! assert!(registry.names("sources").contains(&"directory"));
//! ```

#![deny(missing_docs)]

pub mod directory;
#[cfg(feature = "nats")]
pub mod nats;

/// Registers every source type of this crate.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_source::<directory::DirectoryConfig>(
        "directory",
        "files dropped in a watched directory, checkpointed in the ledger",
    );
    #[cfg(feature = "nats")]
    registry.register_source::<nats::NatsSourceConfig>(
        "nats",
        "articles from a NATS JetStream stream, shared by several daemons",
    );
}
