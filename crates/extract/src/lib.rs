//! The extract transform of wirehose (`type = "extract"`).
//!
//! Reads the clean paragraphs that normalize produced and writes down what an
//! analyst would: the [`dateline`], the wire [`agencies`] named, the
//! [`language`], named [`entities`] (the tagger of `wirehose-ner`, with
//! canonical names, [`canon`], and GeoNames coordinates), [`quotes`] with
//! their speakers, [`dates`] with relative ones resolved, and [`amounts`].
//! All offsets are code-point offsets into the body text (paragraphs joined
//! by `"\n\n"`), see [`wirehose_core::record`]. Near-duplicates, stories and
//! keywords, which need state across articles, are the `stories` transform's
//! (crate `wirehose-stories`).
//!
//! Main types: [`ExtractConfig`] (the raw configuration, validated by
//! `build`) and [`Extract`] (the transform, one per worker).
//!
//! # Example
//!
//! ```
//! use wirehose_core::{Record, Transform};
//! let config: wirehose_extract::ExtractConfig = toml::from_str("").unwrap();
//! let mut extract = wirehose_extract::Extract::new(&config);
//! let record = Record {
//!     paragraphs: vec!["LONDON (Reuters) - Prime Minister Keir Starmer said on Monday ...".into()],
//!     ..Record::default()
//! };
//! let mut out = Vec::new();
//! extract.process(record, &mut out).unwrap();
//! assert_eq!(out[0].dateline.as_ref().unwrap().place, "London");
//! assert_eq!(out[0].agencies, vec!["Reuters"]);
//! ```

#![deny(missing_docs)]

pub mod agencies;
pub mod amounts;
pub mod canon;
pub mod dateline;
pub mod dates;
pub mod entities;
mod error;
pub mod language;
pub mod quotes;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use wirehose_core::{
    BuildContext, BuiltTransform, ConfigProblem, OpenContext, Record, StageError, Transform,
    TransformConfig,
};
use wirehose_ner as ner;

pub use error::ExtractError;

fn default_true() -> bool {
    true
}

/// Raw configuration of the extract transform.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractConfig {
    /// Find named entities. Default true.
    #[serde(default = "default_true")]
    pub entities: bool,
    /// Find direct quotes and their speakers. Default true.
    #[serde(default = "default_true")]
    pub quotes: bool,
    /// Detect the language. Default true.
    #[serde(default = "default_true")]
    pub language: bool,
    /// NER model file written by `wirehose train ner`. Default: the model
    /// built into the binary (trained on CoNLL-2003).
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// More aliases: canonical name → the other names it goes by
    /// (`"Islamic State" = ["ISIS", "ISIL", "Daesh"]`). Extends and overrides
    /// the built-in table.
    #[serde(default)]
    pub aliases: HashMap<String, Vec<String>>,
    /// The old `[transforms.ID.stories]` table: refused with a message that
    /// names the `stories` transform, where these keys live now.
    #[serde(default)]
    stories: Option<serde::de::IgnoredAny>,
}

impl TransformConfig for ExtractConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        if self.stories.is_some() {
            return Err(cx.problem(
                "stories",
                format!(
                    "near-duplicates, stories and keywords are their own transform now: \
                     add [transforms.stories] with type = \"stories\" and inputs = [\"{}\"], \
                     move these keys to its top level, and point the sinks at it",
                    cx.id
                ),
            ));
        }
        let model = match &self.model {
            Some(path) => Arc::new(ner::Model::load(path).map_err(|source| {
                cx.problem(
                    "model",
                    ExtractError::Model {
                        path: path.clone(),
                        source,
                    }
                    .to_string(),
                )
            })?),
            None => ner::Model::builtin_shared(),
        };
        Ok(Box::new(BuiltExtract {
            config: self.clone(),
            model,
        }))
    }
}

/// A validated extract transform: its configuration and model.
struct BuiltExtract {
    config: ExtractConfig,
    model: Arc<ner::Model>,
}

impl BuiltTransform for BuiltExtract {
    fn open(&self, cx: &OpenContext) -> Result<Vec<Box<dyn Transform>>, StageError> {
        Ok((0..cx.workers)
            .map(|_| {
                let mut extract = Extract::new(&self.config);
                extract.model = self.model.clone();
                Box::new(extract) as Box<dyn Transform>
            })
            .collect())
    }
}

/// The runtime extract transform.
#[derive(Debug)]
pub struct Extract {
    config: ExtractConfig,
    agencies: agencies::AgencyFinder,
    datelines: dateline::DatelineFinder,
    quotes: quotes::QuoteFinder,
    model: Arc<ner::Model>,
    aliases: Arc<canon::Aliases>,
}

impl Extract {
    /// Builds the transform.
    pub fn new(config: &ExtractConfig) -> Extract {
        Extract {
            config: config.clone(),
            agencies: agencies::AgencyFinder::new(),
            datelines: dateline::DatelineFinder::new(),
            quotes: quotes::QuoteFinder::new(),
            model: ner::Model::builtin_shared(),
            aliases: Arc::new(canon::Aliases::new(&config.aliases)),
        }
    }
}

impl Transform for Extract {
    fn process(&mut self, mut record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let body = record.body();
        record.dateline = self
            .datelines
            .find(&record.paragraphs, record.published.as_deref());
        // Agencies are the copy's credits (sign-off, bracketed credit,
        // dateline) and the credit lines normalize removed, not every
        // agency the story names.
        let credits = agencies::credits::find(&body);
        let credit_lines: Vec<&str> = record
            .removed
            .iter()
            .filter(|r| r.reason == "agency_credit")
            .map(|r| r.text.as_str())
            .collect();
        let mut agencies = credits.agencies.clone();
        for named in self.agencies.find("", &credit_lines) {
            if !agencies.contains(&named) {
                agencies.push(named);
            }
        }
        record.agencies = agencies;
        if record.published.is_none() {
            record.published = credits.date.clone();
        }
        if self.config.language {
            record.language =
                language::detect(&body, record.title.as_deref()).or(record.language.take());
        }
        let index = wirehose_text::CharIndex::new(&body);
        if self.config.entities {
            let place = record.dateline.as_ref().map(|d| d.place.as_str());
            record.entities = entities::find(
                &body,
                &index,
                &self.model,
                &self.aliases,
                place,
                &credits.spans,
            );
        }
        if self.config.quotes {
            let english = language::english_rules(record.language.as_deref());
            record.quotes = self.quotes.find(&body, &index, &record.entities, english);
        }
        // Dates (anchored on `published`, else the dateline's date) and amounts.
        let dateline_date = record.dateline.as_ref().and_then(|d| d.date.clone());
        if record.published.is_none()
            && let Some(date) = &dateline_date
            && !date.starts_with("--")
        {
            record.published = Some(date.clone());
        }
        let anchor = record.published.clone().or(dateline_date);
        record.dates = dates::find(&body, &index, anchor.as_deref());
        record.amounts = amounts::find(&body, &index, record.language.as_deref());
        out.push(record);
        Ok(())
    }
}

/// Registers every transform type of this crate.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_transform::<ExtractConfig>(
        "extract",
        "dateline, agencies, language, entities, quotes, dates and amounts in one step",
    );
}

/// Every word list in `data/` parses, documents itself and lists no entry
/// twice.
#[cfg(test)]
mod data_files_tests {
    #[test]
    fn every_data_file_parses_without_duplicates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let checked = wirehose_text::lists::check_data_dir(&dir).unwrap();
        assert!(checked > 0);
    }
}
