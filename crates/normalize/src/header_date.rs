//! Date lines in an article's header block, in the formats feeds and
//! scrapers write: `Date: 26-FEB-1987 15:01:01.79`, `Published: February 26,
//! 1987`, `Thu, 26 Feb 1987 15:17:11 GMT` (RFC 2822), `1987-02-26T15:10:44Z`
//! (ISO 8601), `26.2.1987`, `2 March 2026`, optionally after a label
//! (`Date:`, `Published:`, `Posted:`, `Updated:`, `Stand:`, `Datum:`, …).
//!
//! A line is a date line only when all of it is one: a label, a date, and
//! optionally a time and a zone. The day gives `published`; with a time,
//! `published_at` is the RFC 3339 timestamp (UTC when the line gives a zone,
//! else the local time as written, without an offset).

/// Labels a date line may start with, compared ignoring case.
const LABELS: &[&str] = &[
    "date",
    "dated",
    "published",
    "publication date",
    "posted",
    "updated",
    "last updated",
    "first published",
    "datum",
    "stand",
    "veröffentlicht",
    "veröffentlicht am",
    "am",
    "publié le",
    "fecha",
    "published on",
    "posted on",
    "updated on",
    "last updated on",
    "first published on",
    "originally published",
    "originally published on",
    "submitted",
    "submitted on",
    "modified",
    "last modified",
    "last modified on",
    "last reviewed",
    "reviewed",
    "released",
    "release date",
    "on",
];

/// Labels that say the date is a revision's, not the first publication's.
const UPDATE_LABELS: &[&str] = &[
    "updated",
    "last updated",
    "updated on",
    "last updated on",
    "modified",
    "last modified",
    "last modified on",
    "last reviewed",
    "reviewed",
];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// What a date line says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Published {
    /// `YYYY-MM-DD`.
    pub(crate) date: String,
    /// `YYYY-MM-DDTHH:MM:SS[Z|±HH:MM]` when the line gives a time.
    pub(crate) at: Option<String>,
    /// The line's label says it is a revision's date (`Updated:`).
    pub(crate) updated: bool,
}

fn month_of(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let index = MONTHS.iter().position(|m| word.starts_with(m))?;
    (full[index].starts_with(&word) || word == "sept").then_some(index as u32 + 1)
}

fn number(word: &str, digits: std::ops::RangeInclusive<usize>) -> Option<u32> {
    (digits.contains(&word.len()) && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// A day of the month as written after or before a month name: `26`,
/// `2.`, `1st`, `22nd`, `15th`.
fn day_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    let bare = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .unwrap_or(word);
    number(bare, 1..=2)
}

fn valid(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    (1800..=2200).contains(&year) && (1..=12).contains(&month) && (1..=days).contains(&day)
}

/// US and European zone abbreviations pages write after a time, with
/// their offsets.
const ZONES: &[(&str, &str)] = &[
    ("EST", "-05:00"),
    ("EDT", "-04:00"),
    ("CST", "-06:00"),
    ("CDT", "-05:00"),
    ("MST", "-07:00"),
    ("MDT", "-06:00"),
    ("PST", "-08:00"),
    ("PDT", "-07:00"),
    ("BST", "+01:00"),
    ("CET", "+01:00"),
    ("CEST", "+02:00"),
    ("IST", "+05:30"),
    ("JST", "+09:00"),
];

/// A time with an optional zone: `15:01:01.79`, `15:02`, `15:17:11 GMT`,
/// `15:10:44Z`, `10:00 +0200`, `9:00 am PDT`, `4:12pm`. Returns `HH:MM:SS`
/// and the zone as `Z`, `±HH:MM` or nothing.
fn time_and_zone(words: &[&str]) -> Option<(String, String)> {
    let (clock, mut rest) = words.split_first()?;
    let lower = clock.to_ascii_lowercase();
    // `4:12pm`: the half of the day glued to the clock.
    let (clock, mut half) = match lower
        .strip_suffix("am")
        .or_else(|| lower.strip_suffix("pm"))
    {
        Some(bare) => (&clock[..bare.len()], Some(lower.ends_with("pm"))),
        None => (*clock, None),
    };
    if half.is_none()
        && let Some((word, after)) = rest.split_first()
        && matches!(
            word.to_ascii_lowercase().as_str(),
            "am" | "pm" | "a.m." | "p.m."
        )
    {
        half = Some(word.to_ascii_lowercase().starts_with('p'));
        rest = after;
    }
    let (clock, glued_zone) = match clock.find(['Z', 'z', '+']) {
        Some(at) => (&clock[..at], Some(&clock[at..])),
        None => (clock, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let mut hour = number(parts.first()?, 1..=2)?;
    let minute = number(parts.get(1)?, 2..=2)?;
    let second = match parts.get(2) {
        Some(s) => number(s.split('.').next()?, 2..=2)?,
        None => 0,
    };
    if let Some(pm) = half {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (pm, hour) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    if parts.len() > 3 || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let zone_text = glued_zone.or(rest.first().copied()).unwrap_or("");
    if rest.len() > 1 || (glued_zone.is_some() && !rest.is_empty()) {
        return None;
    }
    let zone = match zone_text {
        "" => String::new(),
        "Z" | "z" | "GMT" | "UTC" | "UT" => "Z".to_string(),
        z if (z.starts_with('+') || z.starts_with('-')) => {
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            let h = number(digits.get(..2)?, 2..=2)?;
            let m = number(digits.get(2..)?, 2..=2)?;
            if h == 0 && m == 0 {
                "Z".to_string()
            } else {
                format!("{}{h:02}:{m:02}", &z[..1])
            }
        }
        z => ZONES
            .iter()
            .find(|(name, _)| *name == z)
            .map(|(_, offset)| offset.to_string())?,
    };
    Some((format!("{hour:02}:{minute:02}:{second:02}"), zone))
}

/// Strips a label (`Published:`) off the front of a line; also says
/// whether it was one of [`UPDATE_LABELS`].
fn unlabelled(line: &str) -> (&str, bool) {
    let lower = line.to_lowercase();
    let mut labels: Vec<&str> = LABELS.to_vec();
    // The longest label first: `published on` before `published`.
    labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    for label in labels {
        if let Some(rest) = lower.strip_prefix(label)
            && (rest.starts_with(':') || rest.starts_with(' '))
        {
            // Labels are ASCII or the same length lower-cased.
            let cut = line.len() - rest.len();
            let updated = UPDATE_LABELS.contains(&label);
            return (line[cut..].trim_start_matches(':').trim_start(), updated);
        }
    }
    (line, false)
}

/// Reads a line that is a date and nothing else.
pub(crate) fn parse(line: &str) -> Option<Published> {
    // Brackets and dashes around a date line: `[Submitted on 18 Dec 2025]`,
    // `- 3 October 2023`.
    let line = line.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '[' | ']' | '(' | ')' | '-' | '\u{2013}' | '\u{2014}' | '|'
            )
    });
    if line.is_empty() || line.len() > 60 {
        return None;
    }
    let (text, updated) = unlabelled(line);
    // ISO 8601: `1987-02-26`, `1987-02-26T15:10:44Z`, `1987-02-26 15:10`.
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let (first, rest) = words.split_first()?;
    let (date, time_words): ((u32, u32, u32), Vec<&str>) =
        if let Some((day, time)) = first.split_once(['T', 't']).filter(|(d, _)| d.len() == 10) {
            (
                iso_day(day)?,
                std::iter::once(time).chain(rest.iter().copied()).collect(),
            )
        } else if let Some(day) = iso_day(first) {
            (day, rest.to_vec())
        } else {
            other_day(&words)?
        };
    let (year, month, day) = date;
    if !valid(year, month, day) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    let at = if time_words.is_empty() {
        None
    } else {
        // `Dec 16, 2025 at 11:00 AM`
        let time_words = match time_words.split_first() {
            Some((at, rest)) if at.eq_ignore_ascii_case("at") || *at == "-" || *at == "|" => rest,
            _ => &time_words[..],
        };
        let (clock, zone) = time_and_zone(time_words)?;
        Some(format!("{date}T{clock}{zone}"))
    };
    Some(Published { date, at, updated })
}

fn iso_day(word: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = word.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => Some((number(y, 4..=4)?, number(m, 2..=2)?, number(d, 2..=2)?)),
        _ => None,
    }
}

/// The non-ISO shapes; returns the date and the words after it.
/// A date as (year, month, day) and the words after it.
type DayAndRest<'a> = ((u32, u32, u32), Vec<&'a str>);

fn other_day<'a>(words: &[&'a str]) -> Option<DayAndRest<'a>> {
    let mut words = words;
    // `Thu, 26 Feb 1987 …`: a weekday first.
    if let Some(first) = words.first()
        && WEEKDAYS
            .iter()
            .any(|d| first.to_ascii_lowercase().starts_with(d))
        && month_of(first).is_none()
    {
        words = &words[1..];
    }
    let first = *words.first()?;
    // `26-FEB-1987`
    let dashed: Vec<&str> = first.split('-').collect();
    if let [d, m, y] = dashed.as_slice()
        && let (Some(d), Some(m), Some(y)) = (number(d, 1..=2), month_of(m), number(y, 4..=4))
    {
        return Some(((y, m, d), words[1..].to_vec()));
    }
    // `10/31/2024`, `15/12/2025`, `2024/10/31`: day and month in either
    // order only when the numbers tell them apart.
    let slashed: Vec<&str> = first.split('/').collect();
    if let [a, b, c] = slashed.as_slice() {
        if let (Some(y), Some(m), Some(d)) = (number(a, 4..=4), number(b, 1..=2), number(c, 1..=2))
        {
            return Some(((y, m, d), words[1..].to_vec()));
        }
        let (a, b, y) = (number(a, 1..=2)?, number(b, 1..=2)?, number(c, 4..=4)?);
        return match (a > 12, b > 12) {
            (true, false) => Some(((y, b, a), words[1..].to_vec())),
            (false, true) => Some(((y, a, b), words[1..].to_vec())),
            _ => None,
        };
    }
    // `26.2.1987`
    let dotted: Vec<&str> = first.split('.').collect();
    if let [d, m, y] = dotted.as_slice()
        && let (Some(d), Some(m), Some(y)) = (number(d, 1..=2), number(m, 1..=2), number(y, 4..=4))
    {
        return Some(((y, m, d), words[1..].to_vec()));
    }
    let second = *words.get(1)?;
    let third = *words.get(2)?;
    // `February 26, 1987`
    if let (Some(m), Some(d), Some(y)) = (month_of(first), day_number(second), number(third, 4..=4))
    {
        return Some(((y, m, d), words[3..].to_vec()));
    }
    // `26 February 1987`, `2. März 2026`
    if let (Some(d), Some(m), Some(y)) = (day_number(first), month_of(second), number(third, 4..=4))
    {
        return Some(((y, m, d), words[3..].to_vec()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &str) -> (String, Option<String>) {
        let found = parse(line).unwrap_or_else(|| panic!("{line}"));
        (found.date, found.at)
    }

    #[test]
    fn feed_formats() {
        let day = |d: &str| (d.to_string(), None);
        let time = |d: &str, t: &str| (d.to_string(), Some(t.to_string()));
        assert_eq!(
            at("Date: 26-FEB-1987 15:01:01.79"),
            time("1987-02-26", "1987-02-26T15:01:01")
        );
        assert_eq!(at("Published: February 26, 1987"), day("1987-02-26"));
        assert_eq!(
            at("February 26, 1987 15:02"),
            time("1987-02-26", "1987-02-26T15:02:00")
        );
        assert_eq!(
            at("Thu, 26 Feb 1987 15:17:11 GMT"),
            time("1987-02-26", "1987-02-26T15:17:11Z")
        );
        assert_eq!(
            at("1987-02-26T15:10:44Z"),
            time("1987-02-26", "1987-02-26T15:10:44Z")
        );
        assert_eq!(
            at("2026-03-02T10:00:00+01:00"),
            time("2026-03-02", "2026-03-02T10:00:00+01:00")
        );
        assert_eq!(at("date 1987-02-26"), day("1987-02-26"));
        assert_eq!(at("Stand: 26.2.1987"), day("1987-02-26"));
        assert_eq!(at("2 March 2026"), day("2026-03-02"));
        assert_eq!(at("Feb. 26, 1987"), day("1987-02-26"));
        assert_eq!(at("Published on 3.3.1987"), day("1987-03-03"));
        assert_eq!(at("December 15th 2025"), day("2025-12-15"));
        assert_eq!(at("September 1st, 2023"), day("2023-09-01"));
        assert_eq!(at("Updated: 10/31/2024"), day("2024-10-31"));
        assert_eq!(at("15/12/2025"), day("2025-12-15"));
        assert_eq!(at("2024/10/31"), day("2024-10-31"));
        assert_eq!(at("[Submitted on 18 Dec 2025]"), day("2025-12-18"));
        assert_eq!(at("- 3 October 2023"), day("2023-10-03"));
        assert_eq!(
            at("on Dec 16, 2025 at 11:00 AM"),
            time("2025-12-16", "2025-12-16T11:00:00")
        );
        assert_eq!(
            at("Jul 24, 2025 9:00 pm PDT"),
            time("2025-07-24", "2025-07-24T21:00:00-07:00")
        );
        assert_eq!(
            at("26 Sep 2019 at 12:12am"),
            time("2019-09-26", "2019-09-26T00:12:00")
        );
        assert!(parse("Updated August 14, 2025").unwrap().updated);
        assert!(!parse("Published August 14, 2025").unwrap().updated);
    }

    #[test]
    fn not_date_lines() {
        for line in [
            "BAHIA COCOA REVIEW",
            "February 26, 1987 was a quiet day",
            "Sales rose 26.2 pct in 1987",
            "May 2026 be better",
            "Date: soon",
            "26-FEB-1987 and later",
            "1987-02-30",
            "03/04/2025",
            "13/13/2025",
            "Dec 16, 2025 at noon",
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }
}
