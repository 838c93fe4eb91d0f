//! The extract transform of wirehose (`type = "extract"`).
//!
//! Reads the clean paragraphs that normalize produced and writes down what an
//! analyst would: the [`dateline`], the wire [`agencies`] named, the
//! [`language`], named [`entities`] and [`quotes`] with their speakers. All
//! offsets are code-point offsets into the body text (paragraphs joined by
//! `"\n\n"`), see [`wirehose_core::record`].
//!
//! This is the baseline extractor: rules and document-level heuristics, no
//! trained model yet.
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
pub mod dateline;
pub mod dates;
pub mod entities;
mod error;
pub mod eval;
pub mod language;
pub mod quotes;
pub mod stories;
mod text;

use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use wirehose_core::{BuildContext, ConfigProblem, Record, StageError, Transform, TransformConfig};

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
    /// Near-duplicates, stories and keywords.
    #[serde(default)]
    pub stories: stories::StoryConfig,
    /// State shared by every worker of this component, made on first build.
    #[serde(skip)]
    shared: OnceLock<Arc<stories::Across>>,
}

impl TransformConfig for ExtractConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Transform>, ConfigProblem> {
        let across = match self.shared.get() {
            Some(across) => across.clone(),
            None => {
                let across = stories::Across::open(&cx.state_dir, &cx.id, &self.stories)
                    .map_err(|err| cx.problem("stories", err.to_string()))?;
                self.shared.get_or_init(|| Arc::new(across)).clone()
            }
        };
        Ok(Box::new(Extract::with_across(self, across)))
    }
}

impl Extract {
    /// Builds the transform with shared across-article state: near-duplicates,
    /// stories and keywords are filled in too.
    pub fn with_across(config: &ExtractConfig, across: Arc<stories::Across>) -> Extract {
        let mut extract = Extract::new(config);
        extract.across = Some(across);
        extract
    }
}

/// The runtime extract transform.
#[derive(Debug)]
pub struct Extract {
    config: ExtractConfig,
    agencies: agencies::AgencyFinder,
    datelines: dateline::DatelineFinder,
    quotes: quotes::QuoteFinder,
    across: Option<Arc<stories::Across>>,
}

impl Extract {
    /// Builds the transform.
    pub fn new(config: &ExtractConfig) -> Extract {
        Extract {
            config: config.clone(),
            agencies: agencies::AgencyFinder::new(),
            datelines: dateline::DatelineFinder::new(),
            quotes: quotes::QuoteFinder::new(),
            across: None,
        }
    }
}

impl Transform for Extract {
    fn process(&mut self, mut record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let body = record.body();
        record.dateline = self
            .datelines
            .find(&record.paragraphs, record.published.as_deref());
        let mut extra: Vec<&str> = record.removed.iter().map(|r| r.text.as_str()).collect();
        if let Some(title) = &record.title {
            extra.push(title);
        }
        record.agencies = self.agencies.find(&body, &extra);
        if self.config.language {
            record.language = language::detect(&body);
        }
        let index = text::CharIndex::new(&body);
        if self.config.entities {
            record.entities = entities::find(&body, &index);
        }
        if self.config.quotes {
            record.quotes = self.quotes.find(&body, &index, &record.entities);
        }
        // Dates (anchored on `published`, else the dateline's date) and amounts.
        let dateline_date = record.dateline.as_ref().and_then(|d| d.date.clone());
        let anchor = record.published.clone().or(dateline_date);
        record.dates = dates::find(&body, &index, anchor.as_deref());
        record.amounts = amounts::find(&body, &index);
        if let Some(across) = &self.across {
            across
                .observe(&mut record)
                .map_err(|err| StageError::Other(err.to_string()))?;
        }
        out.push(record);
        Ok(())
    }
}

/// Registers every transform type of this crate.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_transform::<ExtractConfig>("extract");
}
