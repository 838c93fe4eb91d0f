//! The persistent side of story state: one SQLite database (WAL) per extract
//! component with every article's result and features, and checkpoints of
//! the document frequencies.
//!
//! Writing one row per article is the only per-article cost; document
//! frequencies live in memory and are checkpointed as one blob every
//! [`CHECKPOINT_EVERY`] articles. On open the checkpoint is loaded and the
//! articles written after it are replayed, so a crash never loses or
//! double-counts a document.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use super::terms::IntMap;
use crate::StoriesError;

/// New articles between two document-frequency checkpoints.
pub(crate) const CHECKPOINT_EVERY: u64 = 1000;

const SCHEMA_VERSION: i64 = 1;

/// What `observe` decided for one article, as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) fingerprint: u64,
    /// Whether the text was long enough for the fingerprint to find copies.
    pub(crate) near: bool,
    pub(crate) duplicate_of: Option<String>,
    pub(crate) story: String,
    pub(crate) keywords: Vec<String>,
}

/// One stored article with the features needed to put it back in the window.
#[derive(Debug)]
pub(crate) struct StoredArticle {
    pub(crate) seq: u64,
    pub(crate) id: String,
    pub(crate) time: i64,
    pub(crate) outcome: Outcome,
    pub(crate) vector: Vec<(u64, f32)>,
}

/// Most distinct terms the document frequencies hold. A feed never stops
/// bringing new terms (numbers, names, typos), and without a bound the table
/// grew by one entry for almost every article a daemon ever read. Past the
/// bound every count is halved, the document count with it, and the terms
/// left at zero (most of them seen once) are dropped: the ratios that make
/// an idf stay as they were, and the counts lean towards recent use.
pub(crate) const MAX_TERMS: usize = 100_000;

/// Document frequencies and the number of documents they count.
#[derive(Debug, Default)]
pub(crate) struct Frequencies {
    pub(crate) docs: u64,
    pub(crate) df: IntMap<u64, u32>,
}

impl Frequencies {
    /// Counts one more document with these distinct terms.
    pub(crate) fn add(&mut self, vector: &[(u64, f32)]) {
        self.docs += 1;
        for &(term, _) in vector {
            *self.df.entry(term).or_insert(0) += 1;
        }
        if self.df.len() > MAX_TERMS {
            self.halve();
        }
    }

    /// Halves every count and the number of documents; drops the zeros.
    fn halve(&mut self) {
        self.docs = (self.docs / 2).max(1);
        self.df.retain(|_, n| {
            *n /= 2;
            *n > 0
        });
    }
}

/// The SQLite database of one component.
pub(crate) struct Store {
    path: PathBuf,
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn encode_vector(vector: &[(u64, f32)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(vector.len() * 12);
    for &(term, weight) in vector {
        out.extend_from_slice(&term.to_le_bytes());
        out.extend_from_slice(&weight.to_le_bytes());
    }
    out
}

fn decode_vector(bytes: &[u8]) -> Option<Vec<(u64, f32)>> {
    if !bytes.len().is_multiple_of(12) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 12);
    for chunk in bytes.chunks_exact(12) {
        let term = u64::from_le_bytes(chunk[..8].try_into().ok()?);
        let weight = f32::from_le_bytes(chunk[8..].try_into().ok()?);
        out.push((term, weight));
    }
    Some(out)
}

fn encode_df(df: &IntMap<u64, u32>) -> Vec<u8> {
    let mut out = Vec::with_capacity(df.len() * 12);
    for (&term, &n) in df {
        out.extend_from_slice(&term.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
    }
    out
}

fn decode_df(bytes: &[u8]) -> Option<IntMap<u64, u32>> {
    if !bytes.len().is_multiple_of(12) {
        return None;
    }
    let mut out = IntMap::with_capacity_and_hasher(bytes.len() / 12, Default::default());
    for chunk in bytes.chunks_exact(12) {
        let term = u64::from_le_bytes(chunk[..8].try_into().ok()?);
        let n = u32::from_le_bytes(chunk[8..].try_into().ok()?);
        out.insert(term, n);
    }
    Some(out)
}

impl Store {
    /// Opens or creates `path`.
    pub(crate) fn open(path: &Path) -> Result<Store, StoriesError> {
        let conn = Connection::open(path).map_err(|e| state(path, e))?;
        let store = Store {
            path: path.to_path_buf(),
            conn,
        };
        store
            .conn
            .execute_batch(&format!(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 5000;
                 {}",
                wirehose_core::ledger::SQLITE_PAGE_CACHE
            ))
            .map_err(|e| store.err(e))?;
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| store.err(e))?;
        match version {
            0 => store
                .conn
                .execute_batch(
                    "BEGIN;
                     CREATE TABLE articles (
                         seq INTEGER PRIMARY KEY,
                         id TEXT NOT NULL UNIQUE,
                         time INTEGER NOT NULL,
                         fingerprint INTEGER NOT NULL,
                         near INTEGER NOT NULL,
                         duplicate_of TEXT,
                         story TEXT NOT NULL,
                         keywords TEXT NOT NULL,
                         vector BLOB NOT NULL
                     );
                     CREATE INDEX articles_time ON articles(time);
                     CREATE TABLE meta (key TEXT PRIMARY KEY, value);
                     PRAGMA user_version = 1;
                     COMMIT;",
                )
                .map_err(|e| store.err(e))?,
            SCHEMA_VERSION => {}
            other => {
                return Err(StoriesError::State {
                    path: path.to_path_buf(),
                    message: format!("unknown schema version {other}"),
                });
            }
        }
        Ok(store)
    }

    fn err(&self, e: impl std::fmt::Display) -> StoriesError {
        state(&self.path, e)
    }

    /// The stored outcome of article `id`, when it was seen before.
    pub(crate) fn outcome(&self, id: &str) -> Result<Option<Outcome>, StoriesError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT fingerprint, near, duplicate_of, story, keywords FROM articles WHERE id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row(params![id], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, bool>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                    ))
                })
                .optional()
            })
            .map_err(|e| self.err(e))?;
        let Some((fingerprint, near, duplicate_of, story, keywords)) = row else {
            return Ok(None);
        };
        let keywords: Vec<String> = serde_json::from_str(&keywords)
            .map_err(|e| self.err(format!("keywords of {id}: {e}")))?;
        Ok(Some(Outcome {
            fingerprint: fingerprint as u64,
            near,
            duplicate_of,
            story,
            keywords,
        }))
    }

    /// Writes a new article.
    pub(crate) fn insert(
        &self,
        seq: u64,
        id: &str,
        time: i64,
        outcome: &Outcome,
        vector: &[(u64, f32)],
    ) -> Result<(), StoriesError> {
        let keywords = serde_json::to_string(&outcome.keywords).map_err(|e| self.err(e))?;
        self.conn
            .prepare_cached(
                "INSERT INTO articles (seq, id, time, fingerprint, near, duplicate_of, story, keywords, vector)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    seq as i64,
                    id,
                    time,
                    outcome.fingerprint as i64,
                    outcome.near,
                    outcome.duplicate_of,
                    outcome.story,
                    keywords,
                    encode_vector(vector),
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The next free sequence number and the latest article time stored.
    pub(crate) fn extent(&self) -> Result<(u64, Option<i64>), StoriesError> {
        self.conn
            .query_row("SELECT MAX(seq), MAX(time) FROM articles", [], |row| {
                Ok((
                    row.get::<_, Option<i64>>(0)?.map_or(0, |s| s as u64 + 1),
                    row.get::<_, Option<i64>>(1)?,
                ))
            })
            .map_err(|e| self.err(e))
    }

    /// Loads the document-frequency checkpoint and replays the articles
    /// written after it.
    pub(crate) fn frequencies(&self) -> Result<Frequencies, StoriesError> {
        let meta = |key: &str| -> Result<Option<rusqlite::types::Value>, StoriesError> {
            self.conn
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    params![key],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| self.err(e))
        };
        use rusqlite::types::Value;
        let mut freq = Frequencies::default();
        let mut upto: i64 = -1;
        if let (Some(Value::Blob(blob)), Some(Value::Integer(docs)), Some(Value::Integer(seq))) =
            (meta("df")?, meta("df_docs")?, meta("df_seq")?)
        {
            freq.df = decode_df(&blob).ok_or_else(|| self.err("corrupt df checkpoint"))?;
            freq.docs = docs as u64;
            upto = seq;
        }
        let mut stmt = self
            .conn
            .prepare("SELECT vector FROM articles WHERE seq > ?1 ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![upto]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let blob: Vec<u8> = row.get(0).map_err(|e| self.err(e))?;
            let vector = decode_vector(&blob).ok_or_else(|| self.err("corrupt vector"))?;
            freq.add(&vector);
        }
        Ok(freq)
    }

    /// Writes a document-frequency checkpoint covering every article up to
    /// `seq`, and deletes articles older than `forget_before` that the
    /// checkpoint covers.
    pub(crate) fn checkpoint(
        &mut self,
        freq: &Frequencies,
        seq: Option<u64>,
        forget_before: i64,
    ) -> Result<(), StoriesError> {
        let Some(seq) = seq else { return Ok(()) };
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| state(&path, e))?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('df', ?1), ('df_docs', ?2), ('df_seq', ?3)",
            params![encode_df(&freq.df), freq.docs as i64, seq as i64],
        )
        .map_err(|e| state(&path, e))?;
        tx.execute(
            "DELETE FROM articles WHERE time < ?1 AND seq <= ?2",
            params![forget_before, seq as i64],
        )
        .map_err(|e| state(&path, e))?;
        tx.commit().map_err(|e| state(&path, e))
    }

    /// Hands `visit` the articles with `time >= since`, newest first, at
    /// most `limit`, until it returns false: a restart reads only what the
    /// window will hold, one row at a time.
    pub(crate) fn window_newest_first(
        &self,
        since: i64,
        limit: usize,
        mut visit: impl FnMut(StoredArticle) -> bool,
    ) -> Result<(), StoriesError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, id, time, fingerprint, near, duplicate_of, story, keywords, vector
                 FROM articles WHERE time >= ?1 ORDER BY seq DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(params![since, limit]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let get = |e| self.err(e);
            let id: String = row.get(1).map_err(get)?;
            let keywords: String = row.get(7).map_err(get)?;
            let blob: Vec<u8> = row.get(8).map_err(get)?;
            let stored = StoredArticle {
                seq: row.get::<_, i64>(0).map_err(get)? as u64,
                time: row.get(2).map_err(get)?,
                outcome: Outcome {
                    fingerprint: row.get::<_, i64>(3).map_err(get)? as u64,
                    near: row.get(4).map_err(get)?,
                    duplicate_of: row.get(5).map_err(get)?,
                    story: row.get(6).map_err(get)?,
                    keywords: serde_json::from_str(&keywords)
                        .map_err(|e| self.err(format!("keywords of {id}: {e}")))?,
                },
                vector: decode_vector(&blob)
                    .ok_or_else(|| self.err(format!("corrupt vector of {id}")))?,
                id,
            };
            if !visit(stored) {
                break;
            }
        }
        Ok(())
    }
}

fn state(path: &Path, e: impl std::fmt::Display) -> StoriesError {
    StoriesError::State {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Frequencies, MAX_TERMS};

    #[test]
    fn document_frequencies_stay_bounded() {
        let mut freq = Frequencies::default();
        for n in 0..(3 * MAX_TERMS as u64) {
            // Every document: one common term and one never seen again.
            freq.add(&[(1, 0.5), (1_000 + n, 0.5)]);
        }
        assert!(freq.df.len() <= MAX_TERMS + 1, "{}", freq.df.len());
        let common = u64::from(freq.df[&1]);
        assert!(
            common <= freq.docs && common + 2 >= freq.docs / 2,
            "{common} of {}",
            freq.docs
        );
    }

    use super::*;

    #[test]
    fn vectors_and_frequencies_round_trip() {
        let v = vec![(1u64, 0.5f32), (u64::MAX, -2.0)];
        assert_eq!(decode_vector(&encode_vector(&v)), Some(v));
        let df: IntMap<u64, u32> = [(7u64, 3u32), (9, 1)].into_iter().collect();
        assert_eq!(decode_df(&encode_df(&df)), Some(df));
        assert_eq!(decode_vector(&[1, 2, 3]), None);
    }
}
