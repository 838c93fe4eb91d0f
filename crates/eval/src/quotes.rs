//! Direct-quote detection and speaker accuracy on the PolNeAR layout.
//!
//! **Data.** `DIR/text/<article>.txt` and `DIR/attributions/<article>_<annotator>.ann`
//! (brat standoff, code-point offsets into the `.txt`). Where several
//! annotators annotated one text, the annotation file whose annotator id sorts
//! first is used. Each text becomes a [`Record`] whose paragraphs are the
//! non-empty trimmed lines of the file, and runs through the real
//! `wirehose_extract::Extract` transform, so speakers come from the daemon's code path.
//!
//! **Gold.** A gold direct quote is an attribution (`E` line) whose Content
//! (its pieces joined by a space, `Content2` appended) starts with a quotation
//! mark: `"`, `“`, `”`, `„` or `''` (two apostrophes, as some of the texts
//! write a double quote).
//!
//! **Predictions.** The record's quotes, with two rules:
//! - PolNeAR annotates `“A,” he said. “B.”` as one attribution with a
//!   discontinuous content, so consecutive predicted quotes of one paragraph
//!   with the same speaker and the same cue are one predicted attribution
//!   when the text between them holds that cue, no other cue verb, and at
//!   most 40 words (room for `said X, a long description of X,`).
//! - Partial quotes ([`wirehose_extract::quotes::is_partial`]: the mark stands inside a
//!   sentence, `Trump called it “a disaster”`) are not direct quotes in
//!   PolNeAR's sense (their attributed content starts before the mark), so
//!   the headline scores leave them out; the report also gives precision with
//!   them counted.
//!
//! **Matching.** Words are lowercase alphanumeric runs, counted with
//! multiplicity. A predicted and a gold quote match when they share at least
//! half of the longer one's words; pairs are matched one-to-one, greedily by
//! shared words (ties in text order). Precision = matched / predicted, recall
//! = matched / gold.
//!
//! **Speakers.** Over matched pairs. The gold speaker words are the name words
//! of the attribution's Source: capitalised words, lowercased, minus titles,
//! determiners, quantifiers and party or nationality words (`Sen.`,
//! `President`, `The`, `Others`, `GOP`, `American`). When the Source has none (a
//! pronoun, `the spokesman`, or no Source at all), the gold words are the
//! Source's own content words plus the name words of the nearest preceding
//! attribution in the article (by position in the text) whose Source has
//! name words and does not stand inside another attribution's Content (the
//! nearest following one when none precedes). A Source that stands for a
//! person (`he`, `she`, `the senator`: any Source except `it`, `they`, `we`
//! and their forms) takes the nearest such Source that names a *person*,
//! that is, overlaps a `PER` mention of the entity tagger (the same tagger
//! the daemon runs, over the same text): `the Vermont senator` or `Fox News`
//! cannot be what `he` refers to. When no Source names a person, the nearest
//! named Source of any kind is used. The predicted speaker is
//! correct when its words (lowercased, same stop list) share a word with the
//! gold words; a missing predicted speaker is wrong.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use wirehose_core::{Quote, Record, Transform};

use wirehose_extract::{Extract, ExtractConfig};

use crate::EvalError;

/// Scores of one evaluation run.
#[derive(Debug, Clone, Default)]
pub struct QuoteScores {
    /// Articles scored.
    pub articles: usize,
    /// Gold direct quotes.
    pub gold: usize,
    /// Predicted direct quotes (partial quotes left out, continuations merged).
    pub predicted: usize,
    /// Predicted quotes matched one-to-one to a gold quote.
    pub matched: usize,
    /// matched / predicted.
    pub precision: f64,
    /// matched / gold.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Matched pairs whose predicted speaker is right.
    pub speaker_correct: usize,
    /// speaker_correct / matched.
    pub speaker_accuracy: f64,
    /// Predicted quotes with partial quotes counted too.
    pub all_predicted: usize,
    /// Matches when partial quotes are counted too.
    pub all_matched: usize,
    /// Error categories and their counts, most frequent first.
    pub errors: Vec<(String, usize)>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

impl std::fmt::Display for QuoteScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "articles  {}", self.articles)?;
        writeln!(
            f,
            "quotes    gold {}  predicted {}  matched {}",
            self.gold, self.predicted, self.matched
        )?;
        writeln!(
            f,
            "detection P {:.3}  R {:.3}  F1 {:.3}",
            self.precision, self.recall, self.f1
        )?;
        writeln!(
            f,
            "speaker   accuracy {:.3} ({}/{})",
            self.speaker_accuracy, self.speaker_correct, self.matched
        )?;
        let (p, r) = (
            ratio(self.all_matched, self.all_predicted),
            ratio(self.all_matched, self.gold),
        );
        writeln!(
            f,
            "with partial quotes: predicted {}  matched {}  P {:.3}  R {:.3}  F1 {:.3}",
            self.all_predicted,
            self.all_matched,
            p,
            r,
            f1(p, r)
        )?;
        write!(f, "errors   ")?;
        for (name, count) in &self.errors {
            write!(f, " {name} {count};")?;
        }
        Ok(())
    }
}

/// One gold attribution.
#[derive(Debug, Clone)]
struct Attribution {
    /// Position in the text (start of the Source, else of the Content).
    at: usize,
    /// The pieces of the Content (start, end exclusive).
    content_pieces: Vec<(usize, usize)>,
    /// Content text, pieces joined by a space.
    content: String,
    /// Source text, when there is a Source.
    source: Option<String>,
    /// The pieces of the Source.
    source_pieces: Vec<(usize, usize)>,
}

/// Words dropped from speaker names: titles, determiners, pronouns.
const SPEAKER_STOP: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sen",
    "senator",
    "rep",
    "representative",
    "gov",
    "governor",
    "president",
    "vice",
    "secretary",
    "gen",
    "general",
    "rev",
    "sir",
    "the",
    "a",
    "an",
    "of",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "former",
    "he",
    "she",
    "they",
    "i",
    "we",
    "it",
    "you",
    "who",
    "which",
    "this",
    "that",
    "these",
    "those",
    "s",
    "said",
    "and",
    "in",
    "for",
    "to",
    "on",
    "at",
    "with",
    "others",
    "some",
    "many",
    "most",
    "several",
    "both",
    "all",
    "gop",
    "republican",
    "republicans",
    "democrat",
    "democrats",
    "democratic",
    "american",
    "americans",
];

/// Lowercase alphanumeric words of `text`.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Capitalised words of `text` that are not titles or determiners, lowercased.
fn name_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(str::to_lowercase)
        .filter(|w| !SPEAKER_STOP.contains(&w.as_str()))
        .collect()
}

fn content_words(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| !SPEAKER_STOP.contains(&w.as_str()))
        .collect()
}

fn starts_with_quote(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with(['"', '“', '”', '„']) || t.starts_with("''")
}

/// Words shared by two word lists, with multiplicity.
fn shared(a: &[String], b: &[String]) -> usize {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in a {
        *counts.entry(w.as_str()).or_default() += 1;
    }
    let mut n = 0;
    for w in b {
        if let Some(c) = counts.get_mut(w.as_str())
            && *c > 0
        {
            *c -= 1;
            n += 1;
        }
    }
    n
}

/// Matches predicted to gold word lists one-to-one, greedily by shared words.
/// Returns (predicted index, gold index) pairs.
pub(crate) fn match_quotes(pred: &[Vec<String>], gold: &[Vec<String>]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, p) in pred.iter().enumerate() {
        for (j, g) in gold.iter().enumerate() {
            let n = shared(p, g);
            if n > 0 && 2 * n >= p.len().max(g.len()) {
                pairs.push((n, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut used_p, mut used_g) = (vec![false; pred.len()], vec![false; gold.len()]);
    let mut out = Vec::new();
    for (_, i, j) in pairs {
        if !used_p[i] && !used_g[j] {
            used_p[i] = true;
            used_g[j] = true;
            out.push((i, j));
        }
    }
    out
}

/// Parses one brat file into its attributions, resolving offsets against `text`.
fn parse_ann(path: &Path, ann: &str, text: &[char]) -> Result<Vec<Attribution>, EvalError> {
    let mut spans: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut links: Vec<(usize, Vec<(&str, &str)>)> = Vec::new();
    for (n, line) in ann.lines().enumerate() {
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or("");
        let is_id = |prefix: char| {
            id.len() > 1 && id.starts_with(prefix) && id[1..].bytes().all(|b| b.is_ascii_digit())
        };
        if is_id('T') {
            let Some(mid) = fields.next() else {
                return Err(EvalError::format(path, n + 1, "span line without offsets"));
            };
            let Some((_, offsets)) = mid.split_once(' ') else {
                return Err(EvalError::format(path, n + 1, "span line without offsets"));
            };
            let mut pieces = Vec::new();
            for piece in offsets.split(';') {
                let mut nums = piece.split_whitespace().map(str::parse::<usize>);
                match (nums.next(), nums.next()) {
                    (Some(Ok(s)), Some(Ok(e))) if s <= e && e <= text.len() => pieces.push((s, e)),
                    _ => {
                        return Err(EvalError::format(
                            path,
                            n + 1,
                            format!("bad offsets {piece:?}"),
                        ));
                    }
                }
            }
            spans.insert(id, pieces);
        } else if is_id('E') {
            let roles = fields
                .next()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|r| r.split_once(':'))
                .collect();
            links.push((n + 1, roles));
        }
        // Other lines: notes (`#`), relations, or continuation lines of a
        // span text that holds a line break.
    }
    let piece_text = |pieces: &[(usize, usize)]| {
        pieces
            .iter()
            .map(|&(s, e)| text[s..e].iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
    for (line, roles) in links {
        let mut content: Vec<(usize, usize)> = Vec::new();
        let mut source: Option<&Vec<(usize, usize)>> = None;
        for (role, id) in roles {
            let Some(pieces) = spans.get(id) else {
                return Err(EvalError::format(path, line, format!("unknown span {id}")));
            };
            match role {
                "Content" | "Content2" => content.extend(pieces),
                "Source" => source = Some(pieces),
                _ => {}
            }
        }
        if content.is_empty() {
            continue;
        }
        let at = source
            .and_then(|s| s.first())
            .or(content.first())
            .map_or(0, |p| p.0);
        out.push(Attribution {
            at,
            content_pieces: content.clone(),
            content: piece_text(&content),
            source: source.map(|s| piece_text(s)),
            source_pieces: source.cloned().unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Who said a gold quote.
struct GoldSpeaker {
    /// Words any of which a right predicted speaker has.
    words: Vec<String>,
    /// Whether the Source itself names someone.
    named: bool,
}

/// Sources that refer to something other than a person: these take the
/// nearest named Source of any kind.
const IMPERSONAL: &[&str] = &["it", "its", "they", "them", "their", "we", "us", "our"];

/// The gold speaker of each of `attributions`; `person(start, end)` tells
/// whether a span of the text (code points) holds a person's name.
fn gold_speakers(
    attributions: &[Attribution],
    person: impl Fn(usize, usize) -> bool,
) -> Vec<GoldSpeaker> {
    // Named Sources that do not stand inside another attribution's Content.
    let nested = |i: usize, a: &Attribution| {
        attributions
            .iter()
            .enumerate()
            .any(|(j, b)| j != i && b.content_pieces.iter().any(|&(s, e)| s <= a.at && a.at < e))
    };
    // (position, name words, names a person)
    let mut named: Vec<(usize, Vec<String>, bool)> = attributions
        .iter()
        .enumerate()
        .filter(|(i, a)| !nested(*i, a))
        .filter_map(|(_, a)| {
            let words = name_words(a.source.as_deref()?);
            let is_person = a.source_pieces.iter().any(|&(s, e)| person(s, e));
            (!words.is_empty()).then_some((a.at, words, is_person))
        })
        .collect();
    // Brat files list attributions in annotation order, not text order.
    named.sort_by_key(|(at, ..)| *at);
    attributions
        .iter()
        .map(|a| {
            let own = a.source.as_deref().map(name_words).unwrap_or_default();
            if !own.is_empty() {
                return GoldSpeaker {
                    words: own,
                    named: true,
                };
            }
            let source_words = a.source.as_deref().map(words).unwrap_or_default();
            let impersonal = source_words
                .first()
                .is_some_and(|w| IMPERSONAL.contains(&w.as_str()));
            let mut words = a.source.as_deref().map(content_words).unwrap_or_default();
            // The nearest named Source, of a person when `person_only`.
            let nearest = |person_only: bool| {
                let wanted = |n: &&(usize, Vec<String>, bool)| n.2 || !person_only;
                let before = named.iter().rev().filter(wanted).find(|n| n.0 < a.at);
                let after = named.iter().filter(wanted).find(|n| n.0 >= a.at);
                before.or(after)
            };
            let personal = !impersonal && a.source.is_some();
            let found = personal.then(|| nearest(true)).flatten();
            if let Some((_, w, _)) = found.or_else(|| nearest(false)) {
                words.extend(w.iter().cloned());
            }
            GoldSpeaker {
                words,
                named: false,
            }
        })
        .collect()
}

fn speaker_right(predicted: Option<&str>, gold: &[String]) -> bool {
    let Some(p) = predicted else {
        return false;
    };
    content_words(p).iter().any(|w| gold.contains(w))
}

/// Most words between two quotes of one predicted attribution.
const GAP_MAX: usize = 40;

/// A predicted attribution: one or more consecutive quotes of one speaker.
struct Unit {
    words: Vec<String>,
    speaker: Option<String>,
}

/// Groups quotes into predicted attributions (see the module docs).
fn units(body_chars: &[char], quotes: &[&Quote]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut prev: Option<&Quote> = None;
    for q in quotes {
        let joins = prev.is_some_and(|p| {
            if p.speaker.is_none() || p.speaker != q.speaker || q.start < p.end {
                return false;
            }
            let gap: String = body_chars[p.end..q.start].iter().collect();
            let gap_words = words(&gap);
            let cue = p.cue.as_deref().map(words).unwrap_or_default();
            let other_cue = gap_words
                .iter()
                .any(|w| wirehose_extract::quotes::CUES.contains(&w.as_str()) && !cue.contains(w));
            !gap.contains('\n')
                && p.cue == q.cue
                && !cue.is_empty()
                && gap_words.len() <= GAP_MAX
                && cue.iter().all(|c| gap_words.contains(c))
                && !other_cue
        });
        let w = words(&q.text);
        match out.last_mut() {
            Some(unit) if joins => unit.words.extend(w),
            _ => out.push(Unit {
                words: w,
                speaker: q.speaker.clone(),
            }),
        }
        prev = Some(q);
    }
    out
}

/// The record paragraphs of a text (its non-empty trimmed lines) and, for
/// each code point of the text (and one past the end), the code point of the
/// body (`paragraphs.join("\n\n")`) it became (spaces dropped by the trim
/// map to a neighbouring one).
fn paragraphs(text: &str) -> (Vec<String>, Vec<usize>) {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut to_body = Vec::with_capacity(text.len() + 1);
    let mut body_at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let lead = line.chars().count() - line.trim_start().chars().count();
        let kept = trimmed.chars().count();
        if kept > 0 && !paragraphs.is_empty() {
            body_at += 2;
        }
        for i in 0..line.chars().count() {
            to_body.push(body_at + i.saturating_sub(lead).min(kept));
        }
        if kept > 0 {
            paragraphs.push(trimmed.to_string());
            body_at += kept;
        }
    }
    to_body.push(body_at);
    (paragraphs, to_body)
}

fn read(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))
}

/// The annotation file of each article: the first annotator's, by file name.
fn annotation_files(ann_dir: &Path) -> Result<BTreeMap<String, PathBuf>, EvalError> {
    let mut annotations: BTreeMap<String, PathBuf> = BTreeMap::new();
    for entry in std::fs::read_dir(ann_dir).map_err(|e| EvalError::io(ann_dir, e))? {
        let path = entry.map_err(|e| EvalError::io(ann_dir, e))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".ann") else {
            continue;
        };
        let Some((article, _annotator)) = stem.rsplit_once('_') else {
            return Err(EvalError::format(
                &path,
                0,
                "no _<annotator> in the file name",
            ));
        };
        match annotations.get(article) {
            Some(existing) if existing <= &path => {}
            _ => {
                annotations.insert(article.to_string(), path);
            }
        }
    }
    Ok(annotations)
}

/// Scores the extractor built from `config` on a PolNeAR split directory
/// (`DIR/text/*.txt`, `DIR/attributions/*.ann`).
pub fn evaluate(dir: &Path, config: &ExtractConfig) -> Result<QuoteScores, EvalError> {
    let text_dir = dir.join("text");
    let annotations = annotation_files(&dir.join("attributions"))?;
    let mut texts: Vec<PathBuf> = std::fs::read_dir(&text_dir)
        .map_err(|e| EvalError::io(&text_dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    texts.sort();
    if texts.is_empty() {
        return Err(EvalError::format(&text_dir, 0, "no .txt files"));
    }

    let mut extract = Extract::new(config);
    let mut scores = QuoteScores::default();
    let mut errors: BTreeMap<&'static str, usize> = BTreeMap::new();
    for path in texts {
        let article = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let Some(ann_path) = annotations.get(&article) else {
            return Err(EvalError::format(
                &path,
                0,
                "no annotation file for this text",
            ));
        };
        let text = read(&path)?;
        let chars: Vec<char> = text.chars().collect();
        let attributions = parse_ann(ann_path, &read(ann_path)?, &chars)?;
        let (paragraphs, to_body) = paragraphs(&text);
        let record = Record {
            paragraphs,
            ..Record::default()
        };
        let mut out = Vec::new();
        extract
            .process(record, &mut out)
            .map_err(|e| EvalError::format(&path, 0, e.to_string()))?;
        let Some(record) = out.pop() else {
            continue;
        };
        let body = record.body();
        let body_chars: Vec<char> = body.chars().collect();
        // Person mentions found by the entity tagger, as body offsets.
        let persons: Vec<(usize, usize)> = record
            .entities
            .iter()
            .filter(|e| e.kind == "PER")
            .flat_map(|e| e.mentions.iter().map(|m| (m.start, m.end)))
            .collect();
        let person = |s: usize, e: usize| {
            let (s, e) = (to_body[s], to_body[e.max(s + 1) - 1] + 1);
            persons.iter().any(|&(ps, pe)| ps < e && s < pe)
        };
        let speakers = gold_speakers(&attributions, person);
        let gold: Vec<(Vec<String>, &GoldSpeaker)> = attributions
            .iter()
            .zip(&speakers)
            .filter(|(a, _)| starts_with_quote(&a.content))
            .map(|(a, s)| (words(&a.content), s))
            .collect();
        let direct: Vec<&Quote> = record
            .quotes
            .iter()
            .filter(|q| !wirehose_extract::quotes::is_partial(&body, q))
            .collect();
        let all: Vec<&Quote> = record.quotes.iter().collect();
        let gold_words: Vec<Vec<String>> = gold.iter().map(|(w, _)| w.clone()).collect();

        let all_units = units(&body_chars, &all);
        let all_words: Vec<Vec<String>> = all_units.iter().map(|u| u.words.clone()).collect();
        scores.all_predicted += all_units.len();
        scores.all_matched += match_quotes(&all_words, &gold_words).len();

        let pred = units(&body_chars, &direct);
        let pred_words: Vec<Vec<String>> = pred.iter().map(|u| u.words.clone()).collect();
        let matches = match_quotes(&pred_words, &gold_words);
        scores.articles += 1;
        scores.gold += gold.len();
        scores.predicted += pred.len();
        scores.matched += matches.len();
        let mut gold_hit = vec![false; gold.len()];
        let mut pred_hit = vec![false; pred.len()];
        for &(i, j) in &matches {
            gold_hit[j] = true;
            pred_hit[i] = true;
            let speaker = gold[j].1;
            if speaker_right(pred[i].speaker.as_deref(), &speaker.words) {
                scores.speaker_correct += 1;
            } else if pred[i].speaker.is_none() {
                *errors.entry("speaker missing").or_default() += 1;
            } else if speaker.named {
                *errors.entry("speaker wrong (gold named)").or_default() += 1;
            } else {
                *errors
                    .entry("speaker wrong (gold pronoun/description)")
                    .or_default() += 1;
            }
        }
        *errors.entry("quote missed").or_default() += gold_hit.iter().filter(|h| !**h).count();
        for (i, unit) in pred.iter().enumerate() {
            if !pred_hit[i] {
                let kind = if unit.speaker.is_some() {
                    "spurious quote (attributed)"
                } else {
                    "spurious quote (no speaker)"
                };
                *errors.entry(kind).or_default() += 1;
            }
        }
    }
    scores.precision = ratio(scores.matched, scores.predicted);
    scores.recall = ratio(scores.matched, scores.gold);
    scores.f1 = f1(scores.precision, scores.recall);
    scores.speaker_accuracy = ratio(scores.speaker_correct, scores.matched);
    let mut errors: Vec<(String, usize)> = errors
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    errors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scores.errors = errors;
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ExtractConfig {
        serde_json::from_str("{}").unwrap()
    }

    #[test]
    fn matching_is_one_to_one_by_shared_words() {
        let w = |s: &str| words(s);
        let pred = vec![
            w("we will win this state"),
            w("totally unrelated words here"),
        ];
        let gold = vec![w("“We will win this state, and soon,”"), w("we will win")];
        assert_eq!(match_quotes(&pred, &gold), vec![(0, 0)]);
    }

    #[test]
    fn pronoun_sources_take_the_nearest_named_source_in_text_order() {
        let at = |at: usize, source: &str, content: (usize, usize)| Attribution {
            at,
            content_pieces: vec![content],
            content: "“x”".to_string(),
            source: Some(source.to_string()),
            source_pieces: vec![(at, at + 1)],
        };
        // Listed out of text order, as annotators add attributions late.
        let attributions = vec![
            at(100, "Jane Roe", (110, 130)),
            at(300, "she", (310, 330)),
            at(10, "Tom Fenwick", (20, 40)),
            at(200, "Ann Blake", (210, 220)),
            // A Source inside a piece of another Content does not count.
            at(245, "Bob Stone", (260, 280)),
            at(500, "Carl Dunn", (240, 255)),
        ];
        let speakers = gold_speakers(&attributions, |_, _| true);
        assert_eq!(speakers[1].words, vec!["ann", "blake"]);
        assert!(!speakers[1].named);
    }

    #[test]
    fn text_offsets_map_to_body_offsets() {
        let text = "  Title here\n\n\n“Quote,” she said. \nLast line";
        let (paragraphs, to_body) = paragraphs(text);
        assert_eq!(
            paragraphs,
            vec!["Title here", "“Quote,” she said.", "Last line"]
        );
        let body: Vec<char> = paragraphs.join("\n\n").chars().collect();
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(to_body.len(), chars.len() + 1);
        for (i, c) in chars.iter().enumerate() {
            if !c.is_whitespace() {
                assert_eq!(body[to_body[i]], *c, "at {i}");
            }
        }
        assert_eq!(*to_body.last().unwrap(), body.len());
    }

    #[test]
    fn scores_a_tiny_polnear_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("text")).unwrap();
        std::fs::create_dir(dir.path().join("attributions")).unwrap();
        let text = "Title line.\n\n“We will win the state,” Jane Roe said.\n\n“Nothing is decided yet,” she added.\n\nOfficials said the count was slow.\n";
        std::fs::write(dir.path().join("text/a1.txt"), text).unwrap();
        let at = |needle: &str| {
            let byte = text.find(needle).unwrap();
            let start = text[..byte].chars().count();
            (start, start + needle.chars().count())
        };
        let mut ann = String::new();
        let mut t = 0;
        let mut e = 0;
        for (content, cue, source) in [
            ("“We will win the state,”", "said", "Jane Roe"),
            ("“Nothing is decided yet,”", "added", "she"),
            ("the count was slow", "said", "Officials"),
        ] {
            let mut ids = Vec::new();
            for (kind, needle) in [("Content", content), ("Cue", cue), ("Source", source)] {
                let needle_at = if kind == "Cue" && cue == "said" && source == "Officials" {
                    let byte = text.rfind("said").unwrap();
                    let start = text[..byte].chars().count();
                    (start, start + 4)
                } else {
                    at(needle)
                };
                t += 1;
                ann.push_str(&format!(
                    "T{t}\t{kind} {} {}\t{needle}\n",
                    needle_at.0, needle_at.1
                ));
                ids.push(format!("{kind}:T{t}"));
            }
            e += 1;
            ann.push_str(&format!("E{e}\t{}\n", ids.join(" ")));
        }
        ann.push_str("#1\tAnnotatorNotes T1\ta note\n");
        std::fs::write(dir.path().join("attributions/a1_b222.ann"), &ann).unwrap();
        // A second annotator's file sorts later and is ignored.
        std::fs::write(dir.path().join("attributions/a1_c333.ann"), "").unwrap();

        let scores = evaluate(dir.path(), &config()).unwrap();
        assert_eq!(scores.articles, 1);
        assert_eq!(scores.gold, 2, "{scores}");
        assert_eq!(scores.predicted, 2, "{scores}");
        assert_eq!(scores.matched, 2, "{scores}");
        assert_eq!(scores.speaker_correct, 2, "{scores}");
        assert!((scores.f1 - 1.0).abs() < 1e-9);
        assert!(
            scores
                .to_string()
                .contains("speaker   accuracy 1.000 (2/2)")
        );
    }
}
