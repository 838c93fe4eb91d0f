//! The vocabulary of quote finding: cue verbs, titles, words that are not
//! names, and first names that tell a gender.

use std::sync::LazyLock;

use super::speaker::Gender;
use super::tokens::is_capitalised;
use wirehose_text::lists::words;

/// Reporting verbs recognised as cues (single words; `according to`,
/// `pointed out` and `went on` are recognised as phrases too).
pub static CUES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/cues.txt")));

/// Verbs that attribute a partial quote inside their sentence (`Trump called
/// it “a disaster”`) but not a whole quote.
pub(super) static PARTIAL_CUES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/partial_cues.txt")));

/// Words that may precede a name inside a speaker phrase without being part
/// of the name (`Sen.`, `President`, `Democratic`).
static TITLES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/speaker_titles.txt")));

/// Abbreviations whose period does not end a sentence.
pub(super) static ABBREVIATIONS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/abbreviations.txt")));

/// Dashes that introduce the name signing a quote.
pub(super) const DASHES: [char; 5] = ['-', '—', '–', '―', '‒'];

/// Pronouns that may be a speaker. Code, not a word list: the speaker
/// classifier gives `he` and `she` their gender.
pub(super) const PRONOUNS: &[&str] = &["he", "she", "they", "we", "i", "it"];

/// Lowercase words that end a speaker phrase when walking back from a cue
/// (`… and that Kerry said`), or that may sit between the speaker and the
/// cue (`Kerry also said`).
pub(super) static CLAUSE_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/clause_words.txt")));

pub(super) static BETWEEN_WORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/between_words.txt")));

/// Head nouns of descriptions that refer to a person already named
/// (`the senator`, `the former secretary of state`).
pub(super) static PERSON_NOUNS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/person_nouns.txt")));

/// [`CUES`] as a set (foldhash: looked up for every word of every quote's
/// neighbourhood), and their longest length in bytes.
type CueSet = std::collections::HashSet<&'static str, foldhash::fast::FixedState>;

fn cue_set() -> &'static (CueSet, usize) {
    static SET: std::sync::OnceLock<(CueSet, usize)> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let longest = CUES.iter().map(|c| c.len()).max().unwrap_or(0);
        (CUES.iter().copied().collect(), longest)
    })
}

pub(super) fn is_cue(word: &str) -> bool {
    let (set, longest) = cue_set();
    if word.len() < 3 || word.len() > *longest {
        return false;
    }
    if set.contains(word) {
        return true;
    }
    if !is_capitalised(word) {
        return false;
    }
    if word.is_ascii() {
        // No allocation for the usual case: `Said`, `ADDED`.
        let mut buf = [0u8; 64];
        let Some(lower) = buf.get_mut(..word.len()) else {
            return false;
        };
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        return std::str::from_utf8(lower).is_ok_and(|lower| set.contains(lower));
    }
    set.contains(word.to_lowercase().as_str())
}

pub(super) fn is_title(word: &str) -> bool {
    TITLES.contains(&word)
}

pub(super) static DETERMINERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/determiners.txt")));

/// Capitalised words that are not names: sentence-initial function words,
/// days and months (`On Tuesday, Kerry said`, `said Friday`).
static FUNCTION_CAPS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/not_names.txt")));

pub(super) fn not_a_name(word: &str) -> bool {
    FUNCTION_CAPS.contains(&word)
}

/// Common first names that tell a person's gender, for `he` and `she`.
static FEMALE_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/female_names.txt")));

static MALE_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/quotes/male_names.txt")));

pub(super) fn gender_of(name: &str) -> Gender {
    let first = name
        .split_whitespace()
        .find(|w| !is_title(w.trim_end_matches('.')))
        .unwrap_or("");
    if FEMALE_NAMES.contains(&first) {
        Gender::Female
    } else if MALE_NAMES.contains(&first) {
        Gender::Male
    } else {
        Gender::Any
    }
}
