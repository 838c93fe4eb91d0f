//! Config tests: `[[tests]]` tables that feed an article through a config's
//! transforms and check the record a component emits (`wirehose test`), so
//! a user's own config can be tested in their CI before it ships.
//!
//! ```toml
//! [[tests]]
//! name = "a Reuters story gets its dateline and agency"
//! component = "extract"          # the transform whose output is checked
//! input = "LONDON (Reuters) - Prime Minister Keir Starmer said on Monday ..."
//! # input_file = "fixtures/page.html"  (relative to the config; instead of input)
//! # input_name = "page.html"           (the file name normalize sees; default test.txt)
//! expect = { "dateline.place" = "London", language = "en" }   # equality, by path
//! contains = { agencies = "Reuters" }  # an array holds it, or a string contains it
//! absent = ["duplicate_of"]            # missing, null or empty
//! # dropped = true                     # the record must not reach the component
//! ```
//!
//! The article runs through the chain of transforms from a source to the
//! component (following each reader's first input, and a route's named
//! output), each opened with a scratch state directory that is removed
//! afterwards: the daemon's own state is never touched. Paths are dotted
//! (`dateline.place`, `entities.0.name`, `fields.words`).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::config::Config;
use crate::error::{ConfigProblem, CoreError, StageError};
use crate::record::{Record, SourceInfo};
use crate::stage::{BuildContext, OpenContext, Transform};

/// One `[[tests]]` table as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// What the test checks, printed with its result.
    pub name: String,
    /// The transform whose output is checked.
    pub component: String,
    /// The article's text (or the whole file's contents).
    #[serde(default)]
    pub input: Option<String>,
    /// A file holding the article, relative to the config file.
    #[serde(default)]
    pub input_file: Option<PathBuf>,
    /// The file name the article arrives under. Default `test.txt`
    /// (`input_file`'s own name when given).
    #[serde(default)]
    pub input_name: Option<String>,
    /// Path → the value the record must hold there.
    #[serde(default)]
    pub expect: toml::Table,
    /// Path → a value the array there must hold (an object: a subset of one
    /// element), or a text the string there must contain.
    #[serde(default)]
    pub contains: toml::Table,
    /// Paths that must be missing, null or empty.
    #[serde(default)]
    pub absent: Vec<String>,
    /// The record must not reach the component (a filter drops it).
    #[serde(default)]
    pub dropped: bool,
}

impl TestSpec {
    /// Checks the table without I/O; `index` numbers it in messages.
    pub(crate) fn check(&self, index: usize, transforms: &[&str]) -> Vec<ConfigProblem> {
        let key = format!("tests.{index}");
        let mut problems = Vec::new();
        if !transforms.contains(&self.component.as_str()) {
            problems.push(ConfigProblem::new(
                Some(&key),
                Some("component"),
                format!(
                    "`{}` is not a transform (transforms: {})",
                    self.component,
                    transforms.join(", ")
                ),
            ));
        }
        if self.input.is_some() == self.input_file.is_some() {
            problems.push(ConfigProblem::new(
                Some(&key),
                Some("input"),
                "give the article as `input` (text) or `input_file` (a path), one of them",
            ));
        }
        problems
    }
}

/// The result of one test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    /// The test's name.
    pub name: String,
    /// What did not hold; empty when the test passed.
    pub failures: Vec<String>,
}

/// Runs every test of `config` (whose file is `config_path`).
pub fn run_tests(config: &Config, config_path: &Path) -> Result<Vec<TestOutcome>, CoreError> {
    let scratch = std::env::temp_dir().join(format!(
        "wirehose-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&scratch).map_err(|source| CoreError::StateDir {
        path: scratch.clone(),
        source,
    })?;
    let base = config_path.parent().unwrap_or(Path::new("."));
    let outcomes = config
        .tests
        .iter()
        .map(|test| {
            let failures = match run_one(config, test, base, &scratch) {
                Ok(failures) => failures,
                Err(message) => vec![message],
            };
            TestOutcome {
                name: test.name.clone(),
                failures,
            }
        })
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(outcomes)
}

/// The transforms from a source to `component`, each with the output of
/// the previous one it reads (`None`: its unnamed output).
fn chain<'c>(
    config: &'c Config,
    component: &str,
) -> Vec<(&'c crate::config::TransformSpec, Option<String>)> {
    let mut chain = Vec::new();
    let mut current = component.to_string();
    let mut port: Option<String> = None;
    while let Some(spec) = config.transforms.iter().find(|t| t.id == current) {
        if chain.len() > config.transforms.len() {
            break;
        }
        chain.push((spec, port.take()));
        let Some(input) = spec.inputs.first() else {
            break;
        };
        match input.split_once('.') {
            Some((base, name)) if !config.sources.iter().any(|s| s.id == *input) => {
                current = base.to_string();
                port = Some(name.to_string());
            }
            _ => current = input.clone(),
        }
    }
    chain.reverse();
    // Each transform's port names what the *next* one reads of it.
    let ports: Vec<Option<String>> = chain.iter().map(|(_, p)| p.clone()).collect();
    chain
        .into_iter()
        .enumerate()
        .map(|(i, (spec, _))| (spec, ports.get(i + 1).cloned().flatten()))
        .collect()
}

fn run_one(
    config: &Config,
    test: &TestSpec,
    base: &Path,
    scratch: &Path,
) -> Result<Vec<String>, String> {
    let bytes = match (&test.input, &test.input_file) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(file)) => {
            let path = base.join(file);
            std::fs::read(&path).map_err(|err| format!("cannot read {}: {err}", path.display()))?
        }
        (None, None) => return Err("no input".to_string()),
    };
    let name = test
        .input_name
        .clone()
        .or_else(|| {
            test.input_file
                .as_ref()
                .and_then(|f| f.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "test.txt".to_string());
    let source = SourceInfo {
        path: PathBuf::from(&name),
        bytes: bytes.len() as u64,
        received_at: crate::now_rfc3339(),
    };
    let mut records = vec![Record::from_raw(bytes, source)];
    for (spec, port) in chain(config, &test.component) {
        let key = format!("transforms.{}", spec.id);
        let build = BuildContext {
            key: key.clone(),
            id: spec.id.clone(),
            state_dir: scratch.to_path_buf(),
        };
        let built = spec
            .config
            .build(&build)
            .map_err(|problem| problem.to_string())?;
        let open = OpenContext {
            key: key.clone(),
            id: spec.id.clone(),
            state_dir: scratch.to_path_buf(),
            workers: 1,
            metrics: crate::telemetry::ComponentMetrics::untracked(),
        };
        let mut transform = built
            .open(&open)
            .map_err(|err| format!("{key}: cannot open: {err}"))?
            .pop()
            .ok_or_else(|| format!("{key}: opened no instance"))?;
        let wanted = port
            .as_ref()
            .and_then(|name| spec.outputs.iter().position(|o| o == name));
        let mut next = Vec::new();
        for record in records {
            next.extend(
                step(transform.as_mut(), record, !spec.outputs.is_empty(), wanted)
                    .map_err(|err| format!("{key} refused the article: {err}"))?,
            );
        }
        records = next;
    }
    Ok(check(test, records.first()))
}

/// Runs one transform; keeps what goes to output `wanted` (or all).
fn step(
    transform: &mut dyn Transform,
    record: Record,
    routed: bool,
    wanted: Option<usize>,
) -> Result<Vec<Record>, StageError> {
    if routed {
        let mut out = Vec::new();
        transform.process_routed(record, &mut out)?;
        Ok(out
            .into_iter()
            .filter(|(port, _)| wanted.is_none_or(|w| w == *port))
            .map(|(_, record)| record)
            .collect())
    } else {
        let mut out = Vec::new();
        transform.process(record, &mut out)?;
        Ok(out)
    }
}

/// The value at dotted `path` of `value`.
fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |node, part| match node {
        Value::Object(map) => map.get(part),
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Whether `found` equals `wanted` (numbers by value).
fn same(found: &Value, wanted: &Value) -> bool {
    match (found, wanted) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => found == wanted,
    }
}

/// Whether `found` holds `wanted`: an element equal to it (an object: one
/// with its keys and values), or a string containing it.
fn holds(found: &Value, wanted: &Value) -> bool {
    match (found, wanted) {
        (Value::Array(items), Value::Object(keys)) => items.iter().any(|item| {
            keys.iter()
                .all(|(k, v)| item.get(k).is_some_and(|x| same(x, v)))
        }),
        (Value::Array(items), _) => items.iter().any(|item| same(item, wanted)),
        (Value::String(text), Value::String(part)) => text.contains(part.as_str()),
        _ => false,
    }
}

fn empty(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

fn show(value: Option<&Value>) -> String {
    let text = value.map_or_else(|| "nothing".to_string(), Value::to_string);
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

/// Checks the record that reached the component against the test.
fn check(test: &TestSpec, record: Option<&Record>) -> Vec<String> {
    let Some(record) = record else {
        return if test.dropped {
            Vec::new()
        } else {
            vec![format!(
                "no record reached `{}` (dropped on the way)",
                test.component
            )]
        };
    };
    if test.dropped {
        return vec![format!(
            "the record reached `{}`; expected it dropped",
            test.component
        )];
    }
    let json = serde_json::to_value(record).unwrap_or(Value::Null);
    let mut failures = Vec::new();
    for (path, wanted) in &test.expect {
        let wanted = serde_json::to_value(wanted).unwrap_or(Value::Null);
        let found = at(&json, path);
        if !found.is_some_and(|f| same(f, &wanted)) {
            failures.push(format!("{path}: expected {wanted}, found {}", show(found)));
        }
    }
    for (path, wanted) in &test.contains {
        let wanted = serde_json::to_value(wanted).unwrap_or(Value::Null);
        let found = at(&json, path);
        if !found.is_some_and(|f| holds(f, &wanted)) {
            failures.push(format!(
                "{path}: expected to contain {wanted}, found {}",
                show(found)
            ));
        }
    }
    for path in &test.absent {
        let found = at(&json, path);
        if !empty(found) {
            failures.push(format!("{path}: expected absent, found {}", show(found)));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_values_and_containment() {
        let json = serde_json::json!({
            "dateline": {"place": "London"},
            "agencies": ["Reuters"],
            "entities": [{"name": "Keir Starmer", "type": "PER"}],
            "fields": {"words": 12},
            "story": null,
            "title": "Rates rise"
        });
        assert_eq!(at(&json, "dateline.place"), Some(&Value::from("London")));
        assert_eq!(
            at(&json, "entities.0.name"),
            Some(&Value::from("Keir Starmer"))
        );
        assert!(same(
            at(&json, "fields.words").unwrap(),
            &serde_json::json!(12.0)
        ));
        assert!(holds(
            at(&json, "agencies").unwrap(),
            &Value::from("Reuters")
        ));
        assert!(holds(
            at(&json, "entities").unwrap(),
            &serde_json::json!({"type": "PER"})
        ));
        assert!(holds(at(&json, "title").unwrap(), &Value::from("Rates")));
        assert!(!holds(at(&json, "agencies").unwrap(), &Value::from("AFP")));
        assert!(empty(at(&json, "story")) && empty(at(&json, "nothing.here")));
        assert!(!empty(at(&json, "agencies")));
    }
}
