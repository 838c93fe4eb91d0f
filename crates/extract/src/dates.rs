//! Dates mentioned in the body, resolved against the article's own date.
//!
//! [`find`] reports every date expression of the body as a [`DateMention`]:
//! absolute dates (`May 15, 2019`, `15 May 2019`, `2019-05-15`, `Sept. 3`,
//! `May 2019`, `in 2018`, `the 2016 election`), weekdays (`on Friday`,
//! `Tuesday evening`, `last Monday`), day words (`today`, `yesterday`,
//! `tomorrow`, `tonight`, `last night`), periods (`this week`, `last month`,
//! `earlier this year`), counts back (`three days ago`) and months named
//! alone (`in July`, `last March`, `mid-June`). The patterns are compiled
//! once per process.
//!
//! # Values
//!
//! A value has the precision of the expression: `YYYY-MM-DD` for a day,
//! `YYYY-Www` (ISO 8601 week) for a week or weekend, `YYYY-MM` for a month,
//! `YYYY` for a year, `--MM-DD` for a day whose year is unknown. The value is
//! `None` when the expression is relative and the anchor does not allow
//! resolving it (no anchor, or a `--MM-DD` anchor for a weekday or a month).
//!
//! # Resolution rules
//!
//! The anchor is the article's reference date (`published`, else the
//! dateline's date). News is written in the past tense, so:
//!
//! - A bare weekday (`on Friday`, `Tuesday evening`) is the most recent such
//!   day **on or before** the anchor; a Friday article's `on Friday` is that
//!   same day (wire style names the weekday instead of writing `today`). In a
//!   future context (`will`, `would`, `scheduled`, `expected`, … among the
//!   words just before or after, see [`Tense`]) it is the first such day on or
//!   after the anchor. `last Friday` is the most recent Friday strictly before
//!   the anchor, `next Friday` the first strictly after, `this Friday` the one
//!   in the anchor's ISO week.
//! - A month and day without a year take the anchor's year, or the previous
//!   year when that would put them more than 60 days after the anchor (past
//!   context); in a future context they take the next year when they would
//!   fall more than 7 days before the anchor.
//! - A month alone (`in July`) follows the same rule with its first day;
//!   `last July` is the most recent July before the anchor's month, `next
//!   July` the first after it, `this July` the anchor year's.
//! - `this/last/next week` (and `weekend`) are ISO weeks; `month` and `year`
//!   resolve to `YYYY-MM` and `YYYY`; `last month` in January is the previous
//!   December.
//!
//! # Not reported
//!
//! `May` the modal verb and `march` the verb (months must be capitalised, and
//! `May` alone needs `in`/`since`/`until`/`during`/`through` or
//! `last`/`next`/`this`/`early`/`late`/`mid-` before it), newspapers and
//! shows (`the Sunday Times`, `USA Today`), named days (`Black Friday`,
//! `Super Tuesday`), generic days (`every Monday`, `on Fridays`), durations
//! (`the last year`, `the next week`), vague counts (`a few days ago`),
//! decades, numeric slash dates (`5/15`) and numbers that are not clearly
//! years (`2,000 people`, `in 2000 cases`).

use std::sync::LazyLock;

use regex::{Captures, Regex};
use wirehose_core::DateMention;

use wirehose_text::CharIndex;
use wirehose_text::calendar::{
    add_months, civil_from_days, days_from_civil, days_in_month, iso_week, month_number, weekday,
    weekday_number,
};

/// Horizontal white space between the words of one expression.
const SP: &str = r"[ \t\xA0]+";
const MONTHS_FULL: &str =
    "January|February|March|April|May|June|July|August|September|October|November|December";
const MONTHS_ABBR: &str = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec";
/// Number words of `N years ago` (any case).
const ONES_WORDS: &str = "(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)";
const TENS_WORDS: &str = "(?i:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)";
const WEEKDAYS: &str = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday";
/// A year that can stand alone in news text.
const YEAR: &str = r"(?:1[89]|20)\d{2}";

/// Words before a weekday that make it a named day, not a date to resolve.
const NAMED_DAY_PREFIXES: &[&str] = &[
    "Black", "Cyber", "Super", "Good", "Bloody", "Easter", "Ash", "Palm", "Holy", "Maundy",
    "Shrove", "Fat", "Giving", "Small", "Manic",
];
/// Capitalised words after a weekday that make it a title (`Sunday Times`).
const TITLE_WORDS: &[&str] = &[
    "Times",
    "Telegraph",
    "Express",
    "Mirror",
    "Post",
    "Herald",
    "Independent",
    "Observer",
    "Mail",
    "Sport",
    "People",
    "Star",
    "Night",
    "Morning",
    "Review",
    "Business",
    "Politics",
    "Show",
    "Sun",
    "Age",
    "Edition",
    "Tribune",
    "Journal",
    "Today",
    "Magazine",
    "Gazette",
    "Record",
    "Standard",
    "Sentinel",
    "Football",
    "School",
];
/// Words that mark a future context (see [`Tense`]).
const FUTURE_WORDS: &[&str] = &[
    "will",
    "shall",
    "would",
    "won't",
    "won’t",
    "scheduled",
    "upcoming",
    "expected",
    "expects",
    "plans",
    "planned",
    "planning",
    "intends",
    "going",
    "due",
];
/// Words that mark a past context (see [`Tense`]).
const PAST_WORDS: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "announced",
    "added",
    "reported",
    "confirmed",
    "was",
    "were",
    "had",
    "did",
    "went",
    "came",
    "began",
    "spoke",
    "ago",
];
/// Irregular past forms that, like `-ed` verbs, mark the past only right
/// before the expression and not after `be` (`will be held on Friday`).
const PAST_FORMS: &[&str] = &[
    "met", "took", "gave", "made", "held", "won", "lost", "left", "fell", "rose", "saw", "sent",
    "kept", "led", "hit", "struck", "fought", "spent", "paid",
];
const BE_WORDS: &[&str] = &["be", "been", "being", "is", "are", "was", "were"];
/// Plural words that may follow a year (`the 2016 elections`).
const YEAR_PLURALS: &[&str] = &[
    "elections",
    "midterms",
    "primaries",
    "olympics",
    "games",
    "caucuses",
];

// ---------------------------------------------------------------- values

/// A resolved date at the precision of its expression.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    Day(i64),
    MonthDay(u32, u32),
    Week(i64),
    Month(i64, u32),
    Year(i64),
}

impl When {
    fn iso(self) -> String {
        match self {
            When::Day(days) => {
                let (y, m, d) = civil_from_days(days);
                format!("{y:04}-{m:02}-{d:02}")
            }
            When::MonthDay(m, d) => format!("--{m:02}-{d:02}"),
            When::Week(days) => {
                let (y, w) = iso_week(days);
                format!("{y:04}-W{w:02}")
            }
            When::Month(y, m) => format!("{y:04}-{m:02}"),
            When::Year(y) => format!("{y:04}"),
        }
    }
}

/// The article's reference date.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Anchor {
    /// A full date, as days since 1970-01-01.
    Date(i64),
    /// Month and day, year unknown.
    MonthDay(u32, u32),
    /// Nothing to resolve against.
    Unknown,
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl Anchor {
    /// Parses `YYYY-MM-DD` (anything after the tenth character, such as an
    /// RFC 3339 time, is ignored) or `--MM-DD`.
    fn parse(anchor: Option<&str>) -> Anchor {
        let Some(text) = anchor else {
            return Anchor::Unknown;
        };
        if let Some(rest) = text.strip_prefix("--") {
            let month = rest.get(..2).and_then(digits);
            let day = rest.get(3..5).and_then(digits);
            if let (Some(m), Some(d), Some("-")) = (month, day, rest.get(2..3))
                && (1..=12).contains(&m)
                && (1..=days_in_month(None, m)).contains(&d)
            {
                return Anchor::MonthDay(m, d);
            }
            return Anchor::Unknown;
        }
        let year = text.get(..4).and_then(digits);
        let month = text.get(5..7).and_then(digits);
        let day = text.get(8..10).and_then(digits);
        match (year, month, day, text.get(4..5), text.get(7..8)) {
            (Some(y), Some(m), Some(d), Some("-"), Some("-"))
                if (1..=12).contains(&m)
                    && (1..=days_in_month(Some(i64::from(y)), m)).contains(&d) =>
            {
                Anchor::Date(days_from_civil(i64::from(y), m, d))
            }
            _ => Anchor::Unknown,
        }
    }

    /// The anchor moved by `delta` days, at day precision.
    fn shift_days(self, delta: i64) -> Option<When> {
        match self {
            Anchor::Date(days) => Some(When::Day(days + delta)),
            Anchor::MonthDay(m, d) => {
                // A reference year that has the anchor's day: leap only for Feb 29.
                let year = if (m, d) == (2, 29) { 2000 } else { 2001 };
                let (_, m, d) = civil_from_days(days_from_civil(year, m, d) + delta);
                Some(When::MonthDay(m, d))
            }
            Anchor::Unknown => None,
        }
    }

    fn date(self) -> Option<(i64, i64, u32, u32)> {
        match self {
            Anchor::Date(days) => {
                let (y, m, d) = civil_from_days(days);
                Some((days, y, m, d))
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------- tense

/// Whether an expression speaks of the past or the future.
///
/// The words before the expression (nearest first, up to eight, within its
/// sentence) are read first, then up to five after it: the first of a future
/// marker (`will`, `would`, `shall`, `scheduled`, `upcoming`, `expected`,
/// `plans`, `planned`, `going`, `due`, a `'ll` contraction) or a past marker
/// (`said`, `told`, `announced`, `was`, `were`, `had`, …, or an `-ed` verb or
/// `met`, `held`, `took`, … right before the expression, when not a passive
/// after `be`)
/// decides. With neither, news is taken to speak of the past.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tense {
    /// On or before the anchor.
    Past,
    /// On or after the anchor.
    Future,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’'
}

fn classify(word: &str) -> Option<Tense> {
    if FUTURE_WORDS.contains(&word) || word.ends_with("'ll") || word.ends_with("’ll") {
        Some(Tense::Future)
    } else if PAST_WORDS.contains(&word) {
        Some(Tense::Past)
    } else {
        None
    }
}

fn tense(body: &str, start: usize, end: usize) -> Tense {
    let stops = ['.', '!', '?', ';', '\n'];
    let before = &body[..start];
    let before = &before[before.rfind(stops).map_or(0, |i| i + 1)..];
    let words: Vec<&str> = before
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    for (seen, (i, word)) in words.iter().enumerate().rev().take(8).enumerate() {
        let lower = word.to_lowercase();
        if let Some(found) = classify(&lower) {
            return found;
        }
        let adjacent = seen == 0
            || (seen == 1
                && words
                    .last()
                    .is_some_and(|w| matches!(*w, "on" | "in" | "since" | "by" | "until")));
        let passive = i > 0 && BE_WORDS.contains(&words[i - 1].to_lowercase().as_str());
        let past_form =
            (lower.len() > 3 && lower.ends_with("ed")) || PAST_FORMS.contains(&lower.as_str());
        if adjacent && past_form && !passive {
            return Tense::Past;
        }
    }
    let after = &body[end..];
    let after = &after[..after.find(stops).unwrap_or(after.len())];
    for word in after
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .take(5)
    {
        if let Some(found) = classify(&word.to_lowercase()) {
            return found;
        }
    }
    Tense::Past
}

// ---------------------------------------------------------------- resolution

/// The value of `3`, `a`, `three`, `twenty-two`.
fn count(text: &str) -> Option<i64> {
    if let Some(n) = digits(text) {
        return Some(i64::from(n));
    }
    let ones = [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    let tens = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let mut total = 0;
    for part in text.to_ascii_lowercase().split(['-', ' ']) {
        total += match part {
            "a" | "an" => 1,
            _ => match ones.iter().position(|w| *w == part) {
                Some(i) => i as i64 + 1,
                None => 20 + 10 * tens.iter().position(|w| *w == part)? as i64,
            },
        };
    }
    Some(total)
}

/// A month and day without a year (see the module's rules).
fn month_day(month: u32, day: u32, anchor: Anchor, tense: Tense) -> When {
    let Some((a, year, _, _)) = anchor.date() else {
        return When::MonthDay(month, day);
    };
    let place = |y: i64| -> Option<i64> {
        (day <= days_in_month(Some(y), month)).then(|| days_from_civil(y, month, day))
    };
    let Some(this_year) = place(year) else {
        return When::MonthDay(month, day);
    };
    let chosen = match tense {
        Tense::Past if this_year > a + 60 => place(year - 1),
        Tense::Future if this_year < a - 7 => place(year + 1),
        _ => Some(this_year),
    };
    chosen.map_or(When::MonthDay(month, day), When::Day)
}

/// How a month named alone is placed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Which {
    Last,
    Next,
    This,
    Plain(Tense),
}

fn month_alone(month: u32, anchor: Anchor, which: Which) -> Option<When> {
    let (a, year, anchor_month, _) = anchor.date()?;
    let year = match which {
        Which::Last if month < anchor_month => year,
        Which::Last => year - 1,
        Which::Next if month > anchor_month => year,
        Which::Next => year + 1,
        Which::This => year,
        Which::Plain(Tense::Past) if days_from_civil(year, month, 1) > a + 60 => year - 1,
        Which::Plain(Tense::Future) if month < anchor_month => year + 1,
        Which::Plain(_) => year,
    };
    Some(When::Month(year, month))
}

/// Modes of weekday resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    OnOrBefore,
    OnOrAfter,
    Before,
    After,
    SameWeek,
}

fn resolve_weekday(anchor: Anchor, target: i64, step: Step) -> Option<When> {
    let Anchor::Date(a) = anchor else {
        return None;
    };
    let now = weekday(a);
    let days = match step {
        Step::OnOrBefore => a - (now - target).rem_euclid(7),
        Step::OnOrAfter => a + (target - now).rem_euclid(7),
        Step::Before => a - ((now - target - 1).rem_euclid(7) + 1),
        Step::After => a + ((target - now - 1).rem_euclid(7) + 1),
        Step::SameWeek => a - now + target,
    };
    Some(When::Day(days))
}

// ---------------------------------------------------------------- patterns

struct Patterns {
    iso: Regex,
    month_day: Regex,
    day_month: Regex,
    month_year: Regex,
    month: Regex,
    weekday: Regex,
    day_word: Regex,
    period: Regex,
    ago: Regex,
    year: Regex,
    year_range: Regex,
    year_noun: Regex,
}

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("date pattern")
}

impl Patterns {
    fn new() -> Patterns {
        let month = format!(r"(?P<month>(?:{MONTHS_FULL}|{MONTHS_ABBR})(?-u:\b)\.?)");
        let year_opt = format!(
            r"(?:,?{SP}(?P<year>{YEAR})(?-u:\b)|{SP}of{SP}(?P<rel>last|this|next){SP}year(?-u:\b))?"
        );
        Patterns {
            iso: compile(r"(?-u:\b)(?P<y>(?:1[89]|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?-u:\b)"),
            month_day: compile(&format!(
                r"(?-u:\b)(?:(?P<wd>{WEEKDAYS}),?{SP})?{month}{SP}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?-u:\b){year_opt}"
            )),
            day_month: compile(&format!(
                r"(?-u:\b)(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{SP}(?:of{SP})?{month}{year_opt}"
            )),
            month_year: compile(&format!(
                r"(?-u:\b)(?P<mod>(?:[Ee]arly|[Ll]ate){SP}|[Mm]id-)?(?P<month>{MONTHS_FULL}|(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.),?{SP}(?:of{SP})?(?P<year>{YEAR})(?-u:\b)"
            )),
            month: compile(&format!(
                r"(?-u:\b)(?P<month>{MONTHS_FULL})(?-u:\b)(?:{SP}of{SP}(?P<rel>last|this|next){SP}year(?-u:\b))?"
            )),
            weekday: compile(&format!(
                r"(?-u:\b)(?P<lead>(?:(?:[Ee]arly|[Ll]ate){SP})?(?:[Oo]n{SP})?)(?:(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Cc]oming){SP})?(?P<wd>{WEEKDAYS})(?-u:\b)(?:['’]s)?(?:{SP}(?P<part>morning|afternoon|evening|night)(?-u:\b))?"
            )),
            day_word: compile(&format!(
                r"(?-u:\b)(?:(?P<dayof>[Tt]he{SP}day{SP}(?:before|after)){SP})?(?P<w>[Tt]oday|[Tt]onight|[Yy]esterday|[Tt]omorrow|(?:[Tt]his|[Ll]ast){SP}(?:morning|afternoon|evening|night))(?-u:\b)(?:['’]s)?(?:{SP}(?P<part>morning|afternoon|evening|night)(?-u:\b))?"
            )),
            period: compile(&format!(
                r"(?-u:\b)(?P<mod>(?:[Ee]arlier|[Ll]ater|[Ee]arly|[Ll]ate){SP}|[Mm]id-|(?:[Tt]he{SP})?(?:end|start|beginning|middle|rest|remainder){SP}of{SP})?(?P<rel>[Tt]his|[Ll]ast|[Nn]ext)(?P<past>{SP}past)?{SP}(?P<unit>week|month|year|weekend)(?-u:\b)"
            )),
            ago: compile(&format!(
                r"(?-u:\b)(?P<n>\d{{1,3}}|[Aa]n?|{TENS_WORDS}(?:[- ](?:{ONES_WORDS}))?|{ONES_WORDS}){SP}(?P<unit>day|week|month|year)s?{SP}ago(?-u:\b)"
            )),
            year: compile(&format!(r"(?-u:\b){YEAR}(?-u:\b)")),
            year_range: compile(&format!(
                r"(?-u:\b)(?:[Ff]rom|[Bb]etween){SP}{YEAR}(?:{SP})?(?:to|and|until|through|-|–)(?:{SP})?(?P<year>{YEAR})(?-u:\b)"
            )),
            year_noun: compile(&format!(
                r"(?-u:\b)(?:[Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Tt]his|[Tt]hat){SP}(?P<year>{YEAR}){SP}(?:presidential|general|midterms?|primary|primaries|elections?|campaign|race|census|budget|Olympics|World|summit|war|agreement|deal|accord|report|survey|poll|vote|referendum|season|convention|debate|attacks?|law|ceasefire|crisis|uprising|revolution|coup|invasion|earthquake|floods?|Games|cycle|contest|nomination|caucus(?:es)?)(?-u:\b)"
            )),
        }
    }
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(Patterns::new);

// ---------------------------------------------------------------- finding

/// One date expression found, in byte offsets.
struct Found {
    start: usize,
    end: usize,
    value: Option<When>,
}

/// Words before a month named alone that place it (`in July`).
const MONTH_LEADS: &[&str] = &[
    "in", "since", "until", "till", "through", "during", "by", "from", "before", "after", "of",
    "to", "between", "and",
];
/// Words before a month that are part of the expression (`last July`).
const MONTH_MODIFIERS: &[&str] = &["early", "late", "last", "next", "this"];
/// Words before a year that make it one (`in 2016`).
const YEAR_LEADS: &[&str] = &[
    "in", "since", "until", "till", "through", "during", "by", "from", "before", "after",
    "between", "spring", "summer", "autumn", "fall", "winter",
];
/// Words before a year that are part of the expression (`early 2016`).
const YEAR_MODIFIERS: &[&str] = &["early", "late"];
/// Words before `of` before a year (`the end of 2015`).
const PART_OF_YEAR: &[&str] = &[
    "end",
    "start",
    "beginning",
    "middle",
    "half",
    "quarter",
    "part",
    "spring",
    "summer",
    "fall",
    "autumn",
    "winter",
];

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

fn find_absolute(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
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

fn find_months(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
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

fn find_weekdays(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
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

fn find_relative(body: &str, anchor: Anchor, p: &Patterns, found: &mut Vec<Found>) {
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

fn find_years(body: &str, p: &Patterns, found: &mut Vec<Found>) {
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

/// Finds the date expressions of `body`, resolved against `anchor`
/// (`YYYY-MM-DD` or `--MM-DD`; see the module's rules), in text order.
pub(crate) fn find(body: &str, index: &CharIndex, anchor: Option<&str>) -> Vec<DateMention> {
    let anchor = Anchor::parse(anchor);
    let p = &*PATTERNS;
    let mut found = Vec::new();
    find_absolute(body, anchor, p, &mut found);
    find_months(body, anchor, p, &mut found);
    find_weekdays(body, anchor, p, &mut found);
    find_relative(body, anchor, p, &mut found);
    find_years(body, p, &mut found);
    // Longest first; an expression inside a longer one is dropped.
    found.sort_by_key(|f| (std::cmp::Reverse(f.end - f.start), f.start));
    let mut kept: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        if kept.iter().all(|k| f.end <= k.start || f.start >= k.end) {
            kept.push(f);
        }
    }
    kept.sort_by_key(|f| f.start);
    kept.into_iter()
        .map(|f| DateMention {
            text: body[f.start..f.end].to_string(),
            value: f.value.map(When::iso),
            start: index.chars(f.start),
            end: index.chars(f.end),
        })
        .collect()
}

/// Finds the date expressions of `body` (see [`find`]'s rules); a
/// convenience for callers without a character index.
pub fn find_in(body: &str, anchor: Option<&str>) -> Vec<DateMention> {
    find(body, &CharIndex::new(body), anchor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, value) pairs found in `body` against `anchor`.
    fn dates(body: &str, anchor: Option<&str>) -> Vec<(String, Option<String>)> {
        find_in(body, anchor)
            .into_iter()
            .map(|d| (d.text, d.value))
            .collect()
    }

    fn one(body: &str, anchor: &str) -> (String, Option<String>) {
        let found = dates(body, Some(anchor));
        assert_eq!(found.len(), 1, "{body}: {found:?}");
        found.into_iter().next().expect("one")
    }

    fn value(body: &str, anchor: &str) -> String {
        one(body, anchor).1.unwrap_or_default()
    }

    #[test]
    fn calendar_round_trips() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(weekday(days_from_civil(2019, 5, 17)), 4); // a Friday
        assert_eq!(iso_week(days_from_civil(2021, 1, 3)), (2020, 53));
        assert_eq!(iso_week(days_from_civil(2019, 12, 30)), (2020, 1));
        assert_eq!(add_months(2019, 1, -1), (2018, 12));
        assert_eq!(add_months(2019, 12, 1), (2020, 1));
    }

    #[test]
    fn anchors() {
        assert_eq!(
            Anchor::parse(Some("2019-05-15")),
            Anchor::Date(days_from_civil(2019, 5, 15))
        );
        assert_eq!(
            Anchor::parse(Some("2019-05-15T10:00:00Z")),
            Anchor::Date(days_from_civil(2019, 5, 15))
        );
        assert_eq!(Anchor::parse(Some("--05-15")), Anchor::MonthDay(5, 15));
        assert_eq!(Anchor::parse(Some("2019-02-29")), Anchor::Unknown);
        assert_eq!(Anchor::parse(Some("yesterday")), Anchor::Unknown);
        assert_eq!(Anchor::parse(None), Anchor::Unknown);
    }

    #[test]
    fn absolute_dates() {
        let a = "2019-06-01";
        assert_eq!(value("They met on May 15, 2019 in Sochi.", a), "2019-05-15");
        assert_eq!(value("They met on 15 May 2019 in Sochi.", a), "2019-05-15");
        assert_eq!(value("Filed 2019-05-15 by the clerk.", a), "2019-05-15");
        assert_eq!(value("They met on May 15 in Sochi.", a), "2019-05-15");
        assert_eq!(value("They met on the 3rd of May.", a), "2019-05-03");
        assert_eq!(
            value("The vote was held on Sept. 3 after a delay.", a),
            "2018-09-03"
        );
        assert_eq!(value("Talks began in May 2019 in Geneva.", a), "2019-05");
        assert_eq!(value("Talks began in March of 2017.", a), "2017-03");
        assert_eq!(value("The war began in 2011.", a), "2011");
        assert_eq!(value("Prices have doubled since 1990, he said.", a), "1990");
        assert_eq!(value("It closes by the end of 2015.", a), "2015");
        assert_eq!(one("In early 2016 it closed.", a).0, "early 2016");
        assert!(dates("A total of 2015 was paid.", Some(a)).is_empty());
        assert_eq!(value("It was a key issue in the 2016 election.", a), "2016");
        assert_eq!(value("Sales rose in mid-2016 and fell.", a), "2016");
        assert_eq!(one("Sales rose in mid-2016 and fell.", a).0, "mid-2016");
        assert_eq!(
            one("On Tuesday, May 14, 2019, the talks opened.", a).0,
            "Tuesday, May 14, 2019"
        );
        // An invalid day is no date.
        assert!(dates("It was February 30 again.", Some(a)).is_empty());
    }

    #[test]
    fn year_ranges() {
        let found = dates("She served from 2011 to 2015 in the Senate.", None);
        let values: Vec<_> = found.iter().filter_map(|d| d.1.clone()).collect();
        assert_eq!(values, vec!["2011", "2015"]);
    }

    #[test]
    fn month_day_year_inference() {
        // Taken in the anchor's year...
        assert_eq!(
            value("The deal was signed on March 3.", "2019-05-15"),
            "2019-03-03"
        );
        // ...unless that is more than 60 days after a past-tense anchor.
        assert_eq!(
            value("The deal was signed on Dec. 28.", "2019-01-05"),
            "2018-12-28"
        );
        // In a future context a date well before the anchor is next year's.
        assert_eq!(
            value("The summit will open on Jan. 10.", "2019-12-20"),
            "2020-01-10"
        );
        // Without an anchor the year stays unknown.
        assert_eq!(
            dates("They met on May 14.", None)[0].1.as_deref(),
            Some("--05-14")
        );
        assert_eq!(value("They met on May 14.", "--05-15"), "--05-14");
    }

    #[test]
    fn months_alone() {
        let a = "2016-09-20";
        assert_eq!(
            value("They teamed up in July to share intelligence.", a),
            "2016-07"
        );
        assert_eq!(
            value("They teamed up in December, officials said.", a),
            "2015-12"
        );
        assert_eq!(value("Elections will be held in March.", a), "2017-03");
        assert_eq!(value("He resigned last March.", a), "2016-03");
        assert_eq!(value("He resigned last September.", a), "2015-09");
        assert_eq!(value("He will resign next January.", a), "2017-01");
        assert_eq!(
            one("Fighting resumed in mid-June.", a),
            ("mid-June".into(), Some("2016-06".into()))
        );
        assert_eq!(one("It rained in early May.", a).0, "early May");
        assert_eq!(
            dates("They teamed up in July.", None),
            vec![("July".into(), None)]
        );
    }

    #[test]
    fn month_false_positives() {
        let a = Some("2019-05-15");
        assert!(
            dates(
                "The talks may resume, but no one may march on the capital.",
                a
            )
            .is_empty()
        );
        assert!(dates("Prime Minister May said the deal was dead.", a).is_empty());
        assert!(dates("A letter from May to the party was leaked.", a).is_empty());
        assert!(dates("Thousands joined the March for Our Lives.", a).is_empty());
        assert!(dates("He cited Resolution 2254 of the council.", a).is_empty());
    }

    #[test]
    fn weekdays() {
        // 2019-05-15 is a Wednesday.
        let a = "2019-05-15";
        assert_eq!(
            one("The talks on Tuesday evening went well.", a),
            ("on Tuesday evening".into(), Some("2019-05-14".into()))
        );
        assert_eq!(
            one("The talks Tuesday evening went well.", a).0,
            "Tuesday evening"
        );
        assert_eq!(
            value("Officials said on Friday that the talks failed.", a),
            "2019-05-10"
        );
        assert_eq!(
            value("The minister will travel to Moscow on Friday.", a),
            "2019-05-17"
        );
        assert_eq!(
            value("Kerry said he would meet Lavrov on Monday.", a),
            "2019-05-20"
        );
        assert_eq!(value("Protesters gathered last Monday.", a), "2019-05-13");
        assert_eq!(value("They meet again next Thursday.", a), "2019-05-16");
        assert_eq!(
            value(
                "The United States and Russia agreed Friday on new steps.",
                a
            ),
            "2019-05-10"
        );
        assert_eq!(value("Friday's vote was close.", a), "2019-05-10");
        assert_eq!(one("Friday's vote was close.", a).0, "Friday");
        // A bare weekday equal to the anchor's is the anchor itself.
        assert_eq!(value("The talks opened on Wednesday.", a), "2019-05-15");
        assert_eq!(value("Talks will resume on Wednesday.", a), "2019-05-15");
        assert_eq!(value("He resigned last Wednesday.", a), "2019-05-08");
        assert_eq!(value("He leaves next Wednesday.", a), "2019-05-22");
        // Year boundary.
        assert_eq!(value("Shops opened on Sunday.", "2020-01-01"), "2019-12-29");
        // No full anchor: nothing to resolve against.
        assert_eq!(
            dates("The talks on Tuesday evening.", Some("--05-15"))[0].1,
            None
        );
        assert_eq!(dates("The talks on Tuesday evening.", None)[0].1, None);
    }

    #[test]
    fn weekday_false_positives() {
        let a = Some("2019-05-15");
        assert!(dates("He told the Sunday Times that he would resign.", a).is_empty());
        assert!(dates("Shoppers crowded stores on Black Friday.", a).is_empty());
        assert!(dates("Results of Super Tuesday came in.", a).is_empty());
        assert!(dates("The market is open every Monday.", a).is_empty());
        assert!(dates("The market is open on Mondays.", a).is_empty());
        assert!(dates("A writer for Sunday Express said so.", a).is_empty());
    }

    #[test]
    fn day_words() {
        let a = "2019-05-15";
        assert_eq!(value("The talks resume today.", a), "2019-05-15");
        assert_eq!(value("Today the talks resume.", a), "2019-05-15");
        assert_eq!(value("He spoke tonight.", a), "2019-05-15");
        assert_eq!(value("He spoke yesterday.", a), "2019-05-14");
        assert_eq!(one("He spoke yesterday morning.", a).0, "yesterday morning");
        assert_eq!(value("He speaks tomorrow.", a), "2019-05-16");
        assert_eq!(value("Rockets fell last night.", a), "2019-05-14");
        assert_eq!(value("He arrived this morning.", a), "2019-05-15");
        assert_eq!(value("He left the day before yesterday.", a), "2019-05-13");
        assert_eq!(value("He spoke yesterday.", "--03-01"), "--02-28");
        assert_eq!(value("He spoke yesterday.", "2020-03-01"), "2020-02-29");
        assert_eq!(value("He spoke yesterday.", "2019-01-01"), "2018-12-31");
        assert_eq!(dates("He spoke yesterday.", None)[0].1, None);
        assert!(dates("He told USA Today the plan was dead.", Some(a)).is_empty());
        assert!(dates("She appeared on the Today show.", Some(a)).is_empty());
    }

    #[test]
    fn periods() {
        let a = "2019-05-15";
        assert_eq!(value("Sales rose this week.", a), "2019-W20");
        assert_eq!(value("Sales rose last week.", a), "2019-W19");
        assert_eq!(value("Sales rise next week.", a), "2019-W21");
        assert_eq!(value("Sales rose this month.", a), "2019-05");
        assert_eq!(value("Sales rose last month.", a), "2019-04");
        assert_eq!(value("Sales rise next month.", a), "2019-06");
        assert_eq!(value("Sales rose this year.", a), "2019");
        assert_eq!(value("Sales rose last year.", a), "2018");
        assert_eq!(value("Sales rise next year.", a), "2020");
        assert_eq!(
            one("Sales rose earlier this month.", a),
            ("earlier this month".into(), Some("2019-05".into()))
        );
        assert_eq!(one("Sales fell late last month.", a).0, "late last month");
        assert_eq!(
            one("Sales fell at the end of last year.", a).0,
            "the end of last year"
        );
        assert_eq!(value("It rained last weekend.", a), "2019-W19");
        // Year boundaries.
        assert_eq!(value("Sales rose last month.", "2019-01-10"), "2018-12");
        assert_eq!(value("Sales rise next month.", "2019-12-10"), "2020-01");
        assert_eq!(value("Sales rose last week.", "2019-01-02"), "2018-W52");
        // Durations are not dates.
        assert!(dates("Prices doubled over the last year.", Some(a)).is_empty());
        assert!(dates("Talks continue through the next week.", Some(a)).is_empty());
        assert_eq!(dates("Sales rose last month.", Some("--05-15"))[0].1, None);
    }

    #[test]
    fn ago() {
        let a = "2019-05-15";
        assert_eq!(value("He left three days ago.", a), "2019-05-12");
        assert_eq!(value("He left 10 days ago.", a), "2019-05-05");
        assert_eq!(value("He left two weeks ago.", a), "2019-W18");
        assert_eq!(value("He left a month ago.", a), "2019-04");
        assert_eq!(value("He left five years ago.", a), "2014");
        assert!(dates("He left a few days ago.", Some(a)).is_empty());
        assert_eq!(
            one("Seventy-four years ago, a battle raged.", a)
                .1
                .as_deref(),
            Some("1945")
        );
        assert_eq!(value("Twenty-two years ago, he left.", a), "1997");
    }

    #[test]
    fn of_last_year() {
        let a = "2016-10-02";
        assert_eq!(
            one("We started on June 16th of last year.", a),
            ("June 16th of last year".into(), Some("2015-06-16".into()))
        );
        assert_eq!(
            one("A plan is due by March of next year.", a),
            ("March of next year".into(), Some("2017-03".into()))
        );
        assert!(dates("Still hoping for a brighter tomorrow.", Some(a)).is_empty());
    }

    #[test]
    fn numbers_that_are_not_years() {
        let a = Some("2019-05-15");
        assert!(dates("More than 2,000 people marched.", a).is_empty());
        assert!(dates("He won by 2000 votes.", a).is_empty());
        assert!(dates("There were 1990 cases in total.", a).is_empty());
        assert!(dates("Flight 2015 landed safely.", a).is_empty());
    }

    #[test]
    fn offsets_are_code_points() {
        let body = "“Yes,” he said on Friday.";
        let found = find_in(body, Some("2019-05-15"));
        assert_eq!(found.len(), 1);
        let chars: Vec<char> = body.chars().collect();
        let text: String = chars[found[0].start..found[0].end].iter().collect();
        assert_eq!(text, "on Friday");
        assert_eq!(found[0].text, "on Friday");
    }
}
