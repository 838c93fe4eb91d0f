//! CoNLL-2003 files and conlleval scoring.
//!
//! A file holds one token per line (`TOKEN POS CHUNK NER`, space-separated,
//! the NER tag last), a blank line between sentences, and `-DOCSTART-` lines
//! between documents (before or after each document: both are accepted). Tags
//! may be IOB1 (`I-` everywhere, `B-` only between touching entities of one
//! type) or IOB2 (`B-` opens every entity); [`spans`] reads both.

use std::collections::BTreeMap;
use std::path::Path;

use crate::NerError;

/// A sentence: its tokens and gold tags, and the input lines it came from.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    /// Token texts.
    pub tokens: Vec<String>,
    /// Gold tags as written in the file.
    pub tags: Vec<String>,
}

/// A document: the sentences between two `-DOCSTART-` lines.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Its sentences.
    pub sentences: Vec<Sentence>,
}

/// Reads a CoNLL file into documents.
pub fn read(path: &Path) -> Result<Vec<Document>, NerError> {
    let text = std::fs::read_to_string(path).map_err(|err| NerError::io(path, err))?;
    parse(&text).map_err(|(line, message)| NerError::format(path, line, message))
}

/// Parses CoNLL text; an error gives the 1-based line and what is wrong.
pub fn parse(text: &str) -> Result<Vec<Document>, (usize, String)> {
    let mut documents = Vec::new();
    let mut document = Document::default();
    let mut sentence = Sentence::default();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            if !sentence.tokens.is_empty() {
                document.sentences.push(std::mem::take(&mut sentence));
            }
            if line.starts_with("-DOCSTART-") && !document.sentences.is_empty() {
                documents.push(std::mem::take(&mut document));
            }
            continue;
        }
        let mut fields = line.split_whitespace();
        let token = fields.next().unwrap_or_default();
        let Some(tag) = fields.next_back() else {
            return Err((number + 1, "expected a token and a tag".into()));
        };
        if tag != "O" && !(tag.starts_with("B-") || tag.starts_with("I-")) {
            return Err((number + 1, format!("tag {tag:?} is not O, B-X or I-X")));
        }
        sentence.tokens.push(token.to_string());
        sentence.tags.push(tag.to_string());
    }
    if !sentence.tokens.is_empty() {
        document.sentences.push(sentence);
    }
    if !document.sentences.is_empty() {
        documents.push(document);
    }
    Ok(split_long(documents))
}

/// Longest document kept whole, in sentences. News articles run to a few
/// dozen sentences (CoNLL-2003's longest is 197); a "document" of
/// thousands is a file without document marks (CoNLL-2002 Spanish, the
/// Europeana newspapers).
const LONGEST_DOCUMENT: usize = 200;

/// Sentences a block of an unmarked file holds.
const BLOCK: usize = 50;

/// Splits each document longer than [`LONGEST_DOCUMENT`] sentences into
/// blocks of [`BLOCK`], so that the tagger's document memory and the
/// trainer's folds see article-sized documents, as at run time.
fn split_long(documents: Vec<Document>) -> Vec<Document> {
    let mut out = Vec::with_capacity(documents.len());
    for document in documents {
        if document.sentences.len() <= LONGEST_DOCUMENT {
            out.push(document);
            continue;
        }
        let mut sentences = document.sentences.into_iter().peekable();
        while sentences.peek().is_some() {
            out.push(Document {
                sentences: sentences.by_ref().take(BLOCK).collect(),
            });
        }
    }
    out
}

/// Entity spans `(start, end, type)` (token indices, end exclusive) of a tag
/// sequence, the conlleval way: an entity starts at `B-X`, or at `I-X` after
/// `O` or after another type, and runs while `I-X` follows.
pub fn spans<S: AsRef<str>>(tags: &[S]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.as_ref();
        let (prefix, kind) = match tag.split_once('-') {
            Some((prefix, kind)) => (prefix, kind),
            None => ("O", ""),
        };
        let continues = prefix == "I" && open.is_some_and(|(_, open_kind)| open_kind == kind);
        if !continues {
            if let Some((start, open_kind)) = open.take() {
                out.push((start, i, open_kind.to_string()));
            }
            if prefix != "O" {
                open = Some((i, kind));
            }
        }
    }
    if let Some((start, kind)) = open {
        out.push((start, tags.len(), kind.to_string()));
    }
    out
}

/// Counts for one entity type (or all).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Gold entities.
    pub gold: usize,
    /// Predicted entities.
    pub found: usize,
    /// Predicted entities with the exact span and type of a gold one.
    pub correct: usize,
}

impl Counts {
    /// Precision (0 when nothing was found).
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.found)
    }
    /// Recall.
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// conlleval scores: micro counts over all types and per type.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// Tokens scored.
    pub tokens: usize,
    /// Tokens whose tag was right (IOB1/IOB2 differences ignored).
    pub tokens_correct: usize,
    /// All types together.
    pub all: Counts,
    /// Per entity type.
    pub per_type: BTreeMap<String, Counts>,
}

impl Scores {
    /// Adds one sentence's gold and predicted tags.
    pub fn add<S: AsRef<str>, T: AsRef<str>>(&mut self, gold: &[S], predicted: &[T]) {
        self.tokens += gold.len();
        let kind = |tag: &str| tag.split_once('-').map(|(_, k)| k.to_string());
        for (g, p) in gold.iter().zip(predicted) {
            if kind(g.as_ref()) == kind(p.as_ref()) {
                self.tokens_correct += 1;
            }
        }
        let gold_spans = spans(gold);
        let predicted_spans = spans(predicted);
        for (_, _, kind) in &gold_spans {
            self.all.gold += 1;
            self.per_type.entry(kind.clone()).or_default().gold += 1;
        }
        for span in &predicted_spans {
            self.all.found += 1;
            let counts = self.per_type.entry(span.2.clone()).or_default();
            counts.found += 1;
            if gold_spans.contains(span) {
                counts.correct += 1;
                self.all.correct += 1;
            }
        }
    }
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "processed {} tokens with {} phrases; found: {} phrases; correct: {}.",
            self.tokens, self.all.gold, self.all.found, self.all.correct
        )?;
        writeln!(
            f,
            "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
            100.0 * ratio(self.tokens_correct, self.tokens),
            100.0 * self.all.precision(),
            100.0 * self.all.recall(),
            100.0 * self.all.f1()
        )?;
        for (kind, counts) in &self.per_type {
            writeln!(
                f,
                "{kind:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
                100.0 * counts.precision(),
                100.0 * counts.recall(),
                100.0 * counts.f1(),
                counts.found
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// A file without document marks is read as article-sized blocks; a
    /// marked document of ordinary length stays whole.
    #[test]
    fn unmarked_files_are_split_into_blocks() {
        let sentence = "Madrid\tB-LOC\nes\tO\n\n";
        let documents = parse(&sentence.repeat(230)).unwrap();
        let sizes: Vec<usize> = documents.iter().map(|d| d.sentences.len()).collect();
        assert_eq!(sizes, [50, 50, 50, 50, 30]);
        let marked = format!("-DOCSTART-\tO\n\n{}", sentence.repeat(120));
        assert_eq!(parse(&marked).unwrap().len(), 1);
    }

    use super::*;

    #[test]
    fn spans_read_iob1_and_iob2_alike() {
        let iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"];
        let iob2 = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG"];
        assert_eq!(spans(&iob1), spans(&iob2));
        assert_eq!(
            spans(&iob1),
            vec![
                (0, 2, "PER".to_string()),
                (3, 4, "LOC".to_string()),
                (4, 5, "LOC".to_string()),
                (5, 6, "ORG".to_string())
            ]
        );
    }

    #[test]
    fn exact_span_and_type_count() {
        let mut scores = Scores::default();
        scores.add(
            &["I-PER", "I-PER", "O", "I-LOC"],
            &["B-PER", "O", "O", "B-LOC"],
        );
        assert_eq!(scores.all.gold, 2);
        assert_eq!(scores.all.found, 2);
        assert_eq!(scores.all.correct, 1);
        assert!((scores.all.f1() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn documents_split_on_docstart_before_or_after() {
        let after =
            "A x y I-PER\n\nB x y O\n-DOCSTART- -X- -X- O\n\nC x y O\n-DOCSTART- -X- -X- O\n";
        let before =
            "-DOCSTART- -X- -X- O\n\nA x y I-PER\n\nB x y O\n-DOCSTART- -X- -X- O\n\nC x y O\n";
        for text in [after, before] {
            let docs = parse(text).unwrap();
            assert_eq!(docs.len(), 2);
            assert_eq!(docs[0].sentences.len(), 2);
        }
        assert_eq!(parse("A x y Q-PER\n").unwrap_err().0, 1);
    }
}
