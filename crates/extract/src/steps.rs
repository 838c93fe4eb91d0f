//! The steps of extract, each also a transform type of its own.
//!
//! `type = "extract"` runs every step in the order below; a config can run
//! only the steps it needs, or put a step of its own (an `exec` program, a
//! `remap`) between them. The steps, in their order, and what each reads:
//!
//! | type | writes | reads |
//! |---|---|---|
//! | `dateline` | `dateline` | paragraphs, `published` |
//! | `agencies` | `agencies`; `published` from a credit's date when missing | body, normalize's removed credit lines |
//! | `language` | `language` | body, title |
//! | `entities` | `entities` | body, `dateline` (its place), the credits |
//! | `quotes` | `quotes` | body, `entities`, `language` |
//! | `dates` | `dates`; `published` from the dateline's date when missing | body, `published`, `dateline` |
//! | `amounts` | `amounts` | body, `language` |
//!
//! A pipeline of the seven in this order writes the same records as
//! `extract`: both run this module's code. `entities` takes `model` and
//! `aliases` like `extract`; the others take no keys.
//!
//! ```toml
//! [transforms.dateline]
//! type = "dateline"
//! inputs = ["normalize"]
//!
//! [transforms.entities]
//! type = "entities"
//! inputs = ["dateline"]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::Deserialize;
use wirehose_core::{BuildContext, BuiltTransform, ConfigProblem, Record, TransformConfig};
use wirehose_text::CharIndex;

use crate::agencies::credits::{self, Credits};
use crate::models::{self, Models};
use crate::{BuiltExtract, Extract, ExtractConfig, amounts, dates, entities, language};

/// One step of extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The dateline that opens the story.
    Dateline,
    /// The wire agencies credited.
    Agencies,
    /// The language of the body.
    Language,
    /// Named entities with canonical names.
    Entities,
    /// Direct quotes and their speakers.
    Quotes,
    /// Dates, relative ones resolved.
    Dates,
    /// Numbers with what they count.
    Amounts,
}

impl Step {
    /// Every step, in the order `extract` runs them.
    pub const ALL: [Step; 7] = [
        Step::Dateline,
        Step::Agencies,
        Step::Language,
        Step::Entities,
        Step::Quotes,
        Step::Dates,
        Step::Amounts,
    ];

    /// The steps of the `extract` bundle that `config` switches on.
    pub fn bundle(config: &ExtractConfig) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|step| match step {
                Step::Language => config.language,
                Step::Entities => config.entities,
                Step::Quotes => config.quotes,
                _ => true,
            })
            .collect()
    }

    /// Runs this step of `extract` on `record`.
    pub(crate) fn apply(self, extract: &Extract, record: &mut Record, text: &mut Text<'_>) {
        match self {
            Step::Dateline => {
                record.dateline = extract
                    .datelines
                    .find(&record.paragraphs, record.published.as_deref());
            }
            Step::Agencies => agencies(extract, record, text),
            Step::Language => {
                record.language =
                    language::detect(text.body, record.title.as_deref()).or(record.language.take());
            }
            Step::Entities => {
                let Some(model) = extract.models.for_language(record.language.as_deref()) else {
                    let language = record.language.as_deref().unwrap_or("unknown");
                    crate::untagged_language(language);
                    tracing::debug!(language, "entities skipped: no model for the language");
                    record.entities.clear();
                    return;
                };
                let place = record.dateline.as_ref().map(|d| d.place.as_str());
                let (body, index, credits) = text.parts();
                record.entities =
                    entities::find(body, index, &model, &extract.aliases, place, &credits.spans);
            }
            Step::Quotes => {
                let english = language::english_rules(record.language.as_deref());
                let (body, index, _) = text.parts();
                record.quotes = extract.quotes.find(body, index, &record.entities, english);
            }
            Step::Dates => {
                // Anchored on `published`, else the dateline's date.
                let dateline_date = record.dateline.as_ref().and_then(|d| d.date.clone());
                if record.published.is_none()
                    && let Some(date) = &dateline_date
                    && !date.starts_with("--")
                {
                    record.published = Some(date.clone());
                }
                let anchor = record.published.clone().or(dateline_date);
                let (body, index, _) = text.parts();
                record.dates = dates::find(body, index, anchor.as_deref());
            }
            Step::Amounts => {
                let (body, index, _) = text.parts();
                record.amounts = amounts::find(body, index, record.language.as_deref());
            }
        }
    }
}

/// Agencies are the copy's credits (sign-off, bracketed credit, dateline)
/// and the credit lines normalize removed, not every agency the story names.
fn agencies(extract: &Extract, record: &mut Record, text: &mut Text<'_>) {
    let (_, _, credits) = text.parts();
    let credit_lines: Vec<&str> = record
        .removed
        .iter()
        .filter(|r| r.reason == "agency_credit")
        .map(|r| r.text.as_str())
        .collect();
    let mut agencies = credits.agencies.clone();
    for named in extract.agencies.find("", &credit_lines) {
        if !agencies.contains(&named) {
            agencies.push(named);
        }
    }
    record.agencies = agencies;
    if record.published.is_none() {
        record.published = credits.date.clone();
    }
}

/// The body and what is derived from it once, for every step of one record.
pub(crate) struct Text<'a> {
    body: &'a str,
    index: Option<CharIndex>,
    credits: Option<Credits>,
}

impl<'a> Text<'a> {
    /// Wraps the body (the paragraphs joined); nothing is derived yet.
    pub(crate) fn new(body: &'a str) -> Text<'a> {
        Text {
            body,
            index: None,
            credits: None,
        }
    }

    /// The body, its character index and its credits, derived on first use.
    fn parts(&mut self) -> (&'a str, &CharIndex, &Credits) {
        let body = self.body;
        let index = self.index.get_or_insert_with(|| CharIndex::new(body));
        let credits = self.credits.get_or_insert_with(|| credits::find(body));
        (body, index, credits)
    }
}

/// Declares the configuration of a step that takes no keys.
macro_rules! plain_step {
    ($(#[$doc:meta])* $name:ident, $step:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {}

        impl TransformConfig for $name {
            fn build(&self, _cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
                let config = ExtractConfig::default();
                Ok(Box::new(BuiltExtract {
                    models: Models::builtin(&config.entity_languages),
                    config,
                    steps: vec![$step],
                }))
            }
        }
    };
}

plain_step!(
    /// `type = "dateline"`: the dateline that opens the story.
    DatelineConfig,
    Step::Dateline
);
plain_step!(
    /// `type = "agencies"`: the wire agencies the copy credits.
    AgenciesConfig,
    Step::Agencies
);
plain_step!(
    /// `type = "language"`: the language of the body.
    LanguageConfig,
    Step::Language
);
plain_step!(
    /// `type = "quotes"`: direct quotes and their speakers (after `entities`).
    QuotesConfig,
    Step::Quotes
);
plain_step!(
    /// `type = "dates"`: dates mentioned, relative ones resolved.
    DatesConfig,
    Step::Dates
);
plain_step!(
    /// `type = "amounts"`: numbers with what they count.
    AmountsConfig,
    Step::Amounts
);

/// `type = "entities"`: named entities with canonical names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntitiesConfig {
    /// The English NER model file (the same as `models.en`). Default: the
    /// model built into the binary.
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// NER model files by language, in place of the built-in ones (see
    /// `extract`). Default: none.
    #[serde(default)]
    pub models: BTreeMap<String, PathBuf>,
    /// The languages (ISO 639-1) whose articles are tagged; articles in
    /// others get no entities. Default: every built-in language.
    #[serde(default = "models::default_languages")]
    pub entity_languages: Vec<String>,
    /// More aliases: canonical name → the other names it goes by. Extends
    /// and overrides the built-in table.
    #[serde(default)]
    pub aliases: HashMap<String, Vec<String>>,
}

impl TransformConfig for EntitiesConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        let config = ExtractConfig {
            model: self.model.clone(),
            models: self.models.clone(),
            entity_languages: self.entity_languages.clone(),
            aliases: self.aliases.clone(),
            ..ExtractConfig::default()
        };
        Ok(Box::new(BuiltExtract {
            models: config.entity_models(cx)?,
            config,
            steps: vec![Step::Entities],
        }))
    }
}

/// Registers each step as a transform type.
pub(crate) fn register(registry: &mut wirehose_core::Registry) {
    registry.register_transform::<DatelineConfig>(
        "dateline",
        "extract's first step alone: the dateline (place, date) that opens the story",
    );
    registry.register_transform::<AgenciesConfig>(
        "agencies",
        "extract's step: the wire agencies the copy credits",
    );
    registry.register_transform::<LanguageConfig>(
        "language",
        "extract's step: the language of the body",
    );
    registry.register_transform::<EntitiesConfig>(
        "entities",
        "extract's step: people, organisations, places with canonical names",
    );
    registry.register_transform::<QuotesConfig>(
        "quotes",
        "extract's step: direct quotes and their speakers (after entities)",
    );
    registry.register_transform::<DatesConfig>(
        "dates",
        "extract's step: dates mentioned, relative ones resolved",
    );
    registry.register_transform::<AmountsConfig>(
        "amounts",
        "extract's step: numbers with what they count",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirehose_core::Transform;

    /// The seven steps one after the other write what the bundle writes.
    #[test]
    fn the_steps_in_sequence_equal_the_bundle() {
        let config = ExtractConfig::default();
        let record = Record {
            paragraphs: vec![
                "LONDON, March 3 (Reuters) - Prime Minister Keir Starmer said on Monday \
                 that 370,000 people would get \u{201c}a fair deal\u{201d} by next year."
                    .into(),
                "\u{201c}We will deliver,\u{201d} Starmer told reporters in Manchester.".into(),
            ],
            ..Record::default()
        };
        let mut bundle = Vec::new();
        Extract::new(&config)
            .process(record.clone(), &mut bundle)
            .unwrap();
        let mut current = record;
        for step in Step::ALL {
            let mut out = Vec::new();
            Extract::with_steps(&config, vec![step])
                .process(current, &mut out)
                .unwrap();
            current = out.remove(0);
        }
        assert_eq!(bundle[0], current);
        assert!(!current.entities.is_empty() && !current.quotes.is_empty());
        assert!(!current.amounts.is_empty() && current.dateline.is_some());
    }

    /// A German article is tagged by the German model by default, and gets
    /// no entities when the config leaves German out.
    #[test]
    fn entities_only_for_the_configured_languages() {
        let record = Record {
            paragraphs: vec![
                "Die Studiengebühren an den Hochschulen in Bayern werden im kommenden \
                 Wintersemester abgeschafft, teilte das Ministerium am Montag in München mit. \
                 Ministerpräsident Markus Söder sprach von einem wichtigen Schritt für die \
                 Studierenden und ihre Familien."
                    .into(),
            ],
            ..Record::default()
        };
        let run = |config: &ExtractConfig| {
            let mut out = Vec::new();
            Extract::new(config)
                .process(record.clone(), &mut out)
                .unwrap();
            out.remove(0)
        };
        let german = run(&ExtractConfig::default());
        assert_eq!(german.language.as_deref(), Some("de"));
        let names: Vec<&str> = german.entities.iter().map(|e| e.name.as_str()).collect();
        assert!(names.contains(&"Markus Söder"), "{names:?}");
        assert!(
            !names.iter().any(|n| n.contains("Studiengebühren")),
            "{names:?}"
        );
        let english_only = ExtractConfig {
            entity_languages: vec!["en".into()],
            ..ExtractConfig::default()
        };
        assert!(run(&english_only).entities.is_empty());
    }
}
