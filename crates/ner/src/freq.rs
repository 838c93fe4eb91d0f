//! Word frequencies by language, derived from wordfreq
//! (`tools/wordfreq_tables.py` writes `models/freq-LANG.tsv`): the tagger
//! reads how common a word is in running text of the model's language. A
//! capitalised word that is common is rarely a name (in German every noun
//! is capitalised; `Gastgeber` is common, `Arnautovic` is not).
//!
//! ```
//! let german = wirehose_ner::freq::Frequencies::builtin("de").unwrap();
//! let hash = |w: &str| wirehose_text::hash::hash64(w.as_bytes());
//! assert!(german.step(hash("haus")) > german.step(hash("arnautovic")));
//! ```

use std::sync::OnceLock;

use wirehose_text::hash::{FastMap, hash64};

/// The languages with a table. English has none: its training data's
/// lower-case vocabulary (CoNLL-2003 and GUM) already tells common words,
/// and the frequency features scored CoNLL-2003 dev 0.1 lower.
pub const LANGUAGES: [&str; 6] = ["es", "nl", "de", "fr", "fi", "ru"];

/// Each language's table, in [`LANGUAGES`] order.
static TABLES: [&str; 6] = [
    include_str!("../models/freq-es.tsv"),
    include_str!("../models/freq-nl.tsv"),
    include_str!("../models/freq-de.tsv"),
    include_str!("../models/freq-fr.tsv"),
    include_str!("../models/freq-fi.tsv"),
    include_str!("../models/freq-ru.tsv"),
];

static PARSED: [OnceLock<Frequencies>; 6] = [const { OnceLock::new() }; 6];

/// The frequency steps of one language's common words.
#[derive(Debug, Default)]
pub struct Frequencies {
    /// Hash of the lower-cased word → Zipf frequency in half steps (1–16).
    steps: FastMap<u64, u8>,
}

impl Frequencies {
    /// The built-in table of `language` (ISO 639-1), parsed on first use;
    /// `None` for a language without one.
    pub fn builtin(language: &str) -> Option<&'static Frequencies> {
        let at = LANGUAGES.iter().position(|l| *l == language)?;
        Some(PARSED[at].get_or_init(|| Frequencies::parse(TABLES[at])))
    }

    /// Parses `word TAB step` lines; `#` lines and malformed lines are
    /// skipped (the built-in tables are checked by a test).
    fn parse(text: &str) -> Frequencies {
        let mut steps = FastMap::default();
        steps.reserve(text.len() / 10);
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some((word, step)) = line.split_once('\t')
                && let Ok(step) = step.parse::<u8>()
            {
                steps.insert(hash64(word.as_bytes()), step.max(1));
            }
        }
        Frequencies { steps }
    }

    /// The frequency step of the word whose lower-cased form hashes to
    /// `lower` (as the tagger hashes it); 0 for a word not in the table.
    pub fn step(&self, lower: u64) -> u8 {
        self.steps.get(&lower).copied().unwrap_or(0)
    }

    /// Words in the table.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_table_parses_whole() {
        for (language, text) in LANGUAGES.iter().zip(TABLES) {
            let rows = text.lines().filter(|l| !l.starts_with('#')).count();
            let table = Frequencies::builtin(language).unwrap();
            assert!(rows > 40_000, "{language}: {rows} rows");
            // Distinct words only, every line well-formed.
            assert_eq!(table.len(), rows, "{language}");
        }
        assert!(Frequencies::builtin("it").is_none());
    }
}
