//! The vocabulary of amounts: number words, currencies, units and the words
//! that tell a count from an identifier, a date or a year. The number words
//! stay here, as code: their values drive the parsing of spelled-out numbers;
//! the other lists are in `data/amounts/`.

use std::sync::LazyLock;

use wirehose_text::lists::{pairs, words};

/// Number words and their values.
pub(super) const ONES: &[(&str, f64)] = &[
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
];
pub(super) const TENS: &[(&str, f64)] = &[
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
];
/// Scale words written apart from the number (`3.5 million`, `65 mln`).
pub(super) static SCALES: LazyLock<Vec<(&'static str, f64)>> = LazyLock::new(|| {
    factors(
        include_str!("../../data/amounts/scale_words.tsv"),
        "scale_words.tsv",
    )
});
/// Languages (ISO 639-1) that write a decimal comma and group thousands with
/// a full stop.
pub(super) static DECIMAL_COMMA_LANGUAGES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    words(include_str!(
        "../../data/amounts/decimal_comma_languages.txt"
    ))
});

/// A table of words and the factors they stand for.
fn factors(text: &'static str, file: &str) -> Vec<(&'static str, f64)> {
    pairs(text)
        .into_iter()
        .map(|(word, factor)| {
            let factor = factor
                .parse()
                .unwrap_or_else(|_| panic!("a number in {file}: {factor:?}"));
            (word, factor)
        })
        .collect()
}
/// Scales written right after the digits in money (`$5m`, `€1.2bn`).
pub(super) static SCALE_SUFFIXES: LazyLock<Vec<(&'static str, f64)>> = LazyLock::new(|| {
    factors(
        include_str!("../../data/amounts/scale_suffixes.tsv"),
        "scale_suffixes.tsv",
    )
});
/// Currency signs.
pub(super) const SIGNS: &[(char, &str)] = &[
    ('$', "USD"),
    ('£', "GBP"),
    ('€', "EUR"),
    ('¥', "JPY"),
    ('₽', "RUB"),
    ('₹', "INR"),
];
/// Prefixes written right before `$`.
pub(super) static DOLLAR_PREFIXES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../../data/amounts/dollar_prefixes.tsv")));
/// Currency words as counted nouns.
pub(super) static CURRENCY_WORDS: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../../data/amounts/currency_words.tsv")));
/// Modifiers of `dollars` that name another currency.
pub(super) static DOLLAR_KINDS: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../../data/amounts/dollar_kinds.tsv")));
/// Units written after a hyphen (`a 10-hour meeting`).
pub(super) static HYPHEN_UNITS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/hyphen_units.txt")));
/// Month names and abbreviations (a number next to them is a date).
pub(super) static MONTHS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/months.txt")));
/// Words before a number that make it an identifier (`page 5`, `No. 10`).
pub(super) static ID_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/id_words.txt")));
/// Words before a year-like number that make it a year.
pub(super) static YEAR_LEADS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/year_leads.txt")));
/// Words that never are the counted noun, nor a modifier of it.
pub(super) static STOP: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/stop_words.txt")));
/// Modifiers that may stand between a number and its noun.
pub(super) static ADJECTIVES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/adjectives.txt")));
/// Plurals without an `s` (the first five never modify the next word).
pub(super) static PLURALS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/plurals.txt")));
/// Nouns ending in `ly` (other `-ly` words are adverbs).
pub(super) static LY_NOUNS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/amounts/ly_nouns.txt")));

pub(super) fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, value)| *value)
}
