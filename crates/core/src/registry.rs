//! The registry of stage types.
//!
//! Each stage crate exports `pub fn register(registry: &mut Registry)` that
//! registers its types by name; the `type = "…"` of a component picks one.
//! Adding a stage type is one file plus one `register_*` line: the topology
//! never changes.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::stage::{SinkConfig, SourceConfig, TransformConfig};

type Factory<T> = Box<dyn Fn(toml::Table) -> Result<Box<T>, toml::de::Error> + Send + Sync>;

/// Maps type names to config parsers, one map per component kind, and each
/// type to its one-line description (`wirehose list`).
#[derive(Default)]
pub struct Registry {
    sources: BTreeMap<String, Factory<dyn SourceConfig>>,
    transforms: BTreeMap<String, Factory<dyn TransformConfig>>,
    sinks: BTreeMap<String, Factory<dyn SinkConfig>>,
    descriptions: BTreeMap<(&'static str, String), &'static str>,
}

impl Registry {
    /// Returns an empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers source type `name`, configured by `C`, with a one-line
    /// `description` for `wirehose list`.
    pub fn register_source<C>(&mut self, name: &str, description: &'static str)
    where
        C: SourceConfig + DeserializeOwned + 'static,
    {
        self.descriptions
            .insert(("sources", name.to_string()), description);
        self.sources.insert(
            name.to_string(),
            Box::new(|table| Ok(Box::new(toml::Value::Table(table).try_into::<C>()?))),
        );
    }

    /// Registers transform type `name`, configured by `C`, with a one-line
    /// `description` for `wirehose list`.
    pub fn register_transform<C>(&mut self, name: &str, description: &'static str)
    where
        C: TransformConfig + DeserializeOwned + 'static,
    {
        self.descriptions
            .insert(("transforms", name.to_string()), description);
        self.transforms.insert(
            name.to_string(),
            Box::new(|table| Ok(Box::new(toml::Value::Table(table).try_into::<C>()?))),
        );
    }

    /// Registers sink type `name`, configured by `C`, with a one-line
    /// `description` for `wirehose list`.
    pub fn register_sink<C>(&mut self, name: &str, description: &'static str)
    where
        C: SinkConfig + DeserializeOwned + 'static,
    {
        self.descriptions
            .insert(("sinks", name.to_string()), description);
        self.sinks.insert(
            name.to_string(),
            Box::new(|table| Ok(Box::new(toml::Value::Table(table).try_into::<C>()?))),
        );
    }

    pub(crate) fn source(&self, name: &str) -> Option<&Factory<dyn SourceConfig>> {
        self.sources.get(name)
    }

    pub(crate) fn transform(&self, name: &str) -> Option<&Factory<dyn TransformConfig>> {
        self.transforms.get(name)
    }

    pub(crate) fn sink(&self, name: &str) -> Option<&Factory<dyn SinkConfig>> {
        self.sinks.get(name)
    }

    /// Returns the registered types of `kind` (`sources`, `transforms`,
    /// `sinks`) with their descriptions, by name.
    pub fn catalogue(&self, kind: &str) -> Vec<(&str, &'static str)> {
        self.names(kind)
            .into_iter()
            .map(|name| {
                let key = (kind_key(kind), name.to_string());
                (name, self.descriptions.get(&key).copied().unwrap_or(""))
            })
            .collect()
    }

    /// Returns the registered type names of `kind` (`sources`, `transforms`, `sinks`).
    pub fn names(&self, kind: &str) -> Vec<&str> {
        match kind {
            "sources" => self.sources.keys().map(String::as_str).collect(),
            "transforms" => self.transforms.keys().map(String::as_str).collect(),
            "sinks" => self.sinks.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// The static name of a component kind, for the description table.
fn kind_key(kind: &str) -> &'static str {
    match kind {
        "sources" => "sources",
        "transforms" => "transforms",
        _ => "sinks",
    }
}
