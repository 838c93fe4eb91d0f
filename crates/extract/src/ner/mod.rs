//! Named-entity tagger: a greedy left-to-right averaged perceptron over
//! hashed features, trained by the project's own code on CoNLL-2003.
//!
//! Tags are IOB2 over four types, PER, ORG, LOC and MISC ([`TAGS`]). Features
//! ([`features`]) are the word and its neighbours two either side, word
//! shapes, prefixes and suffixes, capitalisation, GeoNames gazetteer
//! membership ([`crate::geo`]), the two tags predicted before, whether the
//! word occurs in lower case in the document or in the training data, and
//! document-level memory: the type the tagger gave the same word earlier in
//! the article, so that "Kerry" agrees with "John Kerry" three paragraphs up.
//!
//! Weights are stored as 16-bit integers in a table of `2^bits` rows of nine
//! (one per tag), indexed by the top bits of each feature's hash. The model
//! ships in the binary ([`Model::builtin`]); `wirehose train ner` rebuilds it
//! ([`train::train`]) and `wirehose eval ner` scores it ([`conll`]).
//!
//! ```
//! let model = wirehose_extract::ner::Model::builtin();
//! let sentence = ["Mike", "Pompeo", "met", "Vladimir", "Putin", "in", "Sochi", "."];
//! let tags = model.tag_document(&[sentence.to_vec()]);
//! let names: Vec<&str> = tags[0].iter().map(|t| wirehose_extract::ner::TAGS[*t]).collect();
//! assert_eq!(names, ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "B-LOC", "O"]);
//! ```

pub mod conll;
pub mod features;
pub mod train;

use std::path::Path;
use std::sync::{Arc, LazyLock};

pub use features::{N_TAGS, TAGS, TYPES};

use crate::ExtractError;
use crate::geo::Gazetteer;
use features::{History, Lexicon, WordSet, allowed, tag_type};

const MAGIC: &[u8; 8] = b"WHNER002";

/// The model compiled into the binary.
static BUILTIN_BYTES: &[u8] = include_bytes!("../../models/ner.bin");

static BUILTIN_MODEL: LazyLock<Arc<Model>> = LazyLock::new(|| {
    Arc::new(
        Model::from_bytes(BUILTIN_BYTES, Path::new("models/ner.bin"))
            .expect("the built-in NER model is well-formed (checked by tests)"),
    )
});

/// A trained tagger.
#[derive(Debug, Clone)]
pub struct Model {
    bits: u32,
    scale: f32,
    lower_vocab: WordSet,
    lexicon: Lexicon,
    weights: Vec<i16>,
}

impl Model {
    /// The model shipped in the binary, loaded on first use.
    pub fn builtin() -> &'static Model {
        &BUILTIN_MODEL
    }

    /// The built-in model as a shared handle.
    pub fn builtin_shared() -> Arc<Model> {
        BUILTIN_MODEL.clone()
    }

    /// Loads a model file written by [`Model::to_bytes`].
    pub fn load(path: &Path) -> Result<Model, ExtractError> {
        let bytes = std::fs::read(path).map_err(|err| ExtractError::io(path, err))?;
        Model::from_bytes(&bytes, path)
    }

    /// Parses a model; `path` only names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model, ExtractError> {
        let bad = |message: &str| ExtractError::format(path, 0, message);
        if bytes.len() < 20 || &bytes[..8] != MAGIC {
            return Err(bad("not a wirehose NER model (bad magic)"));
        }
        let u32_at = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let bits = u32_at(8);
        let scale = f32::from_bits(u32_at(12));
        let n_vocab = u32_at(16) as usize;
        if !(10..=24).contains(&bits) {
            return Err(bad("table size out of range"));
        }
        let vocab_end = 20 + n_vocab * 8;
        if bytes.len() < vocab_end + 4 {
            return Err(bad("model is truncated"));
        }
        let n_lexicon = u32_at(vocab_end) as usize;
        let lexicon_end = vocab_end + 4 + n_lexicon * 9;
        let rows = 1usize << bits;
        let expected = lexicon_end + rows * N_TAGS * 2;
        if bytes.len() != expected {
            return Err(bad(&format!(
                "model is {} bytes, its header says {expected}",
                bytes.len()
            )));
        }
        let lower_vocab = bytes[20..vocab_end]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        let mut lexicon = Lexicon::default();
        for entry in bytes[vocab_end + 4..lexicon_end].chunks_exact(9) {
            let hash = u64::from_le_bytes(entry[..8].try_into().unwrap_or_default());
            lexicon.names.insert(hash, entry[8]);
        }
        let weights = bytes[lexicon_end..]
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(Model {
            bits,
            scale,
            lower_vocab,
            lexicon,
            weights,
        })
    }

    /// Serialises the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.lower_vocab.len() * 8 + self.weights.len() * 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&self.scale.to_bits().to_le_bytes());
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
        for weight in &self.weights {
            out.extend_from_slice(&weight.to_le_bytes());
        }
        out
    }

    /// Builds a model from float weights, quantising them to 16 bits.
    fn quantise(bits: u32, weights: &[f32], lower_vocab: WordSet, lexicon: Lexicon) -> Model {
        let max = weights.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-9);
        let scale = max / f32::from(i16::MAX);
        let weights = weights
            .iter()
            .map(|w| (w / scale).round().clamp(-32767.0, 32767.0) as i16)
            .collect();
        Model {
            bits,
            scale,
            lower_vocab,
            lexicon,
            weights,
        }
    }

    #[inline]
    fn row(&self, feature: u64) -> usize {
        (feature >> (64 - self.bits)) as usize * N_TAGS
    }

    fn scores(&self, features: &[u64]) -> [i32; N_TAGS] {
        let mut scores = [0i32; N_TAGS];
        for &feature in features {
            let row = self.row(feature);
            let weights = &self.weights[row..row + N_TAGS];
            for (score, weight) in scores.iter_mut().zip(weights) {
                *score += i32::from(*weight);
            }
        }
        scores
    }

    /// Tags the sentences of one document (each a list of tokens) and
    /// returns tag indices into [`TAGS`], IOB2.
    pub fn tag_document<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> Vec<Vec<usize>> {
        let gazetteer = Gazetteer::builtin();
        let lower_in_document = lower_words(sentences);
        let mut history = History::default();
        let mut features = Vec::with_capacity(64);
        let mut out = Vec::with_capacity(sentences.len());
        for sentence in sentences {
            let words: Vec<&str> = sentence.iter().map(AsRef::as_ref).collect();
            let infos = features::token_infos(
                &words,
                gazetteer,
                &self.lexicon,
                &self.lower_vocab,
                &lower_in_document,
            );
            let upper = sentence_is_upper(&words);
            let mut tags = Vec::with_capacity(words.len());
            for i in 0..words.len() {
                features::features(&infos, i, &tags, &history, upper, &mut features);
                let scores = self.scores(&features);
                let previous = tags.last().copied().unwrap_or(0);
                tags.push(best(&scores, previous));
            }
            remember(&infos, &tags, &mut history);
            out.push(tags);
        }
        out
    }
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
        assert_eq!(again.weights, model.weights);
        assert_eq!(again.lower_vocab, model.lower_vocab);
        assert_eq!(again.lexicon.names, model.lexicon.names);
        assert!(Model::from_bytes(b"WHNER002garbage.....", Path::new("x")).is_err());
    }

    #[test]
    fn headlines_are_upper() {
        assert!(sentence_is_upper(&["SOCCER", "-", "ROMA", "WIN"]));
        assert!(!sentence_is_upper(&["Roma", "win"]));
    }
}
