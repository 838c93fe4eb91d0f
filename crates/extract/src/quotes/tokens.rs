//! Words and punctuation of a stretch of body text.

use super::lexicon::{ABBREVIATIONS, is_cue};

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok<'a> {
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) word: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits `body[from..to]` into words (letters and digits, with inner `'`,
/// `’` and `-`) and single punctuation characters; spaces are dropped.
pub(super) fn tokens(body: &str, from: usize, to: usize) -> Vec<Tok<'_>> {
    let text = &body[from..to];
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if is_word_char(c) {
            let mut end = at + c.len_utf8();
            while let Some(&(next_at, next)) = chars.peek() {
                if is_word_char(next) {
                    end = next_at + next.len_utf8();
                    chars.next();
                } else if matches!(next, '\'' | '’' | '-') {
                    let rest = &text[next_at + next.len_utf8()..];
                    if rest.chars().next().is_some_and(is_word_char) {
                        end = next_at + next.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            out.push(Tok {
                text: &text[at..end],
                start: from + at,
                end: from + end,
                word: true,
            });
        } else {
            out.push(Tok {
                text: &text[at..at + c.len_utf8()],
                start: from + at,
                end: from + at + c.len_utf8(),
                word: false,
            });
        }
    }
    out
}

pub(super) fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether token `i` (a `.`, `!` or `?`) ends a sentence.
pub(super) fn ends_sentence(toks: &[Tok], i: usize) -> bool {
    match toks[i].text {
        "!" | "?" => true,
        "." => {
            if i == 0 {
                return true;
            }
            let prev = toks[i - 1];
            if !prev.word || prev.end != toks[i].start {
                return true;
            }
            let single_capital = prev.text.chars().count() == 1 && is_capitalised(prev.text);
            !(single_capital || ABBREVIATIONS.contains(&prev.text))
        }
        _ => false,
    }
}

/// The cue phrase starting at token `k`: its text and the token after it.
pub(super) fn cue_phrase(toks: &[Tok], k: usize) -> Option<(String, usize)> {
    let t = toks[k];
    if !t.word {
        return None;
    }
    let next = toks.get(k + 1).filter(|n| n.word).map(|n| n.text);
    for (first, second) in [
        ("according", "to"),
        ("pointed", "out"),
        ("shot", "back"),
        ("went", "on"),
    ] {
        if next == Some(second) && t.text.eq_ignore_ascii_case(first) {
            return Some((format!("{first} {second}"), k + 2));
        }
    }
    is_cue(t.text).then(|| (t.text.to_lowercase(), k + 1))
}
