//! Word clusters from unlabeled text, for the tagger's features.
//!
//! `models/clusters.tsv` groups about 186,000 frequent lower-cased English
//! words into 64, 256, 1,024 and 4,096 clusters (spherical k-means over GloVe 6B
//! vectors; `tools/glove_clusters.py` derives it). Words of one cluster are
//! used alike (`monday`, `tuesday`; `sony`, `intel`, `nokia`),
//! so a word the training data never tagged still shares features with the
//! ones it did.
//!
//! ```
//! let clusters = wirehose_ner::clusters::Clusters::builtin();
//! let (sony, intel) = (clusters.get("sony").unwrap(), clusters.get("intel").unwrap());
//! assert_eq!(sony[1], intel[1]); // the same cluster of 256
//! assert!(clusters.get("qwxzv").is_none());
//! ```

use std::sync::LazyLock;

use wirehose_text::hash::{FastMap, hash64};

/// The table compiled into the binary.
const BUILTIN: &str = include_str!("../models/clusters.tsv");

static BUILTIN_CLUSTERS: LazyLock<Clusters> = LazyLock::new(|| Clusters::parse(BUILTIN));

/// Cluster ids of a word, coarse to fine (64, 256, 1,024 and 4,096 clusters).
pub type Ids = [u16; 4];

/// Lower-cased word (by hash) → its cluster ids.
#[derive(Debug, Default)]
pub struct Clusters {
    ids: FastMap<u64, Ids>,
}

impl Clusters {
    /// The built-in table, parsed on first use.
    pub fn builtin() -> &'static Clusters {
        &BUILTIN_CLUSTERS
    }

    /// Parses `word<TAB>c64<TAB>c256<TAB>c1024<TAB>c4096` lines (`#` lines are
    /// comments); a malformed line is skipped (the built-in table has none:
    /// a test checks it).
    pub fn parse(text: &str) -> Clusters {
        let lines = || text.lines().filter(|l| !l.starts_with('#'));
        let mut ids = FastMap::with_capacity_and_hasher(lines().count(), Default::default());
        for (word, row) in lines().filter_map(parse_line) {
            ids.insert(hash64(word.as_bytes()), row);
        }
        Clusters { ids }
    }

    /// The cluster ids of a lower-cased word.
    pub fn get(&self, lower: &str) -> Option<Ids> {
        self.get_hash(hash64(lower.as_bytes()))
    }

    /// The cluster ids of a lower-cased word given by its [`hash64`].
    pub fn get_hash(&self, lower_hash: u64) -> Option<Ids> {
        self.ids.get(&lower_hash).copied()
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A `word<TAB>id<TAB>id<TAB>id<TAB>id` line, nothing more.
fn parse_line(line: &str) -> Option<(&str, Ids)> {
    let mut fields = line.split('\t');
    let word = fields.next()?;
    let mut id = || fields.next()?.parse().ok();
    let row = [id()?, id()?, id()?, id()?];
    fields.next().is_none().then_some((word, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_line_parses() {
        let lines = BUILTIN.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(Clusters::builtin().len(), lines);
        assert!(lines > 50_000);
    }

    #[test]
    fn ids_are_in_range() {
        let table = Clusters::parse("paris\t3\t200\t1000\t4000\nbad line\n");
        assert_eq!(table.get("paris"), Some([3, 200, 1000, 4000]));
        assert_eq!(table.len(), 1);
    }
}
