//! Configuration: TOML in Vector's shape, parsed in two levels.
//!
//! ```toml
//! [state]
//! dir = "${WIREHOSE_STATE:-state}"   # environment variables expand
//!
//! [sources.inbox]
//! type = "directory"
//! path = "inbox"
//!
//! [transforms.clean]
//! type = "normalize"
//! inputs = ["inbox"]
//!
//! [sinks.out]
//! type = "jsonl"
//! inputs = ["clean"]
//! path = "out/articles.jsonl"
//! ```
//!
//! The outer level (`type`, `inputs`, `workers`) is read here; the rest of a
//! component's table goes to the registered type's own config struct, which
//! rejects unknown keys. All problems are collected in one pass and reported
//! together, each naming its component and key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{ConfigProblem, ConfigProblems, CoreError};
use crate::registry::Registry;
use crate::stage::{SinkConfig, SourceConfig, TransformConfig};

mod graph;
use graph::check_graph;

fn default_state_dir() -> PathBuf {
    PathBuf::from("state")
}
fn default_commit_interval_ms() -> u64 {
    200
}
fn default_channel_capacity() -> u64 {
    64
}
fn default_shutdown_timeout_secs() -> u64 {
    30
}
fn default_max_body_bytes() -> u64 {
    1024 * 1024
}
fn default_max_record_bytes() -> u64 {
    16 * 1024 * 1024
}

/// Bounds of the top-level numbers (README, "Top level").
pub mod bounds {
    use std::ops::RangeInclusive;

    /// `[state] commit_interval_ms`: 1 ms to 1 minute.
    pub const COMMIT_INTERVAL_MS: RangeInclusive<u64> = 1..=60_000;
    /// `[runtime] channel_capacity`, in events.
    pub const CHANNEL_CAPACITY: RangeInclusive<u64> = 1..=65_536;
    /// `[runtime] shutdown_timeout_secs`: up to 1 hour.
    pub const SHUTDOWN_TIMEOUT_SECS: RangeInclusive<u64> = 0..=3_600;
    /// `workers` of `[runtime]` and of each transform.
    pub const WORKERS: RangeInclusive<u64> = 1..=256;
    /// `[runtime] max_body_bytes`: 1 KiB to 64 MiB.
    pub const MAX_BODY_BYTES: RangeInclusive<u64> = 1024..=64 * 1024 * 1024;
    /// `[runtime] max_record_bytes`: 64 KiB to 256 MiB.
    pub const MAX_RECORD_BYTES: RangeInclusive<u64> = 65_536..=256 * 1024 * 1024;
}

/// Returns a problem naming `component` and `key` unless `value` lies in
/// `range`. Every number of a config has a documented range: a huge value
/// must be refused here, not overflow a duration or exhaust memory later.
pub fn check_range<T>(
    component: &str,
    key: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<(), ConfigProblem>
where
    T: PartialOrd + std::fmt::Display,
{
    if range.contains(&value) {
        Ok(())
    } else {
        Err(ConfigProblem::new(
            Some(component),
            Some(key),
            format!(
                "is {value}, must be from {} to {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// [`check_range`] for a key of the component being built.
pub fn in_range<T>(
    cx: &crate::stage::BuildContext,
    key: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<(), ConfigProblem>
where
    T: PartialOrd + std::fmt::Display,
{
    check_range(&cx.key, key, value, range)
}

/// `[state]`: where the daemon keeps its own state.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    /// Directory for the ledger, the quarantine and sink bookkeeping. Default `state`.
    #[serde(default = "default_state_dir")]
    dir: PathBuf,
    /// How often buffered ledger entries are committed, in milliseconds. Default 200.
    #[serde(default = "default_commit_interval_ms")]
    commit_interval_ms: u64,
}

impl Default for RawState {
    fn default() -> Self {
        RawState {
            dir: default_state_dir(),
            commit_interval_ms: default_commit_interval_ms(),
        }
    }
}

/// `[runtime]`: how components are wired and stopped.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuntime {
    /// Capacity of every channel between components, in events. Default 64.
    #[serde(default = "default_channel_capacity")]
    channel_capacity: u64,
    /// How long a shutdown waits for in-flight articles, in seconds. Default 30.
    #[serde(default = "default_shutdown_timeout_secs")]
    shutdown_timeout_secs: u64,
    /// Default `workers` of every transform. Default: the number of cores.
    #[serde(default)]
    workers: Option<u64>,
    /// Largest article body (paragraphs, in bytes of UTF-8) a transform may
    /// emit; a larger article is quarantined. Default 1 MiB.
    #[serde(default = "default_max_body_bytes")]
    max_body_bytes: u64,
    /// Largest record (estimated JSON size, in bytes) a transform may emit;
    /// a larger article is quarantined. Default 16 MiB.
    #[serde(default = "default_max_record_bytes")]
    max_record_bytes: u64,
}

impl Default for RawRuntime {
    fn default() -> Self {
        RawRuntime {
            channel_capacity: default_channel_capacity(),
            shutdown_timeout_secs: default_shutdown_timeout_secs(),
            workers: None,
            max_body_bytes: default_max_body_bytes(),
            max_record_bytes: default_max_record_bytes(),
        }
    }
}

fn default_api_address() -> String {
    "127.0.0.1:8686".to_string()
}

/// `[api]`: the daemon's HTTP API (metrics, health, readiness, taps).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApi {
    /// Serve the API. Default false.
    #[serde(default)]
    enabled: bool,
    /// Address to listen on. Default `127.0.0.1:8686` (loopback).
    #[serde(default = "default_api_address")]
    address: String,
}

impl Default for RawApi {
    fn default() -> Self {
        RawApi {
            enabled: false,
            address: default_api_address(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    state: RawState,
    #[serde(default)]
    api: RawApi,
    #[serde(default)]
    runtime: RawRuntime,
    #[serde(default)]
    sources: BTreeMap<String, toml::Table>,
    #[serde(default)]
    transforms: BTreeMap<String, toml::Table>,
    #[serde(default)]
    sinks: BTreeMap<String, toml::Table>,
    #[serde(default)]
    tests: Vec<toml::Table>,
}

/// A source of the validated config.
#[derive(Debug)]
pub struct SourceSpec {
    /// Component id.
    pub id: String,
    /// Registered type name.
    pub type_name: String,
    /// Its typed config.
    pub config: Box<dyn SourceConfig>,
    /// Its table as written (after `${VAR}` expansion): what a reload
    /// compares to tell a changed component from an unchanged one.
    pub definition: toml::Table,
}

/// A transform of the validated config.
#[derive(Debug)]
pub struct TransformSpec {
    /// Component id.
    pub id: String,
    /// Registered type name.
    pub type_name: String,
    /// Ids of the components it reads from.
    pub inputs: Vec<String>,
    /// How many instances run in parallel.
    pub workers: usize,
    /// Its named outputs (`route`), read as `ID.NAME`; empty for the one
    /// unnamed output, read as `ID`.
    pub outputs: Vec<String>,
    /// Its typed config.
    pub config: Box<dyn TransformConfig>,
    /// Its table as written (after `${VAR}` expansion), without `inputs`
    /// and with the `workers` it runs: what a reload compares to tell a
    /// changed component from an unchanged (perhaps rewired) one.
    pub definition: toml::Table,
}

/// A sink of the validated config.
#[derive(Debug)]
pub struct SinkSpec {
    /// Component id.
    pub id: String,
    /// Registered type name.
    pub type_name: String,
    /// Ids of the components it reads from.
    pub inputs: Vec<String>,
    /// Its typed config.
    pub config: Box<dyn SinkConfig>,
    /// Its table as written (after `${VAR}` expansion), without `inputs`:
    /// what a reload compares to tell a changed component from an
    /// unchanged (perhaps rewired) one.
    pub definition: toml::Table,
}

/// A validated configuration: every component parsed, the graph checked.
#[derive(Debug)]
pub struct Config {
    /// The state directory.
    pub state_dir: PathBuf,
    /// Ledger commit interval.
    pub commit_interval: Duration,
    /// Capacity of each channel, in events.
    pub channel_capacity: usize,
    /// Time allowed for a graceful shutdown.
    pub shutdown_timeout: Duration,
    /// Per-article size limits the runner applies to what transforms emit.
    pub limits: Limits,
    /// Where the HTTP API listens (`[api] enabled = true`); `None` when off.
    pub api: Option<std::net::SocketAddr>,
    /// Sources, by id order.
    pub sources: Vec<SourceSpec>,
    /// Transforms, by id order.
    pub transforms: Vec<TransformSpec>,
    /// Sinks, by id order.
    pub sinks: Vec<SinkSpec>,
    /// The `[[tests]]` tables, run by `wirehose test`.
    pub tests: Vec<crate::testing::TestSpec>,
}

/// Per-article size limits (`[runtime] max_body_bytes`, `max_record_bytes`).
///
/// One oversized input (a 10 MB text) would otherwise make a record many
/// times its size and hold hundreds of MiB while it is processed; the runner
/// checks every record a transform emits and quarantines the article past
/// either limit, so the next stage never sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body (paragraphs, bytes of UTF-8).
    pub max_body_bytes: u64,
    /// Largest record, as the runner estimates its JSON size.
    pub max_record_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: default_max_body_bytes(),
            max_record_bytes: default_max_record_bytes(),
        }
    }
}

/// Expands `${VAR}` and `${VAR:-default}` from `lookup`; `$$` is a literal `$`.
/// Lines whose first non-blank character is `#` are left alone.
pub fn expand_env(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, Vec<ConfigProblem>> {
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                out.push('$');
                rest = tail;
            } else if let Some(body) = after.strip_prefix('{') {
                let Some(close) = body.find('}') else {
                    problems.push(ConfigProblem::new(
                        None,
                        None,
                        format!(
                            "line {}: unclosed `${{` in environment variable reference",
                            index + 1
                        ),
                    ));
                    out.push_str(&rest[at..]);
                    rest = "";
                    break;
                };
                let inner = &body[..close];
                let (name, default) = match inner.split_once(":-") {
                    Some((name, default)) => (name, Some(default)),
                    None => (inner, None),
                };
                let valid = !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !name.starts_with(|c: char| c.is_ascii_digit());
                if !valid {
                    problems.push(ConfigProblem::new(
                        None,
                        None,
                        format!(
                            "line {}: `{name}` is not a valid environment variable name",
                            index + 1
                        ),
                    ));
                } else {
                    match (lookup(name).filter(|v| !v.is_empty()), default) {
                        (Some(value), _) => out.push_str(&value),
                        (None, Some(default)) => out.push_str(default),
                        (None, None) => problems.push(ConfigProblem::new(
                            None,
                            None,
                            format!(
                                "line {}: environment variable {name} is not set (set it, or write ${{{name}:-default}})",
                                index + 1
                            ),
                        )),
                    }
                }
                rest = &body[close + 1..];
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn unknown_field(message: &str) -> Option<String> {
    let start = message.find("unknown field `")? + "unknown field `".len();
    let end = message[start..].find('`')?;
    Some(message[start..start + end].to_string())
}

fn take_string_list(
    table: &mut toml::Table,
    component: &str,
    key: &str,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Vec<String>> {
    let value = table.remove(key)?;
    match value {
        toml::Value::Array(items) => {
            let mut names = Vec::new();
            for item in items {
                match item {
                    toml::Value::String(name) => names.push(name),
                    other => problems.push(ConfigProblem::new(
                        Some(component),
                        Some(key),
                        format!(
                            "expected a list of component ids, found {}",
                            other.type_str()
                        ),
                    )),
                }
            }
            Some(names)
        }
        other => {
            problems.push(ConfigProblem::new(
                Some(component),
                Some(key),
                format!(
                    "expected a list of component ids, found {}",
                    other.type_str()
                ),
            ));
            Some(Vec::new())
        }
    }
}

impl Config {
    /// Reads, expands and validates the config file at `path`.
    pub fn load(path: &Path, registry: &Registry) -> Result<Config, CoreError> {
        let text = std::fs::read_to_string(path).map_err(|source| CoreError::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, registry)
    }

    /// Expands and validates config `text`.
    pub fn parse(text: &str, registry: &Registry) -> Result<Config, CoreError> {
        let expanded = expand_env(text, |name| std::env::var(name).ok()).map_err(ConfigProblems)?;
        let raw: RawConfig = toml::from_str(&expanded).map_err(|err| {
            let message = err.to_string().trim_end().replace('\n', "\n    ");
            let key = unknown_field(&message);
            ConfigProblems(vec![ConfigProblem::new(None, key.as_deref(), message)])
        })?;
        let mut problems = Vec::new();
        let default_workers = check_top_level(&raw, &mut problems);
        let api = match raw.api.address.parse::<std::net::SocketAddr>() {
            Ok(address) => raw.api.enabled.then_some(address),
            Err(_) => {
                problems.push(ConfigProblem::new(
                    Some("api"),
                    Some("address"),
                    format!(
                        "`{}` is not an address: give an IP and a port, as 127.0.0.1:8686",
                        raw.api.address
                    ),
                ));
                None
            }
        };

        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (kind, ids) in [
            ("sources", raw.sources.keys()),
            ("transforms", raw.transforms.keys()),
            ("sinks", raw.sinks.keys()),
        ] {
            for id in ids {
                if let Some(first) = seen.insert(id.clone(), kind) {
                    problems.push(ConfigProblem::new(
                        Some(&format!("{kind}.{id}")),
                        None,
                        format!("id `{id}` is already used by {first}.{id}; component ids must be unique"),
                    ));
                }
            }
        }

        let mut sources = Vec::new();
        for (id, mut table) in raw.sources {
            let key = format!("sources.{id}");
            if table.contains_key("inputs") {
                problems.push(ConfigProblem::new(
                    Some(&key),
                    Some("inputs"),
                    "sources take no inputs",
                ));
                table.remove("inputs");
            }
            let definition = table.clone();
            let Some(type_name) = take_type(&mut table, &key, &mut problems) else {
                continue;
            };
            match registry.source(&type_name) {
                None => problems.push(unknown_type(&key, &type_name, registry.names("sources"))),
                Some(factory) => match factory(table) {
                    Ok(config) => sources.push(SourceSpec {
                        id,
                        type_name,
                        config,
                        definition,
                    }),
                    Err(err) => problems.push(typed_problem(&key, &err)),
                },
            }
        }
        let mut edges: Vec<(String, String, Vec<String>)> = Vec::new();
        let transforms = parse_transforms(
            raw.transforms,
            registry,
            default_workers,
            &mut edges,
            &mut problems,
        );
        let mut sinks = Vec::new();
        for (id, mut table) in raw.sinks {
            let key = format!("sinks.{id}");
            let inputs = take_inputs(&mut table, &key, &mut problems);
            edges.push(("sinks".into(), id.clone(), inputs.clone()));
            let definition = table.clone();
            let Some(type_name) = take_type(&mut table, &key, &mut problems) else {
                continue;
            };
            match registry.sink(&type_name) {
                None => problems.push(unknown_type(&key, &type_name, registry.names("sinks"))),
                Some(factory) => match factory(table) {
                    Ok(config) => sinks.push(SinkSpec {
                        id,
                        type_name,
                        inputs,
                        config,
                        definition,
                    }),
                    Err(err) => problems.push(typed_problem(&key, &err)),
                },
            }
        }

        let transform_ids: Vec<&str> = transforms
            .iter()
            .map(|t: &TransformSpec| t.id.as_str())
            .collect();
        let mut tests = Vec::new();
        for (index, table) in raw.tests.into_iter().enumerate() {
            match toml::Value::Table(table).try_into::<crate::testing::TestSpec>() {
                Ok(test) => {
                    problems.extend(test.check(index, &transform_ids));
                    tests.push(test);
                }
                Err(err) => problems.push(typed_problem(&format!("tests.{index}"), &err)),
            }
        }
        let config = Config {
            state_dir: raw.state.dir,
            commit_interval: Duration::from_millis(raw.state.commit_interval_ms.clamp(1, 60_000)),
            channel_capacity: raw.runtime.channel_capacity.clamp(1, 65_536) as usize,
            shutdown_timeout: Duration::from_secs(raw.runtime.shutdown_timeout_secs.min(3_600)),
            limits: Limits {
                max_body_bytes: raw.runtime.max_body_bytes,
                max_record_bytes: raw.runtime.max_record_bytes,
            },
            api,
            tests,
            sources,
            transforms,
            sinks,
        };
        check_graph(&config, &seen, &edges, &mut problems);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigProblems(problems).into())
        }
    }
}

/// Parses the `[transforms.ID]` tables: inputs, workers, type and the
/// type's own keys, each problem named.
fn parse_transforms(
    tables: BTreeMap<String, toml::Table>,
    registry: &Registry,
    default_workers: usize,
    edges: &mut Vec<(String, String, Vec<String>)>,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<TransformSpec> {
    let mut transforms = Vec::new();
    for (id, mut table) in tables {
        let key = format!("transforms.{id}");
        let inputs = take_inputs(&mut table, &key, problems);
        edges.push(("transforms".into(), id.clone(), inputs.clone()));
        let workers = match table.remove("workers") {
            None => default_workers,
            Some(toml::Value::Integer(n)) => {
                match check_range(&key, "workers", n, 1..=*bounds::WORKERS.end() as i64) {
                    Ok(()) => n as usize,
                    Err(problem) => {
                        problems.push(problem);
                        1
                    }
                }
            }
            Some(other) => {
                problems.push(ConfigProblem::new(
                    Some(&key),
                    Some("workers"),
                    format!("expected a whole number of at least 1, found {other}"),
                ));
                1
            }
        };
        let mut definition = table.clone();
        definition.insert("workers".into(), toml::Value::Integer(workers as i64));
        let Some(type_name) = take_type(&mut table, &key, problems) else {
            continue;
        };
        match registry.transform(&type_name) {
            None => problems.push(unknown_type(&key, &type_name, registry.names("transforms"))),
            Some(factory) => match factory(table) {
                Ok(config) => transforms.push(TransformSpec {
                    id,
                    type_name,
                    inputs,
                    workers,
                    outputs: config.outputs(),
                    config,
                    definition,
                }),
                Err(err) => problems.push(typed_problem(&key, &err)),
            },
        }
    }
    transforms
}

/// Checks the numbers of `[state]` and `[runtime]`; returns the default
/// `workers` of transforms.
fn check_top_level(raw: &RawConfig, problems: &mut Vec<ConfigProblem>) -> usize {
    let checks = [
        check_range(
            "state",
            "commit_interval_ms",
            raw.state.commit_interval_ms,
            bounds::COMMIT_INTERVAL_MS,
        ),
        check_range(
            "runtime",
            "channel_capacity",
            raw.runtime.channel_capacity,
            bounds::CHANNEL_CAPACITY,
        ),
        check_range(
            "runtime",
            "shutdown_timeout_secs",
            raw.runtime.shutdown_timeout_secs,
            bounds::SHUTDOWN_TIMEOUT_SECS,
        ),
        check_range(
            "runtime",
            "max_body_bytes",
            raw.runtime.max_body_bytes,
            bounds::MAX_BODY_BYTES,
        ),
        check_range(
            "runtime",
            "max_record_bytes",
            raw.runtime.max_record_bytes,
            bounds::MAX_RECORD_BYTES,
        ),
    ];
    problems.extend(checks.into_iter().filter_map(Result::err));
    match raw.runtime.workers {
        Some(workers) => match check_range("runtime", "workers", workers, bounds::WORKERS) {
            Ok(()) => workers as usize,
            Err(problem) => {
                problems.push(problem);
                1
            }
        },
        // The cores of this machine, within the bounds.
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(*bounds::WORKERS.end() as usize),
    }
}

fn take_type(
    table: &mut toml::Table,
    key: &str,
    problems: &mut Vec<ConfigProblem>,
) -> Option<String> {
    match table.remove("type") {
        Some(toml::Value::String(name)) => Some(name),
        Some(other) => {
            problems.push(ConfigProblem::new(
                Some(key),
                Some("type"),
                format!("expected a string, found {}", other.type_str()),
            ));
            None
        }
        None => {
            problems.push(ConfigProblem::new(
                Some(key),
                Some("type"),
                "missing: every component needs a `type`",
            ));
            None
        }
    }
}

fn take_inputs(
    table: &mut toml::Table,
    key: &str,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<String> {
    match take_string_list(table, key, "inputs", problems) {
        Some(inputs) if !inputs.is_empty() => inputs,
        Some(_) => {
            problems.push(ConfigProblem::new(
                Some(key),
                Some("inputs"),
                "must name at least one component",
            ));
            Vec::new()
        }
        None => {
            problems.push(ConfigProblem::new(
                Some(key),
                Some("inputs"),
                "missing: list the components this one reads from",
            ));
            Vec::new()
        }
    }
}

fn unknown_type(key: &str, name: &str, known: Vec<&str>) -> ConfigProblem {
    ConfigProblem::new(
        Some(key),
        Some("type"),
        format!("unknown type `{name}` (known: {})", known.join(", ")),
    )
}

fn typed_problem(key: &str, err: &toml::de::Error) -> ConfigProblem {
    let message = err.message().trim_end().to_string();
    let field = unknown_field(&message);
    ConfigProblem::new(Some(key), field.as_deref(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_expansion() {
        let lookup = |name: &str| (name == "HOME_DIR").then(|| "/h".to_string());
        assert_eq!(
            expand_env("a = \"${HOME_DIR}/x\"", lookup).unwrap(),
            "a = \"/h/x\""
        );
        assert_eq!(
            expand_env("a = \"${NOPE:-d}\"", lookup).unwrap(),
            "a = \"d\""
        );
        assert_eq!(expand_env("a = \"$$5\"", lookup).unwrap(), "a = \"$5\"");
        assert_eq!(expand_env("# ${NOPE}\n", lookup).unwrap(), "# ${NOPE}\n");
        let err = expand_env("x = 1\na = \"${NOPE}\"", lookup).unwrap_err();
        assert!(err[0].message.contains("line 2"), "{}", err[0]);
        assert!(err[0].message.contains("NOPE"));
    }

    #[test]
    fn graph_errors_name_component_and_key() {
        let registry = Registry::new();
        let err = Config::parse(
            "[transforms.a]\ntype = \"x\"\ninputs = [\"b\"]\n[transforms.b]\ntype = \"x\"\ninputs = [\"a\"]\n[sinks.s]\ntype = \"y\"\ninputs = [\"zz\"]\n",
            &registry,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("transforms.a: key `type`: unknown type `x`"),
            "{err}"
        );
        assert!(
            err.contains("sinks.s: key `inputs`: unknown input `zz`"),
            "{err}"
        );
        assert!(err.contains("no sources"), "{err}");
        assert!(
            err.contains("cycle: a -> b -> a") || err.contains("cycle: b -> a -> b"),
            "{err}"
        );
    }

    #[test]
    fn top_level_unknown_key_is_named() {
        let err = Config::parse("[stat]\ndir = \"x\"\n", &Registry::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("stat"), "{err}");
    }

    #[test]
    fn top_level_numbers_are_bounded_and_all_reported() {
        let err = Config::parse(
            "[state]\ncommit_interval_ms = 0\n[runtime]\nworkers = 100000\nchannel_capacity = 9999999999\nshutdown_timeout_secs = 99999\nmax_body_bytes = 1\n",
            &Registry::new(),
        )
        .unwrap_err()
        .to_string();
        for named in [
            "state: key `commit_interval_ms`: is 0, must be from 1 to 60000",
            "runtime: key `workers`: is 100000, must be from 1 to 256",
            "runtime: key `channel_capacity`",
            "runtime: key `shutdown_timeout_secs`",
            "runtime: key `max_body_bytes`",
        ] {
            assert!(err.contains(named), "{named} missing from {err}");
        }
        // The upper bounds themselves are fine (only the empty graph is not).
        let err = Config::parse(
            "[runtime]\nworkers = 256\nchannel_capacity = 65536\n",
            &Registry::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(!err.contains("runtime"), "{err}");
    }
}
