//! A word-frequency model of a few languages, for the texts a character
//! detector cannot tell: tables of figures with abbreviated row labels
//! (`Shr 24 cts vs 13 cts`, `Net 12.6 mln vs 15.8 mln`), one-line items.
//!
//! Each language's table (`data/language/words-LL.tsv`) lists its most
//! frequent words (lower case, letters only, two or more) with their counts
//! in news text; [`compile`] builds the tables from token-per-line corpora
//! (`wirehose train words`). A text is scored as a bag of words under each
//! language's unigram model (naive Bayes, words outside a table get half the
//! table's smallest probability); the best language is taken only when it
//! beats the second by a clear margin, enough of the words are known, and
//! it knows a fair share of them.
//!
//! ```
//! use wirehose_extract::language::words;
//! let table = "Shr 24 cts vs 13 cts\n\nNet 12.6 mln vs 15.8 mln\n\nRevs 337.3 mln vs 315.2 mln\n\nNine mths\n\nShr 3.07 dlrs vs 3.08 dlrs";
//! assert_eq!(words::detect(table), Some("en"));
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use wirehose_text::lists::pairs;

/// Log-likelihood margin (nats) the best language needs over the second.
const MARGIN: f64 = 5.0;
/// Fewest known words a text needs to be judged.
const MIN_KNOWN: usize = 3;
/// Least share of the text's words the winning language's table must know.
const MIN_COVERAGE: f64 = 0.35;

/// The tables, as (ISO 639-1 code, file text).
const TABLES: &[(&str, &str)] = &[
    ("de", include_str!("../../data/language/words-de.tsv")),
    ("en", include_str!("../../data/language/words-en.tsv")),
    ("es", include_str!("../../data/language/words-es.tsv")),
    ("fi", include_str!("../../data/language/words-fi.tsv")),
    ("fr", include_str!("../../data/language/words-fr.tsv")),
    ("nl", include_str!("../../data/language/words-nl.tsv")),
    ("ru", include_str!("../../data/language/words-ru.tsv")),
];

/// One language's unigram model.
struct Language {
    code: &'static str,
    /// ln P(word) for the words of the table.
    log_p: HashMap<&'static str, f64>,
    /// ln P of a word outside the table.
    unseen: f64,
}

static MODEL: LazyLock<Vec<Language>> = LazyLock::new(|| {
    TABLES
        .iter()
        .map(|(code, text)| {
            let rows: Vec<(&str, f64)> = pairs(text)
                .into_iter()
                .map(|(word, count)| (word, count.parse::<f64>().unwrap_or(1.0).max(1.0)))
                .collect();
            let total: f64 = rows.iter().map(|(_, n)| n).sum::<f64>().max(1.0);
            let smallest = rows.iter().map(|(_, n)| *n).fold(f64::MAX, f64::min);
            Language {
                code,
                log_p: rows.iter().map(|(w, n)| (*w, (n / total).ln())).collect(),
                unseen: (smallest.min(1.0) / 2.0 / total).ln(),
            }
        })
        .collect()
});

/// The words of `text` the model looks at: runs of two or more letters,
/// lower-cased.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// The language of `text` by its words, when the evidence is clear.
pub fn detect(text: &str) -> Option<&'static str> {
    let tokens = tokens(text);
    let model = &*MODEL;
    let known: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .filter(|t| model.iter().any(|l| l.log_p.contains_key(t)))
        .collect();
    if known.len() < MIN_KNOWN {
        return None;
    }
    let mut scores: Vec<(f64, &Language)> = model
        .iter()
        .map(|l| {
            let score = known
                .iter()
                .map(|t| l.log_p.get(t).copied().unwrap_or(l.unseen))
                .sum();
            (score, l)
        })
        .collect();
    scores.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (best, language) = scores[0];
    let second = scores.get(1).map_or(f64::MIN, |s| s.0);
    let covered = tokens
        .iter()
        .filter(|t| language.log_p.contains_key(t.as_str()))
        .count();
    let coverage = covered as f64 / tokens.len() as f64;
    (best - second >= MARGIN && coverage >= MIN_COVERAGE).then_some(language.code)
}

/// Builds the tables from corpora: `sources` gives (language code, text of a
/// token-per-line file whose first column is the token; `-DOCSTART-` lines
/// are skipped). Returns, per language, the text of its table: a comment
/// header, then the `top` most frequent words with their counts.
pub fn compile(sources: &[(String, String)], top: usize) -> BTreeMap<String, String> {
    let mut counts: BTreeMap<&str, HashMap<String, u64>> = BTreeMap::new();
    for (code, text) in sources {
        let table = counts.entry(code.as_str()).or_default();
        for line in text.lines() {
            let Some(token) = line.split_whitespace().next() else {
                continue;
            };
            if token == "-DOCSTART-" {
                continue;
            }
            for word in tokens(token) {
                *table.entry(word).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .map(|(code, table)| {
            let mut rows: Vec<(String, u64)> = table.into_iter().collect();
            rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            rows.truncate(top);
            let mut text = format!(
                "# The {top} most frequent words of `{code}` news text (lower case, letters\n\
                 # only, two or more) with their counts: the word model of the language\n\
                 # detector (crate::language::words), used on texts too short or too\n\
                 # tabular for the character detector.\n\
                 #\n\
                 # Built by `wirehose train words`; see the README for the corpora.\n\
                 # Two columns separated by a tab: word, count.\n"
            );
            for (word, count) in rows {
                text.push_str(&format!("{word}\t{count}\n"));
            }
            (code.to_string(), text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earnings_tables_and_short_items() {
        let table = "Shr 80 cts vs 72 cts\n\nNet 55,513,000 vs 48,741,000\n\nRevs 290.9 mln vs 264.2 mln\n\nYear\n\nAvg shrs 69,127,000 vs 68,004,000";
        assert_eq!(detect(table), Some("en"));
        assert_eq!(
            detect("Qtly div 35 cts vs 35 cts prior\n\nPayable March 31\n\nRecord March nine"),
            Some("en")
        );
        assert_eq!(
            detect("Umsatz im Jahr gestiegen, Gewinn vor Steuern gesunken"),
            Some("de")
        );
        assert_eq!(
            detect("Le chiffre d'affaires du groupe a augmenté"),
            Some("fr")
        );
    }

    #[test]
    fn too_little_to_tell() {
        assert_eq!(detect("Shr 24 cts"), None);
        assert_eq!(detect("12.6 mln 15.8 mln"), None);
        assert_eq!(detect(""), None);
    }

    #[test]
    fn compile_counts_first_columns() {
        let sources = vec![(
            "en".to_string(),
            "-DOCSTART- O\n\nThe DT O\nthe DT O\nbank NN O\n1987 CD O\n".to_string(),
        )];
        let tables = compile(&sources, 10);
        let rows = pairs(&tables["en"]);
        assert_eq!(rows, [("the", "2"), ("bank", "1")]);
    }
}
