//! `type = "route"`: sends each record to the named outputs whose jq
//! condition holds for it, and to `_unmatched` when none does.
//!
//! ```toml
//! [transforms.by_language]
//! type = "route"
//! inputs = ["extract"]
//! route.english = '.language == "en"'
//! route.german = '.language == "de"'
//!
//! [sinks.german]
//! type = "jsonl"
//! inputs = ["by_language.german"]
//! ```
//!
//! Readers name an output as `ROUTE_ID.NAME` (`by_language._unmatched` for
//! the rest). A record whose conditions hold for several outputs goes to each;
//! an output nobody reads drops its records, acknowledged as consumed. A
//! condition that fails on a record (a jq error) quarantines the article.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use wirehose_core::{
    BuildContext, BuiltTransform, Cloned, ConfigProblem, Record, StageError, Transform,
    TransformConfig,
};

use crate::jq::Jq;

/// The output that takes the records no condition holds for.
pub const UNMATCHED: &str = "_unmatched";

/// Raw configuration of a route.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Output name → the jq condition a record must meet to go there. At
    /// least one; names are letters, digits, `_` and `-`.
    pub route: BTreeMap<String, String>,
}

impl TransformConfig for RouteConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        if self.route.is_empty() {
            return Err(cx.problem(
                "route",
                "no routes: add at least one `route.NAME = 'condition'`",
            ));
        }
        let mut conditions = Vec::new();
        for (name, condition) in &self.route {
            let key = format!("route.{name}");
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid {
                return Err(cx.problem(&key, "an output name is letters, digits, `_` and `-`"));
            }
            if name == UNMATCHED {
                return Err(cx.problem(&key, "`_unmatched` is the output of records no route takes; name this route otherwise"));
            }
            let jq = Jq::compile(condition).map_err(|err| cx.problem(&key, err))?;
            conditions.push((name.clone(), jq));
        }
        Ok(Box::new(Cloned(Route {
            key: cx.key.clone(),
            conditions: Arc::new(conditions),
        })))
    }

    fn outputs(&self) -> Vec<String> {
        self.route
            .keys()
            .cloned()
            .chain([UNMATCHED.to_string()])
            .collect()
    }
}

/// The running route.
#[derive(Debug, Clone)]
pub struct Route {
    key: String,
    /// Each output's name and condition, in the order of `outputs()`.
    conditions: Arc<Vec<(String, Jq)>>,
}

impl Transform for Route {
    fn process(&mut self, record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        // Only reached when run without its outputs (tests): every match.
        let mut routed = Vec::new();
        self.process_routed(record, &mut routed)?;
        out.extend(routed.into_iter().map(|(_, record)| record));
        Ok(())
    }

    fn process_routed(
        &mut self,
        record: Record,
        out: &mut Vec<(usize, Record)>,
    ) -> Result<(), StageError> {
        let mut matched = Vec::new();
        for (index, (name, condition)) in self.conditions.iter().enumerate() {
            match condition.test(&record) {
                Ok(true) => matched.push(index),
                Ok(false) => {}
                Err(err) => {
                    return Err(StageError::invalid(
                        format!("route condition `{name}` failed: {err}"),
                        format!(
                            "fix `route.{name}` of [{}], then drop the file in again",
                            self.key
                        ),
                    ));
                }
            }
        }
        let Some((&last, rest)) = matched.split_last() else {
            out.push((self.conditions.len(), record));
            return Ok(());
        };
        for &index in rest {
            out.push((index, record.clone()));
        }
        out.push((last, record));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(toml_text: &str) -> Result<(RouteConfig, Box<dyn BuiltTransform>), ConfigProblem> {
        let config: RouteConfig = toml::from_str(toml_text).unwrap();
        let cx = BuildContext {
            key: "transforms.r".into(),
            id: "r".into(),
            state_dir: "state".into(),
        };
        let built = config.build(&cx)?;
        Ok((config, built))
    }

    #[test]
    fn records_go_to_every_output_that_holds_or_to_unmatched() {
        let (config, built) =
            build("route.en = '.language == \"en\"'\nroute.all = '.language != null'\n").unwrap();
        assert_eq!(config.outputs(), vec!["all", "en", "_unmatched"]);
        let cx = wirehose_core::OpenContext {
            key: "transforms.r".into(),
            id: "r".into(),
            state_dir: "state".into(),
            workers: 1,
            metrics: wirehose_core::telemetry::ComponentMetrics::untracked(),
        };
        let mut route = built.open(&cx).unwrap().remove(0);
        let mut out = Vec::new();
        let en = Record {
            language: Some("en".into()),
            ..Record::default()
        };
        route.process_routed(en, &mut out).unwrap();
        assert_eq!(
            out.iter().map(|(port, _)| *port).collect::<Vec<_>>(),
            vec![0, 1]
        );
        out.clear();
        route.process_routed(Record::default(), &mut out).unwrap();
        assert_eq!(
            out.iter().map(|(port, _)| *port).collect::<Vec<_>>(),
            vec![2]
        );
    }

    #[test]
    fn bad_routes_name_their_key() {
        let err = build("route.en = '.language =='")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("transforms.r") && err.contains("route.en"),
            "{err}"
        );
        let err = build("route._unmatched = 'true'")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("route._unmatched"), "{err}");
        let err = build("route = {}").err().unwrap().to_string();
        assert!(err.contains("no routes"), "{err}");
    }
}
