//! jq programs over records: compiled once when the config is built, run on
//! each record as JSON (the record's JSON form, `raw` bytes left out).
//!
//! The interpreter is [`jaq`](https://github.com/01mf02/jaq) (crates
//! `jaq-core`, `jaq-std`, `jaq-json`): jq's syntax and standard library
//! (`select`, `test`, `ascii_downcase`, `length`, `index`, `del`, …), without
//! I/O (`input`, file access) — a condition sees only the record.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use wirehose_core::Record;

/// A compiled jq program.
pub struct Jq {
    filter: jaq_core::Filter<data::JustLut<Val>>,
}

impl std::fmt::Debug for Jq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jq")
    }
}

/// Returns the character offset of `part` in `code`, when `part` is a slice
/// of it (as jaq's error positions are).
fn offset_in(code: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(code.as_ptr() as usize)?;
    (start <= code.len()).then(|| code[..start].chars().count())
}

/// Describes where in `code` an error points: `at character 4 (near `==`)`.
fn position(code: &str, found: &str) -> String {
    let near: String = found.chars().take(20).collect();
    match offset_in(code, found) {
        Some(at) if found.is_empty() => format!("at character {at} (end of program)"),
        Some(at) => format!("at character {at} (near `{near}`)"),
        None => format!("near `{near}`"),
    }
}

impl Jq {
    /// Parses and compiles `code`. The error says what is wrong and where, in
    /// one line, for a config problem.
    pub fn compile(code: &str) -> Result<Jq, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let program = File { code, path: () };
        let modules = loader.load(&arena, program).map_err(|errors| {
            let mut messages = Vec::new();
            for (_, error) in errors {
                match error {
                    jaq_core::load::Error::Io(items) => messages.extend(
                        items
                            .into_iter()
                            .map(|(path, why)| format!("{path}: {why}")),
                    ),
                    jaq_core::load::Error::Lex(items) => {
                        messages.extend(items.into_iter().map(|(expect, found)| {
                            format!("expected {} {}", expect.as_str(), position(code, found))
                        }))
                    }
                    jaq_core::load::Error::Parse(items) => {
                        messages.extend(items.into_iter().map(|(expect, found)| {
                            format!("expected {} {}", expect.as_str(), position(code, found))
                        }))
                    }
                }
            }
            format!("jq syntax error: {}", messages.join("; "))
        })?;
        let filter = jaq_core::Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let names: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, items)| items)
                    .map(|(name, undefined)| match undefined {
                        jaq_core::compile::Undefined::Filter(arity) => {
                            format!("undefined filter `{name}/{arity}`")
                        }
                        other => format!("undefined {} `{name}`", other.as_str()),
                    })
                    .collect();
                format!("jq error: {}", names.join("; "))
            })?;
        Ok(Jq { filter })
    }

    /// Runs the program on `record`, returning its outputs as JSON values.
    pub fn run(&self, record: &Record) -> Result<Vec<serde_json::Value>, String> {
        let json =
            serde_json::to_vec(record).map_err(|err| format!("cannot encode record: {err}"))?;
        let input = jaq_json::read::parse_single(&json)
            .map_err(|err| format!("cannot read record as jq input: {err}"))?;
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        let mut outputs = Vec::new();
        for value in self.filter.id.run((ctx, input)).map(unwrap_valr) {
            let value = value.map_err(|err| format!("jq error: {err}"))?;
            let value = serde_json::from_str(&value.to_string())
                .map_err(|err| format!("jq output is not JSON: {err}"))?;
            outputs.push(value);
        }
        Ok(outputs)
    }

    /// Evaluates the program as a condition: true when its first output is
    /// neither `false` nor `null` (jq's truth), false when it has none.
    pub fn test(&self, record: &Record) -> Result<bool, String> {
        let outputs = self.run(record)?;
        Ok(outputs.first().is_some_and(|value| {
            !matches!(
                value,
                serde_json::Value::Bool(false) | serde_json::Value::Null
            )
        }))
    }
}

/// Reads `value`, a record as a program gave it back, as the new version of
/// `original`: the same article (its `id` and `source` may not change), the
/// undecoded bytes carried over.
pub fn record_from(value: serde_json::Value, original: &Record) -> Result<Record, String> {
    if !value.is_object() {
        return Err(format!(
            "expected the record as a JSON object, got {}",
            kind_of(&value)
        ));
    }
    let mut record: Record =
        serde_json::from_value(value).map_err(|err| format!("not a record: {err}"))?;
    if record.id != original.id {
        return Err(format!(
            "the record's id changed (from `{}` to `{}`); ids are content hashes and may not change",
            original.id, record.id
        ));
    }
    if record.source != original.source {
        return Err("the record's `source` changed; it may not".to_string());
    }
    record.raw = original.raw.clone();
    Ok(record)
}

/// Names the JSON type of `value` for an error message.
pub fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            id: "abc".into(),
            language: Some("en".into()),
            agencies: vec!["Reuters".into()],
            paragraphs: vec!["One two three.".into()],
            ..Record::default()
        }
    }

    #[test]
    fn conditions_follow_jq_truth() {
        let jq = Jq::compile(r#".language == "en" and (.agencies | index("Reuters"))"#).unwrap();
        assert!(jq.test(&record()).unwrap());
        let jq = Jq::compile(r#".language == "de""#).unwrap();
        assert!(!jq.test(&record()).unwrap());
        assert!(!Jq::compile(".title").unwrap().test(&record()).unwrap());
        assert!(!Jq::compile("empty").unwrap().test(&record()).unwrap());
        assert!(Jq::compile(".paragraphs").unwrap().test(&record()).unwrap());
    }

    #[test]
    fn errors_say_what_and_where() {
        let err = Jq::compile(".language ==").unwrap_err();
        assert!(
            err.contains("syntax error") && err.contains("end of program"),
            "{err}"
        );
        let err = Jq::compile(".a | nosuch(1)").unwrap_err();
        assert!(err.contains("undefined filter `nosuch/1`"), "{err}");
        let err = Jq::compile("$x").unwrap_err();
        assert!(err.contains("undefined variable"), "{err}");
        let err = Jq::compile(".title | error(\"boom\")")
            .unwrap()
            .run(&record())
            .unwrap_err();
        assert!(err.contains("boom"), "{err}");
    }

    #[test]
    fn records_round_trip_and_keep_their_identity() {
        let original = record();
        let jq = Jq::compile(".fields.words = (.paragraphs | join(\" \") | split(\" \") | length)")
            .unwrap();
        let value = jq.run(&original).unwrap().remove(0);
        let changed = record_from(value, &original).unwrap();
        assert_eq!(changed.fields["words"], serde_json::json!(3));
        assert_eq!(changed.paragraphs, original.paragraphs);
        let value = Jq::compile(".id = \"x\"")
            .unwrap()
            .run(&original)
            .unwrap()
            .remove(0);
        assert!(
            record_from(value, &original)
                .unwrap_err()
                .contains("id changed")
        );
        let err = record_from(serde_json::json!([1]), &original).unwrap_err();
        assert!(err.contains("an array"), "{err}");
    }
}
