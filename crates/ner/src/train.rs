//! Training the tagger: averaged perceptron, greedy decoding with the
//! model's own predictions as history (so training sees what tagging sees),
//! documents shuffled each epoch, the epoch with the best development F1 kept.

use std::time::Instant;

use crate::conll::{Document, Scores};
use crate::features::{self, Lexicon, N_TAGS, TAGS, WordSet};
use crate::{Model, best, lower_words};

/// Training settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The language (ISO 639-1) of the training data: it picks the word
    /// frequencies the features read and is recorded in the model.
    /// Default `en`.
    pub language: String,
    /// Weight table rows, as a power of two. Default 20 (a two-stage
    /// model of about 21 MB: one byte per weight and one per row of nine).
    pub bits: u32,
    /// Most passes over the training data. Default 12.
    pub epochs: usize,
    /// Seed of the per-epoch shuffle.
    pub seed: u64,
    /// One training document in this many is added again in capitals, so
    /// that headlines and all-capitals wire copy (`NEW YORK`, `SOCCER -
    /// JAPAN GET LUCKY WIN`) look like something the tagger has seen
    /// (CoNLL-2003 dev in capitals: F1 67.1 without, 84.7 with; the same
    /// in title case too cost organisations in ordinary text). 0: none.
    /// Default 10.
    pub case_variants: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: "en".to_string(),
            bits: 20,
            epochs: 12,
            seed: 7,
            case_variants: 10,
        }
    }
}

/// `documents` followed by a copy in capitals of one in `every` of them
/// (none when `every` is 0).
fn with_case_variants(documents: &[Document], every: usize) -> Vec<Document> {
    let mut out = documents.to_vec();
    if every == 0 {
        return out;
    }
    for document in documents.iter().step_by(every) {
        let mut copy = document.clone();
        for sentence in &mut copy.sentences {
            for token in &mut sentence.tokens {
                *token = token.to_uppercase();
            }
        }
        out.push(copy);
    }
    out
}

/// What one epoch gave.
#[derive(Debug, Clone)]
pub struct Epoch {
    /// 1 for the first stage, 2 for the second.
    pub stage: usize,
    /// 1-based epoch number.
    pub epoch: usize,
    /// Share of training tokens tagged wrong during the pass.
    pub train_error: f64,
    /// Development micro F1 of the averaged, quantised model (0 without dev data).
    pub dev_f1: f64,
    /// Seconds the epoch took.
    pub seconds: f64,
}

struct Perceptron {
    bits: u32,
    weights: Vec<f32>,
    totals: Vec<f64>,
    stamps: Vec<u32>,
    step: u32,
}

impl Perceptron {
    fn new(bits: u32) -> Perceptron {
        let size = (1usize << bits) * N_TAGS;
        Perceptron {
            bits,
            weights: vec![0.0; size],
            totals: vec![0.0; size],
            stamps: vec![0; size],
            step: 0,
        }
    }

    fn scores(&self, features: &[u64]) -> [f32; N_TAGS] {
        let mut scores = [0f32; N_TAGS];
        for &feature in features {
            let row = (feature >> (64 - self.bits)) as usize * N_TAGS;
            for (score, weight) in scores.iter_mut().zip(&self.weights[row..row + N_TAGS]) {
                *score += weight;
            }
        }
        scores
    }

    fn update(&mut self, features: &[u64], gold: usize, guess: usize) {
        for &feature in features {
            let row = (feature >> (64 - self.bits)) as usize * N_TAGS;
            for (tag, delta) in [(gold, 1.0f32), (guess, -1.0)] {
                let at = row + tag;
                self.totals[at] +=
                    f64::from(self.step - self.stamps[at]) * f64::from(self.weights[at]);
                self.stamps[at] = self.step;
                self.weights[at] += delta;
            }
        }
    }

    fn averaged(&self) -> Vec<f32> {
        let step = f64::from(self.step.max(1));
        self.weights
            .iter()
            .zip(&self.totals)
            .zip(&self.stamps)
            .map(|((w, total), stamp)| {
                ((total + f64::from(self.step - stamp) * f64::from(*w)) / step) as f32
            })
            .collect()
    }
}

fn gold_tags(tags: &[String]) -> Vec<usize> {
    // IOB1 or IOB2 in, IOB2 indices out.
    let spans = super::conll::spans(tags);
    let mut out = vec![0; tags.len()];
    for (start, end, kind) in spans {
        let Some(type_index) = features::TYPES.iter().position(|t| *t == kind) else {
            continue;
        };
        out[start] = 1 + type_index * 2;
        for tag in &mut out[start + 1..end] {
            *tag = 2 + type_index * 2;
        }
    }
    out
}

/// Words seen starting in lower case anywhere in the training data.
fn training_lower_vocab(documents: &[Document]) -> WordSet {
    let mut set = WordSet::default();
    for document in documents {
        let sentences: Vec<&Vec<String>> = document.sentences.iter().map(|s| &s.tokens).collect();
        let owned: Vec<Vec<&str>> = sentences
            .iter()
            .map(|s| s.iter().map(String::as_str).collect())
            .collect();
        set.extend(lower_words(&owned));
    }
    set
}

/// Folds for the training lexicon: a document's lexicon features come from
/// the names of the other folds, so training sees lexicon hits as unreliable
/// as they are on unseen text.
const FOLDS: usize = 5;

/// The entity names of `documents` whose index is not in fold `skip`.
fn lexicon(documents: &[Document], skip: Option<usize>) -> Lexicon {
    let mut lexicon = Lexicon::default();
    for (index, document) in documents.iter().enumerate() {
        if Some(index % FOLDS) == skip {
            continue;
        }
        for sentence in &document.sentences {
            for (start, end, kind) in super::conll::spans(&sentence.tags) {
                if let Some(kind) = features::TYPES.iter().position(|t| *t == kind) {
                    lexicon.add(&sentence.tokens[start..end], kind);
                }
            }
        }
    }
    lexicon
}

/// Scores `model` on `documents`, using its first `stages` stages.
pub fn evaluate_stages(model: &Model, documents: &[Document], stages: usize) -> Scores {
    let mut scores = Scores::default();
    for document in documents {
        let sentences: Vec<Vec<&str>> = document
            .sentences
            .iter()
            .map(|s| s.tokens.iter().map(String::as_str).collect())
            .collect();
        let predicted = model.tag_prepared(&model.prepare(&sentences), stages);
        for (sentence, tags) in document.sentences.iter().zip(predicted) {
            let names: Vec<&str> = tags.iter().map(|t| TAGS[*t]).collect();
            scores.add(&sentence.tags, &names);
        }
    }
    scores
}

/// Scores `model` (all its stages) on `documents`.
pub fn evaluate(model: &Model, documents: &[Document]) -> Scores {
    evaluate_stages(model, documents, 2)
}

/// A training document prepared once: features inputs and gold tags.
struct Example {
    prepared: super::Prepared,
    gold: Vec<Vec<usize>>,
    fold: usize,
}

/// Trains one stage with the perceptron; `stacked` gives each example's
/// first-stage view for a second stage. Returns the weights after every
/// epoch, averaged, with the training error.
fn train_stage(
    examples: &[&Example],
    stacked: Option<&[super::Stacked]>,
    settings: &Settings,
    epochs: usize,
    mut after_epoch: impl FnMut(usize, f64, Vec<f32>, f64) -> bool,
) {
    let mut perceptron = Perceptron::new(settings.bits);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = wirehose_text::hash::SplitMix64(settings.seed);
    for epoch in 1..=epochs {
        let started = Instant::now();
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let (mut tokens, mut wrong) = (0usize, 0usize);
        for &index in &order {
            let example = examples[index];
            let stack = stacked.map(|all| &all[index]);
            super::decode(&example.prepared, stack, |features, previous, (s, i)| {
                let guess = best(&perceptron.scores(features), previous);
                let gold = example.gold[s][i];
                perceptron.step += 1;
                tokens += 1;
                if guess != gold {
                    perceptron.update(features, gold, guess);
                    wrong += 1;
                }
                guess
            });
        }
        let error = wrong as f64 / tokens.max(1) as f64;
        let go_on = after_epoch(
            epoch,
            error,
            perceptron.averaged(),
            started.elapsed().as_secs_f64(),
        );
        if !go_on {
            break;
        }
    }
}

/// Trains a two-stage model on `train`, keeping for each stage the epoch
/// that scores best on `dev` (the last epoch when `dev` is empty).
///
/// The second stage learns from first-stage predictions made the way they
/// will be at run time, on text the first stage did not see: each training
/// fold is tagged by a first stage trained on the other folds.
pub fn train(
    train: &[Document],
    dev: &[Document],
    settings: &Settings,
    mut progress: impl FnMut(&Epoch),
) -> Model {
    let train = &with_case_variants(train, settings.case_variants);
    let language: [u8; 2] = settings.language.as_bytes().try_into().unwrap_or(*b"en");
    let frequencies = super::frequencies(&settings.language);
    let lower_vocab = training_lower_vocab(train);
    let fold_lexicons: Vec<Lexicon> = (0..FOLDS).map(|k| lexicon(train, Some(k))).collect();
    let full_lexicon = lexicon(train, None);
    let examples: Vec<Example> = train
        .iter()
        .enumerate()
        .map(|(index, document)| {
            let sentences: Vec<Vec<&str>> = document
                .sentences
                .iter()
                .map(|s| s.tokens.iter().map(String::as_str).collect())
                .collect();
            Example {
                prepared: super::prepare(
                    &sentences,
                    &fold_lexicons[index % FOLDS],
                    &lower_vocab,
                    frequencies,
                ),
                gold: document
                    .sentences
                    .iter()
                    .map(|s| gold_tags(&s.tags))
                    .collect(),
                fold: index % FOLDS,
            }
        })
        .collect();
    let all: Vec<&Example> = examples.iter().collect();
    let model_with = |stages: Vec<super::Weights>| {
        Model::new(
            language,
            settings.bits,
            lower_vocab.clone(),
            full_lexicon.clone(),
            stages,
        )
    };
    let dev_f1 = |model: &Model, stages: usize| {
        if dev.is_empty() {
            0.0
        } else {
            evaluate_stages(model, dev, stages).all.f1()
        }
    };

    // Stage one on everything, best epoch on dev.
    let mut first: Option<(f64, super::Weights)> = None;
    let mut best_epoch = settings.epochs;
    train_stage(
        &all,
        None,
        settings,
        settings.epochs,
        |epoch, error, weights, seconds| {
            let weights = super::Weights::quantise(&weights);
            let model = model_with(vec![weights.clone()]);
            let f1 = dev_f1(&model, 1);
            progress(&Epoch {
                stage: 1,
                epoch,
                train_error: error,
                dev_f1: f1,
                seconds,
            });
            if first
                .as_ref()
                .is_none_or(|(best, _)| dev.is_empty() || f1 > *best)
            {
                first = Some((f1, weights));
                best_epoch = epoch;
            }
            true
        },
    );
    let Some((first_f1, first)) = first else {
        return model_with(vec![super::Weights::quantise(&[])]);
    };

    // First-stage predictions on each fold by a first stage trained on the others.
    let mut stacked: Vec<Option<super::Stacked>> = (0..examples.len()).map(|_| None).collect();
    for fold in 0..FOLDS {
        let others: Vec<&Example> = examples.iter().filter(|e| e.fold != fold).collect();
        let mut weights = None;
        train_stage(&others, None, settings, best_epoch, |_, _, averaged, _| {
            weights = Some(averaged);
            true
        });
        let Some(weights) = weights else { continue };
        let model = model_with(vec![super::Weights::quantise(&weights)]);
        for (index, example) in examples.iter().enumerate() {
            if example.fold == fold {
                let tags = model.tag_prepared(&example.prepared, 1);
                stacked[index] = Some(super::stack(&example.prepared, tags));
            }
        }
    }
    let stacked: Vec<super::Stacked> = stacked.into_iter().flatten().collect();
    if stacked.len() != examples.len() {
        return model_with(vec![first]);
    }

    // Stage two.
    let mut second: Option<(f64, super::Weights)> = None;
    train_stage(
        &all,
        Some(&stacked),
        settings,
        settings.epochs,
        |epoch, error, weights, seconds| {
            let weights = super::Weights::quantise(&weights);
            let model = model_with(vec![first.clone(), weights.clone()]);
            let f1 = dev_f1(&model, 2);
            progress(&Epoch {
                stage: 2,
                epoch,
                train_error: error,
                dev_f1: f1,
                seconds,
            });
            if second
                .as_ref()
                .is_none_or(|(best, _)| dev.is_empty() || f1 > *best)
            {
                second = Some((f1, weights));
            }
            true
        },
    );
    match second {
        Some((f1, second)) if dev.is_empty() || f1 > first_f1 => model_with(vec![first, second]),
        _ => model_with(vec![first]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_tags_become_iob2() {
        let tags: Vec<String> = ["I-PER", "I-PER", "B-PER", "O", "I-LOC"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(gold_tags(&tags), vec![1, 2, 1, 0, 5]);
    }

    #[test]
    fn learns_a_tiny_language() {
        let text = "Alice x x I-PER\nvisited x x O\nParis x x I-LOC\n. x x O\n\n\
                    Bob x x I-PER\nvisited x x O\nBerlin x x I-LOC\n. x x O\n";
        let docs = super::super::conll::parse(text).unwrap();
        for language in ["en", "de"] {
            let settings = Settings {
                language: language.to_string(),
                bits: 12,
                epochs: 5,
                seed: 1,
                case_variants: 0,
            };
            let model = train(&docs, &docs, &settings, |_| {});
            assert!(evaluate(&model, &docs).all.f1() > 0.99);
            assert_eq!(model.language(), language);
            let again = crate::Model::from_bytes(&model.to_bytes(), std::path::Path::new("x"));
            assert_eq!(again.unwrap().language(), language);
        }
    }

    #[test]
    fn case_variants_are_added_to_some_documents() {
        let text = "-DOCSTART- -X- -X- O\n\nAlice x x I-PER\nvisited x x O\n\n\
                    -DOCSTART- -X- -X- O\n\nBob x x I-PER\nleft x x O\n";
        let docs = super::super::conll::parse(text).unwrap();
        let all = with_case_variants(&docs, 2);
        let words: Vec<Vec<&str>> = all
            .iter()
            .map(|d| {
                d.sentences
                    .iter()
                    .flat_map(|s| s.tokens.iter().map(String::as_str))
                    .collect()
            })
            .collect();
        assert_eq!(words.len(), 3, "{words:?}");
        assert_eq!(words[2], ["ALICE", "VISITED"]);
        assert_eq!(with_case_variants(&docs, 0).len(), 2);
    }
}
