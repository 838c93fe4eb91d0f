//! Web pages: main text and metadata of article pages against a
//! human-reviewed truth (`../shared/data/html/`, see its README).
//!
//! Every page (`NAME.html.gz` or `NAME.html`) runs through the real
//! `normalize` transform, built and opened as the daemon does. Scores:
//!
//! - main text: the benchmark's metric. Both texts are split into `\w+`
//!   tokens, lower-cased, made into 4-gram shingles; per page precision =
//!   shared / predicted and recall = shared / true (multisets); P and R are
//!   averaged over pages and F1 is taken of the averages. A page refused as
//!   no article scores 0 on both;
//! - title: exact after folding case and white space;
//! - published: the record's date equals the truth's, where it has one;
//! - authors: of the people the truth names (its string split at `,`,
//!   `and`, `&`, credentials such as `MS` left out), the share the record
//!   names, compared folded;
//! - speed: pages per second over the run and the median time per page,
//!   one core.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use serde::Deserialize;
use wirehose_core::{BuildContext, OpenContext, Record, SourceInfo, TransformConfig, now_rfc3339};
use wirehose_normalize::NormalizeConfig;
use wirehose_normalize::html::meta::split_names;

use crate::EvalError;

#[derive(Debug, Deserialize)]
struct Truth {
    file: String,
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    authors: Option<Vec<String>>,
}

/// What `wirehose eval html` prints.
#[derive(Debug, Default)]
pub struct HtmlScores {
    /// Pages scored.
    pub pages: usize,
    /// Pages refused (no article found, undecodable).
    pub refused: usize,
    /// Mean shingle precision and recall of the main text.
    pub precision: f64,
    /// See `precision`.
    pub recall: f64,
    /// Titles exact / pages with a truth title.
    pub titles: (usize, usize),
    /// Dates exact / pages with a truth date.
    pub dates: (usize, usize),
    /// Truth dates equal to the record's `published` or to the day of its
    /// `modified_at` (the truth sometimes gives a page's revision date).
    pub dates_either: usize,
    /// Truth people named by the record / truth people.
    pub authors: (usize, usize),
    /// Seconds per page, sorted.
    pub times: Vec<f64>,
    /// Up to `--misses` wrong pages per field: (field, file, truth, record).
    pub misses: Vec<(&'static str, String, String, String)>,
}

impl HtmlScores {
    /// F1 of the mean precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision, self.recall);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn share((right, total): (usize, usize)) -> f64 {
    if total == 0 {
        0.0
    } else {
        right as f64 / total as f64
    }
}

impl fmt::Display for HtmlScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "pages {} ({} refused as no article)",
            self.pages, self.refused
        )?;
        writeln!(
            f,
            "main text  P {:.3}  R {:.3}  F1 {:.3}",
            self.precision,
            self.recall,
            self.f1()
        )?;
        writeln!(
            f,
            "title      {:.3}  ({}/{})",
            share(self.titles),
            self.titles.0,
            self.titles.1
        )?;
        writeln!(
            f,
            "published  {:.3}  ({}/{})",
            share(self.dates),
            self.dates.0,
            self.dates.1
        )?;
        writeln!(
            f,
            "  published or modified_at  {:.3}  ({}/{})",
            share((self.dates_either, self.dates.1)),
            self.dates_either,
            self.dates.1
        )?;
        writeln!(
            f,
            "authors    {:.3}  recall ({}/{})",
            share(self.authors),
            self.authors.0,
            self.authors.1
        )?;
        let total: f64 = self.times.iter().sum();
        let median = self.times.get(self.times.len() / 2).copied().unwrap_or(0.0);
        writeln!(
            f,
            "speed      {:.0} pages/s over the run, median page {:.1} ms ({:.0} pages/s), one core",
            self.pages as f64 / total.max(1e-9),
            median * 1e3,
            1.0 / median.max(1e-9)
        )?;
        for (field, file, truth, record) in &self.misses {
            writeln!(
                f,
                "miss {field}: {file}: truth {truth:?}, record {record:?}"
            )?;
        }
        Ok(())
    }
}

/// `\w+` tokens, lower-cased, as 4-gram shingles with counts.
fn shingles(text: &str) -> HashMap<Vec<String>, usize> {
    let tokens: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out = HashMap::new();
    for window in tokens.windows(4) {
        *out.entry(window.to_vec()).or_insert(0) += 1;
    }
    out
}

/// Shingle precision and recall of `predicted` against `truth`.
pub fn text_scores(predicted: &str, truth: &str) -> (f64, f64) {
    let (p, t) = (shingles(predicted), shingles(truth));
    let shared: usize = p
        .iter()
        .map(|(k, n)| (*n).min(t.get(k).copied().unwrap_or(0)))
        .sum();
    let (np, nt): (usize, usize) = (p.values().sum(), t.values().sum());
    let ratio = |n: usize| {
        if n == 0 {
            0.0
        } else {
            shared as f64 / n as f64
        }
    };
    (ratio(np), ratio(nt))
}

fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn read_page(path: &Path) -> Result<Vec<u8>, EvalError> {
    let file = std::fs::read(path).map_err(|e| EvalError::io(path, e))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&file[..])
            .read_to_end(&mut bytes)
            .map_err(|e| EvalError::io(path, e))?;
        return Ok(bytes);
    }
    Ok(file)
}

/// Runs normalize over the pages of `dir` and scores them against
/// `dir/truth.jsonl`.
/// `misses`: how many wrong pages to list per field.
pub fn evaluate(
    dir: &Path,
    normalize: &NormalizeConfig,
    misses: usize,
) -> Result<HtmlScores, EvalError> {
    let truth_path = dir.join("truth.jsonl");
    let text = std::fs::read_to_string(&truth_path).map_err(|e| EvalError::io(&truth_path, e))?;
    let state_dir = std::env::temp_dir().join("wirehose-eval-html");
    let build = BuildContext {
        key: "transforms.normalize".into(),
        id: "normalize".into(),
        state_dir: state_dir.clone(),
    };
    let built = normalize
        .build(&build)
        .map_err(|e| EvalError::Stage(e.to_string()))?;
    let open = OpenContext {
        key: build.key,
        id: build.id,
        state_dir,
        workers: 1,
        metrics: wirehose_core::telemetry::ComponentMetrics::untracked(),
    };
    let mut stage = built
        .open(&open)
        .map_err(|e| EvalError::Stage(e.to_string()))?
        .pop()
        .ok_or_else(|| EvalError::Stage("normalize: no instance".into()))?;
    let mut scores = HtmlScores::default();
    let (mut sum_p, mut sum_r) = (0.0, 0.0);
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let truth: Truth = serde_json::from_str(line)
            .map_err(|e| EvalError::format(&truth_path, number + 1, e.to_string()))?;
        let path = dir.join(&truth.file);
        let bytes = read_page(&path)?;
        // The name the daemon would see: without `.gz`.
        let name = path.with_extension("");
        let source = SourceInfo {
            path: name,
            bytes: bytes.len() as u64,
            received_at: now_rfc3339(),
        };
        out.clear();
        let started = Instant::now();
        let ok = stage
            .process(Record::from_raw(bytes, source), &mut out)
            .is_ok();
        scores.times.push(started.elapsed().as_secs_f64());
        scores.pages += 1;
        let record = match out.pop() {
            Some(record) if ok => record,
            _ => {
                scores.refused += 1;
                Record::default()
            }
        };
        let (p, r) = text_scores(&record.body(), &truth.text);
        sum_p += p;
        sum_r += r;
        let mut miss = |field: &'static str, truth_value: String, got: String| {
            if scores.misses.iter().filter(|m| m.0 == field).count() < misses {
                scores
                    .misses
                    .push((field, truth.file.clone(), truth_value, got));
            }
        };
        if let Some(title) = &truth.title {
            scores.titles.1 += 1;
            let right = record.title.as_deref().map(fold) == Some(fold(title));
            scores.titles.0 += usize::from(right);
            if !right {
                miss("title", title.clone(), format!("{:?}", record.title));
            }
        }
        if let Some(date) = &truth.published {
            scores.dates.1 += 1;
            let right = record.published.as_deref() == Some(date.as_str());
            scores.dates.0 += usize::from(right);
            let modified = record.modified_at.as_deref().and_then(|m| m.get(..10));
            scores.dates_either += usize::from(right || modified == Some(date.as_str()));
            if !right {
                miss("published", date.clone(), format!("{:?}", record.published));
            }
        }
        for raw in truth.authors.iter().flatten() {
            for person in split_names(raw) {
                scores.authors.1 += 1;
                let named = record.authors.iter().any(|a| fold(a) == fold(&person));
                scores.authors.0 += usize::from(named);
                if !named {
                    miss("authors", person, format!("{:?}", record.authors));
                }
            }
        }
    }
    if scores.pages > 0 {
        scores.precision = sum_p / scores.pages as f64;
        scores.recall = sum_r / scores.pages as f64;
    }
    scores.times.sort_by(f64::total_cmp);
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_scores() {
        assert_eq!(text_scores("a b c d e", "a b c d e"), (1.0, 1.0));
        let (p, r) = text_scores("a b c d e f", "a b c d");
        assert!((p - 1.0 / 3.0).abs() < 1e-9 && (r - 1.0).abs() < 1e-9);
        assert_eq!(text_scores("", "a b c d"), (0.0, 0.0));
    }
}
