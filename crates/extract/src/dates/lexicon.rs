//! The vocabulary of date expressions: words around weekdays, months and
//! years, and the words that tell the tense. The lists are in `data/dates/`;
//! the modifiers stay here, as code, because the finders interpret each of them.

use std::sync::LazyLock;

use wirehose_text::lists::words;

/// Words before a weekday that make it a named day, not a date to resolve.
pub(super) static NAMED_DAY_PREFIXES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/named_day_prefixes.txt")));
/// Capitalised words after a weekday that make it a title (`Sunday Times`).
pub(super) static TITLE_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/title_words.txt")));
/// Words that mark a future context (see [`Tense`](super::Tense)).
pub(super) static FUTURE_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/future_words.txt")));
/// Words that mark a past context (see [`Tense`](super::Tense)).
pub(super) static PAST_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/past_words.txt")));
/// Irregular past forms that, like `-ed` verbs, mark the past only right
/// before the expression and not after `be` (`will be held on Friday`).
pub(super) static PAST_FORMS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/past_forms.txt")));
pub(super) static BE_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/be_words.txt")));
/// Plural words that may follow a year (`the 2016 elections`).
pub(super) static YEAR_PLURALS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/year_plurals.txt")));

/// Words before a month named alone that place it (`in July`).
pub(super) static MONTH_LEADS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/month_leads.txt")));
/// Words before a month that are part of the expression (`last July`).
pub(super) const MONTH_MODIFIERS: &[&str] = &["early", "late", "last", "next", "this"];
/// Words before a year that make it one (`in 2016`).
pub(super) static YEAR_LEADS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/year_leads.txt")));
/// Words before a year that are part of the expression (`early 2016`).
pub(super) const YEAR_MODIFIERS: &[&str] = &["early", "late"];
/// Words before `of` before a year (`the end of 2015`).
pub(super) static PART_OF_YEAR: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/part_of_year.txt")));
/// Nouns after `the 2016` that make the number a year (`the 2016 election`).
pub(super) static YEAR_NOUNS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/dates/year_nouns.txt")));
