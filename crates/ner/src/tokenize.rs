//! Splits body text into sentences of tokens the way CoNLL-2003 (Reuters)
//! tokenised its text, so the tagger sees what it was trained on: punctuation
//! apart, `'s` apart, abbreviations (`U.S.`, `Mr.`, `Jan.`) and hyphenated
//! words whole.

use std::sync::LazyLock;

use wirehose_text::lists::words;

/// A token: byte offsets into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// Abbreviations that keep their period (`data/abbreviations.txt`).
static ABBREVIATIONS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/abbreviations.txt")));

fn is_open_punct(c: char) -> bool {
    matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[' | '{' | '«')
}

fn is_close_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '”' | '’' | '\'' | ')' | ']' | '}' | '»' | ',' | ';' | ':' | '!' | '?' | '.' | '…'
    )
}

/// Whether a word ending in `.` keeps its period: initials and dotted
/// acronyms (`J.`, `U.S.`) and known abbreviations (`Mr.`).
fn keeps_period(word: &str) -> bool {
    let stem = &word[..word.len() - 1];
    if stem.is_empty() {
        return false;
    }
    let dotted = stem
        .split('.')
        .all(|part| part.chars().count() == 1 && part.chars().all(char::is_alphabetic));
    dotted || ABBREVIATIONS.contains(&stem)
}

/// Tokenises one paragraph (byte offsets relative to `text`, shifted by
/// `base`) and appends the sentences to `out`.
fn paragraph(text: &str, base: usize, out: &mut Vec<Vec<Token>>) {
    let mut sentence: Vec<Token> = Vec::new();
    let mut pieces: Vec<Token> = Vec::new();
    let mut previous_chunk = "";
    let mut at = 0;
    while at < text.len() {
        // Next whitespace-separated chunk.
        let rest = &text[at..];
        let skip = rest.len() - rest.trim_start().len();
        at += skip;
        if at >= text.len() {
            break;
        }
        let chunk_len = text[at..]
            .find(char::is_whitespace)
            .unwrap_or(text.len() - at);
        let (mut start, mut end) = (at, at + chunk_len);
        at = end;
        pieces.clear();
        // Leading punctuation.
        while let Some(c) = text[start..end].chars().next() {
            if is_open_punct(c) && end - start > c.len_utf8() {
                pieces.push(Token {
                    start,
                    end: start + c.len_utf8(),
                });
                start += c.len_utf8();
            } else {
                break;
            }
        }
        // Trailing punctuation, innermost last.
        let mut trailing: Vec<Token> = Vec::new();
        while let Some(c) = text[start..end].chars().next_back() {
            if end - start <= c.len_utf8() {
                break;
            }
            if c == '.' && keeps_period(&text[start..end]) {
                break;
            }
            if is_close_punct(c) {
                trailing.push(Token {
                    start: end - c.len_utf8(),
                    end,
                });
                end -= c.len_utf8();
            } else {
                break;
            }
        }
        // Possessive 's.
        let word = &text[start..end];
        for suffix in ["'s", "’s"] {
            if word.len() > suffix.len() + 1 && word.ends_with(suffix) {
                let cut = end - suffix.len();
                pieces.push(Token { start, end: cut });
                start = cut;
                break;
            }
        }
        pieces.push(Token { start, end });
        pieces.extend(trailing.into_iter().rev());
        for piece in &pieces {
            sentence.push(Token {
                start: base + piece.start,
                end: base + piece.end,
            });
        }
        // A dateline ends where the story starts: after `(AFP)` or a dash
        // that follows a closing parenthesis, before a capital.
        let chunk = &text[at - chunk_len..at];
        let agency = chunk.len() > 2
            && chunk.starts_with('(')
            && chunk.ends_with(')')
            && chunk[1..chunk.len() - 1]
                .chars()
                .all(|c| c.is_uppercase() || c == '-');
        let dash = matches!(chunk, "-" | "--" | "—" | "–") && previous_chunk.ends_with(')');
        previous_chunk = chunk;
        if (agency || dash)
            && text[at..]
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        {
            out.push(std::mem::take(&mut sentence));
            continue;
        }
        // Sentence end: a final . ! ? (possibly inside closing quotes) and
        // the next chunk opens with a capital, a digit or a quote.
        let last_real = pieces
            .iter()
            .rev()
            .map(|p| &text[p.start..p.end])
            .find(|t| !matches!(*t, "\"" | "”" | "’" | "'" | ")"));
        if matches!(last_real, Some("." | "!" | "?" | "…")) {
            let next = text[at..].trim_start().chars().next();
            if next.is_none_or(|c| c.is_uppercase() || c.is_ascii_digit() || is_open_punct(c)) {
                out.push(std::mem::take(&mut sentence));
            }
        }
    }
    if !sentence.is_empty() {
        out.push(sentence);
    }
}

/// Splits `text` into sentences of tokens; a line break always ends a
/// sentence.
pub fn sentences(text: &str) -> Vec<Vec<Token>> {
    let mut out = Vec::new();
    let mut base = 0;
    for line in text.split('\n') {
        paragraph(line, base, &mut out);
        base += line.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<&str>> {
        sentences(text)
            .into_iter()
            .map(|s| s.into_iter().map(|t| &text[t.start..t.end]).collect())
            .collect()
    }

    #[test]
    fn punctuation_possessives_and_abbreviations() {
        assert_eq!(
            words("Mr. Putin's aide met U.S. officials (in Sochi), “briefly.” Then he left."),
            vec![
                vec![
                    "Mr.",
                    "Putin",
                    "'s",
                    "aide",
                    "met",
                    "U.S.",
                    "officials",
                    "(",
                    "in",
                    "Sochi",
                    ")",
                    ",",
                    "“",
                    "briefly",
                    ".",
                    "”"
                ],
                vec!["Then", "he", "left", "."]
            ]
        );
    }

    #[test]
    fn datelines_end_before_the_story() {
        assert_eq!(
            words("Sochi (Russia), May 15 (AFP) The talks"),
            vec![
                vec![
                    "Sochi", "(", "Russia", ")", ",", "May", "15", "(", "AFP", ")"
                ],
                vec!["The", "talks"]
            ]
        );
        assert_eq!(
            words("GENEVA (Reuters) - The talks"),
            vec![
                vec!["GENEVA", "(", "Reuters", ")", "-"],
                vec!["The", "talks"]
            ]
        );
    }

    #[test]
    fn lines_end_sentences_and_hyphens_stay() {
        assert_eq!(
            words("pro-Western talks\n\nAl-Assad said"),
            vec![vec!["pro-Western", "talks"], vec!["Al-Assad", "said"]]
        );
        assert_eq!(words("Pompeo’s trip"), vec![vec!["Pompeo", "’s", "trip"]]);
    }
}
