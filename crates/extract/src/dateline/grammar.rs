//! The dateline grammar of wire and newspaper copy, read by hand rather than
//! by one regular expression, so each part can be checked on its own:
//!
//! ```text
//! DATELINE := PLACE [ "(" COUNTRY | AGENCY ")" ] { "," REGION } [ "," DATE ]
//!             [ "," AGENCY ] [ "(" AGENCY ")" ] SEPARATOR
//! PLACE    := 1–5 capitalised words (`SANTA CRUZ`, `Rio de Janeiro`, `ST. LOUIS`)
//! REGION   := 1–4 capitalised words or an abbreviation (`Calif.`, `N.J.`,
//!             `Prince Edward Island`)
//! DATE     := MONTH[.] DAY [[,] YEAR] | DAY[.] MONTH [YEAR]
//! SEPARATOR:= `-`, `--`, `–`, `—` or `:` before the story
//! ```
//!
//! A head with neither a date nor an agency is a dateline only when its place
//! is a known place (`LONDON - …`, `Wien – …`), so a headline-like opening
//! (`BREAKING - …`, `How – …`) is not one.

use wirehose_text::calendar::month_of_word;

/// The parts of a dateline as written.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Parts<'a> {
    pub(super) place: &'a str,
    /// `(Russia)` after the place.
    pub(super) bracket: Option<&'a str>,
    pub(super) regions: Vec<&'a str>,
    pub(super) month: Option<u32>,
    pub(super) day: Option<u32>,
    pub(super) year: Option<&'a str>,
    pub(super) agency: Option<&'a str>,
    /// Whether a separator closed the dateline (else it ran into the story).
    pub(super) separated: bool,
}

/// Longest dateline head read, in bytes.
const MAX_HEAD: usize = 120;

/// Lower-case words allowed inside a place name.
const PLACE_CONNECTORS: &[&str] = &[
    "de", "da", "do", "del", "della", "di", "dos", "das", "la", "le", "les", "el", "of", "on",
    "upon", "am", "an", "im", "sur", "en", "y", "al",
];

/// Where the head ends: the byte offset of the separator and the offset of
/// the story after it.
fn separator(text: &str) -> Option<(usize, usize)> {
    let mut cut = text.len().min(MAX_HEAD);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let window = &text[..cut];
    let mut best: Option<(usize, usize)> = None;
    for sep in [" -- ", " - ", " – ", " — ", " –", " —", "—", "–", " -"] {
        if let Some(at) = window.find(sep) {
            let end = at + sep.len();
            // `-` glued to a word is a hyphen, not a separator.
            let rest = &text[end..];
            if sep.trim() == "-"
                && !sep.ends_with(' ')
                && !(rest.is_empty() || rest.starts_with(char::is_whitespace))
            {
                continue;
            }
            if best.is_none_or(|(b, _)| at < b) {
                best = Some((at, end));
            }
        }
    }
    best
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// A word of a place or region: capitalised letters with `.`, `'`, `’`, `-`,
/// `&`, or a lower-case connector inside a name.
fn name_word(word: &str, inside: bool) -> bool {
    if inside && PLACE_CONNECTORS.contains(&word) {
        return true;
    }
    capitalised(word)
        && word
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-' | '&'))
}

/// A place or region: 1 to `max` name words, the last not a connector.
fn name(text: &str, max: usize) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= max
        && words
            .iter()
            .enumerate()
            .all(|(i, w)| name_word(w, i > 0 && i + 1 < words.len()))
}

/// A date: `Feb 26`, `Feb. 26, 1987`, `26 February 2026`, `MARCH 2`.
fn date(text: &str) -> Option<(u32, u32, Option<&str>)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let day = |w: &str| {
        let w = w.trim_end_matches('.');
        (w.len() <= 2)
            .then(|| w.parse::<u32>().ok())
            .flatten()
            .filter(|d| (1..=31).contains(d))
    };
    fn year(w: &str) -> Option<&str> {
        (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())).then_some(w)
    }
    let month = month_of_word;
    // Month first (`Feb 26`), else day first (`26 February`).
    let ordered = |m: &str, d: &str| Some((month(m)?, day(d)?));
    match words.as_slice() {
        [a, b] => ordered(a, b)
            .or_else(|| ordered(b, a))
            .map(|(m, d)| (m, d, None)),
        [a, b, y] => {
            let y = year(y)?;
            ordered(a, b)
                .or_else(|| ordered(b, a))
                .map(|(m, d)| (m, d, Some(y)))
        }
        _ => None,
    }
}

/// Splits `(…)` off the end of `text`: `LONDON (Reuters)` → (`LONDON`, `Reuters`).
fn bracket(text: &str) -> (&str, Option<&str>) {
    let text = text.trim();
    if let Some(inner) = text.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
    {
        let content = inner[open + 1..].trim();
        if !content.is_empty() && content.len() <= 40 {
            return (inner[..open].trim(), Some(content));
        }
    }
    (text, None)
}

/// Reads the dateline at the start of `text`, if the grammar holds.
pub(super) fn parse(text: &str) -> Option<Parts<'_>> {
    let (head, separated) = match separator(text) {
        Some((at, _)) => (&text[..at], true),
        None => return None,
    };
    let head = head.trim();
    if head.is_empty() || head.contains(['"', '“', '”', ';', '!', '?']) {
        return None;
    }
    let (head, trailing) = bracket(head);
    let mut pieces = head.split(',').map(str::trim);
    let (place, place_bracket) = bracket(pieces.next()?);
    if !name(place, 5) {
        return None;
    }
    let mut parts = Parts {
        place,
        bracket: None,
        regions: Vec::new(),
        month: None,
        day: None,
        year: None,
        agency: None,
        separated,
    };
    match place_bracket {
        Some(inside) if name(inside, 4) => parts.bracket = Some(inside),
        Some(_) => return None,
        None => {}
    }
    for piece in pieces {
        if piece.is_empty() {
            return None;
        }
        let (piece, inner) = bracket(piece);
        if parts.month.is_none()
            && let Some((month, day, year)) = date(piece)
        {
            parts.month = Some(month);
            parts.day = Some(day);
            parts.year = year;
        } else if parts.month.is_some() && year_only(piece) {
            parts.year = Some(piece);
        } else if parts.month.is_none() && name(piece, 4) {
            parts.regions.push(piece);
        } else if parts.month.is_some() && name(piece, 3) {
            // `LONDON, March 2, Reuter -`: a credit after the date.
            parts.agency = Some(piece);
        } else {
            return None;
        }
        if let Some(inner) = inner {
            parts.agency = Some(inner);
        }
    }
    if let Some(agency) = trailing {
        parts.agency = Some(agency);
    }
    if parts.regions.len() > 2 {
        return None;
    }
    Some(parts)
}

fn year_only(piece: &str) -> bool {
    piece.len() == 4 && piece.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shapes() {
        let p = parse("SANTA CRUZ, Calif., Feb 26 - Plantronics Inc said").unwrap();
        assert_eq!(
            (p.place, p.regions.as_slice()),
            ("SANTA CRUZ", &["Calif."][..])
        );
        assert_eq!((p.month, p.day, p.year), (Some(2), Some(26), None));
        let p = parse("CHARLOTTETOWN, Prince Edward Island, March 3 - The").unwrap();
        assert_eq!(p.regions, ["Prince Edward Island"]);
        let p = parse("NEW YORK, Feb. 26, 1987 (Reuters) - Stocks").unwrap();
        assert_eq!((p.year, p.agency), (Some("1987"), Some("Reuters")));
        let p = parse("LONDON, MARCH 2 - Britain").unwrap();
        assert_eq!((p.month, p.day), (Some(3), Some(2)));
        let p = parse("Sochi (Russia), May 15 (AFP) - The").unwrap();
        assert_eq!((p.bracket, p.agency), (Some("Russia"), Some("AFP")));
        let p = parse("LONDON (Reuters) - Britain said").unwrap();
        assert_eq!(
            (p.place, p.agency, p.month),
            ("LONDON", Some("Reuters"), None)
        );
        let p = parse("Rio de Janeiro, 2 March 2026 – Brazil").unwrap();
        assert_eq!(
            (p.place, p.month, p.day, p.year),
            ("Rio de Janeiro", Some(3), Some(2), Some("2026"))
        );
        // A dateline alone in its paragraph (the story follows below).
        let p = parse("SAN MATEO, Calif., March 2 -").unwrap();
        assert_eq!(p.regions, ["Calif."]);
        let p = parse("Wien – Die Regierung hat").unwrap();
        assert_eq!((p.place, p.month), ("Wien", None));
    }

    #[test]
    fn not_datelines() {
        assert!(parse("The talks - which began on Monday - ended").is_none());
        assert!(parse("Shares fell 3 pct - the most since May").is_none());
        assert!(parse("“We will win,” she said - and left").is_none());
        assert!(parse("Britain said on Monday it would").is_none());
        assert!(parse("LONDON, the capital, on Feb 26 - x").is_none());
        // A multi-byte character across the look-ahead window.
        let long = format!("{}£428m - x", "A".repeat(119));
        assert!(parse(&long).is_none());
    }
}
