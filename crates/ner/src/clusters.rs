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
        let lines = text.bytes().filter(|b| *b == b'\n').count() + 1;
        let mut ids = FastMap::with_capacity_and_hasher(lines, Default::default());
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some((word, row)) = parse_line(line) {
                ids.insert(hash64(word.as_bytes()), row);
            }
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

/// A `word<TAB>id<TAB>id<TAB>id<TAB>id` line, nothing more (read byte by
/// byte: the table's 186,000 lines are parsed at start).
fn parse_line(line: &str) -> Option<(&str, Ids)> {
    let bytes = line.as_bytes();
    let tab = bytes.iter().position(|b| *b == b'\t')?;
    let mut row = [0u16; 4];
    let mut fields = bytes[tab + 1..].split(|b| *b == b'\t');
    for id in &mut row {
        let field = fields.next()?;
        if field.is_empty() || field.len() > 5 {
            return None;
        }
        let mut value = 0u32;
        for byte in field {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(byte - b'0');
        }
        *id = u16::try_from(value).ok()?;
    }
    fields.next().is_none().then_some((&line[..tab], row))
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
        let table = Clusters::parse(
            "paris\t3\t200\t1000\t4000\nbad line\nbig\t1\t2\t3\t70000\nsign\t1\t+2\t3\t4\n\
             few\t1\t2\t3\nmany\t1\t2\t3\t4\t5\nempty\t1\t\t3\t4\n",
        );
        assert_eq!(table.get("paris"), Some([3, 200, 1000, 4000]));
        assert_eq!(table.len(), 1);
    }
}
