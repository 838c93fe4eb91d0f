//! Feature extraction for the tagger: hashed templates over the words of a
//! sentence, the tags predicted so far, and document-level memory.
//!
//! Every feature is a 64-bit hash of a template number and its values; the
//! model maps it to a row of weights. No strings are built per feature.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use wirehose_text::hash::FastHasher;

use crate::geo::{Gazetteer, PlaceKind};

/// Tag set, IOB2: `B-` opens an entity, `I-` continues it.
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
/// Number of tags.
pub const N_TAGS: usize = TAGS.len();
/// Entity types, in tag order (`B-PER` is tag 1, `I-PER` tag 2, …).
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

/// The entity type index (0..4) of a tag, `None` for `O`.
pub fn tag_type(tag: usize) -> Option<usize> {
    if tag == 0 { None } else { Some((tag - 1) / 2) }
}

/// Whether `tag` may follow `previous` (an `I-X` only after `B-X` or `I-X`).
pub fn allowed(previous: usize, tag: usize) -> bool {
    if tag == 0 || tag % 2 == 1 {
        return true;
    }
    previous != 0 && tag_type(previous) == tag_type(tag)
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

use wirehose_text::hash::mix64 as mix;

#[inline]
fn f1(template: u64, a: u64) -> u64 {
    mix(a ^ template.wrapping_mul(K))
}

#[inline]
fn f2(template: u64, a: u64, b: u64) -> u64 {
    mix(f1(template, a) ^ b.rotate_left(17))
}

#[inline]
fn f3(template: u64, a: u64, b: u64, c: u64) -> u64 {
    mix(f2(template, a, b) ^ c.rotate_left(31))
}

pub(crate) use wirehose_text::hash::hash64 as hash_bytes;

const FLAG_TITLE: u32 = 1;
const FLAG_UPPER: u32 = 2;
const FLAG_DIGIT: u32 = 4;
const FLAG_HYPHEN: u32 = 8;
const FLAG_PERIOD: u32 = 16;
const FLAG_ALPHA: u32 = 32;
const FLAG_LOWER_ELSEWHERE: u32 = 64;
const FLAG_LOWER_VOCAB: u32 = 128;
const FLAG_INITIAL: u32 = 256;

/// [`TokenInfo`]'s frequency step when the model's language has no table.
const NO_FREQUENCIES: u8 = u8::MAX;

/// What the tagger knows of one token before tagging.
#[derive(Debug, Clone, Default)]
pub struct TokenInfo {
    lower: u64,
    raw: u64,
    shape: u64,
    short_shape: u64,
    affixes: [u64; 8],
    flags: u32,
    /// Gazetteer membership: 0 none, else kind and position in the name.
    gaz: u64,
    /// Training-lexicon membership: 0 none, else type bits and position.
    lex: u64,
    /// Word clusters (64, 256, 1,024, 4,096), `u16::MAX` for a word without one.
    clusters: crate::clusters::Ids,
    /// How common the word is in the language: Zipf frequency in half
    /// steps, 0 for a word not among the common ones, [`NO_FREQUENCIES`]
    /// when the language has no table.
    freq: u8,
}

impl TokenInfo {
    /// Hash of the lower-cased word (the document memory's key).
    pub fn lower(&self) -> u64 {
        self.lower
    }

    /// Whether the word starts with a capital letter.
    pub fn capitalised(&self) -> bool {
        self.flags & (FLAG_TITLE | FLAG_UPPER) != 0
    }
}

fn shapes(word: &str) -> (u64, u64) {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let (mut full, mut short) = (OFFSET, OFFSET);
    let (mut length, mut last) = (0, 0u8);
    for c in word.chars() {
        let class = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_ascii_digit() {
            b'd'
        } else if c.is_alphabetic() {
            b'a'
        } else {
            match c {
                '.' | '-' | '\'' | '&' | ',' | '/' => c as u8,
                _ => b'#',
            }
        };
        if length < 12 {
            full = (full ^ u64::from(class)).wrapping_mul(PRIME);
            length += 1;
        }
        if class != last {
            short = (short ^ u64::from(class)).wrapping_mul(PRIME);
            last = class;
        }
    }
    (mix(full), mix(short))
}

/// The flags a word's characters set: capitalised (`FLAG_TITLE`) or in
/// capitals (`FLAG_UPPER`: two or more characters, none lower-case), with a
/// digit, a hyphen, a full stop, all letters (`FLAG_ALPHA`; an empty word
/// too). One pass over the characters, byte by byte for ASCII words.
fn char_flags(word: &str) -> u32 {
    let (mut lower, mut digit, mut alpha, mut count) = (false, false, true, 0usize);
    let (mut hyphen, mut period) = (false, false);
    let first_upper;
    if word.is_ascii() {
        first_upper = word.as_bytes().first().is_some_and(u8::is_ascii_uppercase);
        for &b in word.as_bytes() {
            lower |= b.is_ascii_lowercase();
            digit |= b.is_ascii_digit();
            alpha &= b.is_ascii_alphabetic();
            hyphen |= b == b'-';
            period |= b == b'.';
        }
        count = word.len();
    } else {
        first_upper = word.chars().next().is_some_and(char::is_uppercase);
        for c in word.chars() {
            lower |= c.is_lowercase();
            digit |= c.is_ascii_digit();
            alpha &= c.is_alphabetic();
            hyphen |= c == '-';
            period |= c == '.';
            count += 1;
        }
    }
    let mut flags = 0;
    if first_upper {
        flags |= if !lower && count > 1 {
            FLAG_UPPER
        } else {
            FLAG_TITLE
        };
    }
    for (on, flag) in [
        (digit, FLAG_DIGIT),
        (hyphen, FLAG_HYPHEN),
        (period, FLAG_PERIOD),
        (alpha, FLAG_ALPHA),
    ] {
        if on {
            flags |= flag;
        }
    }
    flags
}

/// Lower-cases `word` into `buf`, mapping curly apostrophes and quotes to
/// the ASCII forms the training data uses.
pub fn lower_into(word: &str, buf: &mut String) {
    buf.clear();
    // Most words are ASCII: lower-cased byte by byte (no quote to fold).
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
        return;
    }
    for c in word.chars() {
        match c {
            '’' | '‘' => buf.push('\''),
            '“' | '”' => buf.push('"'),
            _ => buf.extend(c.to_lowercase()),
        }
    }
}

/// Computes the per-token information of one sentence. `lower_in_document`
/// holds the lower-cased words seen in lower case in the document,
/// `lower_vocab` those seen in lower case in the training data.
pub fn token_infos(
    words: &[&str],
    gazetteer: &Gazetteer,
    lexicon: &Lexicon,
    lower_vocab: &WordSet,
    lower_in_document: &WordSet,
    frequencies: &crate::freq::Frequencies,
) -> Vec<TokenInfo> {
    let mut buf = String::new();
    let clusters = crate::clusters::Clusters::builtin();
    let mut infos: Vec<TokenInfo> = words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            lower_into(word, &mut buf);
            let lower = hash_bytes(buf.as_bytes());
            let (shape, short_shape) = shapes(word);
            let mut flags = char_flags(word);
            if i == 0 {
                flags |= FLAG_INITIAL;
            }
            if flags & (FLAG_TITLE | FLAG_UPPER) != 0 {
                if lower_in_document.contains(&lower) {
                    flags |= FLAG_LOWER_ELSEWHERE;
                }
                if lower_vocab.contains(&lower) {
                    flags |= FLAG_LOWER_VOCAB;
                }
            }
            let mut affixes = [0u64; 8];
            let bytes = buf.as_bytes();
            let mut ends = buf
                .char_indices()
                .map(|(at, _)| at)
                .skip(1)
                .chain([buf.len()]);
            for (n, end) in (1..=4).zip(&mut ends) {
                affixes[n - 1] = hash_bytes(&bytes[..end]);
            }
            let mut starts = buf.char_indices().rev().map(|(at, _)| at);
            for (n, start) in (1..=4).zip(&mut starts) {
                affixes[n + 3] = hash_bytes(&bytes[start..]);
            }
            TokenInfo {
                lower,
                raw: hash_bytes(word.as_bytes()),
                shape,
                short_shape,
                affixes,
                flags,
                gaz: 0,
                lex: 0,
                clusters: clusters.get_hash(lower).unwrap_or([u16::MAX; 4]),
                freq: if frequencies.is_empty() {
                    NO_FREQUENCIES
                } else {
                    frequencies.step(lower)
                },
            }
        })
        .collect();
    mark_gazetteer(words, gazetteer, &mut infos);
    mark_lexicon(words, lexicon, &mut infos);
    infos
}

/// Finds, at each capitalised token, the longest name of at most `max`
/// words that `lookup` knows (it gets the lower-cased words joined by one
/// space), and hands `mark` the span's tokens, each with its position (0
/// first) and the span length, and what `lookup` returned.
fn mark_longest<T: Copy>(
    words: &[&str],
    infos: &mut [TokenInfo],
    max: usize,
    mut lookup: impl FnMut(&str) -> Option<T>,
    mut mark: impl FnMut(&mut TokenInfo, usize, usize, T),
) {
    let mut buf = String::new();
    let mut word = String::new();
    let mut i = 0;
    while i < words.len() {
        if !infos[i].capitalised() {
            i += 1;
            continue;
        }
        let mut matched = None;
        buf.clear();
        for n in 1..=max.min(words.len() - i) {
            if n > 1 {
                buf.push(' ');
            }
            lower_into(words[i + n - 1], &mut word);
            buf.push_str(&word);
            if let Some(found) = lookup(&buf) {
                matched = Some((n, found));
            }
        }
        match matched {
            Some((n, found)) => {
                for (k, info) in infos[i..i + n].iter_mut().enumerate() {
                    mark(info, k, n, found);
                }
                i += n;
            }
            None => i += 1,
        }
    }
}

/// Marks tokens inside the longest lexicon name starting at each
/// capitalised token: type bits, and whether first, later or only word.
fn mark_lexicon(words: &[&str], lexicon: &Lexicon, infos: &mut [TokenInfo]) {
    if lexicon.names.is_empty() {
        return;
    }
    let lookup = |name: &str| lexicon.names.get(&hash_bytes(name.as_bytes())).copied();
    mark_longest(
        words,
        infos,
        LEXICON_MAX_WORDS,
        lookup,
        |info, k, n, bits| {
            let position = if n == 1 {
                3
            } else if k == 0 {
                1
            } else {
                2
            };
            info.lex = u64::from(bits) * 4 + position;
        },
    );
}

/// Marks tokens inside the longest gazetteer match starting at each
/// capitalised token: the kind of place, and the position in the name.
fn mark_gazetteer(words: &[&str], gazetteer: &Gazetteer, infos: &mut [TokenInfo]) {
    let max = gazetteer.max_words().min(4);
    let lookup = |name: &str| gazetteer.lookup_lowercase(name).map(|place| place.kind);
    mark_longest(words, infos, max, lookup, |info, k, n, kind| {
        let kind = match kind {
            PlaceKind::Country => 1,
            PlaceKind::Region => 2,
            PlaceKind::City => 3,
        };
        info.gaz = kind * 4 + if k == 0 { 1 } else { 2 } + if n > 1 { 0 } else { 8 };
    });
}

/// Document memory: the entity type last predicted for each capitalised
/// word, so later mentions agree with earlier ones.
pub type History = HashMap<u64, usize, BuildHasherDefault<FastHasher>>;

/// Per capitalised word of a document: how often the first stage tagged it
/// PER, ORG, LOC, MISC or nothing.
pub type Votes = HashMap<u64, [u16; 5], BuildHasherDefault<FastHasher>>;

/// Per capitalised word of a document: the words before and after each of
/// its occurrences (at most [`CONTEXTS_KEPT`]), so every mention is tagged
/// knowing how the others are used ("Mr. Rotor", "in Rotor").
pub type Contexts = HashMap<u64, Vec<(u64, u64)>, BuildHasherDefault<FastHasher>>;

/// Occurrences of a word whose contexts are kept.
pub const CONTEXTS_KEPT: usize = 8;

/// Collects the contexts of the capitalised words of a document.
pub fn contexts(sentences: &[Vec<TokenInfo>]) -> Contexts {
    let mut contexts = Contexts::default();
    for infos in sentences {
        for (i, info) in infos.iter().enumerate() {
            if !info.capitalised() {
                continue;
            }
            let before = if i > 0 { infos[i - 1].lower } else { 1 };
            let after = infos.get(i + 1).map_or(2, |next| next.lower);
            let list = contexts.entry(info.lower).or_default();
            if list.len() < CONTEXTS_KEPT && !list.contains(&(before, after)) {
                list.push((before, after));
            }
        }
    }
    contexts
}

/// A set of word hashes.
pub type WordSet = HashSet<u64, BuildHasherDefault<FastHasher>>;

/// Entity names compiled from training data: hash of the lower-cased name
/// (words joined by one space) → bit set of the types it was seen with.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Name hash → type bits (1 PER, 2 ORG, 4 LOC, 8 MISC).
    pub names: HashMap<u64, u8, BuildHasherDefault<FastHasher>>,
}

/// Longest name the lexicon matches, in words.
pub const LEXICON_MAX_WORDS: usize = 5;

impl Lexicon {
    /// Adds a name of type index `kind` (0 PER … 3 MISC).
    pub fn add<S: AsRef<str>>(&mut self, words: &[S], kind: usize) {
        if words.len() > LEXICON_MAX_WORDS {
            return;
        }
        let mut buf = String::new();
        let mut word = String::new();
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                buf.push(' ');
            }
            lower_into(w.as_ref(), &mut word);
            buf.push_str(&word);
        }
        *self.names.entry(hash_bytes(buf.as_bytes())).or_default() |= 1 << kind;
    }
}

/// Pushes the hashed features of token `i` into `out`; `tags` holds the tags
/// predicted for tokens before `i`, `sentence_upper` says the sentence is in
/// capitals (a headline).
#[allow(clippy::too_many_arguments)] // the hot path: borrowed views, no struct to build per token
pub fn features(
    infos: &[TokenInfo],
    i: usize,
    tags: &[usize],
    history: &History,
    sentence_upper: bool,
    contexts: &Contexts,
    stack: Option<(&[usize], &Votes)>,
    out: &mut Vec<u64>,
) {
    out.clear();
    const NONE: u64 = 0x5EED;
    let at = |j: isize| -> Option<&TokenInfo> { if j < 0 { None } else { infos.get(j as usize) } };
    let i_signed = i as isize;
    let w = &infos[i];
    let lower_at = |d: isize| at(i_signed + d).map_or(NONE.wrapping_add(d as u64), |t| t.lower);
    let shape_at =
        |d: isize| at(i_signed + d).map_or(NONE.wrapping_add(d as u64), |t| t.short_shape);
    let tag_at = |d: usize| if i >= d { tags[i - d] as u64 } else { 99 };
    let (wm2, wm1, wp1, wp2) = (lower_at(-2), lower_at(-1), lower_at(1), lower_at(2));
    let (sm1, sp1) = (shape_at(-1), shape_at(1));
    let (t1, t2) = (tag_at(1), tag_at(2));
    let flags = u64::from(w.flags);
    out.push(f1(1, 0));
    out.push(f1(2, w.lower));
    out.push(f1(3, w.raw));
    out.push(f1(4, wm1));
    out.push(f1(5, wp1));
    out.push(f1(6, wm2));
    out.push(f1(7, wp2));
    out.push(f2(8, wm1, w.lower));
    out.push(f2(9, w.lower, wp1));
    out.push(f1(10, w.shape));
    out.push(f1(11, w.short_shape));
    out.push(f1(12, sm1));
    out.push(f1(13, sp1));
    out.push(f3(14, sm1, w.short_shape, sp1));
    for (k, affix) in w.affixes.iter().enumerate() {
        if *affix != 0 {
            out.push(f1(20 + k as u64, *affix));
        }
    }
    out.push(f1(30, flags));
    out.push(f2(31, flags, u64::from(sentence_upper)));
    if sentence_upper {
        out.push(f1(32, w.lower));
    }
    out.push(f1(33, t1));
    out.push(f2(34, t2, t1));
    out.push(f2(35, t1, w.lower));
    out.push(f2(36, t1, w.short_shape));
    out.push(f2(37, t1, flags));
    out.push(f1(40, w.gaz));
    out.push(f2(41, w.gaz, flags));
    if let Some(next) = at(i_signed + 1) {
        out.push(f1(42, next.gaz));
        out.push(f2(43, u64::from(next.flags), flags));
    }
    if let Some(previous) = at(i_signed - 1) {
        out.push(f1(44, previous.gaz));
        out.push(f1(46, previous.lex));
    }
    out.push(f1(45, w.lex));
    out.push(f2(47, w.lex, w.short_shape));
    if let Some(next) = at(i_signed + 1) {
        out.push(f1(48, next.lex));
    }
    // Word clusters: the word's at four granularities; the 256-cluster id
    // with the word's casing, with the tag before and paired with each
    // neighbour's; the neighbours' 1,024-cluster ids; the 1,024-cluster id
    // with the word's shape.
    let [c64, c256, c1024, c4096] = w.clusters.map(u64::from);
    out.push(f1(90, c4096));
    out.push(f1(80, c64));
    out.push(f1(81, c256));
    out.push(f1(82, c1024));
    out.push(f2(85, c256, flags));
    out.push(f2(86, t1, c256));
    let cluster_at = |d: isize| at(i_signed + d).map_or(u64::MAX, |t| u64::from(t.clusters[2]));
    out.push(f1(83, cluster_at(-1)));
    out.push(f1(84, cluster_at(1)));
    let coarse_at = |d: isize| at(i_signed + d).map_or(u64::MAX, |t| u64::from(t.clusters[1]));
    out.push(f2(87, coarse_at(-1), c256));
    out.push(f2(88, c256, coarse_at(1)));
    out.push(f2(89, c1024, w.short_shape));
    // Word frequency in the language: alone, with the casing, and the
    // neighbours'.
    if w.freq != NO_FREQUENCIES {
        let freq = u64::from(w.freq);
        out.push(f1(91, freq));
        out.push(f2(
            92,
            freq,
            flags & u64::from(FLAG_TITLE | FLAG_UPPER | FLAG_INITIAL),
        ));
        let freq_at = |d: isize| at(i_signed + d).map_or(99, |t| u64::from(t.freq));
        out.push(f3(93, freq_at(-1), freq, freq_at(1)));
    }
    if w.capitalised() {
        let remembered = history.get(&w.lower).map_or(9, |kind| *kind as u64);
        out.push(f1(50, remembered));
        out.push(f2(51, remembered, t1));
    }
    if w.capitalised()
        && let Some(list) = contexts.get(&w.lower)
    {
        for (before, after) in list {
            out.push(f1(70, *before));
            out.push(f1(71, *after));
        }
    }
    if let Some((first, votes)) = stack {
        let here = first[i] as u64;
        let before = if i > 0 { first[i - 1] as u64 } else { 99 };
        let after = first.get(i + 1).map_or(99, |t| *t as u64);
        out.push(f1(60, here));
        out.push(f2(61, before, here));
        out.push(f2(62, here, after));
        if w.capitalised()
            && let Some(counts) = votes.get(&w.lower)
        {
            // Wide sums: a word may occur tens of thousands of times in one
            // (huge) document.
            let total: u32 = counts.iter().map(|&c| u32::from(c)).sum();
            let (major, count) = counts[..4]
                .iter()
                .enumerate()
                .max_by_key(|(_, c)| **c)
                .map_or((9, 0), |(k, c)| (k as u64, *c));
            let major = if count == 0 { 9 } else { major };
            let share = (u32::from(count) * 4)
                .checked_div(total)
                .map_or(0, u64::from);
            out.push(f2(63, major, share));
            out.push(f2(64, major, here));
            out.push(f3(65, major, share, w.short_shape));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_tags_only_continue_their_type() {
        assert!(allowed(0, 1));
        assert!(!allowed(0, 2));
        assert!(allowed(1, 2));
        assert!(allowed(2, 2));
        assert!(!allowed(3, 2));
        assert!(allowed(3, 5));
    }

    #[test]
    fn lowering_ascii_and_not() {
        let mut buf = String::from("stale");
        lower_into("McDONALD's", &mut buf);
        assert_eq!(buf, "mcdonald's");
        lower_into("Österreich’s “Größe”", &mut buf);
        assert_eq!(buf, "österreich's \"größe\"");
    }

    /// The one-pass flags are what the several passes they replaced gave.
    #[test]
    fn char_flags_match_the_rules() {
        fn slow(word: &str) -> u32 {
            let mut flags = 0;
            let first = word.chars().next().unwrap_or(' ');
            if first.is_uppercase() {
                flags |= if word.chars().all(|c| !c.is_lowercase()) && word.chars().count() > 1 {
                    FLAG_UPPER
                } else {
                    FLAG_TITLE
                };
            }
            if word.chars().any(|c| c.is_ascii_digit()) {
                flags |= FLAG_DIGIT;
            }
            if word.contains('-') {
                flags |= FLAG_HYPHEN;
            }
            if word.contains('.') {
                flags |= FLAG_PERIOD;
            }
            if word.chars().all(char::is_alphabetic) {
                flags |= FLAG_ALPHA;
            }
            flags
        }
        for word in [
            "",
            "a",
            "A",
            "AB",
            "Ab",
            "U.S.",
            "1996-08-22",
            "McDONALD's",
            "Ölkrise",
            "ÖL",
            "Ö",
            "москва",
            "Москва",
            "МОСКВА",
            "Ab1",
            "x-ray",
            "É.U.",
            "ß",
            "3",
            "Σ",
            "ΣΑ",
        ] {
            assert_eq!(char_flags(word), slow(word), "{word:?}");
        }
    }

    #[test]
    fn shapes_collapse_runs() {
        assert_eq!(shapes("Putin").1, shapes("Kerry").1);
        assert_ne!(shapes("Putin").1, shapes("U.S.").1);
        assert_eq!(shapes("1996-08-22").1, shapes("2019-05-15").1);
    }
}
