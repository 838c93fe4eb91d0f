//! Month and weekday names and proleptic Gregorian calendar arithmetic, on
//! day numbers (days since 1970-01-01, Howard Hinnant's algorithms).
//!
//! ```
//! use wirehose_text::calendar::{civil_from_days, days_from_civil, month_number, weekday};
//! let day = days_from_civil(2019, 5, 14);
//! assert_eq!(civil_from_days(day), (2019, 5, 14));
//! assert_eq!(weekday(day), 1); // a Tuesday
//! assert_eq!(month_number("Sept."), Some(9));
//! ```

/// Three-letter lower-case prefixes of the English month names, January first.
pub const MONTH_PREFIXES: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Three-letter lower-case prefixes of the English weekday names, Monday first.
pub const WEEKDAY_PREFIXES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The month (1–12) of an English month name or abbreviation, read from its
/// first three letters, any case (`Feb`, `FEBRUARY`, `Sept.`); `None` for
/// anything shorter or unknown.
pub fn month_number(name: &str) -> Option<u32> {
    prefix_position(name, &MONTH_PREFIXES).map(|i| i as u32 + 1)
}

/// English month names, January first.
pub const MONTH_NAMES: [&str; 12] = [
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

/// The month (1–12) of a word that is a month name or a start of one at
/// least three letters long, with an optional full stop, any case (`Feb`,
/// `Feb.`, `SEPT`, `February`); unlike [`month_number`], `Mayor` or
/// `Marchers` are no months.
pub fn month_of_word(word: &str) -> Option<u32> {
    let bare = word.strip_suffix('.').unwrap_or(word);
    if bare.len() < 3 {
        return None;
    }
    MONTH_NAMES
        .iter()
        .position(|name| name.len() >= bare.len() && name[..bare.len()].eq_ignore_ascii_case(bare))
        .map(|i| i as u32 + 1)
}

/// The weekday (0 = Monday … 6 = Sunday) of an English weekday name or
/// abbreviation, read from its first three letters, any case.
pub fn weekday_number(name: &str) -> Option<i64> {
    prefix_position(name, &WEEKDAY_PREFIXES).map(|i| i as i64)
}

fn prefix_position(name: &str, prefixes: &[&str]) -> Option<usize> {
    let head = name.get(..3)?;
    prefixes.iter().position(|p| p.eq_ignore_ascii_case(head))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day number.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Day of the week of a day number, 0 = Monday.
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` of `year`; February has 29 when the year is unknown.
pub fn days_in_month(year: Option<i64>, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => match year {
            Some(y) if !is_leap(y) => 28,
            _ => 29,
        },
    }
}

/// ISO 8601 week-numbering year and week of a day number.
pub fn iso_week(days: i64) -> (i64, u32) {
    let thursday = days - weekday(days) + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week as u32)
}

/// Adds `delta` months to a year and month.
pub fn add_months(year: i64, month: u32, delta: i64) -> (i64, u32) {
    let index = year * 12 + i64::from(month) - 1 + delta;
    (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_weekdays() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(weekday(0), 3); // a Thursday
        assert_eq!(iso_week(days_from_civil(2021, 1, 3)), (2020, 53));
        assert_eq!(add_months(2020, 11, 3), (2021, 2));
        assert_eq!(days_in_month(Some(1900), 2), 28);
        assert_eq!(days_in_month(Some(2000), 2), 29);
    }

    #[test]
    fn names() {
        assert_eq!(month_number("december"), Some(12));
        assert_eq!(month_number("Ma"), None);
        assert_eq!(month_number("Mär"), None);
        assert_eq!(weekday_number("SUNDAY"), Some(6));
        assert_eq!(weekday_number("Tues"), Some(1));
        assert_eq!(month_of_word("Sept."), Some(9));
        assert_eq!(month_of_word("FEBRUARY"), Some(2));
        assert_eq!(month_of_word("Mayor"), None);
        assert_eq!(month_of_word("Ma"), None);
    }
}
