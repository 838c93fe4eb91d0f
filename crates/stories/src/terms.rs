//! Words of an article for story features and keywords: tokens, stopwords, a
//! light plural stemmer and a 64-bit term hash.

use std::borrow::Cow;
use std::sync::LazyLock;

pub(crate) use wirehose_text::hash::{FastMap as IntMap, FastSet, hash64, mix64};

use wirehose_text::lists::words;

/// English function words and news filler that carry no story signal.
/// A set: every token of every article is looked up.
static STOPWORDS: LazyLock<FastSet<&'static str>> = LazyLock::new(|| {
    words(include_str!("../data/stopwords.txt"))
        .into_iter()
        .collect()
});

fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(word)
}

/// Calls `f` with every token of `text`: a maximal run of alphanumeric
/// characters, lower-cased into `buf`. ASCII is read byte by byte.
pub(crate) fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte.is_ascii() {
            if byte.is_ascii_alphanumeric() {
                buf.push(char::from(byte.to_ascii_lowercase()));
            } else if !buf.is_empty() {
                f(&buf);
                buf.clear();
            }
            at += 1;
            continue;
        }
        let c = text[at..].chars().next().unwrap_or(' ');
        if c.is_alphanumeric() {
            buf.extend(c.to_lowercase());
        } else if !buf.is_empty() {
            f(&buf);
            buf.clear();
        }
        at += c.len_utf8();
    }
    if !buf.is_empty() {
        f(&buf);
    }
}

/// Returns the content word that `token` (lower-case) stands for, with a
/// plural `-s` removed, or `None` for stopwords, single letters and short
/// numbers.
pub(crate) fn content_word(token: &str) -> Option<Cow<'_, str>> {
    let len = token.chars().count();
    if len < 2 || is_stopword(token) {
        return None;
    }
    if token.chars().all(|c| c.is_ascii_digit()) {
        // Years and other long numbers identify events; "11" or "20" do not.
        return (len >= 4).then_some(Cow::Borrowed(token));
    }
    Some(stem(token))
}

/// Removes an English plural ending: `cities` → `city`, `votes` → `vote`;
/// leaves `news`, `bus`, `crisis`, `glass` alone.
pub(crate) fn stem(word: &str) -> Cow<'_, str> {
    let len = word.len();
    if !word.is_ascii() || len <= 3 {
        return Cow::Borrowed(word);
    }
    if let Some(base) = word.strip_suffix("ies")
        && len > 4
    {
        return Cow::Owned(format!("{base}y"));
    }
    if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
        && !word.ends_with("ews")
    {
        return Cow::Borrowed(&word[..len - 1]);
    }
    Cow::Borrowed(word)
}

/// Hash of a word feature.
pub(crate) fn word_hash(word: &str) -> u64 {
    hash64(word.as_bytes())
}

/// Hash of an entity feature (kept apart from the words by a prefix byte).
pub(crate) fn entity_hash(name: &str) -> u64 {
    let mut bytes = Vec::with_capacity(name.len() + 1);
    bytes.push(1u8);
    bytes.extend(name.to_lowercase().as_bytes());
    hash64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercased_alphanumeric_runs() {
        let mut out = Vec::new();
        for_each_token("The Mayor's plan, 2024-05: Zürich!", |t| {
            out.push(t.to_string())
        });
        assert_eq!(out, ["the", "mayor", "s", "plan", "2024", "05", "zürich"]);
    }

    #[test]
    fn content_words_drop_stopwords_and_plurals() {
        assert_eq!(content_word("the"), None);
        assert_eq!(content_word("11"), None);
        assert_eq!(content_word("2016").as_deref(), Some("2016"));
        assert_eq!(content_word("cities").as_deref(), Some("city"));
        assert_eq!(content_word("votes").as_deref(), Some("vote"));
        assert_eq!(content_word("news").as_deref(), Some("news"));
        assert_eq!(content_word("crisis").as_deref(), Some("crisis"));
        assert_eq!(content_word("glass").as_deref(), Some("glass"));
    }

    #[test]
    fn entity_and_word_hashes_differ() {
        assert_ne!(word_hash("paris"), entity_hash("Paris"));
        assert_eq!(entity_hash("Paris"), entity_hash("PARIS"));
    }
}
