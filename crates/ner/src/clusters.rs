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

use std::borrow::Cow;

use wirehose_text::hash::hash64;

use crate::tables;

/// The table, laid out by the build script from `models/clusters.tsv`.
static BUILTIN_TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/clusters.table"));

static BUILTIN_CLUSTERS: Clusters = Clusters {
    table: Cow::Borrowed(BUILTIN_TABLE),
};

/// Cluster ids of a word, coarse to fine (64, 256, 1,024 and 4,096 clusters).
pub type Ids = [u16; 4];

/// Lower-cased word (by hash) → its cluster ids.
#[derive(Debug)]
pub struct Clusters {
    /// A lookup table of [`tables`]: hash of the word → packed ids.
    table: Cow<'static, [u8]>,
}

impl Clusters {
    /// The built-in table: read in place from the binary, nothing parsed.
    pub fn builtin() -> &'static Clusters {
        &BUILTIN_CLUSTERS
    }

    /// Parses `word<TAB>c64<TAB>c256<TAB>c1024<TAB>c4096` lines (`#` lines are
    /// comments); a malformed line is skipped (the built-in table has none:
    /// a test checks it).
    pub fn parse(text: &str) -> Clusters {
        Clusters {
            table: Cow::Owned(tables::build(&tables::cluster_entries(text), 8)),
        }
    }

    /// The cluster ids of a lower-cased word.
    pub fn get(&self, lower: &str) -> Option<Ids> {
        self.get_hash(hash64(lower.as_bytes()))
    }

    /// The cluster ids of a lower-cased word given by its [`hash64`].
    #[inline]
    pub fn get_hash(&self, lower_hash: u64) -> Option<Ids> {
        tables::get(&self.table, lower_hash).map(tables::unpack_ids)
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        tables::len(&self.table)
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_line_parses() {
        let text = include_str!("../models/clusters.tsv");
        let lines = text.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(Clusters::builtin().len(), lines);
        assert!(lines > 50_000);
        // The table laid out at build time is the one parsed now.
        let parsed = Clusters::parse(text);
        for word in ["the", "sony", "monday", "zurich"] {
            assert_eq!(Clusters::builtin().get(word), parsed.get(word));
        }
    }

    #[test]
    fn ids_are_in_range() {
        let table = Clusters::parse(
            "paris\t3\t200\t1000\t4000\nbad line\nbig\t1\t2\t3\t70000\nsign\t1\t+2\t3\t4\n\
             few\t1\t2\t3\nmany\t1\t2\t3\t4\t5\nempty\t1\t\t3\t4\n",
        );
        assert_eq!(table.get("paris"), Some([3, 200, 1000, 4000]));
        assert_eq!(table.len(), 1);
    }
}
