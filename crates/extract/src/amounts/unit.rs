//! What a number counts: the unit after it.

use super::lexicon::{
    ADJECTIVES, CURRENCY_WORDS, DOLLAR_KINDS, HYPHEN_UNITS, LY_NOUNS, PLURALS, STOP, lookup,
};
use super::tokens::Stream;

/// What follows a number: the unit and the token after it.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    pub(super) name: String,
    pub(super) next: usize,
    /// A counted noun (as opposed to `percent`, a currency, a hyphen unit).
    pub(super) noun: bool,
    /// What the number is multiplied by to count in `name`: 0.01 for cents
    /// counted in dollars (`73 cts`), else 1.
    pub(super) factor: f64,
}

fn is_stop(lower: &str) -> bool {
    STOP.contains(&lower)
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// A plural noun: ends in `s` (not `ss`, `us`, `is`, `ics`, `news`, …) or is
/// one of [`PLURALS`].
pub(super) fn plural(word: &str) -> bool {
    let lower = word.to_lowercase();
    plural_s(&lower) || PLURALS.contains(&lower.as_str())
}

/// A lower-case word with a plural `s`.
fn plural_s(lower: &str) -> bool {
    lower.ends_with('s')
        && !["ss", "us", "is", "news", "series", "species", "ics"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// A word that can be the counted noun.
fn head_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    if lower.chars().count() < 2 || is_stop(&lower) || ADJECTIVES.contains(&lower.as_str()) {
        return false;
    }
    if lower.contains(['\'', '’']) {
        return false;
    }
    if lower.ends_with("ly") && !LY_NOUNS.contains(&lower.as_str()) {
        return false;
    }
    if lower.ends_with("ed") || lower.ends_with("ing") || lower.ends_with("ous") {
        return false;
    }
    if capitalised(word) {
        // Capitalised plurals only: `Americans`, `Democrats`.
        return lower.ends_with('s') && !word.chars().all(char::is_uppercase);
    }
    true
}

/// A word that can stand between a number and its noun.
fn modifier_word(word: &str) -> bool {
    if (2..=5).contains(&word.len()) && word.chars().all(|c| c.is_ascii_uppercase()) {
        // `US`, `NATO`, `NYPD`.
        return true;
    }
    let lower = word.to_lowercase();
    if is_stop(&lower) && !ADJECTIVES.contains(&lower.as_str()) {
        return false;
    }
    if ADJECTIVES.contains(&lower.as_str()) {
        return true;
    }
    if capitalised(word) {
        // Nationalities and the like: `Russian`, `Chinese`, `British`, `Israeli`.
        return ["an", "ese", "ish", "i", "ch"]
            .iter()
            .any(|s| lower.ends_with(s))
            && !lower.ends_with("ans");
    }
    if lower.ends_with("ed") || lower.ends_with("ing") {
        return true;
    }
    if ["al", "ic", "ive", "ous", "ful", "ary", "ian"]
        .iter()
        .any(|s| lower.ends_with(s))
    {
        return true;
    }
    // A singular word before another noun: `police officers`, `bare feet`,
    // `cable news networks` (the phrase must still end on a noun).
    !plural_s(&lower) && !PLURALS[..5].contains(&lower.as_str())
}

/// A word or a hyphenated compound (`well-known`, `voter-registration`) at
/// token `k`: its text and the token after it.
fn word_unit<'a>(s: &Stream<'a>, k: usize) -> Option<(&'a str, usize)> {
    s.word(k)?;
    let mut last = k;
    while s.is_sym(last + 1, "-")
        && s.tight(last + 1)
        && s.tight(last + 2)
        && s.word(last + 2).is_some()
    {
        last += 2;
    }
    Some((&s.body[s.toks[k].start..s.toks[last].end], last + 1))
}

/// The counted noun phrase at token `j`: at most four modifiers, then the
/// noun (the longest such phrase). Returns the noun's first token, its text
/// and the token after it.
fn noun_at<'a>(s: &Stream<'a>, j: usize) -> Option<(usize, &'a str, usize)> {
    let mut units: Vec<(usize, &str, usize)> = Vec::with_capacity(5);
    let mut k = j;
    while units.len() < 5
        && s.toks.get(k).is_some_and(|t| t.space)
        && let Some((word, after)) = word_unit(s, k)
    {
        units.push((k, word, after));
        k = after;
    }
    fn chain(units: &[(usize, &str, usize)], i: usize) -> Option<usize> {
        let word = units.get(i)?.1;
        if i + 1 < units.len()
            && (word.contains('-') || modifier_word(word))
            && let Some(head) = chain(units, i + 1)
        {
            return Some(head);
        }
        head_word(word).then_some(i)
    }
    chain(&units, 0).map(|h| units[h])
}

fn currency_of_noun(s: &Stream, first: usize, head: usize) -> Option<&'static str> {
    let word = s.text(head);
    if word.eq_ignore_ascii_case("dollars") || word.eq_ignore_ascii_case("dollar") {
        for k in first..head {
            if let Some(code) = lookup(&DOLLAR_KINDS, s.text(k)) {
                return Some(code);
            }
        }
    }
    lookup(&CURRENCY_WORDS, word)
}

/// The unit after a number phrase ending before token `j`.
pub(super) fn unit_at(s: &Stream, j: usize) -> Option<Unit> {
    let unit = |name: &str, next: usize, noun: bool| {
        Some(Unit {
            name: name.to_string(),
            next,
            noun,
            factor: 1.0,
        })
    };
    if s.is_sym(j, "%") {
        return unit("percent", j + 1, false);
    }
    if s.is_sym(j, "-") && s.tight(j) && s.tight(j + 1) {
        let word = s.word(j + 1)?;
        let lower = word.to_ascii_lowercase();
        if !HYPHEN_UNITS.contains(&lower.as_str()) {
            return None;
        }
        // `a 45-year-old`: an age.
        if s.is_sym(j + 2, "-") && s.is_word(j + 3, "old") {
            return None;
        }
        return unit(&lower, j + 2, false);
    }
    let word = s.word(j)?;
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "percent" | "pct" => return unit("percent", j + 1, false),
        "per" if s.is_word(j + 1, "cent") => return unit("percent", j + 2, false),
        "percentage" if s.is_word(j + 1, "points") || s.is_word(j + 1, "point") => {
            return unit("percentage points", j + 2, false);
        }
        "basis" if s.is_word(j + 1, "points") || s.is_word(j + 1, "point") => {
            return unit("basis points", j + 2, false);
        }
        "pounds" | "pound" if s.is_word(j + 1, "sterling") => return unit("GBP", j + 2, false),
        // Wire shorthand for US cents: `Shr 73 cts vs 1.05 dlrs`.
        "cts" | "ct" => {
            return Some(Unit {
                factor: 0.01,
                ..unit("USD", j + 1, false)?
            });
        }
        _ => {}
    }
    if !s.english {
        // No English noun rules on other languages: a currency word right
        // after the number (`5 Euro`, `10 francs`) or nothing (`25 janvier
        // dans` is a date, `dans` no noun).
        // `3 milliards d'euros`, `5 millones de dólares`: over `de`/`d'`.
        let (k, name) = if lower == "de" {
            (j + 1, s.word(j + 1)?)
        } else {
            let elided = word
                .strip_prefix("d'")
                .or_else(|| word.strip_prefix("d\u{2019}"));
            (j, elided.unwrap_or(word))
        };
        let code = s
            .toks
            .get(j)
            .filter(|t| t.space)
            .and_then(|_| lookup(&CURRENCY_WORDS, name))?;
        return unit(code, k + 1, false);
    }
    let (head, word, next) = noun_at(s, j)?;
    if let Some(code) = currency_of_noun(s, j, head) {
        return unit(code, next, false);
    }
    unit(&word.to_lowercase(), next, true)
}

/// Whether the words after a unit make the phrase a date or an age
/// (`three days ago`, `45 years old`).
pub(super) fn unit_excluded(s: &Stream, unit: &Unit) -> bool {
    s.is_word(unit.next, "ago")
        || (s.is_word(unit.next, "old") && unit.name.starts_with("year"))
        || (unit.name.starts_with("year")
            && s.is_sym(unit.next, "-")
            && s.is_word(unit.next + 1, "old"))
}
