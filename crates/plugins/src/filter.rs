//! `type = "filter"`: keeps the records a jq condition holds for and drops
//! the rest.
//!
//! ```toml
//! [transforms.long_english]
//! type = "filter"
//! inputs = ["extract"]
//! condition = '.language == "en" and (.paragraphs | join(" ") | length) > 500'
//! ```
//!
//! A dropped record is acknowledged as consumed: its input is done and is
//! not taken again. A condition that fails on a record (a jq error) does not
//! drop it silently: the article is quarantined with the error.

use std::sync::Arc;

use serde::Deserialize;
use wirehose_core::{
    BuildContext, BuiltTransform, Cloned, ConfigProblem, Record, StageError, Transform,
    TransformConfig,
};

use crate::jq::Jq;

/// Raw configuration of a filter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterConfig {
    /// The jq condition a record must meet to pass (jq truth: anything but
    /// `false`, `null` or no output). Required.
    pub condition: String,
}

impl TransformConfig for FilterConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        let condition = Jq::compile(&self.condition).map_err(|err| cx.problem("condition", err))?;
        Ok(Box::new(Cloned(Filter {
            key: cx.key.clone(),
            condition: Arc::new(condition),
        })))
    }
}

/// The running filter.
#[derive(Debug, Clone)]
pub struct Filter {
    key: String,
    condition: Arc<Jq>,
}

impl Transform for Filter {
    fn process(&mut self, record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        match self.condition.test(&record) {
            Ok(true) => out.push(record),
            Ok(false) => {}
            Err(err) => {
                return Err(StageError::invalid(
                    format!("filter condition failed: {err}"),
                    format!(
                        "fix `condition` of [{}] (see the record in the quarantine), then drop the file in again",
                        self.key
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(toml_text: &str) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        let config: FilterConfig = toml::from_str(toml_text).unwrap();
        let cx = BuildContext {
            key: "transforms.f".into(),
            id: "f".into(),
            state_dir: "state".into(),
        };
        config.build(&cx)
    }

    #[test]
    fn a_bad_condition_names_its_key() {
        let err = build("condition = '.language =='")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("transforms.f") && err.contains("condition"),
            "{err}"
        );
    }

    #[test]
    fn keeps_what_holds_and_drops_the_rest() {
        let built = build("condition = '.language == \"en\"'").unwrap();
        let cx = wirehose_core::OpenContext {
            key: "transforms.f".into(),
            id: "f".into(),
            state_dir: "state".into(),
            workers: 1,
            metrics: wirehose_core::telemetry::ComponentMetrics::untracked(),
        };
        let mut filter = built.open(&cx).unwrap().remove(0);
        let mut out = Vec::new();
        let en = Record {
            language: Some("en".into()),
            ..Record::default()
        };
        let de = Record {
            language: Some("de".into()),
            ..Record::default()
        };
        filter.process(en, &mut out).unwrap();
        filter.process(de, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].language.as_deref(), Some("en"));
    }
}
