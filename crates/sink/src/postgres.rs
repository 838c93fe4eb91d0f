//! `type = "postgres"`: records upserted into PostgreSQL.
//!
//! At start the sink creates its schema (default `wirehose`) and applies the
//! versioned migrations it does not find in `SCHEMA.migrations`, under an
//! advisory lock so that several workers starting together do not race.
//! Tables: `articles` (keyed by `id`, the record as `jsonb` in `record`, what
//! plugins added as `jsonb` in `fields`), `entities`, `mentions`, `quotes`.
//!
//! Records are batched (`batch_max_records`, `linger_ms`) and upserted by id
//! in one transaction, rows locked in id order so concurrent workers never
//! deadlock; they are acknowledged only after the commit. When the server is
//! down or restarts, the sink logs it, retries with capped exponential backoff
//! and holds back the pipeline: nothing is lost. A batch the server refuses
//! for its data is retried record by record, and only the offending record is
//! quarantined.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_postgres::{Client, NoTls};
use tracing::{info, warn};
use wirehose_core::config::in_range;
use wirehose_core::{
    BuildContext, ConfigProblem, Event, Record, Sink, SinkConfig, SinkContext, StageError,
};

use crate::driver::{self, BatchWriter, Outcome, Texts, WriteError};
use crate::rows::{Rows, Unencodable};

fn default_schema() -> String {
    "wirehose".to_string()
}
fn default_batch_max_records() -> usize {
    500
}
fn default_linger_ms() -> u64 {
    200
}
fn default_max_backoff_secs() -> u64 {
    30
}

/// Raw configuration of the PostgreSQL sink.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresConfig {
    /// Connection URL (`postgres://user@host:5432/db`). Required.
    pub url: String,
    /// Schema holding the tables; created if missing. Default `wirehose`.
    #[serde(default = "default_schema")]
    pub schema: String,
    /// Most records per transaction. Default 500.
    #[serde(default = "default_batch_max_records")]
    pub batch_max_records: usize,
    /// How long a batch waits to fill before it is written, in milliseconds.
    /// Default 200.
    #[serde(default = "default_linger_ms")]
    pub linger_ms: u64,
    /// Longest pause between reconnection attempts, in seconds. Default 30.
    #[serde(default = "default_max_backoff_secs")]
    pub max_backoff_secs: u64,
}

impl SinkConfig for PostgresConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem> {
        if self.url.parse::<tokio_postgres::Config>().is_err() {
            return Err(cx.problem(
                "url",
                "not a valid PostgreSQL connection URL (postgres://user@host:port/db)",
            ));
        }
        let valid_schema = !self.schema.is_empty()
            && self.schema.len() <= 63
            && self
                .schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !self.schema.starts_with(|c: char| c.is_ascii_digit());
        if !valid_schema {
            return Err(cx.problem(
                "schema",
                "use letters, digits and underscores (not first), at most 63",
            ));
        }
        in_range(cx, "batch_max_records", self.batch_max_records, 1..=10_000)?;
        in_range(cx, "linger_ms", self.linger_ms, 0..=60_000)?;
        in_range(cx, "max_backoff_secs", self.max_backoff_secs, 1..=3_600)?;
        Ok(Box::new(Postgres {
            config: self.clone(),
        }))
    }
}

/// The running PostgreSQL sink.
#[derive(Debug)]
pub struct Postgres {
    config: PostgresConfig,
}

/// Versioned migrations; `{s}` is the schema. Never edit one that shipped:
/// add the next version.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        "CREATE TABLE {s}.articles (
        id TEXT PRIMARY KEY,
        title TEXT,
        published TEXT,
        language TEXT,
        story TEXT,
        source_path TEXT NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        body TEXT NOT NULL,
        record JSONB NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
     );
     CREATE INDEX articles_published ON {s}.articles (published);
     CREATE INDEX articles_story ON {s}.articles (story);
     CREATE TABLE {s}.entities (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        UNIQUE (name, type)
     );
     CREATE TABLE {s}.mentions (
        article_id TEXT NOT NULL REFERENCES {s}.articles (id) ON DELETE CASCADE,
        entity_id BIGINT NOT NULL REFERENCES {s}.entities (id),
        start_offset INTEGER NOT NULL,
        end_offset INTEGER NOT NULL,
        text TEXT NOT NULL
     );
     CREATE INDEX mentions_article ON {s}.mentions (article_id);
     CREATE INDEX mentions_entity ON {s}.mentions (entity_id);
     CREATE TABLE {s}.quotes (
        article_id TEXT NOT NULL REFERENCES {s}.articles (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        speaker TEXT,
        cue TEXT,
        start_offset INTEGER NOT NULL,
        end_offset INTEGER NOT NULL,
        PRIMARY KEY (article_id, position)
     );",
    ),
    (
        2,
        "ALTER TABLE {s}.articles ADD COLUMN fields JSONB NOT NULL DEFAULT '{}'::jsonb;",
    ),
];

async fn migrate(client: &mut Client, schema: &str) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&format!("wirehose.{schema}")],
    )
    .await?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
         CREATE TABLE IF NOT EXISTS {schema}.migrations (
            version INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         );"
    ))
    .await?;
    let current: i32 = tx
        .query_one(
            &format!("SELECT COALESCE(MAX(version), 0) FROM {schema}.migrations"),
            &[],
        )
        .await?
        .get(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(&sql.replace("{s}", schema)).await?;
        tx.execute(
            &format!("INSERT INTO {schema}.migrations (version) VALUES ($1)"),
            &[version],
        )
        .await?;
        info!(schema, version, "postgres migration applied");
    }
    tx.commit().await
}

async fn connect(config: &PostgresConfig) -> Result<Client, tokio_postgres::Error> {
    let (mut client, connection) = tokio_postgres::connect(&config.url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            warn!(error = %err, "postgres connection closed");
        }
    });
    migrate(&mut client, &config.schema).await?;
    Ok(client)
}

/// Whether the server refused the data itself (not the connection): SQLSTATE
/// classes 22 (data exception) and 23 (integrity constraint).
fn data_error(err: &tokio_postgres::Error) -> bool {
    err.code().is_some_and(|code| {
        let code = code.code();
        code.starts_with("22") || code.starts_with("23")
    })
}

/// Returns an offset or position as a PostgreSQL `INTEGER` (saturating).
fn integer(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// Upserts `rows` in one transaction, rows locked in id order.
async fn upsert(
    client: &mut Client,
    schema: &str,
    rows: &Rows,
) -> Result<(), tokio_postgres::Error> {
    let articles = &rows.articles;
    let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    let titles: Vec<Option<&str>> = articles.iter().map(|a| a.title.as_deref()).collect();
    let published: Vec<Option<&str>> = articles.iter().map(|a| a.published.as_deref()).collect();
    let languages: Vec<Option<&str>> = articles.iter().map(|a| a.language.as_deref()).collect();
    let stories: Vec<Option<&str>> = articles.iter().map(|a| a.story.as_deref()).collect();
    let paths: Vec<&str> = articles.iter().map(|a| a.source_path.as_str()).collect();
    let received: Vec<&str> = articles.iter().map(|a| a.received_at.as_str()).collect();
    let bodies: Vec<&str> = articles.iter().map(|a| a.body.as_str()).collect();
    let documents: Vec<&str> = articles.iter().map(|a| a.record.as_str()).collect();
    let fields: Vec<&str> = articles.iter().map(|a| a.fields.as_str()).collect();
    let tx = client.transaction().await?;
    tx.execute(
        &format!(
            "INSERT INTO {schema}.articles (id, title, published, language, story, source_path, received_at, body, record, fields, updated_at)
             SELECT id, title, published, language, story, path, received::timestamptz, body, doc::jsonb, extra::jsonb, now()
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                  AS t (id, title, published, language, story, path, received, body, doc, extra)
             ORDER BY id
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, published = excluded.published,
                language = excluded.language, story = excluded.story, source_path = excluded.source_path,
                received_at = excluded.received_at, body = excluded.body, record = excluded.record,
                fields = excluded.fields, updated_at = now()"
        ),
        &[&ids, &titles, &published, &languages, &stories, &paths, &received, &bodies, &documents, &fields],
    )
    .await?;
    tx.execute(
        &format!("DELETE FROM {schema}.mentions WHERE article_id = ANY($1)"),
        &[&ids],
    )
    .await?;
    tx.execute(
        &format!("DELETE FROM {schema}.quotes WHERE article_id = ANY($1)"),
        &[&ids],
    )
    .await?;
    if !rows.entities.is_empty() {
        let names: Vec<&str> = rows.entities.iter().map(|e| e.name.as_str()).collect();
        let kinds: Vec<&str> = rows.entities.iter().map(|e| e.kind.as_str()).collect();
        let returned = tx
            .query(
                &format!(
                    "INSERT INTO {schema}.entities (name, type)
                     SELECT name, type FROM unnest($1::text[], $2::text[]) AS t (name, type) ORDER BY name, type
                     ON CONFLICT (name, type) DO UPDATE SET name = excluded.name
                     RETURNING id, name, type"
                ),
                &[&names, &kinds],
            )
            .await?;
        let by_key: HashMap<(&str, &str), i64> = returned
            .iter()
            .map(|row| ((row.get(1), row.get(2)), row.get(0)))
            .collect();
        let entity_ids: Vec<Option<i64>> = rows
            .entities
            .iter()
            .map(|e| by_key.get(&(e.name.as_str(), e.kind.as_str())).copied())
            .collect();
        let (mut m_article, mut m_entity, mut m_start, mut m_end, mut m_text) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for mention in &rows.mentions {
            let Some(entity_id) = entity_ids[mention.entity] else {
                continue;
            };
            m_article.push(mention.article_id.as_str());
            m_entity.push(entity_id);
            m_start.push(integer(mention.start));
            m_end.push(integer(mention.end));
            m_text.push(mention.text.as_str());
        }
        tx.execute(
            &format!(
                "INSERT INTO {schema}.mentions (article_id, entity_id, start_offset, end_offset, text)
                 SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::text[])"
            ),
            &[&m_article, &m_entity, &m_start, &m_end, &m_text],
        )
        .await?;
    }
    if !rows.quotes.is_empty() {
        let quotes = &rows.quotes;
        let q_article: Vec<&str> = quotes.iter().map(|q| q.article_id.as_str()).collect();
        let q_position: Vec<i32> = quotes.iter().map(|q| integer(q.position)).collect();
        let q_text: Vec<&str> = quotes.iter().map(|q| q.text.as_str()).collect();
        let q_speaker: Vec<Option<&str>> = quotes.iter().map(|q| q.speaker.as_deref()).collect();
        let q_cue: Vec<Option<&str>> = quotes.iter().map(|q| q.cue.as_deref()).collect();
        let q_start: Vec<i32> = quotes.iter().map(|q| integer(q.start)).collect();
        let q_end: Vec<i32> = quotes.iter().map(|q| integer(q.end)).collect();
        tx.execute(
            &format!(
                "INSERT INTO {schema}.quotes (article_id, position, text, speaker, cue, start_offset, end_offset)
                 SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])"
            ),
            &[&q_article, &q_position, &q_text, &q_speaker, &q_cue, &q_start, &q_end],
        )
        .await?;
    }
    tx.commit().await
}

/// The PostgreSQL sink's side of the batch driver.
struct PostgresWriter {
    config: PostgresConfig,
    client: Option<Client>,
}

impl BatchWriter for PostgresWriter {
    const TEXTS: Texts = Texts {
        unavailable: "postgres unavailable; holding records and retrying",
        retrying: "postgres write failed; holding records and retrying",
        one_by_one: "postgres refused a batch; writing its records one by one",
        refused: "postgres refused the record",
    };

    async fn connect(&mut self) -> Result<(), WriteError> {
        self.client = None;
        let client = connect(&self.config)
            .await
            .map_err(|err| WriteError::Unavailable(err.to_string()))?;
        info!(schema = %self.config.schema, "postgres sink connected");
        self.client = Some(client);
        Ok(())
    }

    fn needs_connect(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }

    async fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
        let Some(client) = self.client.as_mut() else {
            return Err(WriteError::Unavailable("not connected".into()));
        };
        let (rows, unencodable) = Rows::build(records.iter().map(|record| &**record));
        match upsert(client, &self.config.schema, &rows).await {
            Ok(()) => Ok(Unencodable::outcomes(records.len(), unencodable)),
            Err(err) if data_error(&err) => Err(WriteError::Refused(err.to_string())),
            Err(err) => Err(WriteError::Unavailable(err.to_string())),
        }
    }
}

#[async_trait]
impl Sink for Postgres {
    async fn run(
        self: Box<Self>,
        input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        let options = driver::Options {
            batch_max_records: self.config.batch_max_records,
            linger: Duration::from_millis(self.config.linger_ms),
            first_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(self.config.max_backoff_secs.max(1)),
        };
        let Postgres { config } = *self;
        let writer = PostgresWriter {
            config,
            client: None,
        };
        driver::run(writer, input, &cx, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(extra: &str) -> Result<Box<dyn Sink>, ConfigProblem> {
        let config: PostgresConfig =
            toml::from_str(extra).map_err(|e| ConfigProblem::new(None, None, e.to_string()))?;
        config.build(&BuildContext {
            key: "sinks.pg".into(),
            id: "pg".into(),
            state_dir: "/tmp".into(),
        })
    }

    #[test]
    fn validates_url_and_schema() {
        assert!(build("url = \"postgres://postgres@127.0.0.1/test\"").is_ok());
        assert_eq!(
            build("url = \"postgres://x@h/db\"\nschema = \"a-b\"")
                .err()
                .unwrap()
                .key
                .as_deref(),
            Some("schema")
        );
        assert!(
            build("url = \"postgres://x@h/db\"\nshema = \"a\"")
                .err()
                .unwrap()
                .message
                .contains("shema")
        );
    }
}
