//! Story clustering scored with B-cubed precision, recall and F1 on the
//! Multi-News cluster layout.
//!
//! Each JSON line is one gold cluster (`id`, `documents`,
//! `relevant_documents`, `summary`). The gold members of a cluster are its
//! `relevant_documents`: `documents` also holds the pages the crawl got
//! instead of the article (Wayback Machine and Twitter boilerplate, weather
//! widgets, other stories on the same page), and the same boilerplate text
//! appears in several clusters, so counting it as a member would make a
//! perfect clusterer look wrong. All documents of all clusters are shuffled
//! with the seed and run, one record each, through the real extract transform
//! (the `extract` transform, then the `stories` transform) with a fresh state directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use wirehose_core::{Record, Transform};

use wirehose_extract::{Extract, ExtractConfig};
use wirehose_stories::{Across, Stories, StoryConfig};

use crate::EvalError;

/// Scores of one evaluation run.
#[derive(Debug, Clone, Default)]
pub struct StoryScores {
    /// Documents clustered.
    pub documents: usize,
    /// Gold clusters that have at least one document.
    pub gold_clusters: usize,
    /// Stories the clusterer made.
    pub predicted_clusters: usize,
    /// Documents marked as a near-copy of an earlier one.
    pub near_duplicates: usize,
    /// B-cubed precision: per document, the share of its predicted story that
    /// is in its gold cluster, averaged over documents.
    pub precision: f64,
    /// B-cubed recall: per document, the share of its gold cluster that is in
    /// its predicted story, averaged over documents.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Mean wall time of the extract transform per document, microseconds.
    pub micros_per_document: f64,
}

impl std::fmt::Display for StoryScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "documents {}  gold clusters {}  predicted clusters {}  near-duplicates {}",
            self.documents, self.gold_clusters, self.predicted_clusters, self.near_duplicates
        )?;
        writeln!(
            f,
            "B-cubed precision {:.4}  recall {:.4}  F1 {:.4}",
            self.precision, self.recall, self.f1
        )?;
        write!(
            f,
            "extract time {:.0} µs per document",
            self.micros_per_document
        )
    }
}

/// One line of the clusters file.
#[derive(Debug, Deserialize)]
struct Cluster {
    id: String,
    relevant_documents: Vec<String>,
}

/// Fisher–Yates shuffle driven by `seed`.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut rng = wirehose_text::hash::SplitMix64(seed);
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// B-cubed precision and recall of `predicted` against `gold` (parallel
/// label lists, one entry per document).
fn b_cubed<G: Eq + std::hash::Hash, P: Eq + std::hash::Hash>(
    gold: &[G],
    predicted: &[P],
) -> (f64, f64) {
    let n = gold.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mut gold_size: HashMap<&G, usize> = HashMap::new();
    let mut pred_size: HashMap<&P, usize> = HashMap::new();
    let mut both: HashMap<(&G, &P), usize> = HashMap::new();
    for (g, p) in gold.iter().zip(predicted) {
        *gold_size.entry(g).or_default() += 1;
        *pred_size.entry(p).or_default() += 1;
        *both.entry((g, p)).or_default() += 1;
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (g, p) in gold.iter().zip(predicted) {
        let common = both[&(g, p)] as f64;
        precision += common / pred_size[p] as f64;
        recall += common / gold_size[g] as f64;
    }
    (precision / n as f64, recall / n as f64)
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(seed: u64) -> Result<TempDir, EvalError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "wirehose-eval-stories-{}-{seed}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).map_err(|e| EvalError::io(&path, e))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the documents of `file` (one cluster per JSON line) in an order
/// shuffled by `seed` through story clustering and scores the result.
pub fn evaluate(
    file: &Path,
    seed: u64,
    extract: &ExtractConfig,
    stories: &StoryConfig,
) -> Result<StoryScores, EvalError> {
    let text = std::fs::read_to_string(file).map_err(|e| EvalError::io(file, e))?;
    let mut docs: Vec<(Record, usize)> = Vec::new();
    let mut gold_clusters = 0;
    for (line_no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cluster: Cluster = serde_json::from_str(line)
            .map_err(|e| EvalError::format(file, line_no + 1, e.to_string()))?;
        if !cluster.relevant_documents.is_empty() {
            gold_clusters += 1;
        }
        for (i, doc) in cluster.relevant_documents.into_iter().enumerate() {
            let record = Record {
                id: format!("{}#{i}", cluster.id),
                paragraphs: doc
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect(),
                ..Record::default()
            };
            docs.push((record, line_no));
        }
    }
    shuffle(&mut docs, seed);

    let state = TempDir::new(seed)?;
    let across = Arc::new(
        Across::open(&state.0.join("stories-eval.db"), stories)
            .map_err(|e| EvalError::Stage(e.to_string()))?,
    );
    let mut extract = Extract::new(extract);
    let mut stories = Stories::new(across);
    let mut middle = Vec::new();
    let mut gold = Vec::with_capacity(docs.len());
    let mut predicted = Vec::with_capacity(docs.len());
    let mut near_duplicates = 0;
    let mut out = Vec::new();
    let start = std::time::Instant::now();
    for (record, cluster) in docs {
        let id = record.id.clone();
        out.clear();
        middle.clear();
        extract
            .process(record, &mut middle)
            .map_err(|e| EvalError::format(file, cluster + 1, format!("{id}: {e}")))?;
        for record in middle.drain(..) {
            stories
                .process(record, &mut out)
                .map_err(|e| EvalError::format(file, cluster + 1, format!("{id}: {e}")))?;
        }
        let Some(result) = out.pop() else {
            return Err(EvalError::format(
                file,
                cluster + 1,
                format!("{id}: the transform dropped the record"),
            ));
        };
        if result.duplicate_of.is_some() {
            near_duplicates += 1;
        }
        gold.push(cluster);
        predicted.push(result.story.unwrap_or(id));
    }
    let elapsed = start.elapsed();
    let (precision, recall) = b_cubed(&gold, &predicted);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let predicted_clusters = predicted
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    Ok(StoryScores {
        documents: gold.len(),
        gold_clusters,
        predicted_clusters,
        near_duplicates,
        precision,
        recall,
        f1,
        micros_per_document: elapsed.as_secs_f64() * 1e6 / gold.len().max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b_cubed_of_perfect_and_lumped_clusterings() {
        let gold = [1, 1, 2, 2];
        assert_eq!(b_cubed(&gold, &["a", "a", "b", "b"]), (1.0, 1.0));
        assert_eq!(b_cubed(&gold, &["a", "a", "a", "a"]), (0.5, 1.0));
        assert_eq!(b_cubed(&gold, &["a", "b", "c", "d"]), (1.0, 0.5));
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        shuffle(&mut a, 7);
        shuffle(&mut b, 7);
        assert_eq!(a, b);
        assert_ne!(a, (0..50).collect::<Vec<_>>());
        a.sort_unstable();
        assert_eq!(a, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn evaluates_a_small_synthetic_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("clusters.jsonl");
        let line = |id: &str, docs: &[&str]| {
            serde_json::json!({"id": id, "documents": docs, "relevant_documents": docs,
                "summary": ""})
            .to_string()
        };
        let bridge = "The council closed the harbour bridge after engineers found cracks in \
            its steel supports; a ferry will carry commuters during the bridge repairs.";
        let bridge2 = "Engineers found cracks in the steel supports of the harbour bridge, \
            and the council closed it; commuters will take a ferry until repairs end.";
        let chips = "Shares in the chip maker fell after it cut its sales forecast on weak \
            demand for computers; analysts expect the chip maker to cut jobs.";
        let text = format!(
            "{}\n{}\n",
            line("x", &[bridge, bridge2]),
            line("y", &[chips])
        );
        std::fs::write(&file, text).unwrap();
        let config: ExtractConfig = serde_json::from_str("{}").unwrap();
        let scores = evaluate(&file, 3, &config, &StoryConfig::default()).unwrap();
        assert_eq!(scores.documents, 3);
        assert_eq!(scores.gold_clusters, 2);
        assert_eq!(scores.predicted_clusters, 2);
        assert_eq!(scores.f1, 1.0);
    }
}
