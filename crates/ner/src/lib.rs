//! Named-entity tagger: a greedy left-to-right averaged perceptron over
//! hashed features, trained by the project's own code: English on
//! CoNLL-2003 and GUM, and a model each for Spanish, Dutch, German, French,
//! Finnish and Russian ([`builtin`]), parsed when first asked for.
//!
//! Tags are IOB2 over four types, PER, ORG, LOC and MISC ([`TAGS`]). Features
//! ([`features`]) are the word and its neighbours two either side, word
//! shapes, prefixes and suffixes, capitalisation, GeoNames gazetteer
//! membership ([`crate::geo`]), the two tags predicted before, whether the
//! word occurs in lower case in the document or in the training data, and
//! document-level memory: the type the tagger gave the same word earlier in
//! the article, so that "Kerry" agrees with "John Kerry" three paragraphs up.
//!
//! Weights are stored as one signed byte each, in a table of `2^bits` rows
//! of nine (one per tag) with a shift byte per row (`weights.rs`), indexed
//! by the top bits of each feature's hash. The models ship in the binary
//! ([`Model::builtin`] for English, [`builtin::model`] by language); the
//! other languages' models also read word frequencies ([`freq`]).
//! `wirehose train ner --language L` rebuilds one ([`train::train`]) and
//! `wirehose eval ner --language L` scores it ([`conll`]).
//!
//! The crate also holds what the tagger stands on: the [`tokenize`]r that
//! splits an article into sentences and tokens, the GeoNames [`geo`]
//! gazetteer and its compiler (`wirehose train gazetteer`), and the CoNLL
//! reader and conlleval scorer ([`conll`]). It depends only on
//! `wirehose-text`.
//!
//! Main types: [`Model`] (load, tag), [`geo::Gazetteer`], [`conll::Scores`],
//! [`train::Settings`], [`freq::Frequencies`].
//!
//! ```
//! let model = wirehose_ner::Model::builtin();
//! let sentence = ["Mike", "Pompeo", "met", "Vladimir", "Putin", "in", "Sochi", "."];
//! let tags = model.tag_document(&[sentence.to_vec()]);
//! let names: Vec<&str> = tags[0].iter().map(|t| wirehose_ner::TAGS[*t]).collect();
//! assert_eq!(names, ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "B-LOC", "O"]);
//! ```

#![deny(missing_docs)]

pub mod builtin;
pub mod clusters;
pub mod conll;
mod error;
pub mod features;
pub mod freq;
pub mod geo;
mod tables;
pub mod tokenize;
pub mod train;
mod weights;

pub use error::NerError;

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, LazyLock};

pub use features::{N_TAGS, TAGS, TYPES};

use crate::freq::Frequencies;
use crate::geo::Gazetteer;
use features::{History, Lexicon, WordSet, allowed, tag_type};
pub(crate) use weights::Weights;

const MAGIC: &[u8; 8] = b"WHNER005";

/// The built-in English model, parsed on first use.
static BUILTIN_MODEL: LazyLock<Arc<Model>> =
    LazyLock::new(|| builtin::model("en").expect("English is a built-in language"));

/// Reads a model file front to back.
struct Reader<'a, 'p> {
    bytes: &'a [u8],
    at: usize,
    path: &'p Path,
}

impl<'a> Reader<'a, '_> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], NerError> {
        let slice = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or_else(|| NerError::format(self.path, 0, "model is truncated"))?;
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, NerError> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

/// A trained tagger: a first stage, and optionally a second stage that also
/// sees what the first predicted for the whole document.
#[derive(Debug, Clone)]
pub struct Model {
    /// The language (ISO 639-1) the model was trained for: it picks the
    /// word-frequency table.
    language: [u8; 2],
    bits: u32,
    lower_vocab: WordSet,
    lexicon: Lexicon,
    stages: Vec<Weights>,
}

/// A document ready for tagging: per-token information of every sentence.
pub(crate) struct Prepared {
    infos: Vec<Vec<features::TokenInfo>>,
    upper: Vec<bool>,
    contexts: features::Contexts,
}

/// Prepares `sentences` with the given lexicon, lower-case vocabulary and
/// word frequencies.
pub(crate) fn prepare<S: AsRef<str>>(
    sentences: &[Vec<S>],
    lexicon: &Lexicon,
    lower_vocab: &WordSet,
    frequencies: &Frequencies,
) -> Prepared {
    let gazetteer = Gazetteer::builtin();
    let lower_in_document = lower_words(sentences);
    let mut infos = Vec::with_capacity(sentences.len());
    let mut upper = Vec::with_capacity(sentences.len());
    for sentence in sentences {
        let words: Vec<&str> = sentence.iter().map(AsRef::as_ref).collect();
        infos.push(features::token_infos(
            &words,
            gazetteer,
            lexicon,
            lower_vocab,
            &lower_in_document,
            frequencies,
        ));
        upper.push(sentence_is_upper(&words));
    }
    let contexts = features::contexts(&infos);
    Prepared {
        infos,
        upper,
        contexts,
    }
}

/// What the first stage said about a document, as the second stage sees it.
pub(crate) struct Stacked {
    tags: Vec<Vec<usize>>,
    votes: features::Votes,
}

/// Collects the first stage's tags and, per capitalised word, its votes.
pub(crate) fn stack(prepared: &Prepared, tags: Vec<Vec<usize>>) -> Stacked {
    let mut votes = features::Votes::default();
    for (infos, tags) in prepared.infos.iter().zip(&tags) {
        for (info, tag) in infos.iter().zip(tags) {
            if info.capitalised() {
                let counts = votes.entry(info.lower()).or_insert([0; 5]);
                let count = &mut counts[tag_type(*tag).unwrap_or(4)];
                *count = count.saturating_add(1);
            }
        }
    }
    Stacked { tags, votes }
}

/// One greedy left-to-right pass; `choose` picks the tag of a token from its
/// features, the tag before it and its (sentence, token) position (training
/// learns there too).
pub(crate) fn decode(
    prepared: &Prepared,
    stacked: Option<&Stacked>,
    mut choose: impl FnMut(&[u64], usize, (usize, usize)) -> usize,
) -> Vec<Vec<usize>> {
    let mut history = History::default();
    let mut features = Vec::with_capacity(80);
    let mut out = Vec::with_capacity(prepared.infos.len());
    for (s, infos) in prepared.infos.iter().enumerate() {
        let stack = stacked.map(|st| (st.tags[s].as_slice(), &st.votes));
        let mut tags = Vec::with_capacity(infos.len());
        for i in 0..infos.len() {
            features::features(
                infos,
                i,
                &tags,
                &history,
                prepared.upper[s],
                &prepared.contexts,
                stack,
                &mut features,
            );
            let previous = tags.last().copied().unwrap_or(0);
            tags.push(choose(&features, previous, (s, i)));
        }
        remember(infos, &tags, &mut history);
        out.push(tags);
    }
    out
}

impl Model {
    /// The English model shipped in the binary, loaded on first use (the
    /// other languages' are in [`builtin`]).
    pub fn builtin() -> &'static Model {
        &BUILTIN_MODEL
    }

    /// The built-in English model as a shared handle.
    pub fn builtin_shared() -> Arc<Model> {
        BUILTIN_MODEL.clone()
    }

    /// Loads a model file written by [`Model::to_bytes`].
    pub fn load(path: &Path) -> Result<Model, NerError> {
        let bytes = std::fs::read(path).map_err(|err| NerError::io(path, err))?;
        Model::from_bytes(&bytes, path)
    }

    /// Parses a model; `path` only names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model, NerError> {
        Model::parse(bytes, path, |slice| Cow::Owned(slice.to_vec()))
    }

    /// Parses a model, keeping the weight tables with `keep` (borrowed for
    /// the built-in model, copied otherwise).
    pub(crate) fn parse<'a>(
        bytes: &'a [u8],
        path: &Path,
        keep: impl Fn(&'a [u8]) -> Cow<'static, [u8]>,
    ) -> Result<Model, NerError> {
        let bad = |message: &str| NerError::format(path, 0, message);
        let mut reader = Reader { bytes, at: 0, path };
        if reader.take(8)? != MAGIC {
            return Err(bad("not a wirehose NER model of this version (bad magic)"));
        }
        let language: [u8; 2] = reader.take(2)?.try_into().unwrap_or_default();
        if !std::str::from_utf8(&language).is_ok_and(builtin::is_language_code) {
            return Err(bad("the model's language is not an ISO 639-1 code"));
        }
        let bits = reader.u32()?;
        if !(10..=24).contains(&bits) {
            return Err(bad("table size out of range"));
        }
        let n_vocab = reader.u32()? as usize;
        let mut lower_vocab = WordSet::default();
        for chunk in reader.take(n_vocab * 8)?.chunks_exact(8) {
            lower_vocab.insert(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let n_lexicon = reader.u32()? as usize;
        let mut lexicon = Lexicon::default();
        for entry in reader.take(n_lexicon * 9)?.chunks_exact(9) {
            let hash = u64::from_le_bytes(entry[..8].try_into().unwrap_or_default());
            lexicon.names.insert(hash, entry[8]);
        }
        let n_stages = reader.u32()? as usize;
        if !(1..=2).contains(&n_stages) {
            return Err(bad("a model has one or two stages"));
        }
        let mut stages = Vec::with_capacity(n_stages);
        for _ in 0..n_stages {
            let rows = keep(reader.take(Weights::stored_len(bits))?);
            stages.push(Weights { rows });
        }
        if reader.at != bytes.len() {
            return Err(bad("trailing bytes after the last stage"));
        }
        Ok(Model {
            language,
            bits,
            lower_vocab,
            lexicon,
            stages,
        })
    }

    /// Serialises the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.language);
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&(self.lower_vocab.len() as u32).to_le_bytes());
        let mut vocab: Vec<u64> = self.lower_vocab.iter().copied().collect();
        vocab.sort_unstable();
        for word in vocab {
            out.extend_from_slice(&word.to_le_bytes());
        }
        let mut names: Vec<(u64, u8)> = self.lexicon.names.iter().map(|(h, b)| (*h, *b)).collect();
        names.sort_unstable();
        out.extend_from_slice(&(names.len() as u32).to_le_bytes());
        for (hash, bits) in names {
            out.extend_from_slice(&hash.to_le_bytes());
            out.push(bits);
        }
        out.extend_from_slice(&(self.stages.len() as u32).to_le_bytes());
        for stage in &self.stages {
            out.extend_from_slice(&stage.rows);
        }
        out
    }

    /// Assembles a model.
    pub(crate) fn new(
        language: [u8; 2],
        bits: u32,
        lower_vocab: WordSet,
        lexicon: Lexicon,
        stages: Vec<Weights>,
    ) -> Model {
        Model {
            language,
            bits,
            lower_vocab,
            lexicon,
            stages,
        }
    }

    /// The language (ISO 639-1) the model was trained for.
    pub fn language(&self) -> &str {
        std::str::from_utf8(&self.language).unwrap_or("en")
    }

    /// The word frequencies of the model's language (none for a language
    /// without a table).
    pub(crate) fn frequencies(&self) -> &'static Frequencies {
        frequencies(self.language())
    }

    /// The lexicon and vocabulary, for preparing documents.
    pub(crate) fn prepare<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> Prepared {
        prepare(
            sentences,
            &self.lexicon,
            &self.lower_vocab,
            self.frequencies(),
        )
    }

    fn scores(&self, stage: &Weights, features: &[u64]) -> [i32; N_TAGS] {
        stage.scores(self.bits, features)
    }

    /// Tags an already prepared document with the first `stages` stages.
    pub(crate) fn tag_prepared(&self, prepared: &Prepared, stages: usize) -> Vec<Vec<usize>> {
        let first = &self.stages[0];
        let mut tags = decode(prepared, None, |f, previous, _| {
            best(&self.scores(first, f), previous)
        });
        if stages > 1
            && let Some(second) = self.stages.get(1)
        {
            let stacked = stack(prepared, tags);
            tags = decode(prepared, Some(&stacked), |f, previous, _| {
                best(&self.scores(second, f), previous)
            });
        }
        tags
    }

    /// Tags the sentences of one document (each a list of tokens) and
    /// returns tag indices into [`TAGS`], IOB2.
    pub fn tag_document<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> Vec<Vec<usize>> {
        self.tag_prepared(&self.prepare(sentences), 2)
    }
}

/// The word frequencies of `language`, or an empty table.
pub(crate) fn frequencies(language: &str) -> &'static Frequencies {
    static NONE: LazyLock<Frequencies> = LazyLock::new(Frequencies::default);
    Frequencies::builtin(language).unwrap_or(&NONE)
}

/// The best tag allowed after `previous`.
fn best<T: PartialOrd + Copy>(scores: &[T; N_TAGS], previous: usize) -> usize {
    let mut best = 0;
    for tag in 1..N_TAGS {
        if allowed(previous, tag) && scores[tag] > scores[best] {
            best = tag;
        }
    }
    best
}

/// Lower-cased hashes of the words that occur starting in lower case.
fn lower_words<S: AsRef<str>>(sentences: &[Vec<S>]) -> WordSet {
    let mut buf = String::new();
    let mut set = WordSet::default();
    for word in sentences.iter().flatten() {
        let word = word.as_ref();
        if word.chars().next().is_some_and(char::is_lowercase) {
            features::lower_into(word, &mut buf);
            set.insert(features::hash_bytes(buf.as_bytes()));
        }
    }
    set
}

/// A headline or table row: every cased word in capitals.
fn sentence_is_upper(words: &[&str]) -> bool {
    let mut cased = 0;
    for word in words {
        if word.chars().any(char::is_lowercase) {
            return false;
        }
        if word.chars().any(char::is_uppercase) {
            cased += 1;
        }
    }
    cased >= 2
}

/// Records the types of the capitalised words just tagged.
fn remember(infos: &[features::TokenInfo], tags: &[usize], history: &mut History) {
    for (info, tag) in infos.iter().zip(tags) {
        if info.capitalised() {
            match tag_type(*tag) {
                Some(kind) => {
                    history.insert(info.lower(), kind);
                }
                None => {
                    history.insert(info.lower(), 4);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_round_trips() {
        let model = Model::builtin();
        let again = Model::from_bytes(&model.to_bytes(), Path::new("x")).unwrap();
        assert_eq!(again.stages, model.stages);
        assert_eq!(again.lower_vocab, model.lower_vocab);
        assert_eq!(again.lexicon.names, model.lexicon.names);
        let bytes = model.to_bytes();
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1], Path::new("x")).is_err());
        assert!(Model::from_bytes(b"WHNER001garbage.....", Path::new("x")).is_err());
    }

    #[test]
    fn headlines_are_upper() {
        assert!(sentence_is_upper(&["SOCCER", "-", "ROMA", "WIN"]));
        assert!(!sentence_is_upper(&["Roma", "win"]));
    }
}

/// Every word list in `data/` parses, documents itself and lists no entry
/// twice.
#[cfg(test)]
mod data_files_tests {
    #[test]
    fn every_data_file_parses_without_duplicates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let checked = wirehose_text::lists::check_data_dir(&dir).unwrap();
        assert!(checked > 0);
    }

    /// A word repeated past what 16-bit vote counts hold (a huge document
    /// that passed the size limits) tags without overflow.
    #[test]
    fn a_word_repeated_twenty_thousand_times_tags() {
        let sentences: Vec<Vec<&str>> = (0..2_000)
            .map(|_| {
                vec![
                    "Kerry", "met", "Kerry", "Kerry", "Kerry", "Kerry", "Kerry", "Kerry", "Kerry",
                    "Kerry", ".",
                ]
            })
            .collect();
        let tags = crate::Model::builtin().tag_document(&sentences);
        assert_eq!(tags.len(), 2_000);
    }
}
