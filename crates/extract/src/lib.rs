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
mod models;
pub mod quotes;
pub mod steps;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use models::Models;
use serde::Deserialize;
use wirehose_core::{
    BuildContext, BuiltTransform, ConfigProblem, OpenContext, Record, StageError, Transform,
    TransformConfig,
};

pub use error::ExtractError;
pub use steps::Step;

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
    /// The English NER model file, written by `wirehose train ner` (the
    /// same as `models.en`). Default: the model built into the binary.
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// NER model files by language (ISO 639-1 → file written by `wirehose
    /// train ner --language`), in place of the built-in model of that
    /// language or for a language without one. Default: none.
    #[serde(default)]
    pub models: BTreeMap<String, PathBuf>,
    /// The languages (ISO 639-1) whose articles are tagged, each with its
    /// own model; an article detected as any other language gets no
    /// entities (a tagger's guesses on a language it was not trained for
    /// are mostly wrong: German capitalises every noun), and an article
    /// whose language is unknown is tagged with the first one's. Default:
    /// every language with a built-in model, `["en", "es", "nl", "de",
    /// "fr", "fi", "ru"]`.
    #[serde(default = "models::default_languages")]
    pub entity_languages: Vec<String>,
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

impl Default for ExtractConfig {
    /// Every step on, the built-in model, no extra aliases.
    fn default() -> Self {
        ExtractConfig {
            entities: true,
            quotes: true,
            language: true,
            model: None,
            models: BTreeMap::new(),
            entity_languages: models::default_languages(),
            aliases: HashMap::new(),
            stories: None,
        }
    }
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
        Ok(Box::new(BuiltExtract {
            config: self.clone(),
            models: self.entity_models(cx)?,
            steps: Step::bundle(self),
        }))
    }
}

impl ExtractConfig {
    /// Validates the entity keys (`entity_languages`, `model`, `models`) and
    /// loads the model files they name; a problem names the key of `cx`.
    fn entity_models(&self, cx: &BuildContext) -> Result<Models, ConfigProblem> {
        Models::configure(
            cx,
            &self.entity_languages,
            self.model.as_ref(),
            &self.models,
        )
    }
}

/// Logs, once per language and process, that articles in `language` get
/// no entities.
fn untagged_language(language: &str) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if !seen.iter().any(|l| l == language) {
        seen.push(language.to_string());
        tracing::info!(
            language,
            "no entity model for this language; its articles get no entities (see entity_languages)"
        );
    }
}

/// A validated extract transform (the bundle, or one of its steps): its
/// configuration, models and the steps it runs.
struct BuiltExtract {
    config: ExtractConfig,
    models: Models,
    steps: Vec<Step>,
}

/// An article run once through a new transform before the first real one,
/// so that the models and tables it loads on first use (the tagger's
/// weights, the language model, the gazetteer) are loaded at start and the
/// first articles are as fast as the rest.
const WARMUP: &str = include_str!("../data/warmup.txt");

impl BuiltTransform for BuiltExtract {
    fn open(&self, cx: &OpenContext) -> Result<Vec<Box<dyn Transform>>, StageError> {
        let started = std::time::Instant::now();
        let mut warm = Extract::with_steps(&self.config, self.steps.clone());
        warm.models = self.models.clone();
        let record = Record {
            paragraphs: wirehose_text::lists::words(WARMUP)
                .into_iter()
                .map(str::to_string)
                .collect(),
            ..Record::default()
        };
        // What it finds does not matter; an error here would show on the
        // first real article too.
        let _ = warm.process(record, &mut Vec::new());
        tracing::debug!(
            component = %cx.key,
            millis = started.elapsed().as_millis() as u64,
            "extract warmed up"
        );
        // The workers share the warmed instance's tables and compiled
        // patterns (read-only): one copy in memory, not one per worker.
        Ok((0..cx.workers)
            .map(|_| Box::new(warm.clone()) as Box<dyn Transform>)
            .collect())
    }
}

/// The runtime extract transform: the bundle of every step, or one step
/// alone (see [`steps`]). A clone shares the read-only finders.
#[derive(Debug, Clone)]
pub struct Extract {
    steps: Vec<Step>,
    agencies: Arc<agencies::AgencyFinder>,
    datelines: Arc<dateline::DatelineFinder>,
    quotes: Arc<quotes::QuoteFinder>,
    /// The entity models by language.
    models: Models,
    aliases: Arc<canon::Aliases>,
}

impl Extract {
    /// Builds the bundle: every step the config switches on, in order.
    pub fn new(config: &ExtractConfig) -> Extract {
        Extract::with_steps(config, Step::bundle(config))
    }

    /// Builds a transform that runs `steps`, in the order given.
    pub fn with_steps(config: &ExtractConfig, steps: Vec<Step>) -> Extract {
        Extract {
            steps,
            agencies: Arc::new(agencies::AgencyFinder::new()),
            datelines: Arc::new(dateline::DatelineFinder::new()),
            quotes: Arc::new(quotes::QuoteFinder::new()),
            models: Models::builtin(&config.entity_languages),
            aliases: Arc::new(canon::Aliases::new(&config.aliases)),
        }
    }
}

impl Transform for Extract {
    fn process(&mut self, mut record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let body = record.body();
        let mut text = steps::Text::new(&body);
        for step in &self.steps {
            step.apply(self, &mut record, &mut text);
        }
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
    steps::register(registry);
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
