//! The tagger on a CoNLL file, scored the conlleval way, with its speed.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use wirehose_ner::{Model, TAGS, conll};

use crate::EvalError;

/// Scores and speed of one run of `wirehose eval ner`.
#[derive(Debug)]
pub struct NerReport {
    /// Precision, recall and F1, overall and per type.
    pub scores: conll::Scores,
    /// Tokens tagged in one pass.
    pub tokens: usize,
    /// Thread CPU seconds of the median of three passes.
    pub cpu_seconds: f64,
    /// Wall-clock seconds of that pass.
    pub wall_seconds: f64,
    /// Seconds to load the model.
    pub load_seconds: f64,
}

impl fmt::Display for NerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.scores)?;
        writeln!(
            f,
            "speed: {:.0} tokens/s on one core ({} tokens in {:.3} s of CPU, median of 3; \
             {:.0} tokens/s by the wall clock); model loaded in {:.3} s",
            self.tokens as f64 / self.cpu_seconds,
            self.tokens,
            self.cpu_seconds,
            self.tokens as f64 / self.wall_seconds,
            self.load_seconds
        )
    }
}

/// Which model [`evaluate`] scores.
#[derive(Debug, Clone, Copy)]
pub enum Choice<'a> {
    /// A model file written by `wirehose train ner`.
    File(&'a Path),
    /// The built-in model of a language (ISO 639-1).
    Builtin(&'a str),
}

/// Tags `data` with the chosen model three times on this thread and scores
/// the tags; with `predictions`, writes every input line with the predicted
/// IOB2 tag appended as a fifth column.
pub fn evaluate(
    data: &Path,
    choice: Choice<'_>,
    predictions: Option<&Path>,
) -> Result<NerReport, EvalError> {
    let started = Instant::now();
    let model = match choice {
        Choice::File(path) => std::sync::Arc::new(Model::load(path)?),
        Choice::Builtin(language) => wirehose_ner::builtin::model(language).ok_or_else(|| {
            EvalError::Usage(format!(
                "no built-in model for language `{language}` (built in: {})",
                wirehose_ner::builtin::LANGUAGES.join(", ")
            ))
        })?,
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let documents = conll::read(data)?;
    let sentences: Vec<Vec<Vec<&str>>> = documents
        .iter()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| s.tokens.iter().map(String::as_str).collect())
                .collect()
        })
        .collect();
    let tokens: usize = sentences.iter().flatten().map(Vec::len).sum();
    // Tag on this thread only (one core), three times; the median run counts.
    // CPU time of the thread is what is compared: the machine may be shared.
    let mut runs = Vec::new();
    let mut tagged = Vec::new();
    for _ in 0..3 {
        let (wall, cpu) = (Instant::now(), thread_cpu_seconds());
        tagged = sentences.iter().map(|d| model.tag_document(d)).collect();
        runs.push((thread_cpu_seconds() - cpu, wall.elapsed().as_secs_f64()));
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (cpu_seconds, wall_seconds) = runs[1];
    let mut scores = conll::Scores::default();
    for (document, tags) in documents.iter().zip(&tagged) {
        for (sentence, tags) in document.sentences.iter().zip(tags) {
            let names: Vec<&str> = tags.iter().map(|t| TAGS[*t]).collect();
            scores.add(&sentence.tags, &names);
        }
    }
    if let Some(path) = predictions {
        write_predictions(data, path, &tagged)?;
    }
    Ok(NerReport {
        scores,
        tokens,
        cpu_seconds,
        wall_seconds,
        load_seconds,
    })
}

/// Copies `data` line by line with the predicted tag appended.
fn write_predictions(
    data: &Path,
    path: &Path,
    tagged: &[Vec<Vec<usize>>],
) -> Result<(), EvalError> {
    let text = std::fs::read_to_string(data).map_err(|e| EvalError::io(data, e))?;
    let mut tags = tagged.iter().flatten().flatten();
    let file = std::fs::File::create(path).map_err(|e| EvalError::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut write =
        |line: std::fmt::Arguments<'_>| writeln!(out, "{line}").map_err(|e| EvalError::io(path, e));
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            write(format_args!("{line}"))?;
        } else {
            let Some(tag) = tags.next() else {
                return Err(EvalError::format(
                    data,
                    number + 1,
                    "more tokens in the file than were tagged",
                ));
            };
            write(format_args!("{line} {}", TAGS[*tag]))?;
        }
    }
    out.flush().map_err(|e| EvalError::io(path, e))
}

/// CPU seconds this thread has used.
pub fn thread_cpu_seconds() -> f64 {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which `time` is.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    time.tv_sec as f64 + time.tv_nsec as f64 / 1e9
}
