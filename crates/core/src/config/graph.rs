//! The component graph of a config: every input names an output that
//! exists (a route's as `ID.NAME`), every output is read, no cycle; and the
//! graph as `wirehose validate` prints it.

use std::collections::{BTreeMap, BTreeSet};

use super::Config;
use crate::error::ConfigProblem;

/// Checks the component graph of `config`: every input names an output
/// that exists, every output is read, no cycle.
pub(super) fn check_graph(
    config: &Config,
    kinds: &BTreeMap<String, &str>,
    edges: &[(String, String, Vec<String>)],
    problems: &mut Vec<ConfigProblem>,
) {
    let named: BTreeMap<&str, &[String]> = config
        .transforms
        .iter()
        .map(|t| (t.id.as_str(), t.outputs.as_slice()))
        .collect();
    let parsed: BTreeSet<&str> = config
        .sources
        .iter()
        .map(|s| s.id.as_str())
        .chain(config.transforms.iter().map(|t| t.id.as_str()))
        .collect();
    let graph = Graph {
        kinds,
        named: &named,
        parsed: &parsed,
    };
    graph.check(edges, problems);
}

/// What the graph check knows of the components.
struct Graph<'a> {
    /// Every component id with its kind (`sources`, `transforms`, `sinks`).
    kinds: &'a BTreeMap<String, &'a str>,
    /// The named outputs of each transform that parsed.
    named: &'a BTreeMap<&'a str, &'a [String]>,
    /// The sources and transforms whose tables parsed (their outputs are known).
    parsed: &'a BTreeSet<&'a str>,
}

impl Graph<'_> {
    /// Resolves one entry of `inputs` to the component it reads: `ID` or, for
    /// a named output, `ID.NAME`. Returns the component id, or why not.
    fn resolve<'i>(&self, input: &'i str) -> Result<&'i str, String> {
        if let Some(kind) = self.kinds.get(input) {
            if *kind == "sinks" {
                return Err(format!(
                    "input `{input}` is a sink; only sources and transforms have outputs"
                ));
            }
            return match self.named.get(input) {
                Some(names) if !names.is_empty() => Err(format!(
                    "`{input}` has named outputs ({}): read one as `{input}.NAME`",
                    names.join(", ")
                )),
                _ => Ok(input),
            };
        }
        if let Some((base, name)) = input.split_once('.')
            && let Some(kind) = self.kinds.get(base)
        {
            if *kind == "sinks" {
                return Err(format!(
                    "input `{input}`: `{base}` is a sink; only sources and transforms have outputs"
                ));
            }
            if !self.parsed.contains(base) {
                // Its own table is wrong (reported there): its outputs are unknown.
                return Ok(base);
            }
            let names = self.named.get(base).copied().unwrap_or_default();
            if names.iter().any(|known| known == name) {
                return Ok(base);
            }
            return Err(if names.is_empty() {
                format!("`{base}` has no named outputs: read it as `{base}`")
            } else {
                format!(
                    "`{base}` has no output `{name}` (outputs: {})",
                    names.join(", ")
                )
            });
        }
        let known: Vec<&str> = self
            .kinds
            .iter()
            .filter(|(_, kind)| **kind != "sinks")
            .map(|(id, _)| id.as_str())
            .collect();
        Err(format!(
            "unknown input `{input}` (known: {})",
            known.join(", ")
        ))
    }

    fn check(&self, edges: &[(String, String, Vec<String>)], problems: &mut Vec<ConfigProblem>) {
        if self.kinds.values().all(|kind| *kind != "sources") {
            problems.push(ConfigProblem::new(
                None,
                None,
                "no sources: add a [sources.NAME] table",
            ));
        }
        if self.kinds.values().all(|kind| *kind != "sinks") {
            problems.push(ConfigProblem::new(
                None,
                None,
                "no sinks: add a [sinks.NAME] table",
            ));
        }
        let mut consumed: BTreeSet<&str> = BTreeSet::new();
        // Transform id -> the components it reads, for the cycle check.
        let mut reads: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (kind, id, inputs) in edges {
            let key = format!("{kind}.{id}");
            for input in inputs {
                match self.resolve(input) {
                    Ok(component) => {
                        consumed.insert(component);
                        if kind == "transforms" {
                            reads.entry(id.as_str()).or_default().push(component);
                        }
                    }
                    Err(message) => {
                        problems.push(ConfigProblem::new(Some(&key), Some("inputs"), message))
                    }
                }
            }
        }
        for (id, kind) in self.kinds {
            if *kind != "sinks" && !consumed.contains(id.as_str()) {
                problems.push(ConfigProblem::new(
                    Some(&format!("{kind}.{id}")),
                    None,
                    format!("output goes nowhere: no transform or sink lists `{id}` in its inputs"),
                ));
            }
        }
        // Cycles among transforms, reported as the full chain.
        let mut done: BTreeSet<&str> = BTreeSet::new();
        for start in reads.keys() {
            let mut stack: Vec<&str> = Vec::new();
            find_cycle(start, &reads, &mut stack, &mut done, problems);
        }
    }
}

impl Config {
    /// Returns a human-readable description of the component graph: each
    /// component with its type and inputs; a transform with named outputs
    /// lists each output with its readers (an output nobody reads drops its
    /// records, acknowledged as consumed).
    pub fn describe(&self) -> String {
        let readers = |output: &str| -> Vec<String> {
            let transforms = self
                .transforms
                .iter()
                .filter(|t| t.inputs.iter().any(|i| i == output))
                .map(|t| format!("transforms.{}", t.id));
            let sinks = self
                .sinks
                .iter()
                .filter(|s| s.inputs.iter().any(|i| i == output))
                .map(|s| format!("sinks.{}", s.id));
            transforms.chain(sinks).collect()
        };
        let mut lines = Vec::new();
        for s in &self.sources {
            lines.push(format!("sources.{} ({})", s.id, s.type_name));
        }
        for t in &self.transforms {
            lines.push(format!(
                "transforms.{} ({}, {} worker{}) <- {}",
                t.id,
                t.type_name,
                t.workers,
                if t.workers == 1 { "" } else { "s" },
                t.inputs.join(", ")
            ));
            for name in &t.outputs {
                let output = format!("{}.{name}", t.id);
                let to = readers(&output);
                lines.push(if to.is_empty() {
                    format!("  output {output} -> (nothing: its records are dropped)")
                } else {
                    format!("  output {output} -> {}", to.join(", "))
                });
            }
        }
        for s in &self.sinks {
            lines.push(format!(
                "sinks.{} ({}) <- {}",
                s.id,
                s.type_name,
                s.inputs.join(", ")
            ));
        }
        lines.join("\n")
    }
}

fn find_cycle<'a>(
    node: &'a str,
    edges: &BTreeMap<&'a str, Vec<&'a str>>,
    stack: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
    problems: &mut Vec<ConfigProblem>,
) {
    if done.contains(node) {
        return;
    }
    if let Some(at) = stack.iter().position(|n| *n == node) {
        let mut chain: Vec<&str> = stack[at..].to_vec();
        chain.push(node);
        chain.reverse();
        problems.push(ConfigProblem::new(
            Some(&format!("transforms.{node}")),
            Some("inputs"),
            format!("cycle: {}", chain.join(" -> ")),
        ));
        return;
    }
    let Some(inputs) = edges.get(node) else {
        return;
    };
    stack.push(node);
    for input in inputs {
        find_cycle(input, edges, stack, done, problems);
    }
    stack.pop();
    done.insert(node);
}
