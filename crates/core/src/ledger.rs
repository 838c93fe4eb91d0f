//! The ledger: the daemon's checkpoint store.
//!
//! One SQLite database (`ledger.db` in the state directory, WAL mode) records
//! every input a source has finished with: its key (the path), size, mtime,
//! article id, and status (`done`, `duplicate`, `quarantined`) with a reason.
//! An input is recorded only after its acknowledgement resolved, so after a
//! crash whatever is missing here is simply processed again; sinks write
//! idempotently by id, so that re-processing never duplicates output.
//!
//! Writes are buffered and committed in batches by [`Ledger::flush`] (the
//! topology calls it every `[state] commit_interval_ms`), so throughput never
//! pays one fsync per file. Lookups see buffered entries at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::CoreError;

/// The page cache every wirehose SQLite connection keeps: 512 KiB instead
/// of SQLite's 2 MiB. The ledger, the stories store and the SQLite sink
/// append and look up one key at a time, and the operating system caches
/// the files anyway; four connections at the default filled 8 MiB of a
/// long-running daemon's memory.
pub const SQLITE_PAGE_CACHE: &str = "PRAGMA cache_size = -512;";

/// What became of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputStatus {
    /// Every sink acknowledged its record.
    Done,
    /// Same content as an article already taken; not processed again.
    Duplicate,
    /// Refused, with a reason; see the quarantine directory.
    Quarantined,
}

impl InputStatus {
    /// Returns the name stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            InputStatus::Done => "done",
            InputStatus::Duplicate => "duplicate",
            InputStatus::Quarantined => "quarantined",
        }
    }

    fn parse(text: &str) -> Option<InputStatus> {
        match text {
            "done" => Some(InputStatus::Done),
            "duplicate" => Some(InputStatus::Duplicate),
            "quarantined" => Some(InputStatus::Quarantined),
            _ => None,
        }
    }
}

/// One input as the ledger knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputEntry {
    /// Component id of the source (`inbox`).
    pub source: String,
    /// The input's key within the source: its path.
    pub key: String,
    /// Size in bytes when it was taken.
    pub size: u64,
    /// Modification time when it was taken, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// Article id, when the content was read.
    pub id: Option<String>,
    /// What became of it.
    pub status: InputStatus,
    /// Why, for quarantined inputs.
    pub reason: Option<String>,
    /// The id of the article this one duplicates.
    pub duplicate_of: Option<String>,
}

/// Work to run once an entry is durably committed (move or delete the file).
pub type AfterCommit = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Buffer {
    inputs: HashMap<(String, String), InputEntry>,
    articles: HashMap<String, (String, String)>,
    after: Vec<AfterCommit>,
}

struct Shared {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    pending: Mutex<Buffer>,
    committing: Mutex<Buffer>,
}

/// Handle on the ledger; cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct Ledger {
    shared: Arc<Shared>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Ledger {
    /// Opens (creating if needed) the ledger at `path`.
    pub fn open(path: &Path) -> Result<Ledger, CoreError> {
        let err = |source| CoreError::Ledger {
            path: path.to_path_buf(),
            source,
        };
        let writer = Connection::open(path).map_err(err)?;
        writer.execute_batch(SQLITE_PAGE_CACHE).map_err(err)?;
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 5000;
                 CREATE TABLE IF NOT EXISTS inputs (
                     source TEXT NOT NULL,
                     key TEXT NOT NULL,
                     size INTEGER NOT NULL,
                     mtime_ns INTEGER NOT NULL,
                     id TEXT,
                     status TEXT NOT NULL,
                     reason TEXT,
                     duplicate_of TEXT,
                     updated_at TEXT NOT NULL,
                     PRIMARY KEY (source, key)
                 );
                 CREATE TABLE IF NOT EXISTS articles (
                     id TEXT PRIMARY KEY,
                     source TEXT NOT NULL,
                     key TEXT NOT NULL
                 );",
            )
            .map_err(err)?;
        let reader = Connection::open(path).map_err(err)?;
        reader
            .execute_batch(&format!("PRAGMA busy_timeout = 5000; {SQLITE_PAGE_CACHE}"))
            .map_err(err)?;
        Ok(Ledger {
            shared: Arc::new(Shared {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                reader: Mutex::new(reader),
                pending: Mutex::new(Buffer::default()),
                committing: Mutex::new(Buffer::default()),
            }),
        })
    }

    fn error(&self, source: rusqlite::Error) -> CoreError {
        CoreError::Ledger {
            path: self.shared.path.clone(),
            source,
        }
    }

    /// Returns what the ledger knows of input `key` of `source`.
    pub fn lookup(&self, source: &str, key: &str) -> Result<Option<InputEntry>, CoreError> {
        let wanted = (source.to_string(), key.to_string());
        if let Some(entry) = lock(&self.shared.pending).inputs.get(&wanted) {
            return Ok(Some(entry.clone()));
        }
        if let Some(entry) = lock(&self.shared.committing).inputs.get(&wanted) {
            return Ok(Some(entry.clone()));
        }
        let reader = lock(&self.shared.reader);
        let mut statement = reader
            .prepare_cached(
                "SELECT size, mtime_ns, id, status, reason, duplicate_of
                 FROM inputs WHERE source = ?1 AND key = ?2",
            )
            .map_err(|e| self.error(e))?;
        statement
            .query_row(params![source, key], |row| {
                let status: String = row.get(3)?;
                Ok(InputEntry {
                    source: source.to_string(),
                    key: key.to_string(),
                    size: row.get::<_, i64>(0)?.max(0) as u64,
                    mtime_ns: row.get(1)?,
                    id: row.get(2)?,
                    status: InputStatus::parse(&status).unwrap_or(InputStatus::Quarantined),
                    reason: row.get(4)?,
                    duplicate_of: row.get(5)?,
                })
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Returns the `(source, key)` of the input that delivered article `id`, if any.
    pub fn article(&self, id: &str) -> Result<Option<(String, String)>, CoreError> {
        if let Some(found) = lock(&self.shared.pending).articles.get(id) {
            return Ok(Some(found.clone()));
        }
        if let Some(found) = lock(&self.shared.committing).articles.get(id) {
            return Ok(Some(found.clone()));
        }
        let reader = lock(&self.shared.reader);
        let mut statement = reader
            .prepare_cached("SELECT source, key FROM articles WHERE id = ?1")
            .map_err(|e| self.error(e))?;
        statement
            .query_row(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Buffers `entry`; `after` runs once it is committed.
    pub fn record(&self, entry: InputEntry, after: Option<AfterCommit>) {
        let mut pending = lock(&self.shared.pending);
        if entry.status == InputStatus::Done
            && let Some(id) = &entry.id
        {
            pending
                .articles
                .insert(id.clone(), (entry.source.clone(), entry.key.clone()));
        }
        pending
            .inputs
            .insert((entry.source.clone(), entry.key.clone()), entry);
        if let Some(after) = after {
            pending.after.push(after);
        }
    }

    /// Returns how many entries wait for the next commit.
    pub fn pending(&self) -> usize {
        lock(&self.shared.pending).inputs.len()
    }

    /// Commits every buffered entry in one transaction, then runs their
    /// after-commit work. Returns how many entries were committed. Blocking:
    /// call it from a blocking thread.
    pub fn flush(&self) -> Result<usize, CoreError> {
        let mut writer = lock(&self.shared.writer);
        let batch = {
            let mut pending = lock(&self.shared.pending);
            if pending.inputs.is_empty() && pending.after.is_empty() {
                return Ok(0);
            }
            let batch = std::mem::take(&mut *pending);
            let mut committing = lock(&self.shared.committing);
            committing.inputs = batch.inputs.clone();
            committing.articles = batch.articles.clone();
            batch
        };
        let now = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
        let result = (|| -> rusqlite::Result<()> {
            let tx = writer.transaction()?;
            {
                let mut put_input = tx.prepare_cached(
                    "INSERT INTO inputs (source, key, size, mtime_ns, id, status, reason, duplicate_of, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (source, key) DO UPDATE SET
                       size = excluded.size, mtime_ns = excluded.mtime_ns, id = excluded.id,
                       status = excluded.status, reason = excluded.reason,
                       duplicate_of = excluded.duplicate_of, updated_at = excluded.updated_at",
                )?;
                for entry in batch.inputs.values() {
                    put_input.execute(params![
                        entry.source,
                        entry.key,
                        entry.size as i64,
                        entry.mtime_ns,
                        entry.id,
                        entry.status.as_str(),
                        entry.reason,
                        entry.duplicate_of,
                        now,
                    ])?;
                }
                let mut put_article = tx.prepare_cached(
                    "INSERT INTO articles (id, source, key) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO NOTHING",
                )?;
                for (id, (source, key)) in &batch.articles {
                    put_article.execute(params![id, source, key])?;
                }
            }
            tx.commit()
        })();
        if let Err(source) = result {
            // Put the batch back so nothing is forgotten; the next flush retries.
            let mut pending = lock(&self.shared.pending);
            for (k, v) in batch.inputs {
                pending.inputs.entry(k).or_insert(v);
            }
            for (k, v) in batch.articles {
                pending.articles.entry(k).or_insert(v);
            }
            let mut after = batch.after;
            after.append(&mut pending.after);
            pending.after = after;
            *lock(&self.shared.committing) = Buffer::default();
            return Err(self.error(source));
        }
        *lock(&self.shared.committing) = Buffer::default();
        drop(writer);
        let count = batch.inputs.len();
        for work in batch.after {
            work();
        }
        Ok(count)
    }

    /// Returns how many inputs have each status (for reports and tests).
    pub fn counts(&self) -> Result<HashMap<String, u64>, CoreError> {
        let reader = lock(&self.shared.reader);
        let mut statement = reader
            .prepare("SELECT status, COUNT(*) FROM inputs GROUP BY status")
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .map_err(|e| self.error(e))?;
        let mut counts = HashMap::new();
        for row in rows {
            let (status, count) = row.map_err(|e| self.error(e))?;
            counts.insert(status, count.max(0) as u64);
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn entry(key: &str, status: InputStatus) -> InputEntry {
        InputEntry {
            source: "inbox".into(),
            key: key.into(),
            size: 10,
            mtime_ns: 42,
            id: Some(format!("id-{key}")),
            status,
            reason: None,
            duplicate_of: None,
        }
    }

    #[test]
    fn buffered_entries_are_visible_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        let ledger = Ledger::open(&path).unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        ledger.record(
            entry("a.txt", InputStatus::Done),
            Some(Box::new(move || flag.store(true, Ordering::SeqCst))),
        );
        assert_eq!(ledger.lookup("inbox", "a.txt").unwrap().unwrap().size, 10);
        assert!(ledger.article("id-a.txt").unwrap().is_some());
        assert!(
            !ran.load(Ordering::SeqCst),
            "after-commit work waits for the commit"
        );
        assert_eq!(ledger.flush().unwrap(), 1);
        assert!(ran.load(Ordering::SeqCst));
        drop(ledger);
        let reopened = Ledger::open(&path).unwrap();
        let found = reopened.lookup("inbox", "a.txt").unwrap().unwrap();
        assert_eq!(found.status, InputStatus::Done);
        assert_eq!(
            reopened.article("id-a.txt").unwrap(),
            Some(("inbox".into(), "a.txt".into()))
        );
        assert!(reopened.lookup("inbox", "b.txt").unwrap().is_none());
    }

    #[test]
    fn quarantined_inputs_do_not_register_articles() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
        ledger.record(entry("bad.txt", InputStatus::Quarantined), None);
        ledger.flush().unwrap();
        assert!(ledger.article("id-bad.txt").unwrap().is_none());
        assert_eq!(ledger.counts().unwrap().get("quarantined"), Some(&1));
    }
}
