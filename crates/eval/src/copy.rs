//! Normalize + extract on real copy: a folder of `NAME.txt` files with a
//! `truth.jsonl` that says, per file, what the publisher's own data gives
//! (`../shared/data/realcopy/`, see its README).
//!
//! Every file runs through the real `normalize` and `extract` transforms,
//! built and opened the way the daemon builds them. Per truth field present,
//! the share of files the record gets right:
//!
//! - `title`: the record's title equals the truth, whitespace collapsed.
//! - `dateline place`: the dateline's place equals the truth, ignoring case.
//! - `dateline date`: month and day equal the truth's `--MM-DD`.
//! - `dateline country`: the truth place looked up in the built-in GeoNames
//!   table (counted only where it resolves); right when the record's
//!   dateline country names that country. A proxy: the corpora carry no
//!   country of their own.
//! - `agency`: a credited agency is among the record's `agencies`; a file
//!   with no agency in the truth must have none.
//! - `published`: of the records that give a date where the truth has one,
//!   those whose date (first 10 characters) equals the truth; and `published
//!   found`, the share of truth dates the records give at all (a file whose
//!   text carries no date, as in `reuters-flow/`, has nothing to find).
//! - `language`: equal codes.
//!
//! The truth may also be a table of metadata (`--truth FILE.tsv`, as
//! PolNeAR's `metadata.tsv`): tab-separated with a header naming the
//! columns; `filename` (the file without `.txt`) and `title` are read, and
//! only the rows whose file is in the folder are judged.
//!
//! And two shares that need no truth: the characters normalize removed as
//! boilerplate against all characters of the text, and, of the amounts
//! written with `mln`, `bln`, `million`, `billion`, `bn`, `trillion` (or
//! `m`, `b`, `bn` glued to the number), those whose value has the magnitude
//! the words give (checked by an independent reading of the amount's text).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use wirehose_core::{
    BuildContext, OpenContext, Record, SourceInfo, Transform, TransformConfig, now_rfc3339,
};
use wirehose_extract::ExtractConfig;
use wirehose_ner::geo::{Gazetteer, PlaceKind};
use wirehose_normalize::NormalizeConfig;

use crate::EvalError;

/// One line of `truth.jsonl`.
#[derive(Debug, Default, Deserialize)]
struct Truth {
    file: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    dateline_place: Option<String>,
    #[serde(default)]
    dateline_date: Option<String>,
    /// Absent: not judged; `null`: the file credits no agency.
    #[serde(default, deserialize_with = "present")]
    agency: Option<Option<String>>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

/// Tells a field set to `null` (Some(None)) from a missing one (None).
fn present<'de, D>(deserializer: D) -> Result<Option<Option<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Right and judged counts of one field.
#[derive(Debug, Default, Clone, Copy)]
pub struct Share {
    /// Files the record got right.
    pub right: usize,
    /// Files judged.
    pub total: usize,
}

impl Share {
    fn add(&mut self, right: bool) {
        self.total += 1;
        self.right += usize::from(right);
    }

    /// The share right, 0 when nothing was judged.
    pub fn value(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.right as f64 / self.total as f64
        }
    }
}

/// What `wirehose eval copy` prints.
#[derive(Debug, Default)]
pub struct CopyScores {
    /// The folder scored.
    pub folder: PathBuf,
    /// Files in the truth.
    pub files: usize,
    /// Files normalize or extract refused (counted wrong on every field).
    pub refused: usize,
    /// Per field, in print order.
    pub fields: BTreeMap<&'static str, Share>,
    /// Characters removed as boilerplate.
    pub removed_chars: usize,
    /// Characters of text kept plus removed.
    pub total_chars: usize,
    /// Amounts with a magnitude word, right magnitude / judged.
    pub magnitude: Share,
    /// Entities in all records.
    pub entities: usize,
    /// People (`PER` entities) in all records.
    pub people: usize,
    /// People whose name starts with an honorific (`Mr Blair`).
    pub honorific_people: usize,
    /// People named by a word that is never a person alone (`Reuter`,
    /// `Corp`, `Nine`).
    pub suspect_people: usize,
    /// Seconds for the whole folder.
    pub seconds: f64,
    /// Per field, up to `misses` wrong files: (file, truth, record).
    pub misses: BTreeMap<&'static str, Vec<Miss>>,
    /// How many wrong files to keep per field.
    pub keep_misses: usize,
}

/// One file a field got wrong, for `--misses`.
#[derive(Debug, Clone)]
pub struct Miss {
    /// The file's name.
    pub file: String,
    /// What the truth says.
    pub truth: String,
    /// What the record says.
    pub record: String,
}

impl fmt::Display for CopyScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "folder {}: {} files ({} refused) in {:.1} s",
            self.folder.display(),
            self.files,
            self.refused,
            self.seconds
        )?;
        for (field, share) in &self.fields {
            if share.total > 0 {
                writeln!(
                    f,
                    "{field:<17} {:.3}  ({}/{})",
                    share.value(),
                    share.right,
                    share.total
                )?;
            }
        }
        let removed = if self.total_chars == 0 {
            0.0
        } else {
            self.removed_chars as f64 / self.total_chars as f64
        };
        writeln!(
            f,
            "removed share     {removed:.4}  ({} of {} characters)",
            self.removed_chars, self.total_chars
        )?;
        writeln!(
            f,
            "mln/bln magnitude {:.3}  ({}/{})",
            self.magnitude.value(),
            self.magnitude.right,
            self.magnitude.total
        )?;
        let per_file = self.entities as f64 / self.files.max(1) as f64;
        writeln!(
            f,
            "entities per file {per_file:.2}  ({} entities, {} people)",
            self.entities, self.people
        )?;
        writeln!(
            f,
            "people honorific  {:.4}  ({}/{})",
            self.honorific_people as f64 / self.people.max(1) as f64,
            self.honorific_people,
            self.people
        )?;
        writeln!(
            f,
            "suspect people    {}  (Reuter, Corp, Co, Nine … alone)",
            self.suspect_people
        )?;
        for (field, misses) in &self.misses {
            for miss in misses {
                writeln!(
                    f,
                    "miss {field}: {}: truth {}, record {}",
                    miss.file, miss.truth, miss.record
                )?;
            }
        }
        Ok(())
    }
}

/// One instance of a transform, built and opened as the daemon would.
fn open_one(config: &dyn TransformConfig, id: &str) -> Result<Box<dyn Transform>, EvalError> {
    let state_dir = std::env::temp_dir().join("wirehose-eval-copy");
    let build = BuildContext {
        key: format!("transforms.{id}"),
        id: id.to_string(),
        state_dir: state_dir.clone(),
    };
    let built = config
        .build(&build)
        .map_err(|e| EvalError::Stage(e.to_string()))?;
    let open = OpenContext {
        key: build.key,
        id: build.id,
        state_dir,
        workers: 1,
        metrics: wirehose_core::telemetry::ComponentMetrics::untracked(),
    };
    built
        .open(&open)
        .map_err(|e| EvalError::Stage(e.to_string()))?
        .pop()
        .ok_or_else(|| EvalError::Stage(format!("{id}: no instance")))
}

/// Reads the truth: `truth.jsonl` lines, or a metadata table (see the
/// module's docs) when `path` ends in `.tsv`.
fn read_truth(dir: &Path, path: &Path) -> Result<Vec<Truth>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
    if path.extension().is_some_and(|e| e == "tsv") {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .ok_or_else(|| EvalError::format(path, 1, format!("no `{name}` column")))
        };
        let (file, title) = (column("filename")?, column("title")?);
        let mut truth = Vec::new();
        for line in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            let name = format!("{}.txt", cells.get(file).unwrap_or(&""));
            if dir.join(&name).is_file() {
                truth.push(Truth {
                    file: name,
                    title: cells.get(title).map(|t| t.to_string()),
                    ..Truth::default()
                });
            }
        }
        return Ok(truth);
    }
    let mut truth = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        truth.push(
            serde_json::from_str(line)
                .map_err(|e| EvalError::format(path, number + 1, e.to_string()))?,
        );
    }
    Ok(truth)
}

/// Runs normalize + extract over `dir` and scores the records against
/// `truth` (default `dir/truth.jsonl`).
///
/// `misses` is how many wrong files to list per field (0: none).
pub fn evaluate(
    dir: &Path,
    truth: Option<&Path>,
    normalize: &NormalizeConfig,
    extract: &ExtractConfig,
    misses: usize,
) -> Result<CopyScores, EvalError> {
    let truth_path = truth.map_or_else(|| dir.join("truth.jsonl"), Path::to_path_buf);
    let truths = read_truth(dir, &truth_path)?;
    let mut normalize = open_one(normalize, "normalize")?;
    let mut extract = open_one(extract, "extract")?;
    let gazetteer = Gazetteer::builtin();
    let mut scores = CopyScores {
        folder: dir.to_path_buf(),
        keep_misses: misses,
        ..CopyScores::default()
    };
    let started = Instant::now();
    let (mut middle, mut out) = (Vec::new(), Vec::new());
    for truth in truths {
        let path = dir.join(&truth.file);
        let bytes = std::fs::read(&path).map_err(|e| EvalError::io(&path, e))?;
        scores.files += 1;
        let source = SourceInfo {
            path: path.clone(),
            bytes: bytes.len() as u64,
            received_at: now_rfc3339(),
        };
        middle.clear();
        out.clear();
        let record = Record::from_raw(bytes, source);
        // As in the daemon, a panic on one article refuses that article.
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            normalize.process(record, &mut middle).is_ok()
                && middle
                    .drain(..)
                    .all(|record| extract.process(record, &mut out).is_ok())
        }))
        .unwrap_or(false);
        let record = match out.pop() {
            Some(record) if ok => record,
            _ => {
                scores.refused += 1;
                Record::default()
            }
        };
        judge(&truth, &record, gazetteer, &mut scores);
    }
    scores.seconds = started.elapsed().as_secs_f64();
    Ok(scores)
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Adds one file's record to the scores.
fn judge(truth: &Truth, record: &Record, gazetteer: &Gazetteer, scores: &mut CopyScores) {
    let keep = scores.keep_misses;
    let (fields, misses) = (&mut scores.fields, &mut scores.misses);
    let mut add =
        |field: &'static str, right: bool, expected: &dyn fmt::Debug, got: &dyn fmt::Debug| {
            fields.entry(field).or_default().add(right);
            let list = misses.entry(field).or_default();
            if !right && list.len() < keep {
                list.push(Miss {
                    file: truth.file.clone(),
                    truth: format!("{expected:?}"),
                    record: format!("{got:?}"),
                });
            }
        };
    if let Some(title) = &truth.title {
        let got = record.title.as_deref().map(collapse);
        add("title", got == Some(collapse(title)), title, &got);
    }
    let dateline = record.dateline.as_ref();
    if let Some(place) = &truth.dateline_place {
        let got = dateline.map(|d| d.place.as_str());
        let right = got.is_some_and(|p| p.eq_ignore_ascii_case(place));
        add("dateline place", right, place, &got);
        let country = gazetteer.lookup(place).and_then(|found| {
            if found.kind == PlaceKind::Country {
                Some(found.name.to_string())
            } else {
                gazetteer.country(found.country).map(|c| c.name.to_string())
            }
        });
        if let Some(country) = country {
            let got = dateline.and_then(|d| d.country.as_deref());
            add(
                "dateline country",
                got == Some(country.as_str()),
                &country,
                &got,
            );
        }
    }
    if let Some(date) = &truth.dateline_date {
        let month_day = |d: &str| d.get(d.len().saturating_sub(5)..).map(str::to_string);
        let got = dateline.and_then(|d| d.date.as_deref());
        add(
            "dateline date",
            got.and_then(month_day) == month_day(date),
            date,
            &got,
        );
    }
    if let Some(agency) = &truth.agency {
        let right = match agency {
            Some(agency) => record.agencies.iter().any(|a| a == agency),
            None => record.agencies.is_empty(),
        };
        add("agency", right, agency, &record.agencies);
    }
    if let Some(published) = &truth.published {
        let got = record.published.as_deref();
        add("published found", got.is_some(), published, &got);
        if let Some(got) = got {
            add(
                "published",
                got.get(..10) == Some(published.as_str()),
                published,
                &got,
            );
        }
    }
    if let Some(language) = &truth.language {
        let got = record.language.as_deref();
        add("language", got == Some(language.as_str()), language, &got);
    }
    judge_people(truth, record, scores);
    let kept: usize = record.paragraphs.iter().map(|p| p.chars().count()).sum();
    let removed: usize = record.removed.iter().map(|r| r.text.chars().count()).sum();
    scores.removed_chars += removed;
    scores.total_chars += kept + removed;
    for amount in &record.amounts {
        if let Some(expected) = magnitude_value(&amount.text) {
            let right = (amount.value - expected).abs() <= expected.abs() * 1e-9;
            scores.magnitude.add(right);
            let list = scores.misses.entry("magnitude").or_default();
            if !right && list.len() < keep {
                list.push(Miss {
                    file: truth.file.clone(),
                    truth: format!("{} = {expected}", amount.text),
                    record: amount.value.to_string(),
                });
            }
        }
    }
}

/// The words of `data/people_checks.txt` of kind `kind`.
fn people_words(kind: &str) -> Vec<&'static str> {
    include_str!("../data/people_checks.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter(|(k, _)| *k == kind)
        .map(|(_, word)| word.trim())
        .collect()
}

/// Counts the record's entities and its people named with an honorific or
/// by a word that is never a person alone.
fn judge_people(truth: &Truth, record: &Record, scores: &mut CopyScores) {
    static SUSPECT: std::sync::LazyLock<Vec<&str>> =
        std::sync::LazyLock::new(|| people_words("suspect"));
    static HONORIFIC: std::sync::LazyLock<Vec<&str>> =
        std::sync::LazyLock::new(|| people_words("honorific"));
    scores.entities += record.entities.len();
    let keep = scores.keep_misses;
    for person in record.entities.iter().filter(|e| e.kind == "PER") {
        scores.people += 1;
        let first = person.name.split_whitespace().next().unwrap_or_default();
        let (suspect, honorific) = (
            SUSPECT.contains(&person.name.trim()),
            HONORIFIC.contains(&first) && person.name.split_whitespace().count() > 1,
        );
        scores.suspect_people += usize::from(suspect);
        scores.honorific_people += usize::from(honorific);
        for (field, wrong) in [("suspect person", suspect), ("honorific", honorific)] {
            let list = scores.misses.entry(field).or_default();
            if wrong && list.len() < keep {
                list.push(Miss {
                    file: truth.file.clone(),
                    truth: "a person's name".into(),
                    record: person.name.clone(),
                });
            }
        }
    }
}

/// The value an amount's text gives when it carries a magnitude word:
/// `65 mln dlrs` → 65e6, `$1.5bn` → 1.5e9, `2,300 million` → 2.3e9. `None`
/// when the text has no magnitude word or no readable number.
fn magnitude_value(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '$' || c == '£' || c == '€')
        .filter(|w| !w.is_empty())
        .collect();
    let scale = |word: &str| match word.trim_end_matches(['.', ',']) {
        "mln" | "million" | "millions" | "m" => Some(1e6),
        "bln" | "billion" | "billions" | "bn" | "b" => Some(1e9),
        "trillion" | "trillions" | "tn" => Some(1e12),
        _ => None,
    };
    let number = |word: &str| -> Option<f64> {
        let digits: String = word.chars().filter(|c| *c != ',').collect();
        digits.parse::<f64>().ok()
    };
    for (i, word) in words.iter().enumerate() {
        // `65 mln`, `2.5 billion`
        if let Some(value) = number(word)
            && let Some(factor) = words.get(i + 1).and_then(|w| scale(w))
        {
            return Some(value * factor);
        }
        // `1.5bn`, `458m`
        let split = word
            .find(|c: char| c.is_ascii_alphabetic())
            .filter(|&at| at > 0);
        if let Some(at) = split
            && let (Some(value), Some(factor)) = (number(&word[..at]), scale(&word[at..]))
        {
            return Some(value * factor);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnitudes_are_read_independently() {
        assert_eq!(magnitude_value("65 mln dlrs"), Some(65e6));
        assert_eq!(magnitude_value("$1.5bn"), Some(1.5e9));
        assert_eq!(magnitude_value("2,300 million euros"), Some(2.3e9));
        assert_eq!(magnitude_value("£458m"), Some(458e6));
        assert_eq!(magnitude_value("370,000 people"), None);
        assert_eq!(magnitude_value("a half-million people"), None);
    }

    #[test]
    fn scores_a_small_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.txt"),
            "Bank raises rates\n\nLONDON, Feb 26 - The bank raised its rate, lifting profit to 65 mln dlrs, it said.\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("truth.jsonl"),
            r#"{"file": "a.txt", "title": "Bank raises rates", "dateline_place": "LONDON", "dateline_date": "--02-26", "agency": null, "language": "en"}"#,
        )
        .unwrap();
        let normalize: NormalizeConfig = toml::from_str("").unwrap();
        let extract: ExtractConfig = toml::from_str("").unwrap();
        let scores = evaluate(dir.path(), None, &normalize, &extract, 0).unwrap();
        assert_eq!(scores.files, 1);
        assert_eq!(scores.refused, 0);
        assert_eq!(scores.fields["title"].right, 1);
        assert_eq!(scores.fields["dateline place"].right, 1);
        assert_eq!(scores.fields["dateline date"].right, 1);
        // Too short a text for a confident language: judged, not right.
        assert_eq!(scores.fields["language"].total, 1);
        assert_eq!(scores.fields["agency"].total, 1);
        assert_eq!(scores.magnitude.total, 1);
        let printed = scores.to_string();
        assert!(
            printed.contains("title             1.000  (1/1)"),
            "{printed}"
        );
    }
}
