//! Values of date expressions and their resolution against the anchor.

use wirehose_text::calendar::{civil_from_days, days_from_civil, days_in_month, iso_week, weekday};

use super::tense::Tense;

/// A resolved date at the precision of its expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum When {
    Day(i64),
    MonthDay(u32, u32),
    Week(i64),
    Month(i64, u32),
    Year(i64),
}

impl When {
    pub(super) fn iso(self) -> String {
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
pub(super) enum Anchor {
    /// A full date, as days since 1970-01-01.
    Date(i64),
    /// Month and day, year unknown.
    MonthDay(u32, u32),
    /// Nothing to resolve against.
    Unknown,
}

pub(super) fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl Anchor {
    /// Parses `YYYY-MM-DD` (anything after the tenth character, such as an
    /// RFC 3339 time, is ignored) or `--MM-DD`.
    pub(super) fn parse(anchor: Option<&str>) -> Anchor {
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
    pub(super) fn shift_days(self, delta: i64) -> Option<When> {
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

    pub(super) fn date(self) -> Option<(i64, i64, u32, u32)> {
        match self {
            Anchor::Date(days) => {
                let (y, m, d) = civil_from_days(days);
                Some((days, y, m, d))
            }
            _ => None,
        }
    }
}

/// The value of `3`, `a`, `three`, `twenty-two`.
pub(super) fn count(text: &str) -> Option<i64> {
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
pub(super) fn month_day(month: u32, day: u32, anchor: Anchor, tense: Tense) -> When {
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
pub(super) enum Which {
    Last,
    Next,
    This,
    Plain(Tense),
}

pub(super) fn month_alone(month: u32, anchor: Anchor, which: Which) -> Option<When> {
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
pub(super) enum Step {
    OnOrBefore,
    OnOrAfter,
    Before,
    After,
    SameWeek,
}

pub(super) fn resolve_weekday(anchor: Anchor, target: i64, step: Step) -> Option<When> {
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
