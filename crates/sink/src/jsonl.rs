//! `type = "jsonl"`: one JSON record per line, durable and idempotent.
//!
//! At start the sink reads the file it appends to: it learns every article id
//! already written, and cuts off a torn last line (a crash in mid-write). A
//! record whose id is already in the file is acknowledged without writing, so
//! re-processing after a crash never duplicates a line. Each batch is written
//! with one `write`, then (with `sync = "batch"`, the default) `fdatasync`ed
//! before its records are acknowledged. A failed write is rolled back to the
//! last complete line and retried with capped backoff; nothing is dropped.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::mpsc;
use tracing::{debug, error, info, warn};
use wirehose_core::{
    BuildContext, ConfigProblem, Event, Sink, SinkConfig, SinkContext, StageError, article_id,
};

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
}

impl SinkConfig for JsonlConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Sink>, ConfigProblem> {
        if self.path.as_os_str().is_empty() {
            return Err(cx.problem("path", "must not be empty"));
        }
        if self.batch_max_records == 0 {
            return Err(cx.problem("batch_max_records", "must be at least 1"));
        }
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

struct Recovered {
    file: File,
    ids: HashSet<u128>,
    length: u64,
}

/// Opens `path` for appending, learning the ids it holds and cutting a torn
/// last line.
fn recover(path: &Path) -> std::io::Result<Recovered> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let mut ids = HashSet::new();
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

#[async_trait]
impl Sink for Jsonl {
    async fn run(
        self: Box<Self>,
        mut input: mpsc::Receiver<Event>,
        cx: SinkContext,
    ) -> Result<(), StageError> {
        let path = self.config.path.clone();
        let recover_path = path.clone();
        let recovered = tokio::task::spawn_blocking(move || recover(&recover_path))
            .await
            .map_err(|e| StageError::Other(format!("recovery task failed: {e}")))?
            .map_err(|e| StageError::io(&path, e))?;
        info!(file = %path.display(), records = recovered.ids.len(), "jsonl sink ready");
        let Recovered {
            mut file,
            mut ids,
            mut length,
        } = recovered;
        let sync = self.config.sync;
        loop {
            let batch = crate::next_batch(&mut input, self.config.batch_max_records).await;
            if batch.is_empty() {
                return Ok(());
            }
            let mut buffer = Vec::with_capacity(batch.len() * 4096);
            let mut written: Vec<(Event, u128)> = Vec::with_capacity(batch.len());
            let mut batch_ids: HashSet<u128> = HashSet::new();
            for event in batch {
                let key = id_key(&event.record.id);
                if ids.contains(&key) || !batch_ids.insert(key) {
                    debug!(record_id = %event.record.id, "record already in the file; not written again");
                    event.ack.delivered();
                    continue;
                }
                match serde_json::to_writer(&mut buffer, &event.record) {
                    Ok(()) => {
                        buffer.push(b'\n');
                        written.push((event, key));
                    }
                    Err(err) => event.ack.reject(
                        &cx.key,
                        format!("cannot encode record: {err}"),
                        "report this as a bug",
                    ),
                }
            }
            if written.is_empty() {
                continue;
            }
            let started = std::time::Instant::now();
            let mut backoff =
                crate::Backoff::new(Duration::from_millis(100), Duration::from_secs(30));
            let buffer = std::sync::Arc::new(buffer);
            loop {
                let bytes = buffer.clone();
                let (returned, result) = tokio::task::spawn_blocking(move || {
                    let result = append(&mut file, length, &bytes, sync);
                    (file, result)
                })
                .await
                .map_err(|e| StageError::Other(format!("write task failed: {e}")))?;
                file = returned;
                match result {
                    Ok(()) => break,
                    Err(err) => {
                        error!(
                            file = %path.display(),
                            error = %err,
                            retry_in_ms = backoff.peek().as_millis() as u64,
                            "cannot write records; holding them and retrying (free disk space or fix permissions)"
                        );
                        backoff.wait().await;
                    }
                }
            }
            length += buffer.len() as u64;
            let elapsed = started.elapsed();
            for (event, key) in written {
                ids.insert(key);
                event.ack.add_timing(&cx.key, elapsed);
                event.ack.delivered();
            }
        }
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
        let recovered = recover(&path).unwrap();
        assert_eq!(recovered.ids.len(), 2);
        assert!(recovered.ids.contains(&id_key(&a)) && recovered.ids.contains(&id_key(&b)));
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("}\n"), "{text}");
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn append_writes_at_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.jsonl");
        let mut recovered = recover(&path).unwrap();
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
    fn unknown_key_is_refused() {
        let err = toml::from_str::<JsonlConfig>("path = \"x\"\nsynk = \"none\"").unwrap_err();
        assert!(err.to_string().contains("synk"));
    }
}
