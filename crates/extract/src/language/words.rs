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

/// How many languages the tables cover.
const LANGUAGES: usize = TABLES.len();

/// The unigram models of all languages, keyed by word: one look-up per word
/// scores it under every language.
struct Model {
    /// ln P(word) under each language of [`TABLES`] (in their order), NaN
    /// where the language's table lacks the word.
    log_p: HashMap<&'static str, [f32; LANGUAGES], foldhash::fast::FixedState>,
    /// ln P of a word outside a language's table.
    unseen: [f32; LANGUAGES],
}

static MODEL: LazyLock<Model> = LazyLock::new(|| {
    let mut model = Model {
        log_p: HashMap::with_capacity_and_hasher(
            LANGUAGES * 3_000,
            foldhash::fast::FixedState::default(),
        ),
        unseen: [0.0; LANGUAGES],
    };
    for (index, (_, text)) in TABLES.iter().enumerate() {
        let rows: Vec<(&str, f64)> = pairs(text)
            .into_iter()
            .map(|(word, count)| (word, count.parse::<f64>().unwrap_or(1.0).max(1.0)))
            .collect();
        let total: f64 = rows.iter().map(|(_, n)| n).sum::<f64>().max(1.0);
        for (word, count) in rows {
            model.log_p.entry(word).or_insert([f32::NAN; LANGUAGES])[index] =
                (count / total).ln() as f32;
        }
        // Half the probability of a word seen once.
        model.unseen[index] = (0.5 / total).ln() as f32;
    }
    model
});

/// Calls `each` with the words of `text` the model looks at: runs of two or
/// more letters, lower-cased (in `buffer` when they had capitals).
fn for_each_token(text: &str, mut each: impl FnMut(&str)) {
    let mut buffer = String::new();
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if word.len() < 2 || word.chars().nth(1).is_none() {
            continue;
        }
        if word.chars().any(char::is_uppercase) {
            buffer.clear();
            buffer.extend(word.chars().flat_map(char::to_lowercase));
            each(&buffer);
        } else {
            each(word);
        }
    }
}

/// The words of `text` the model looks at, as [`for_each_token`] gives
/// them.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.to_string()));
    out
}

/// The language of `text` by its words, when the evidence is clear.
pub fn detect(text: &str) -> Option<&'static str> {
    best(text)
        .filter(|(_, coverage, _)| *coverage >= MIN_COVERAGE)
        .map(|(code, _, _)| code)
}

/// Fewest words a text needs for [`decisive`].
const DECISIVE_MIN_WORDS: usize = 30;
/// Least share of a text's words the language's table must know for
/// [`decisive`]: news prose in one of the table's languages is mostly its
/// frequent words (0.8 and more), a neighbouring language's is not
/// (measured: English BBC prose 0.75 and more in four articles of five,
/// Afrikaans under Dutch 0.61, Catalan under Spanish 0.45, Portuguese under
/// Spanish 0.39).
const DECISIVE_COVERAGE: f64 = 0.75;

/// The language of a stretch of prose when its words alone settle it: at
/// least [`DECISIVE_MIN_WORDS`] words, most of them ([`DECISIVE_COVERAGE`])
/// in one language's table, and that language ahead by the margin. Cheaper
/// than the character model; a text it cannot settle goes to that model.
pub fn decisive(text: &str) -> Option<&'static str> {
    let (code, coverage, words) = best(text)?;
    (words >= DECISIVE_MIN_WORDS && coverage >= DECISIVE_COVERAGE).then_some(code)
}

/// The best language by the word model with its margin met: its code, the
/// share of the words its table knows, and the number of words.
fn best(text: &str) -> Option<(&'static str, f64, usize)> {
    let model = &*MODEL;
    let (mut words, mut known) = (0usize, 0usize);
    let mut scores = [0f64; LANGUAGES];
    let mut covered = [0usize; LANGUAGES];
    for_each_token(text, |token| {
        words += 1;
        let Some(log_p) = model.log_p.get(token) else {
            return;
        };
        known += 1;
        for (index, p) in log_p.iter().enumerate() {
            if p.is_nan() {
                scores[index] += f64::from(model.unseen[index]);
            } else {
                scores[index] += f64::from(*p);
                covered[index] += 1;
            }
        }
    });
    if known < MIN_KNOWN {
        return None;
    }
    let mut order: [usize; LANGUAGES] = std::array::from_fn(|i| i);
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    let (top, second) = (order[0], order[1]);
    if scores[top] - scores[second] < MARGIN {
        return None;
    }
    Some((TABLES[top].0, covered[top] as f64 / words as f64, words))
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
    fn prose_its_words_settle_and_neighbours_they_do_not() {
        let english = "The government said on Tuesday that it would cut public spending next \
            year and raise investment in roads and railways in the north, after a report \
            showed the economy had grown more slowly than expected in the last three months \
            of the year. The finance minister told reporters the plan was needed to bring \
            down the debt.";
        assert_eq!(decisive(english), Some("en"));
        // Afrikaans reads much like Dutch, Portuguese like Spanish: their
        // words do not settle it, the character model does.
        let afrikaans = "Die regering het Dinsdag 'n nuwe begroting vir volgende jaar \
            aangekondig wat besnoeiings in staatsbesteding en meer beleggings in die \
            infrastruktuur van die platteland insluit. Die minister van finansies het op 'n \
            mediakonferensie gesê dat die maatreëls nodig is om die skuld te verminder.";
        assert_eq!(decisive(afrikaans), None);
        let portuguese = "O governo aprovou na terça-feira um novo orçamento do Estado que \
            prevê cortes na despesa pública e um aumento do investimento nas infraestruturas \
            do interior do país. O ministro das Finanças explicou em conferência de imprensa \
            que as medidas são necessárias para reduzir a dívida.";
        assert_eq!(decisive(portuguese), None);
        assert_eq!(decisive("The bank raised rates."), None);
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
