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

use wirehose_core::DateMention;
use wirehose_text::CharIndex;

mod expressions;
mod lexicon;
mod patterns;
mod resolve;
mod tense;
#[cfg(test)]
mod tests;

use expressions::{find_absolute, find_months, find_relative, find_weekdays, find_years};
use patterns::PATTERNS;
use resolve::{Anchor, When};
pub use tense::Tense;

/// One date expression found, in byte offsets.
struct Found {
    start: usize,
    end: usize,
    value: Option<When>,
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
