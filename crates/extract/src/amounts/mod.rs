//! Numbers with what they count: `370,000 people`, `a half-million people`,
//! `10 hours`, `$1.2 billion`, `15 percent`.
//!
//! [`find`] reads the body as a stream of tokens (numbers, words, symbols)
//! and reports each number phrase that is followed by what it counts as an
//! [`Amount`]. It compiles nothing: the word lists (`data/amounts/`) are
//! parsed once, at first use.
//!
//! # What is reported
//!
//! - Digits with thousands separators and decimals, optionally scaled by
//!   `thousand`, `million`, `billion`, `trillion` or `dozen` (`3.5 million
//!   barrels` = 3,500,000 barrels).
//! - Spelled-out numbers from `two` up (`three people`, `twenty-five
//!   soldiers`, `two hundred and fifty`, `two dozen soldiers` = 24), and `a`
//!   / `one` only with a scale (`a dozen`, `a million`, `one billion`, `a
//!   half-million`, `half a million`). `one` alone is skipped: it is mostly a
//!   pronoun (`one of them`, `one day`).
//! - Money: a currency sign makes the unit an ISO 4217 code (`$` USD, `US$`
//!   USD, `C$` CAD, `A$` AUD, `HK$` HKD, `£` GBP, `€` EUR, `¥` JPY, `₽` RUB,
//!   `₹` INR), with scales written out or abbreviated (`$5m`, `€1.2bn`); so
//!   does a currency word as the counted noun (`1 billion euros` EUR,
//!   `rubles` RUB, `yuan` CNY, `dollars` USD, `pounds sterling` GBP; plain
//!   `pounds` stays `pounds`, it may be a weight).
//! - Percentages: `15 percent`, `15 per cent`, `15%`, `15 pct` (unit
//!   `percent`); `percentage points` and `basis points` keep their name.
//! - The counted noun is the next word, over at most four modifiers (`10
//!   registered voters` and `three Russian soldiers` count `voters` and
//!   `soldiers`; a singular noun before a plural one is a modifier too: `5
//!   police officers` counts `officers`), lower-cased as written.
//!   A hyphenated unit counts too (`a 10-hour meeting` = 10 `hour`).
//! - Ranges (`10 to 15 people`, `20 or 25 percent`, `between 100 and 150
//!   soldiers`, `10-15 hours`) give **both** numbers, each with its own span;
//!   the first takes the unit and the scale of the second (`2 to 3 million
//!   people` = 2,000,000 and 3,000,000 people).
//!
//! # Not reported
//!
//! Numbers with nothing counted after them (`he won 45-40`, `Smith, 45,`),
//! vague counts (`dozens of`, `hundreds of`, `thousands of`, `a few`),
//! years (`in 2016`, `the 2016 election`), dates (`May 15`, `15 May`,
//! `three days ago`), times of day (`7 p.m.`, `10:30`), ages (`a 45-year-old`,
//! `45 years old`), ordinals (`1st`, `second`), fractions and identifiers
//! (`F-16`, `G20`, `Resolution 2254 calls`, `page 5`, `No. 10`, `9/11`).

use wirehose_core::Amount;

use wirehose_text::CharIndex;

mod lexicon;
mod number;
#[cfg(test)]
mod tests;
mod tokens;
mod unit;

use lexicon::{
    CURRENCY_WORDS, DOLLAR_PREFIXES, ONES, SCALE_SUFFIXES, SIGNS, TENS, YEAR_LEADS, lookup,
};
use number::{Number, digits_excluded, numeric, parse_digits, spelled};
use tokens::{Kind, Stream, tokenize};
use unit::{Unit, plural, unit_at, unit_excluded};

/// One amount found, in byte offsets.
struct Found {
    start: usize,
    end: usize,
    value: f64,
    unit: String,
}

/// Money at token `i`: `$1.2 billion`, `US$5m`, `€300`. Returns it and the
/// token after it.
fn money(s: &Stream, i: usize) -> Option<(Found, usize)> {
    let mut j = i;
    let mut code = None;
    if s.kind(i) == Some(Kind::Word) && s.tight(i + 1) && s.is_sym(i + 1, "$") {
        code = Some(lookup(&DOLLAR_PREFIXES, s.text(i))?);
        // `US$` must not be glued to a word before.
        j = i + 1;
    }
    if s.kind(j) != Some(Kind::Sym) {
        return None;
    }
    let sign = s.text(j).chars().next()?;
    let sign_code = SIGNS
        .iter()
        .find(|(c, _)| *c == sign)
        .map(|(_, code)| *code)?;
    let code = code.unwrap_or(sign_code);
    let start_tok = j + 1;
    if !s.joined(start_tok) || s.kind(start_tok) != Some(Kind::Num) {
        return None;
    }
    let mut number = numeric(s, start_tok)?;
    // `$458 m`, `€1.2 bn`: after a currency sign a scale suffix may stand
    // apart from the digits.
    if !number.scaled
        && s.kind(number.next) == Some(Kind::Word)
        && let Some(scale) = lookup(&SCALE_SUFFIXES, s.text(number.next))
        && SCALE_SUFFIXES
            .iter()
            .any(|(w, _)| *w == s.text(number.next))
    {
        number.value *= scale;
        number.next += 1;
        number.scaled = true;
    }
    // `between $1 and $2 million`: the first takes the second's scale.
    if !number.scaled
        && (s.is_word(number.next, "to")
            || s.is_word(number.next, "and")
            || s.is_word(number.next, "or")
            || s.is_sym(number.next, "-"))
        && s.is_sym(number.next + 1, &sign.to_string())
        && let Some(second) = numeric(s, number.next + 2)
        && second.scaled
        && let Some(base) = parse_digits(s.text(second.first), s.decimal_comma)
    {
        number.value *= second.value / base;
    }
    let start = s.toks[i].start;
    let end = s.toks[number.next - 1].end;
    Some((
        Found {
            start,
            end,
            value: number.value,
            unit: code.to_string(),
        },
        number.next,
    ))
}

/// A number phrase at token `i`, digits or spelled out.
fn number_at(s: &Stream, i: usize, in_range: bool) -> Option<Number> {
    match s.kind(i)? {
        Kind::Num => {
            if digits_excluded(s, i, in_range) {
                return None;
            }
            numeric(s, i)
        }
        Kind::Word => spelled(s, i),
        Kind::Sym => None,
    }
}

/// Whether a year-like number with this unit is a year after all.
fn year_excluded(s: &Stream, number: &Number, unit: &Unit) -> bool {
    if !number.yearlike || !unit.noun {
        return false;
    }
    let prev = if number.first > 0 {
        s.word(number.first - 1).map(str::to_ascii_lowercase)
    } else {
        None
    };
    prev.is_some_and(|p| YEAR_LEADS.contains(&p.as_str())) || !plural(&unit.name)
}

/// Amounts starting at token `i`, and the token after them.
fn amounts_at(s: &Stream, i: usize) -> Option<(Vec<Found>, usize)> {
    if let Some((found, next)) = money(s, i) {
        return Some((vec![found], next));
    }
    let first = number_at(s, i, false)?;
    if first.suffixed {
        // `5bn` without a currency sign: only with a currency word after.
        let unit = unit_at(s, first.next)?;
        if unit.noun || !CURRENCY_WORDS.iter().any(|(_, c)| *c == unit.name) {
            return None;
        }
    }
    let found = |number: &Number, value: f64, unit: &Unit, end: usize| Found {
        start: s.toks[number.first].start,
        end,
        value: value * unit.factor,
        unit: unit.name.clone(),
    };
    // A range: `10 to 15 people`, `20 or 25 percent`, `between 100 and 150`, `10-15 hours`.
    let joiner = first.next;
    let between = first.first > 0 && s.is_word(first.first - 1, "between");
    let range = s.is_word(joiner, "to")
        || s.is_word(joiner, "or")
        || (between && s.is_word(joiner, "and"))
        || ((s.is_sym(joiner, "-") || s.is_sym(joiner, "–"))
            && s.kind(joiner + 1) == Some(Kind::Num)
            && s.kind(first.first) == Some(Kind::Num));
    if range
        && let Some(second) = number_at(s, joiner + 1, true)
        && second.value > first.value / 1000.0
        // `won 3-1`, `a 97-12 record`: a score, not a range.
        && (s.kind(joiner) == Some(Kind::Word) || second.value > first.value)
        && let Some(unit) = unit_at(s, second.next)
        && !unit_excluded(s, &unit)
        && (!unit.noun || plural(&unit.name))
        && !year_excluded(s, &second, &unit)
        && !(first.yearlike && second.yearlike)
        // `in 1986 to 336.5 billion escudos`: a year, not a range's start.
        && !(first.yearlike && second.scaled)
    {
        let mut value = first.value;
        if !first.scaled && second.scaled {
            let base = match s.kind(second.first) {
                Some(Kind::Num) => parse_digits(s.text(second.first), s.decimal_comma),
                _ => None,
            };
            if let Some(base) = base.filter(|b| *b > 0.0) {
                value *= second.value / base;
            }
        }
        let end_first = s.toks[first.next - 1].end;
        let end_second = s.toks[unit.next - 1].end;
        return Some((
            vec![
                found(&first, value, &unit, end_first),
                found(&second, second.value, &unit, end_second),
            ],
            unit.next,
        ));
    }
    let unit = unit_at(s, first.next)?;
    if unit_excluded(s, &unit) || year_excluded(s, &first, &unit) {
        return None;
    }
    // `a 911 caller`, `a 2 to 1 margin`: a number before a singular noun
    // names or rates, it does not count.
    if unit.noun && !plural(&unit.name) {
        return None;
    }
    let end = s.toks[unit.next - 1].end;
    Some((vec![found(&first, first.value, &unit, end)], unit.next))
}

/// Finds the amounts of `body` (see the module's rules), in text order.
///
/// `decimal_comma`: the article's language writes `2,5` for two and a half
/// and `1.000` for a thousand (see [`decimal_comma`]).
///
/// `language`: the article's ISO 639-1 code, when known; English rules
/// (number words, counted nouns) run only on English or unknown text.
pub(crate) fn find(body: &str, index: &CharIndex, language: Option<&str>) -> Vec<Amount> {
    let decimal_comma = decimal_comma(language);
    let s = Stream {
        body,
        toks: tokenize(body, decimal_comma),
        decimal_comma,
        english: crate::language::english_rules(language),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.toks.len() {
        // Only numbers, number words, `a`/`an`/`half` and currency signs can start one.
        let start = match s.toks[i].kind {
            Kind::Num => true,
            Kind::Sym => true,
            Kind::Word if !s.english => s.tight(i + 1) && s.is_sym(i + 1, "$"),
            Kind::Word => {
                let w = s.text(i);
                w.eq_ignore_ascii_case("a")
                    || w.eq_ignore_ascii_case("an")
                    || w.eq_ignore_ascii_case("half")
                    || lookup(ONES, w).is_some()
                    || lookup(TENS, w).is_some()
                    || (s.tight(i + 1) && s.is_sym(i + 1, "$"))
            }
        };
        if start && let Some((found, next)) = amounts_at(&s, i) {
            out.extend(found);
            i = next.max(i + 1);
            continue;
        }
        i += 1;
    }
    out.into_iter()
        .map(|f| Amount {
            text: body[f.start..f.end].to_string(),
            value: f.value,
            unit: f.unit,
            start: index.chars(f.start),
            end: index.chars(f.end),
        })
        .collect()
}

/// Finds the amounts of `body` (see [`find`]'s rules); a convenience for
/// callers without a character index.
pub fn find_in(body: &str) -> Vec<Amount> {
    find(body, &CharIndex::new(body), None)
}

/// Whether numbers in `language` (an ISO 639-1 code) take a decimal comma.
pub fn decimal_comma(language: Option<&str>) -> bool {
    language.is_some_and(|code| lexicon::DECIMAL_COMMA_LANGUAGES.contains(&code))
}
