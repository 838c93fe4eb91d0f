//! Sources for wirehose.
//!
//! - [`directory`]: watches a directory and emits each complete article file
//!   (`type = "directory"`).
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

/// Registers every source type of this crate.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_source::<directory::DirectoryConfig>("directory");
}
