//! The finders of each kind of date expression.

use regex::Captures;
use wirehose_text::calendar::{
    add_months, days_from_civil, days_in_month, month_number, weekday_number,
};

use super::Found;
use super::lexicon::{
    MONTH_LEADS, MONTH_MODIFIERS, NAMED_DAY_PREFIXES, PART_OF_YEAR, TITLE_WORDS, YEAR_LEADS,
    YEAR_MODIFIERS, YEAR_PLURALS,
};
use super::patterns::Patterns;
use super::resolve::{
    Anchor, Step, When, Which, count, digits, month_alone, month_day, resolve_weekday,
};
use super::tense::{Tense, is_word_char, tense};

/// The modifier right before byte offset `at` (one of `modifiers`, or a
/// glued `mid-`) and the word before the expression: returns the start of
/// the expression, the modifier in lower case and that word.
fn modifier_before<'a>(
    body: &'a str,
    at: usize,
    modifiers: &[&str],
) -> (usize, Option<String>, Option<&'a str>) {
    let before = &body[..at];
    if before.ends_with("mid-") || before.ends_with("Mid-") {
        let start = at - 4;
        return (start, Some("mid".into()), Some(word_before(body, start)));
    }
    let word = word_before(body, at);
    let lower = word.to_ascii_lowercase();
    if modifiers.contains(&lower.as_str()) {
        let start = word_start_before(body, at);
        return (start, Some(lower), Some(word_before(body, start)));
    }
    (at, None, Some(word).filter(|w| !w.is_empty()))
}

/// Where the word just before byte offset `at` starts.
fn word_start_before(body: &str, at: usize) -> usize {
    body[..at].trim_end().len() - word_before(body, at).len()
}

/// The word just before byte offset `at` (skipping white space).
fn word_before(body: &str, at: usize) -> &str {
    let before = body[..at].trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !is_word_char(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &before[start..]
}

/// The word just after byte offset `at` (skipping horizontal white space).
fn word_after(body: &str, at: usize) -> &str {
    let after = body[at..].trim_start_matches([' ', '\t', '\u{a0}']);
    let end = after
        .char_indices()
        .find(|(_, c)| !is_word_char(*c))
        .map_or(after.len(), |(i, _)| i);
    &after[..end]
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether a capitalised word at `at` opens a sentence (or a quote, a
/// parenthesis, a paragraph).
fn opens_sentence(body: &str, at: usize) -> bool {
    match body[..at]
        .trim_end_matches([' ', '\t', '\u{a0}'])
        .chars()
        .next_back()
    {
        None => true,
        Some(c) => ".!?\"“”‘’'(:;—–-\n".contains(c),
    }
}

/// A year candidate that is really a count (`by 2000 votes`, `2015,000`).
fn year_is_count(body: &str, end: usize) -> bool {
    let rest = &body[end..];
    let mut chars = rest.chars();
    if let (Some(p), Some(d)) = (chars.next(), chars.next())
        && ",.".contains(p)
        && d.is_ascii_digit()
    {
        return true;
    }
    if rest.starts_with('%') {
        return true;
    }
    let next = word_after(body, end);
    !next.is_empty()
        && !capitalised(next)
        && next.len() > 3
        && (next == "people" || next == "percent" || next.ends_with('s'))
        && !next.ends_with("'s")
        && !next.ends_with("’s")
        && !YEAR_PLURALS.contains(&next)
}

fn push(found: &mut Vec<Found>, start: usize, end: usize, value: Option<When>) {
    found.push(Found { start, end, value });
}

pub(super) fn find_absolute(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
    for c in p.iso.captures_iter(body) {
        let (Some(y), Some(m), Some(d)) = (digits(&c["y"]), digits(&c["m"]), digits(&c["d"]))
        else {
            continue;
        };
        let y = i64::from(y);
        if (1..=12).contains(&m) && (1..=days_in_month(Some(y), m)).contains(&d) {
            let whole = c.get(0).expect("match");
            push(
                found,
                whole.start(),
                whole.end(),
                Some(When::Day(days_from_civil(y, m, d))),
            );
        }
    }
    let mut day_date = |c: &Captures, start: usize, end: usize| {
        let (Some(month), Some(day)) = (month_number(&c["month"]), digits(&c["day"])) else {
            return;
        };
        let year = c
            .name("year")
            .and_then(|y| digits(y.as_str()))
            .map(i64::from)
            .or_else(|| Some(anchor.date()?.1 + relative_year(c.name("rel")?.as_str())));
        if !(1..=days_in_month(year, month)).contains(&day) {
            return;
        }
        // `May 1,000` or `May 10:30` is not a date.
        let rest = &body[end..];
        let mut chars = rest.chars();
        if let (Some(p), Some(d)) = (chars.next(), chars.next())
            && ",:.".contains(p)
            && d.is_ascii_digit()
        {
            return;
        }
        let value = match year {
            Some(y) => When::Day(days_from_civil(y, month, day)),
            None => month_day(month, day, anchor, tense(body, start, end)),
        };
        push(found, start, end, Some(value));
    };
    for c in p.month_day.captures_iter(body) {
        let whole = c.get(0).expect("match");
        day_date(&c, whole.start(), whole.end());
    }
    for c in p.day_month.captures_iter(body) {
        let whole = c.get(0).expect("match");
        let before = body[..whole.start()].chars().next_back();
        if before.is_some_and(|b| b.is_ascii_digit() || ",.-/".contains(b)) {
            continue;
        }
        day_date(&c, whole.start(), whole.end());
    }
    for c in p.month_year.captures_iter(body) {
        let whole = c.get(0).expect("match");
        if let (Some(month), Some(year)) = (month_number(&c["month"]), digits(&c["year"])) {
            push(
                found,
                whole.start(),
                whole.end(),
                Some(When::Month(i64::from(year), month)),
            );
        }
    }
}

/// The year offset of `last`, `this`, `next`.
fn relative_year(rel: &str) -> i64 {
    match rel {
        "last" => -1,
        "next" => 1,
        _ => 0,
    }
}

pub(super) fn find_months(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
    for c in p.month.captures_iter(body) {
        let name = c.name("month").expect("month");
        // The words before (matched here, not in the pattern, which then
        // starts on a month name and is quick to scan for).
        let (start, modifier, lead) = modifier_before(body, name.start(), MONTH_MODIFIERS);
        let lead = lead
            .map(str::to_ascii_lowercase)
            .filter(|l| MONTH_LEADS.contains(&l.as_str()));
        let end = c.get(0).expect("match").end();
        if let Some(rel) = c.name("rel") {
            let value = match (anchor.date(), month_number(name.as_str())) {
                (Some((_, y, _, _)), Some(m)) => {
                    Some(When::Month(y + relative_year(rel.as_str()), m))
                }
                _ => None,
            };
            push(found, start, end, value);
            continue;
        }
        if lead.is_none() && modifier.is_none() {
            continue;
        }
        if name.as_str() == "May"
            && modifier.is_none()
            && !matches!(
                lead.as_deref(),
                Some("in" | "since" | "until" | "till" | "through" | "during")
            )
        {
            continue;
        }
        let Some(month) = month_number(name.as_str()) else {
            continue;
        };
        let which = match modifier.as_deref() {
            Some("last") => Which::Last,
            Some("next") => Which::Next,
            Some("this") => Which::This,
            _ => Which::Plain(tense(body, start, name.end())),
        };
        push(found, start, name.end(), month_alone(month, anchor, which));
    }
}

pub(super) fn find_weekdays(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
    for c in p.weekday.captures_iter(body) {
        let whole = c.get(0).expect("match");
        let wd = c.name("wd").expect("weekday");
        let lead = c.name("lead").map_or("", |m| m.as_str());
        let rel = c.name("rel").map(|m| m.as_str().to_ascii_lowercase());
        if lead.is_empty() && rel.is_none() {
            let before = word_before(body, whole.start());
            if NAMED_DAY_PREFIXES.contains(&before)
                || matches!(before, "a" | "A" | "every" | "Every" | "each" | "Each")
            {
                continue;
            }
            if c.name("part").is_none() {
                let after = word_after(body, wd.end());
                if TITLE_WORDS.contains(&after)
                    || (matches!(before, "the" | "The") && capitalised(after))
                {
                    continue;
                }
            }
        }
        let Some(target) = weekday_number(wd.as_str()) else {
            continue;
        };
        let end = c.name("part").map_or(wd.end(), |m| m.end());
        let step = match rel.as_deref() {
            Some("last") => Step::Before,
            Some("next") => Step::After,
            Some("coming") => Step::OnOrAfter,
            Some(_) => Step::SameWeek,
            None => match tense(body, whole.start(), end) {
                Tense::Past => Step::OnOrBefore,
                Tense::Future => Step::OnOrAfter,
            },
        };
        push(
            found,
            whole.start(),
            end,
            resolve_weekday(anchor, target, step),
        );
    }
}

pub(super) fn find_relative(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
    for c in p.day_word.captures_iter(body) {
        let whole = c.get(0).expect("match");
        let word = c.name("w").expect("word");
        let lower = word.as_str().to_ascii_lowercase();
        // `a brighter tomorrow`, `the today show`.
        if matches!(
            word_before(body, whole.start()),
            "a" | "an" | "the" | "brighter" | "better" | "bright" | "USA" | "Russia"
        ) {
            continue;
        }
        if c.name("dayof").is_none() && capitalised(word.as_str()) {
            let after = word_after(body, word.end());
            if !opens_sentence(body, word.start())
                || matches!(
                    after,
                    "show" | "Show" | "programme" | "Programme" | "program"
                )
            {
                continue;
            }
        }
        let mut delta = match lower.as_str() {
            "yesterday" => -1,
            "tomorrow" => 1,
            w if w.starts_with("last") => -1,
            _ => 0,
        };
        if let Some(dayof) = c.name("dayof") {
            delta += if dayof.as_str().ends_with("before") {
                -1
            } else {
                1
            };
        }
        let end = c.name("part").map_or(word.end(), |m| m.end());
        push(found, whole.start(), end, anchor.shift_days(delta));
    }
    for c in p.period.captures_iter(body) {
        let whole = c.get(0).expect("match");
        if c.name("mod").is_none()
            && matches!(
                word_before(body, whole.start()),
                "the" | "The" | "a" | "A" | "every" | "Every" | "each" | "Each"
            )
        {
            continue;
        }
        let rel = c["rel"].to_ascii_lowercase();
        let delta: i64 = match rel.as_str() {
            "last" => -1,
            "next" => 1,
            _ if c.name("past").is_some() => -1,
            _ => 0,
        };
        let value = anchor.date().map(|(a, y, m, _)| match &c["unit"] {
            "week" | "weekend" => When::Week(a + 7 * delta),
            "month" => {
                let (y, m) = add_months(y, m, delta);
                When::Month(y, m)
            }
            _ => When::Year(y + delta),
        });
        push(found, whole.start(), whole.end(), value);
    }
    for c in p.ago.captures_iter(body) {
        let whole = c.get(0).expect("match");
        let Some(n) = count(&c["n"]) else {
            continue;
        };
        let value = match &c["unit"] {
            "day" => anchor.shift_days(-n),
            unit => anchor.date().map(|(a, y, m, _)| match unit {
                "week" => When::Week(a - 7 * n),
                "month" => {
                    let (y, m) = add_months(y, m, -n);
                    When::Month(y, m)
                }
                _ => When::Year(y - n),
            }),
        };
        push(found, whole.start(), whole.end(), value);
    }
}

pub(super) fn find_years(body: &str, p: &Patterns, found: &mut Vec<Found>) {
    let year_at = |year: regex::Match| {
        if year_is_count(body, year.end()) {
            return None;
        }
        digits(year.as_str()).map(|y| When::Year(i64::from(y)))
    };
    for year in p.year.find_iter(body) {
        let (start, modifier, lead) = modifier_before(body, year.start(), YEAR_MODIFIERS);
        let lead = lead.map(str::to_ascii_lowercase);
        let clear = modifier.is_some()
            || lead.as_deref().is_some_and(|l| YEAR_LEADS.contains(&l))
            || (lead.as_deref() == Some("of")
                && PART_OF_YEAR.contains(
                    &word_before(body, word_start_before(body, start))
                        .to_ascii_lowercase()
                        .as_str(),
                ));
        if clear && let Some(value) = year_at(year) {
            push(found, start, year.end(), Some(value));
        }
    }
    for c in p
        .year_range
        .captures_iter(body)
        .chain(p.year_noun.captures_iter(body))
    {
        let year = c.name("year").expect("year");
        if let Some(value) = year_at(year) {
            push(found, year.start(), year.end(), Some(value));
        }
    }
}
