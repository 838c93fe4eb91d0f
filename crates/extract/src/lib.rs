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
pub mod steps;

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
    /// NER model file written by `wirehose train ner`. Default: the model
    /// built into the binary (trained on CoNLL-2003).
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// The languages (ISO 639-1) the entity model is run on; an article
    /// detected as any other language gets no entities, since a tagger's
    /// guesses on a language it was not trained for are mostly wrong
    /// (German capitalises every noun). An article whose language is
    /// unknown is tagged. Default `["en"]` (the built-in model's).
    #[serde(default = "default_entity_languages")]
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
            entity_languages: default_entity_languages(),
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
        check_languages(cx, &self.entity_languages)?;
        let model = load_model(cx, "model", self.model.as_ref())?;
        Ok(Box::new(BuiltExtract {
            config: self.clone(),
            model,
            steps: Step::bundle(self),
        }))
    }
}

/// The languages the built-in entity model is trained for.
fn default_entity_languages() -> Vec<String> {
    vec!["en".to_string()]
}

/// Checks `entity_languages`: each an ISO 639-1 code, as the language step
/// reports them.
fn check_languages(cx: &BuildContext, languages: &[String]) -> Result<(), ConfigProblem> {
    match languages
        .iter()
        .find(|l| l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()))
    {
        Some(bad) => Err(cx.problem(
            "entity_languages",
            format!("`{bad}` is not an ISO 639-1 code (two lower-case letters, as `en`, `de`)"),
        )),
        None => Ok(()),
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

/// Loads the model `path` names, or the built-in one; a load error is a
/// config problem about `key` of component `cx`.
fn load_model(
    cx: &BuildContext,
    key: &str,
    path: Option<&PathBuf>,
) -> Result<Arc<ner::Model>, ConfigProblem> {
    match path {
        Some(path) => Ok(Arc::new(ner::Model::load(path).map_err(|source| {
            cx.problem(
                key,
                ExtractError::Model {
                    path: path.clone(),
                    source,
                }
                .to_string(),
            )
        })?)),
        None => Ok(ner::Model::builtin_shared()),
    }
}

/// A validated extract transform (the bundle, or one of its steps): its
/// configuration, model and the steps it runs.
struct BuiltExtract {
    config: ExtractConfig,
    model: Arc<ner::Model>,
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
        warm.model = self.model.clone();
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
    model: Arc<ner::Model>,
    aliases: Arc<canon::Aliases>,
    /// Languages the model is run on.
    entity_languages: Vec<String>,
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
            model: ner::Model::builtin_shared(),
            aliases: Arc::new(canon::Aliases::new(&config.aliases)),
            entity_languages: config.entity_languages.clone(),
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
