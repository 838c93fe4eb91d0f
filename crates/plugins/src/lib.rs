//! Stages that make wirehose pluggable without a rebuild.
//!
//! - [`exec`] (`type = "exec"`): a long-lived program of the user's, in any
//!   language, speaking JSON lines on its stdin and stdout.
//! - [`filter`] (`type = "filter"`): keeps the records a jq condition holds
//!   for.
//! - [`route`] (`type = "route"`): sends records to named outputs by jq
//!   conditions (`ROUTE_ID.NAME` in a reader's `inputs`).
//! - [`remap`] (`type = "remap"`): rewrites records with a jq program.
//!
//! jq programs ([`jq`]) are compiled when the config is built, so a bad
//! expression is a config error naming the component and key, never a
//! failure at the first article.
//!
//! # Example
//!
//! ```
//! use wirehose_core::{BuildContext, TransformConfig};
//! use wirehose_plugins::filter::FilterConfig;
//! let cx = BuildContext {
//!     key: "transforms.english".into(),
//!     id: "english".into(),
//!     state_dir: "state".into(),
//! };
//! let config: FilterConfig = toml::from_str(r#"condition = '.language == "en" and'"#).unwrap();
//! let err = config.build(&cx).err().unwrap().to_string();
//! assert!(err.contains("transforms.english: key `condition`: jq syntax error"), "{err}");
//! ```

#![deny(missing_docs)]

pub mod exec;
pub mod filter;
pub mod jq;
pub mod remap;
pub mod route;

/// Registers every transform type of this crate.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_transform::<exec::ExecConfig>(
        "exec",
        "runs a program of yours (any language) on each record, JSON lines on stdin/stdout",
    );
    registry.register_transform::<filter::FilterConfig>(
        "filter",
        "keeps the records a jq condition holds for; the rest are consumed",
    );
    registry.register_transform::<remap::RemapConfig>(
        "remap",
        "rewrites each record with a jq program (set, delete, compute into fields)",
    );
    registry.register_transform::<route::RouteConfig>(
        "route",
        "sends each record to the named outputs whose jq condition holds (ID.NAME)",
    );
}
