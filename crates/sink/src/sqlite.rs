//! `type = "sqlite"`: an embedded, queryable store (bundled SQLite, WAL).
//!
//! Tables:
//! - `articles`: one row per id: `title`, `published`, `language`, `story`,
//!   `source_path`, `received_at`, `body` (the text offsets point into) and
//!   `record` (the full record as JSON) and `fields` (what plugins added, as
//!   a JSON object: `json_extract(fields, '$.words')`);
//! - `entities` (`id`, `name`, `type`), `mentions` (`article_id`, `entity_id`,
//!   `start`, `end`, `text`), `quotes` (`article_id`, `position`, `text`,
//!   `speaker`, `cue`, `start`, `end`);
//! - `articles_fts`: an FTS5 index over title and body.
//!
//! The sink holds an advisory lock on `PATH.lock` while it runs, so a second
//! daemon writing the same database is refused at start.
//!
//! Each batch is upserted by article id in one transaction (a re-run replaces
//! rows, never adds them) and acknowledged after the commit. [`search`] and
//! [`top_entities`] are the queries behind `wirehose search` and
//! `wirehose entities`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tracing::info;
use wirehose_core::config::in_range;
use wirehose_core::{
    BuildContext, ConfigProblem, Event, Record, Sink, SinkConfig, SinkContext, StageError,
};

use crate::SinkError;
use crate::driver::{self, BatchWriter, Outcome, Texts, WriteError};
use crate::lock;
use crate::rows::{EntityRow, Rows, Unencodable};

/// How hard SQLite syncs each commit.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SqliteSync {
    /// `synchronous = FULL`: an acknowledged batch survives a power cut. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: survives a crash of wirehose, may lose the
    /// last batches on a power cut. Faster.
    Normal,
}

fn default_batch_max_records() -> usize {
    256
}

/// Raw configuration of the SQLite sink.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqliteConfig {
    /// Database file; parent directories are created. Required.
    pub path: PathBuf,
    /// `full` or `normal` (see [`SqliteSync`]). Default `full`.
    #[serde(default)]
    pub sync: SqliteSync,
    /// Most records upserted in one transaction. Default 256.
    #[serde(default = "default_batch_max_records")]
    pub batch_max_records: usize,
}

impl SinkConfig for SqliteConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem> {
        if self.path.as_os_str().is_empty() {
            return Err(cx.problem("path", "must not be empty"));
        }
        in_range(cx, "batch_max_records", self.batch_max_records, 1..=65_536)?;
        Ok(Box::new(Sqlite {
            config: self.clone(),
        }))
    }
}

/// The running SQLite sink.
#[derive(Debug)]
pub struct Sqlite {
    config: SqliteConfig,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT,
    published TEXT,
    language TEXT,
    story TEXT,
    source_path TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story);
CREATE TABLE IF NOT EXISTS entities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    UNIQUE (name, type)
);
CREATE TABLE IF NOT EXISTS mentions (
    article_id TEXT NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities (id),
    start INTEGER NOT NULL,
    \"end\" INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions (entity_id);
CREATE TABLE IF NOT EXISTS quotes (
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    cue TEXT,
    start INTEGER NOT NULL,
    \"end\" INTEGER NOT NULL,
    PRIMARY KEY (article_id, position)
);
-- Full-text index; its rowid is the article row's rowid (an indexed key,
-- so replacing an article's entry never scans the index).
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5 (
    title, body, tokenize = 'unicode61 remove_diacritics 2'
);
PRAGMA user_version = 3;
";

/// Opens (creating and migrating) the store at `path`.
pub fn open(path: &Path, sync: SqliteSync) -> Result<Connection, SinkError> {
    let err = |source| SinkError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| SinkError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let connection = Connection::open(path).map_err(err)?;
    let synchronous = match sync {
        SqliteSync::Full => "FULL",
        SqliteSync::Normal => "NORMAL",
    };
    connection
        .execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 5000; {}",
            wirehose_core::ledger::SQLITE_PAGE_CACHE
        ))
        .map_err(err)?;
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(err)?;
    if version == 1 {
        // Version 1 keyed the full-text index by an unindexed id column, which
        // made replacing an entry a full scan: rebuild it keyed by rowid.
        connection
            .execute_batch(
                "BEGIN;
                 DROP TABLE articles_fts;
                 CREATE VIRTUAL TABLE articles_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');
                 INSERT INTO articles_fts (rowid, title, body) SELECT rowid, COALESCE(title, ''), body FROM articles;
                 PRAGMA user_version = 2;
                 COMMIT;",
            )
            .map_err(err)?;
        info!(file = %path.display(), "sqlite store migrated to version 2");
    }
    if matches!(version, 1 | 2) {
        // Version 3 adds `fields`, what plugins add to a record, as JSON.
        connection
            .execute_batch(
                "ALTER TABLE articles ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';
                 PRAGMA user_version = 3;",
            )
            .map_err(err)?;
        info!(file = %path.display(), "sqlite store migrated to version 3");
    }
    connection.execute_batch(SCHEMA).map_err(err)?;
    Ok(connection)
}

/// Most entity ids the sink keeps in memory (about 6 MiB).
const ENTITY_CACHE: usize = 100_000;

/// Upserts `rows` in one transaction. `entity_ids` caches the ids of
/// entities across batches.
fn upsert(
    connection: &mut Connection,
    rows: &Rows,
    entity_ids: &mut HashMap<EntityRow, i64>,
) -> rusqlite::Result<()> {
    let tx = connection.transaction()?;
    let now = wirehose_core::now_rfc3339();
    {
        let mut article = tx.prepare_cached(
            "INSERT INTO articles (id, title, published, language, story, source_path, received_at, body, record, updated_at, fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, published = excluded.published,
               language = excluded.language, story = excluded.story, source_path = excluded.source_path,
               received_at = excluded.received_at, body = excluded.body, record = excluded.record,
               updated_at = excluded.updated_at, fields = excluded.fields",
        )?;
        let mut clear_mentions = tx.prepare_cached("DELETE FROM mentions WHERE article_id = ?1")?;
        let mut clear_quotes = tx.prepare_cached("DELETE FROM quotes WHERE article_id = ?1")?;
        let mut row_of = tx.prepare_cached("SELECT rowid FROM articles WHERE id = ?1")?;
        let mut clear_fts = tx.prepare_cached("DELETE FROM articles_fts WHERE rowid = ?1")?;
        let mut fts =
            tx.prepare_cached("INSERT INTO articles_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?;
        for row in &rows.articles {
            article.execute(params![
                row.id,
                row.title,
                row.published,
                row.language,
                row.story,
                row.source_path,
                row.received_at,
                row.body,
                row.record,
                now,
                row.fields,
            ])?;
            let rowid: i64 = row_of.query_row(params![row.id], |found| found.get(0))?;
            clear_mentions.execute(params![row.id])?;
            clear_quotes.execute(params![row.id])?;
            clear_fts.execute(params![rowid])?;
            fts.execute(params![rowid, row.title.as_deref().unwrap_or(""), row.body])?;
        }
        let mut entity = tx.prepare_cached(
            "INSERT INTO entities (name, type) VALUES (?1, ?2)
             ON CONFLICT (name, type) DO UPDATE SET name = excluded.name RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(rows.entities.len());
        for row in &rows.entities {
            let id = match entity_ids.get(row) {
                Some(id) => *id,
                None => {
                    let id: i64 =
                        entity.query_row(params![row.name, row.kind], |found| found.get(0))?;
                    entity_ids.insert(row.clone(), id);
                    id
                }
            };
            ids.push(id);
        }
        let mut mention =
            tx.prepare_cached("INSERT INTO mentions (article_id, entity_id, start, \"end\", text) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for row in &rows.mentions {
            mention.execute(params![
                row.article_id,
                ids[row.entity],
                row.start as i64,
                row.end as i64,
                row.text
            ])?;
        }
        let mut quote = tx.prepare_cached(
            "INSERT INTO quotes (article_id, position, text, speaker, cue, start, \"end\") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for row in &rows.quotes {
            quote.execute(params![
                row.article_id,
                row.position as i64,
                row.text,
                row.speaker,
                row.cue,
                row.start as i64,
                row.end as i64
            ])?;
        }
    }
    tx.commit()
}

/// An open store and the entity ids learnt from it.
struct Store {
    connection: Connection,
    entity_ids: HashMap<EntityRow, i64>,
    /// `PATH.lock`, held while the sink runs: one writer per database.
    _lock: std::fs::File,
}

impl Store {
    /// Upserts `records`; runs on the blocking pool.
    fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
        let (rows, unencodable) = Rows::build(records.iter().map(|record| &**record));
        if self.entity_ids.len() > ENTITY_CACHE {
            // A daemon that runs for months meets new names every day: the
            // cache starts again rather than grow without end.
            self.entity_ids.clear();
        }
        match upsert(&mut self.connection, &rows, &mut self.entity_ids) {
            Ok(()) => Ok(Unencodable::outcomes(records.len(), unencodable)),
            Err(err) => {
                // A rolled-back transaction may have assigned ids.
                self.entity_ids.clear();
                Err(WriteError::Unavailable(err.to_string()))
            }
        }
    }
}

/// The SQLite sink's side of the batch driver.
struct SqliteWriter {
    path: PathBuf,
    sync: SqliteSync,
    store: Option<Store>,
}

impl BatchWriter for SqliteWriter {
    const TEXTS: Texts = Texts {
        unavailable: "cannot open the sqlite store; retrying",
        retrying: "cannot write records; holding them and retrying",
        one_by_one: "sqlite refused a batch; writing its records one by one",
        refused: "sqlite refused the record",
    };

    async fn connect(&mut self) -> Result<(), WriteError> {
        let (path, sync) = (self.path.clone(), self.sync);
        let (lock, connection) = tokio::task::spawn_blocking(move || {
            let locked = lock::require_regular_file(&path)
                .and_then(|()| {
                    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                        std::fs::create_dir_all(parent)?;
                    }
                    lock::lock_beside(&path)
                })
                .map_err(|source| StageError::io(&path, source))?;
            Ok::<_, StageError>((locked, open(&path, sync)))
        })
        .await
        .map_err(|e| WriteError::Fatal(StageError::Other(format!("open task failed: {e}"))))?
        .map_err(WriteError::Fatal)?;
        let connection = connection.map_err(|e| {
            WriteError::Fatal(StageError::Other(format!(
                "{e}: {}",
                std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            )))
        })?;
        info!(file = %self.path.display(), "sqlite sink ready");
        self.store = Some(Store {
            connection,
            entity_ids: HashMap::new(),
            _lock: lock,
        });
        Ok(())
    }

    async fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
        let records = records.to_vec();
        driver::blocking(&mut self.store, move |store| store.write(&records)).await?
    }
}

#[async_trait]
impl Sink for Sqlite {
    async fn run(
        self: Box<Self>,
        input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        let writer = SqliteWriter {
            path: self.config.path.clone(),
            sync: self.config.sync,
            store: None,
        };
        let options = driver::Options::local_file(self.config.batch_max_records);
        driver::run(writer, input, &cx, options).await
    }
}

/// What to look for with [`search`].
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Words to find (all of them, any order); empty: every article.
    pub text: String,
    /// Pass `text` to FTS5 as-is (phrases, `OR`, `NEAR`, prefixes) instead of
    /// quoting each word.
    pub raw: bool,
    /// Only articles mentioning this entity (canonical name, any case).
    pub entity: Option<String>,
    /// Only entities of this type (`PER`, `ORG`, `LOC`, `MISC`).
    pub kind: Option<String>,
    /// Only articles published (or received) on or after this date.
    pub since: Option<String>,
    /// Only articles of this story.
    pub story: Option<String>,
    /// Most hits.
    pub limit: usize,
}

/// One search result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// Article id.
    pub id: String,
    /// Title, when known.
    pub title: Option<String>,
    /// Publication date, when known.
    pub published: Option<String>,
    /// When wirehose received it.
    pub received_at: String,
    /// Input path.
    pub path: String,
    /// A snippet of the body around the match, matches in `[brackets]`.
    pub snippet: String,
    /// BM25 score (lower is better).
    pub score: f64,
}

fn fts_query(text: &str) -> String {
    text.split_whitespace()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn open_read(path: &Path) -> Result<Connection, SinkError> {
    if !path.exists() {
        return Err(SinkError::Missing {
            path: path.to_path_buf(),
        });
    }
    let connection = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|source| SinkError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(connection)
}

/// Searches the store at `db`, best matches first.
pub fn search(db: &Path, query: &SearchQuery) -> Result<Vec<Hit>, SinkError> {
    let connection = open_read(db)?;
    let err = |source| SinkError::Sqlite {
        path: db.to_path_buf(),
        source,
    };
    let filters = "(?2 IS NULL AND ?3 IS NULL OR EXISTS (
            SELECT 1 FROM mentions m JOIN entities e ON e.id = m.entity_id
            WHERE m.article_id = a.id AND (?2 IS NULL OR e.name = ?2 COLLATE NOCASE) AND (?3 IS NULL OR e.type = ?3)))
        AND (?4 IS NULL OR COALESCE(a.published, substr(a.received_at, 1, 10)) >= ?4)
        AND (?5 IS NULL OR a.story = ?5)";
    let text = if query.raw {
        query.text.trim().to_string()
    } else {
        fts_query(&query.text)
    };
    let sql = if text.is_empty() {
        format!(
            "SELECT a.id, a.title, a.published, a.received_at, a.source_path,
                    substr(a.body, 1, 160), 0.0
             FROM articles a WHERE ?1 IS NULL AND {filters}
             ORDER BY COALESCE(a.published, a.received_at) DESC LIMIT ?6"
        )
    } else {
        format!(
            "SELECT a.id, a.title, a.published, a.received_at, a.source_path,
                    snippet(articles_fts, 1, '[', ']', '…', 16), bm25(articles_fts, 5.0, 1.0)
             FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
             WHERE articles_fts MATCH ?1 AND {filters}
             ORDER BY bm25(articles_fts, 5.0, 1.0) LIMIT ?6"
        )
    };
    let mut statement = connection.prepare(&sql).map_err(err)?;
    let rows = statement
        .query_map(
            params![
                (!text.is_empty()).then_some(text.as_str()),
                query.entity,
                query.kind,
                query.since,
                query.story,
                query.limit as i64
            ],
            |row| {
                Ok(Hit {
                    id: row.get(0)?,
                    title: row.get(1)?,
                    published: row.get(2)?,
                    received_at: row.get(3)?,
                    path: row.get(4)?,
                    snippet: row.get(5)?,
                    score: row.get(6)?,
                })
            },
        )
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// A canonical entity with its counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityCount {
    /// Canonical name.
    pub name: String,
    /// `PER`, `ORG`, `LOC` or `MISC`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Mentions across all articles.
    pub mentions: u64,
    /// Articles that mention it.
    pub articles: u64,
}

/// Returns the `top` most mentioned entities (of `kind`, if given).
pub fn top_entities(
    db: &Path,
    kind: Option<&str>,
    top: usize,
) -> Result<Vec<EntityCount>, SinkError> {
    let connection = open_read(db)?;
    let err = |source| SinkError::Sqlite {
        path: db.to_path_buf(),
        source,
    };
    let mut statement = connection
        .prepare(
            "SELECT e.name, e.type, COUNT(*), COUNT(DISTINCT m.article_id)
             FROM entities e JOIN mentions m ON m.entity_id = e.id
             WHERE ?1 IS NULL OR e.type = ?1
             GROUP BY e.id ORDER BY COUNT(*) DESC, e.name LIMIT ?2",
        )
        .map_err(err)?;
    let rows = statement
        .query_map(params![kind, top as i64], |row| {
            Ok(EntityCount {
                name: row.get(0)?,
                kind: row.get(1)?,
                mentions: row.get::<_, i64>(2)?.max(0) as u64,
                articles: row.get::<_, i64>(3)?.max(0) as u64,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// Returns how many articles the store holds.
pub fn count_articles(db: &Path) -> Result<u64, SinkError> {
    let connection = open_read(db)?;
    connection
        .query_row("SELECT COUNT(*) FROM articles", [], |row| {
            row.get::<_, i64>(0)
        })
        .optional()
        .map(|n| n.unwrap_or(0).max(0) as u64)
        .map_err(|source| SinkError::Sqlite {
            path: db.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirehose_core::{Entity, Mention, Quote};

    fn record(id: &str, title: &str, body: &str, entity: &str) -> Record {
        Record {
            id: id.into(),
            title: Some(title.into()),
            published: Some("2019-05-15".into()),
            paragraphs: vec![body.into()],
            entities: vec![Entity {
                name: entity.into(),
                kind: "PER".into(),
                mentions: vec![Mention {
                    start: 0,
                    end: 5,
                    text: entity.into(),
                }],
                geo: None,
            }],
            quotes: vec![Quote {
                text: "hello there".into(),
                speaker: Some(entity.into()),
                cue: Some("said".into()),
                start: 1,
                end: 12,
            }],
            ..Record::default()
        }
    }

    #[test]
    fn upsert_never_adds_rows_and_search_finds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut connection = open(&path, SqliteSync::Normal).unwrap();
        let mut ids = HashMap::new();
        let a = record(
            "a",
            "Kerry in Geneva",
            "Kerry met Lavrov in Geneva on Friday.",
            "John Kerry",
        );
        let b = record(
            "b",
            "Pompeo in Sochi",
            "Pompeo met Putin in Sochi.",
            "Mike Pompeo",
        );
        let (rows, unencodable) = Rows::build([&a, &b]);
        assert!(unencodable.is_empty());
        for _ in 0..2 {
            upsert(&mut connection, &rows, &mut ids).unwrap();
        }
        assert_eq!(count_articles(&path).unwrap(), 2);
        let count: i64 = connection
            .query_row("SELECT COUNT(*) FROM mentions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 2);
        let count: i64 = connection
            .query_row("SELECT COUNT(*) FROM articles_fts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 2);
        let hits = search(
            &path,
            &SearchQuery {
                text: "geneva".into(),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "a");
        assert!(hits[0].snippet.contains("[Geneva]"), "{}", hits[0].snippet);
        let hits = search(
            &path,
            &SearchQuery {
                text: String::new(),
                entity: Some("mike pompeo".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "b");
        // Punctuation in the query is not FTS5 syntax.
        assert!(
            search(
                &path,
                &SearchQuery {
                    text: "U.S. (talks".into(),
                    limit: 5,
                    ..Default::default()
                }
            )
            .is_ok()
        );
        let top = top_entities(&path, Some("PER"), 5).unwrap();
        assert_eq!(top.len(), 2);
    }
}
