//! Whether an expression speaks of the past or the future.

use super::lexicon::{BE_WORDS, FUTURE_WORDS, PAST_FORMS, PAST_WORDS};

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

pub(super) fn is_word_char(c: char) -> bool {
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

pub(super) fn tense(body: &str, start: usize, end: usize) -> Tense {
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
