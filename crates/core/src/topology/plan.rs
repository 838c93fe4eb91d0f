//! What a reload changes: the new config compared with the running one,
//! component by component.
//!
//! A component is the same when its table (after `${VAR}` expansion, with
//! the `workers` it runs and without `inputs`) is the same: it keeps
//! running, rewired if its inputs changed. Settings outside the components
//! (`[state]`, `[runtime]`) shape every component and the ledger, so a
//! change there restarts the whole pipeline instead.

use std::collections::BTreeMap;
use std::fmt;

use crate::config::Config;

/// What a reload does to one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Unchanged: keeps running, nothing in it is touched.
    Keep,
    /// Unchanged but reading other inputs: keeps running, its upstreams'
    /// fan-outs are changed.
    Rewire,
    /// New: built and started.
    Add,
    /// Gone: takes nothing new, drains what it holds, stops.
    Remove,
    /// Changed: the old one drains and stops, then the new one starts.
    Replace,
}

/// The changes of one reload, by component key (`sinks.out`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) changes: BTreeMap<String, Change>,
}

impl Plan {
    /// The keys of the components with change `change`.
    pub(crate) fn keys(&self, change: Change) -> impl Iterator<Item = &str> {
        self.changes
            .iter()
            .filter(move |(_, c)| **c == change)
            .map(|(key, _)| key.as_str())
    }

    /// Whether the reload changes nothing at all.
    pub(crate) fn is_noop(&self) -> bool {
        self.changes.values().all(|c| *c == Change::Keep)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (change, label) in [
            (Change::Add, "added"),
            (Change::Remove, "removed"),
            (Change::Replace, "replaced"),
            (Change::Rewire, "rewired"),
            (Change::Keep, "kept"),
        ] {
            let keys: Vec<&str> = self.keys(change).collect();
            if keys.is_empty() {
                continue;
            }
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{label}: {}", keys.join(", "))?;
        }
        Ok(())
    }
}

/// Each component of `config` by key, with its definition and inputs.
fn components(config: &Config) -> BTreeMap<String, (&toml::Table, &[String])> {
    let none: &[String] = &[];
    let mut map = BTreeMap::new();
    for s in &config.sources {
        map.insert(format!("sources.{}", s.id), (&s.definition, none));
    }
    for t in &config.transforms {
        map.insert(
            format!("transforms.{}", t.id),
            (&t.definition, t.inputs.as_slice()),
        );
    }
    for s in &config.sinks {
        map.insert(
            format!("sinks.{}", s.id),
            (&s.definition, s.inputs.as_slice()),
        );
    }
    map
}

/// Returns what changes from `old` to `new`, or, when a setting outside
/// the components changed, the reason the whole pipeline must restart.
pub(crate) fn plan(old: &Config, new: &Config) -> Result<Plan, String> {
    let settings = [
        ("[state] dir", old.state_dir != new.state_dir),
        (
            "[state] commit_interval_ms",
            old.commit_interval != new.commit_interval,
        ),
        (
            "[runtime] channel_capacity",
            old.channel_capacity != new.channel_capacity,
        ),
        (
            "[runtime] shutdown_timeout_secs",
            old.shutdown_timeout != new.shutdown_timeout,
        ),
        ("[runtime] size limits", old.limits != new.limits),
    ];
    let changed: Vec<&str> = settings
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| *name)
        .collect();
    if !changed.is_empty() {
        return Err(format!("{} changed", changed.join(", ")));
    }
    let (before, after) = (components(old), components(new));
    let mut changes = BTreeMap::new();
    for (key, (definition, inputs)) in &after {
        let change = match before.get(key) {
            None => Change::Add,
            Some((was, _)) if was != definition => Change::Replace,
            Some((_, were)) if were != inputs => Change::Rewire,
            Some(_) => Change::Keep,
        };
        changes.insert(key.clone(), change);
    }
    for key in before.keys() {
        if !after.contains_key(key) {
            changes.insert(key.clone(), Change::Remove);
        }
    }
    Ok(Plan { changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::parse(text, &crate::topology::tests::registry()).unwrap()
    }

    const BASE: &str = r#"
        [state]
        dir = "/tmp/x"
        [sources.in]
        type = "count"
        tag = "plan"
        count = 3
        [transforms.up]
        type = "picky"
        inputs = ["in"]
        [sinks.out]
        type = "collect"
        tag = "plan"
        inputs = ["up"]
    "#;

    #[test]
    fn the_same_config_changes_nothing() {
        let plan = plan(&config(BASE), &config(BASE)).unwrap();
        assert!(plan.is_noop(), "{plan}");
        assert_eq!(plan.keys(Change::Keep).count(), 3);
    }

    #[test]
    fn components_are_added_removed_replaced_and_rewired() {
        let new = BASE.replace("count = 3", "count = 4").replace(
            "[sinks.out]",
            "[sinks.more]\ntype = \"collect\"\ntag = \"more\"\ninputs = [\"in\"]\n[sinks.out]",
        );
        let new = new.replace("inputs = [\"up\"]", "inputs = [\"in\"]");
        let new = new.replace(
            "[transforms.up]\n        type = \"picky\"\n        inputs = [\"in\"]\n",
            "",
        );
        let plan = plan(&config(BASE), &config(&new)).unwrap();
        assert_eq!(plan.changes["sources.in"], Change::Replace, "{plan}");
        assert_eq!(plan.changes["sinks.more"], Change::Add, "{plan}");
        assert_eq!(plan.changes["transforms.up"], Change::Remove, "{plan}");
        assert_eq!(plan.changes["sinks.out"], Change::Rewire, "{plan}");
        assert_eq!(
            plan.to_string(),
            "added: sinks.more; removed: transforms.up; replaced: sources.in; rewired: sinks.out"
        );
    }

    #[test]
    fn settings_outside_components_restart_everything() {
        let new = BASE.replace("[state]", "[runtime]\nchannel_capacity = 8\n[state]");
        let reason = plan(&config(BASE), &config(&new)).unwrap_err();
        assert_eq!(reason, "[runtime] channel_capacity changed");
    }
}
