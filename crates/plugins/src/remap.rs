//! `type = "remap"`: a jq program rewrites each record — set or clear
//! fields, compute values into `fields` (and delete or rename there) — for small changes that need
//! no program of their own.
//!
//! ```toml
//! [transforms.desk]
//! type = "remap"
//! inputs = ["extract"]
//! program = '.fields.desk = (if .language == "de" then "berlin" else "london" end)'
//! ```
//!
//! The program must give back exactly one record (a JSON object with the
//! record's fields) for the same article: its `id` and `source` may not
//! change. Anything else — no output, several, not a record, a jq error —
//! quarantines the article with the reason. To drop records, use `filter`.

use std::sync::Arc;

use serde::Deserialize;
use wirehose_core::{
    BuildContext, BuiltTransform, Cloned, ConfigProblem, Record, StageError, Transform,
    TransformConfig,
};

use crate::jq::{Jq, record_from};

/// Raw configuration of a remap.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemapConfig {
    /// The jq program: record in, the rewritten record out. Required.
    pub program: String,
}

impl TransformConfig for RemapConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        let program = Jq::compile(&self.program).map_err(|err| cx.problem("program", err))?;
        Ok(Box::new(Cloned(Remap {
            key: cx.key.clone(),
            program: Arc::new(program),
        })))
    }
}

/// The running remap.
#[derive(Debug, Clone)]
pub struct Remap {
    key: String,
    program: Arc<Jq>,
}

impl Remap {
    fn rewrite(&self, record: &Record) -> Result<Record, String> {
        let mut outputs = self.program.run(record)?;
        match outputs.len() {
            1 => record_from(outputs.remove(0), record),
            0 => Err("the program gave no record (use a filter to drop records)".to_string()),
            n => Err(format!(
                "the program gave {n} values; it must give exactly one record"
            )),
        }
    }
}

impl Transform for Remap {
    fn process(&mut self, record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let rewritten = self.rewrite(&record).map_err(|err| {
            StageError::invalid(
                format!("remap failed: {err}"),
                format!(
                    "fix `program` of [{}], then drop the file in again",
                    self.key
                ),
            )
        })?;
        out.push(rewritten);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remap(program: &str) -> Remap {
        Remap {
            key: "transforms.r".into(),
            program: Arc::new(Jq::compile(program).unwrap()),
        }
    }

    #[test]
    fn rewrites_fields_and_keeps_the_article() {
        let record = Record {
            id: "abc".into(),
            title: Some("Old".into()),
            raw: Some(Arc::from(b"raw".to_vec())),
            ..Record::default()
        };
        let mut out = Vec::new();
        remap(".title |= ascii_upcase | .fields.desk = \"london\"")
            .process(record, &mut out)
            .unwrap();
        assert_eq!(out[0].title.as_deref(), Some("OLD"));
        assert_eq!(out[0].fields["desk"], "london");
        assert_eq!(out[0].raw.as_deref(), Some(&b"raw"[..]));
    }

    #[test]
    fn anything_but_one_record_is_refused_with_its_reason() {
        let mut out = Vec::new();
        for (program, expected) in [
            ("empty", "no record"),
            (".,.", "2 values"),
            (".title", "JSON object"),
            (".paragraphs = 5", "not a record"),
        ] {
            let err = remap(program)
                .process(Record::default(), &mut out)
                .unwrap_err();
            assert!(err.to_string().contains(expected), "{program}: {err}");
        }
        assert!(out.is_empty());
    }
}
