//! Bylines: `By John Smith and Jane Doe`, `By JOHN SMITH, Reuters`, `Von
//! Hans Müller`, `Par Marie Dupont et Jean Martin`.
//!
//! A byline is a whole short paragraph: a byline word, then one or more
//! names (two to four capitalised words each, particles such as `de` or
//! `van` allowed inside) joined by commas or `and`, and optionally, after a
//! comma, `|` or `-`, an affiliation or role that is not a name (`Reuters`,
//! `Staff Writer`, `BBC News`). Names written in capitals are title-cased.

use std::sync::LazyLock;

use crate::lists::words;

/// Words that open a byline, by language.
static OPENERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/byline_openers.txt")));
/// Words that join names.
const JOINERS: &[&str] = &[
    "and", "AND", "&", "und", "UND", "et", "ET", "y", "Y", "e", "en",
];
/// Lower-case particles inside a name.
const PARTICLES: &[&str] = &[
    "de", "da", "del", "della", "di", "van", "von", "der", "den", "du", "la", "le", "bin", "al",
];
/// Words after a comma that make the rest an affiliation, not a name.
static ROLE_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/byline_roles.txt")));

/// Whether `word` names a role or affiliation (`Writer`, `Correspondent`),
/// compared in lower case.
pub(crate) fn is_role_word(word: &str) -> bool {
    let word = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    ROLE_WORDS.contains(&word.as_str())
}

/// Whether `word` is a lower-case particle inside a name (`van`, `de`).
pub(crate) fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word)
}

fn capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
}

/// A person's name: 2 to 4 words, capitalised but for particles inside.
fn name(words: &[&str]) -> bool {
    (2..=4).contains(&words.len())
        && capitalised(words[0])
        && capitalised(words[words.len() - 1])
        && words
            .iter()
            .all(|w| capitalised(w) || PARTICLES.contains(w))
}

/// `JOHN SMITH` → `John Smith`; mixed case is kept as written.
fn title_case(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_string();
    }
    name.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_string() + &chars.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The names of a byline paragraph, or `None` when it is not one.
pub(crate) fn authors(paragraph: &str) -> Option<Vec<String>> {
    let text = paragraph.trim();
    // A byline is short and no sentence.
    if text.len() > 160 || text.ends_with(['.', '!', '?', ':']) || text.contains(['"', '“', '”'])
    {
        return None;
    }
    let (opener, rest) = text.split_once(char::is_whitespace)?;
    if !OPENERS.contains(&opener) {
        return None;
    }
    // Cut an affiliation after `|`, ` - ` or a comma followed by a role or
    // by something that is not a name.
    let rest = rest.split(['|', '–', '—']).next()?.trim();
    let rest = rest.split(" - ").next()?.trim();
    let mut names = Vec::new();
    let pieces: Vec<&str> = rest.split(',').map(str::trim).collect();
    for (index, piece) in pieces.iter().enumerate() {
        let words: Vec<&str> = piece.split_whitespace().collect();
        // `Jane Doe and John Roe` inside one piece.
        let mut groups: Vec<Vec<&str>> = vec![Vec::new()];
        for word in &words {
            if JOINERS.contains(word) {
                groups.push(Vec::new());
            } else if let Some(last) = groups.last_mut() {
                last.push(word);
            }
        }
        let lower = piece.to_lowercase();
        let role = lower.split_whitespace().any(|w| ROLE_WORDS.contains(&w));
        if index > 0 && role {
            // `, Staff Writer`: a role closes the byline.
            break;
        }
        let all_names = groups.iter().all(|g| name(g));
        if all_names {
            names.extend(groups.iter().map(|g| title_case(&g.join(" "))));
        } else if index > 0 {
            // An affiliation (`, Reuters`) closes the byline.
            if words.len() <= 3 {
                break;
            }
            return None;
        } else {
            return None;
        }
    }
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        authors(text).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn bylines() {
        assert_eq!(
            names("By John Smith and Jane Doe"),
            ["John Smith", "Jane Doe"]
        );
        assert_eq!(names("By JOHN SMITH, Reuters"), ["John Smith"]);
        assert_eq!(names("Von Hans Müller"), ["Hans Müller"]);
        assert_eq!(names("By Jane Doe, Staff Writer"), ["Jane Doe"]);
        assert_eq!(
            names("By Anna Lee, Tom Fenwick and Ruth van der Berg"),
            ["Anna Lee", "Tom Fenwick", "Ruth van der Berg"]
        );
        assert_eq!(
            names("Par Marie Dupont et Jean Martin"),
            ["Marie Dupont", "Jean Martin"]
        );
        assert_eq!(names("By Jane Doe | CNN"), ["Jane Doe"]);
    }

    #[test]
    fn not_bylines() {
        for text in [
            "By the end of the year, prices had doubled.",
            "By Friday the talks had ended",
            "By John",
            "Bylines are rare",
            "By far the largest bank in the region said",
            "Von der Leyen said the commission would act.",
        ] {
            assert_eq!(authors(text), None, "{text}");
        }
    }
}
