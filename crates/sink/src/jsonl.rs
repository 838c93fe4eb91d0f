//! `type = "jsonl"`: one JSON record per line, durable and idempotent.
//!
//! At start the sink reads the file it appends to: it learns every article id
//! already written, and cuts off a torn last line (a crash in mid-write). A
//! record whose id is already in the file is acknowledged without writing, so
//! re-processing after a crash never duplicates a line. Each batch is written
//! with one `write`, then (with `sync = "batch"`, the default) `fdatasync`ed
//! before its records are acknowledged. A failed write is rolled back to the
//! last complete line and retried with capped backoff; nothing is dropped.

use std::collections::{HashSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use wirehose_core::config::in_range;
use wirehose_core::{
    BuildContext, ConfigProblem, Event, Record, Sink, SinkConfig, SinkContext, StageError,
    article_id,
};

use crate::driver::{self, BatchWriter, Outcome, Texts, WriteError};
use crate::lock;

/// When the file is synced to disk.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SyncPolicy {
    /// `fdatasync` after every batch, before acknowledging it. The default:
    /// nothing acknowledged is lost, even on power failure.
    #[default]
    Batch,
    /// Hand the data to the kernel only: survives a crash of wirehose, not of
    /// the machine. Faster on slow disks.
    None,
}

fn default_batch_max_records() -> usize {
    512
}

fn default_recent_ids() -> usize {
    50_000
}

/// Raw configuration of the JSONL sink.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlConfig {
    /// File to append records to; parent directories are created. Required.
    pub path: PathBuf,
    /// `batch` (fsync each batch before acknowledging) or `none`. Default `batch`.
    #[serde(default)]
    pub sync: SyncPolicy,
    /// Most records written (and synced) together. Default 512.
    #[serde(default = "default_batch_max_records")]
    pub batch_max_records: usize,
    /// How many of the most recently written article ids the sink
    /// remembers, to skip a record a restart hands it again. Only records
    /// written since the ledger's last commit come again, so this need only
    /// exceed what the pipeline writes between two commits (`[state]
    /// commit_interval_ms`, 200 ms by default) plus what is in flight; memory
    /// stays flat (about 40 bytes an id) however long the file grows.
    /// Default 50,000.
    #[serde(default = "default_recent_ids")]
    pub recent_ids: usize,
}

impl SinkConfig for JsonlConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem> {
        if self.path.as_os_str().is_empty() {
            return Err(cx.problem("path", "must not be empty"));
        }
        in_range(cx, "batch_max_records", self.batch_max_records, 1..=65_536)?;
        in_range(cx, "recent_ids", self.recent_ids, 1_000..=10_000_000)?;
        Ok(Box::new(Jsonl {
            config: self.clone(),
        }))
    }
}

/// The running JSONL sink.
#[derive(Debug)]
pub struct Jsonl {
    config: JsonlConfig,
}

/// Compact key of an article id (ids are 32 hex digits; others are hashed).
fn id_key(id: &str) -> u128 {
    if id.len() == 32
        && let Ok(key) = u128::from_str_radix(id, 16)
    {
        return key;
    }
    u128::from_str_radix(&article_id(id.as_bytes()), 16).unwrap_or(0)
}

fn line_id(line: &[u8]) -> Option<String> {
    if let Some(rest) = line.strip_prefix(b"{\"id\":\"")
        && let Some(end) = rest.iter().position(|b| *b == b'"')
    {
        return std::str::from_utf8(&rest[..end]).ok().map(str::to_string);
    }
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    serde_json::from_slice::<IdOnly>(line).ok().map(|r| r.id)
}

/// The ids of the most recently written records, oldest forgotten first.
struct RecentIds {
    set: HashSet<u128>,
    order: VecDeque<u128>,
    capacity: usize,
}

impl RecentIds {
    fn new(capacity: usize) -> RecentIds {
        RecentIds {
            set: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    fn contains(&self, key: &u128) -> bool {
        self.set.contains(key)
    }

    /// Remembers `key`, forgetting the oldest past the capacity.
    fn insert(&mut self, key: u128) {
        if self.set.insert(key) {
            self.order.push_back(key);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }

    fn len(&self) -> usize {
        self.set.len()
    }
}

struct Recovered {
    file: File,
    ids: RecentIds,
    /// Records in the file when it was opened.
    records: usize,
    length: u64,
}

/// Opens `path` for appending, locked against a second writer, learning the
/// last `recent_ids` ids it holds and cutting a torn last line.
fn recover(path: &Path, recent_ids: usize) -> std::io::Result<Recovered> {
    lock::require_regular_file(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    // Before reading: the last line may be one the other writer is writing.
    lock::lock(&file)?;
    let mut ids = RecentIds::new(recent_ids);
    let mut records = 0usize;
    let mut complete: u64 = 0;
    let mut reader = BufReader::with_capacity(1 << 20, &mut file);
    let mut line = Vec::new();
    let mut unreadable = 0usize;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            break; // torn last line: cut below
        }
        complete += read as u64;
        match line_id(&line[..line.len() - 1]) {
            Some(id) => {
                ids.insert(id_key(&id));
                records += 1;
            }
            None if line.len() > 1 => unreadable += 1,
            None => {}
        }
    }
    drop(reader);
    let length = file.metadata()?.len();
    if length > complete {
        warn!(file = %path.display(), bytes = length - complete, "cutting a torn last line left by a crash");
        file.set_len(complete)?;
        file.sync_data()?;
    }
    if unreadable > 0 {
        warn!(file = %path.display(), lines = unreadable, "lines without an article id kept as they are");
    }
    file.seek(SeekFrom::Start(complete))?;
    Ok(Recovered {
        file,
        ids,
        records,
        length: complete,
    })
}

/// Appends `buffer` at `length` and syncs; on failure cuts the file back to
/// `length` so no partial line stays.
fn append(file: &mut File, length: u64, buffer: &[u8], sync: SyncPolicy) -> std::io::Result<()> {
    let result = (|| {
        file.seek(SeekFrom::Start(length))?;
        file.write_all(buffer)?;
        if sync == SyncPolicy::Batch {
            file.sync_data()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = file.set_len(length);
    }
    result
}

/// The file being appended to, with the ids it holds.
struct Appender {
    recovered: Recovered,
    sync: SyncPolicy,
}

impl Appender {
    /// Appends the records not in the file yet as one write; runs on the
    /// blocking pool.
    fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
        let mut buffer = Vec::with_capacity(records.len() * 4096);
        let mut outcomes = Vec::with_capacity(records.len());
        let mut batch_ids: HashSet<u128> = HashSet::new();
        for record in records {
            let key = id_key(&record.id);
            if self.recovered.ids.contains(&key) || batch_ids.contains(&key) {
                debug!(record_id = %record.id, "record already in the file; not written again");
                outcomes.push(Outcome::Delivered);
                continue;
            }
            let line_start = buffer.len();
            match serde_json::to_writer(&mut buffer, &**record) {
                Ok(()) => {
                    buffer.push(b'\n');
                    batch_ids.insert(key);
                    outcomes.push(Outcome::Delivered);
                }
                Err(err) => {
                    buffer.truncate(line_start);
                    outcomes.push(Outcome::Rejected {
                        reason: format!("cannot encode record: {err}"),
                        hint: "report this as a bug",
                    });
                }
            }
        }
        if buffer.is_empty() {
            return Ok(outcomes);
        }
        let Recovered {
            file, ids, length, ..
        } = &mut self.recovered;
        append(file, *length, &buffer, self.sync)
            .map_err(|err| WriteError::Unavailable(err.to_string()))?;
        *length += buffer.len() as u64;
        for key in batch_ids {
            ids.insert(key);
        }
        Ok(outcomes)
    }
}

/// The JSONL sink's side of the batch driver.
struct JsonlWriter {
    path: PathBuf,
    sync: SyncPolicy,
    recent_ids: usize,
    appender: Option<Appender>,
}

impl BatchWriter for JsonlWriter {
    const TEXTS: Texts = Texts {
        unavailable: "cannot open the jsonl file; retrying",
        retrying: "cannot write records; holding them and retrying (free disk space or fix permissions)",
        one_by_one: "jsonl refused a batch; writing its records one by one",
        refused: "jsonl refused the record",
    };

    async fn connect(&mut self) -> Result<(), WriteError> {
        let (path, recent_ids) = (self.path.clone(), self.recent_ids);
        let recovered = tokio::task::spawn_blocking(move || recover(&path, recent_ids))
            .await
            .map_err(|e| {
                WriteError::Fatal(StageError::Other(format!("recovery task failed: {e}")))
            })?
            .map_err(|e| WriteError::Fatal(StageError::io(&self.path, e)))?;
        info!(
            file = %self.path.display(),
            records = recovered.records,
            remembered = recovered.ids.len(),
            "jsonl sink ready"
        );
        self.appender = Some(Appender {
            recovered,
            sync: self.sync,
        });
        Ok(())
    }

    async fn write(&mut self, records: &[Arc<Record>]) -> Result<Vec<Outcome>, WriteError> {
        let records = records.to_vec();
        driver::blocking(&mut self.appender, move |appender| appender.write(&records)).await?
    }
}

#[async_trait]
impl Sink for Jsonl {
    async fn run(
        self: Box<Self>,
        input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        let writer = JsonlWriter {
            path: self.config.path.clone(),
            sync: self.config.sync,
            recent_ids: self.config.recent_ids,
            appender: None,
        };
        let options = driver::Options::local_file(self.config.batch_max_records);
        driver::run(writer, input, &cx, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_cuts_torn_line_and_learns_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.jsonl");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let a = article_id(b"a");
        let b = article_id(b"b");
        fs::write(
            &path,
            format!(
                "{{\"id\":\"{a}\",\"x\":1}}\n{{\"title\":\"t\",\"id\":\"{b}\"}}\n{{\"id\":\"cut"
            ),
        )
        .unwrap();
        let recovered = recover(&path, 1_000).unwrap();
        assert_eq!(recovered.ids.len(), 2);
        assert_eq!(recovered.records, 2);
        assert!(recovered.ids.contains(&id_key(&a)) && recovered.ids.contains(&id_key(&b)));
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("}\n"), "{text}");
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn append_writes_at_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.jsonl");
        let mut recovered = recover(&path, 1_000).unwrap();
        append(
            &mut recovered.file,
            0,
            b"{\"id\":\"x\"}\n",
            SyncPolicy::Batch,
        )
        .unwrap();
        append(
            &mut recovered.file,
            11,
            b"{\"id\":\"y\"}\n",
            SyncPolicy::None,
        )
        .unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "{\"id\":\"x\"}\n{\"id\":\"y\"}\n"
        );
    }

    #[test]
    fn only_the_most_recent_ids_are_remembered() {
        let mut ids = RecentIds::new(3);
        for key in 1..=5u128 {
            ids.insert(key);
        }
        ids.insert(5);
        assert_eq!(ids.len(), 3);
        assert!(!ids.contains(&2) && ids.contains(&3) && ids.contains(&5));
        // Recovery keeps the file's newest ids and counts every record.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.jsonl");
        let ids: Vec<String> = (0..1_500u32)
            .map(|i| article_id(&i.to_le_bytes()))
            .collect();
        let text: String = ids
            .iter()
            .map(|id| format!("{{\"id\":\"{id}\"}}\n"))
            .collect();
        fs::write(&path, text).unwrap();
        let recovered = recover(&path, 1_000).unwrap();
        assert_eq!(recovered.records, 1_500);
        assert_eq!(recovered.ids.len(), 1_000);
        assert!(recovered.ids.contains(&id_key(&ids[1_499])));
        assert!(!recovered.ids.contains(&id_key(&ids[0])));
    }

    #[test]
    fn unknown_key_is_refused() {
        let err = toml::from_str::<JsonlConfig>("path = \"x\"\nsynk = \"none\"").unwrap_err();
        assert!(err.to_string().contains("synk"));
    }
}
