//! Number phrases: digits, spelled-out numbers and scales.

use super::lexicon::{ADJECTIVES, ID_WORDS, MONTHS, ONES, SCALE_SUFFIXES, SCALES, TENS, lookup};
use super::tokens::{Kind, Stream};

/// A number phrase: its value, its tokens `[first, next)`, whether a scale
/// word or suffix was read, and whether it is a four-digit year-like number.
#[derive(Debug, Clone, Copy)]
pub(super) struct Number {
    pub(super) value: f64,
    pub(super) first: usize,
    pub(super) next: usize,
    pub(super) scaled: bool,
    pub(super) suffixed: bool,
    pub(super) yearlike: bool,
}

/// The value of a number token as [`tokenize`](super::tokens::tokenize)
/// cut it: group separators dropped, a decimal comma read as a point.
pub(super) fn parse_digits(text: &str, decimal_comma: bool) -> Option<f64> {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\'' | '’' => {}
            ',' if decimal_comma => plain.push('.'),
            '.' if decimal_comma => {}
            ',' => {}
            c => plain.push(c),
        }
    }
    plain.parse().ok()
}

/// Reads a scale after a number at token `i`: `million`, `half-million`.
fn scale_at(s: &Stream, i: usize) -> Option<(f64, usize)> {
    let word = s.word(i)?;
    if let Some(scale) = lookup(&SCALES, word) {
        return Some((scale, i + 1));
    }
    None
}

/// Digits at token `i`, with an optional scale.
pub(super) fn numeric(s: &Stream, i: usize) -> Option<Number> {
    if s.kind(i) != Some(Kind::Num) {
        return None;
    }
    let text = s.text(i);
    let mut value = parse_digits(text, s.decimal_comma)?;
    let yearlike = text.len() == 4 && (1800.0..=2100.0).contains(&value);
    let mut next = i + 1;
    let mut scaled = false;
    let mut suffixed = false;
    if s.tight(next)
        && s.kind(next) == Some(Kind::Word)
        && let Some(scale) = lookup(&SCALE_SUFFIXES, s.text(next))
        && SCALE_SUFFIXES.iter().any(|(w, _)| *w == s.text(next))
    {
        value *= scale;
        next += 1;
        scaled = true;
        suffixed = true;
    } else if let Some((scale, after)) = scale_at(s, next) {
        value *= scale;
        next = after;
        scaled = true;
        // `2.5 million` may be followed by another scale only as `dozen`.
    }
    Some(Number {
        value,
        first: i,
        next,
        scaled,
        suffixed,
        yearlike: yearlike && !scaled,
    })
}

/// A spelled-out number at token `i`: `twenty-five`, `two hundred and fifty`,
/// `two dozen`, `a million`, `a half-million`, `half a million`.
pub(super) fn spelled(s: &Stream, i: usize) -> Option<Number> {
    if s.kind(i) != Some(Kind::Word) {
        return None;
    }
    let first = s.text(i);
    if !(s.opens_sentence(i) || first.chars().next().is_some_and(char::is_lowercase)) {
        return None;
    }
    let done = |value: f64, next: usize| {
        Some(Number {
            value,
            first: i,
            next,
            scaled: true,
            suffixed: false,
            yearlike: false,
        })
    };
    // `a` / `an` / `half` with a scale.
    if first.eq_ignore_ascii_case("a") || first.eq_ignore_ascii_case("an") {
        let mut j = i + 1;
        let mut fraction = 1.0;
        if s.is_word(j, "half") || s.is_word(j, "quarter") {
            fraction = if s.is_word(j, "half") { 0.5 } else { 0.25 };
            j += 1;
            if s.is_sym(j, "-") {
                j += 1;
            }
        }
        if s.is_word(j, "hundred") {
            return done(100.0 * fraction, j + 1);
        }
        return scale_at(s, j).and_then(|(scale, next)| done(fraction * scale, next));
    }
    if first.eq_ignore_ascii_case("half") {
        let mut j = i + 1;
        if s.is_sym(j, "-") || s.is_word(j, "a") {
            j += 1;
        }
        return match scale_at(s, j) {
            Some((scale, next)) if scale >= 1e3 => done(0.5 * scale, next),
            _ => None,
        };
    }
    let mut total = 0.0;
    let mut current = 0.0;
    let mut scaled = false;
    let mut j = i;
    let mut any = false;
    while let Some(word) = if j == i { Some(first) } else { s.word(j) } {
        if let Some(v) = lookup(ONES, word) {
            if current % 100.0 != 0.0 {
                break;
            }
            current += v;
            j += 1;
        } else if let Some(v) = lookup(TENS, word) {
            if current % 100.0 != 0.0 {
                break;
            }
            current += v;
            j += 1;
            if s.is_sym(j, "-")
                && s.tight(j)
                && s.tight(j + 1)
                && let Some(unit) = s.word(j + 1).and_then(|w| lookup(ONES, w))
                && unit < 10.0
            {
                current += unit;
                j += 2;
            }
        } else if any && word.eq_ignore_ascii_case("hundred") && current > 0.0 && current < 100.0 {
            current *= 100.0;
            j += 1;
            if s.is_word(j, "and")
                && s.word(j + 1)
                    .is_some_and(|w| lookup(ONES, w).or(lookup(TENS, w)).is_some())
            {
                j += 1;
            }
        } else if any && let Some(scale) = lookup(&SCALES, word) {
            if current == 0.0 {
                break;
            }
            if scale == 12.0 {
                current *= scale;
            } else {
                total += current * scale;
                current = 0.0;
            }
            scaled = true;
            j += 1;
        } else {
            break;
        }
        any = true;
    }
    let value = total + current;
    if !any || value == 0.0 || (value == 1.0 && !scaled) {
        return None;
    }
    // `two-thirds`, `one-third` are fractions.
    if s.is_sym(j, "-")
        && s.tight(j)
        && s.word(j + 1)
            .is_some_and(|w| w.ends_with("ths") || w.ends_with("third") || w.ends_with("thirds"))
    {
        return None;
    }
    Some(Number {
        value,
        first: i,
        next: j,
        scaled,
        suffixed: false,
        yearlike: false,
    })
}

/// Why a digit token at `i` is not a count: an identifier, a date, a time.
pub(super) fn digits_excluded(s: &Stream, i: usize, in_range: bool) -> bool {
    let tok = s.toks[i];
    let body = s.body;
    // Glued to what comes before: `F-16`, `G20`, `v1.2`, `#5`, `9/11`
    // (the second number of `10-15 hours` is read as part of its range).
    if let Some(prev) = body[..tok.start].chars().next_back()
        && !tok.space
        && !in_range
        && (prev.is_alphanumeric() || "-/.#:+_@&".contains(prev))
    {
        return true;
    }
    // Glued to what comes after: `1st`, `3D`, `9/11`, `10:30`, `2019-05`.
    let rest = &body[tok.end..];
    let mut after = rest.chars();
    match (after.next(), after.next()) {
        (Some(a), _) if a.is_alphabetic() => {
            let glued = s.text(i + 1);
            if !SCALE_SUFFIXES.iter().any(|(w, _)| *w == glued) {
                return true;
            }
        }
        (Some('/' | ':'), Some(d)) if d.is_ascii_digit() => return true,
        _ => {}
    }
    // Times of day.
    let trimmed = rest.trim_start_matches([' ', '\u{a0}']);
    let lower = trimmed.get(..4).unwrap_or(trimmed).to_ascii_lowercase();
    if [
        "a.m", "p.m", "am ", "pm ", "am.", "pm.", "am,", "pm,", "gmt", "o'cl", "o’cl",
    ]
    .iter()
    .any(|t| lower.starts_with(t))
        || lower == "am"
        || lower == "pm"
    {
        return true;
    }
    // Next to a month name: a date.
    let prev_word = if i > 0 && s.joined(i) {
        s.word(i - 1)
    } else {
        None
    };
    let prev_word = prev_word.or_else(|| {
        // `Sept. 3`: a month abbreviation then a period.
        (i > 1 && s.is_sym(i - 1, ".") && s.joined(i - 1))
            .then(|| s.word(i - 2))
            .flatten()
            .filter(|w| MONTHS.contains(w))
    });
    if prev_word.is_some_and(|w| MONTHS.contains(&w)) {
        return true;
    }
    let mut next = i + 1;
    if s.word(next)
        .is_some_and(|w| matches!(w, "st" | "nd" | "rd" | "th"))
    {
        next += 1;
    }
    if s.is_word(next, "of") {
        next += 1;
    }
    if s.word(next).is_some_and(|w| MONTHS.contains(&w)) {
        return true;
    }
    if let Some(prev) = prev_word {
        // An identifier: `Resolution 2254`, `page 5`, `No. 10`.
        let lower = prev.to_ascii_lowercase();
        if ID_WORDS.contains(&lower.as_str()) {
            return true;
        }
        if prev.chars().next().is_some_and(char::is_uppercase)
            && !s.opens_sentence(i - 1)
            && !ADJECTIVES.contains(&lower.as_str())
        {
            return true;
        }
    }
    if i > 1 && s.is_sym(i - 1, ".") && s.word(i - 2).is_some_and(|w| w.eq_ignore_ascii_case("no"))
    {
        return true;
    }
    false
}
