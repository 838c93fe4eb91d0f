//! The file-system side of the directory source: which files are articles,
//! scanning, reading and `on_complete`. Everything here blocks; the source
//! calls it on blocking threads.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;
use tracing::{debug, warn};
use wirehose_core::{InputEntry, InputInfo, InputStatus, Ledger};

use super::config::{Filter, OnComplete};

/// Identity of an input file at the time it was read.
#[derive(Debug, Clone)]
pub(super) struct FileInfo {
    pub(super) path: PathBuf,
    pub(super) key: String,
    pub(super) size: u64,
    pub(super) mtime_ns: i64,
    pub(super) id: Option<String>,
    pub(super) read_at: Instant,
}

impl FileInfo {
    /// Returns what core needs to settle this input.
    pub(super) fn input(&self) -> InputInfo {
        InputInfo {
            id: self.id.clone(),
            file: self.path.clone(),
            bytes: self.size,
            read_at: self.read_at,
        }
    }
}

/// What reading a file gave.
pub(super) enum ReadOutcome {
    Vanished,
    Refused {
        info: FileInfo,
        reason: String,
        hint: String,
    },
    Read {
        info: FileInfo,
        bytes: Vec<u8>,
    },
}

pub(super) fn mtime_ns(metadata: &fs::Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Shared, immutable facts the blocking helpers need.
#[derive(Debug, Clone)]
pub(super) struct Root {
    /// The configured path, used to build record paths.
    pub(super) path: PathBuf,
    /// Its canonical form, used to confine symlinks.
    pub(super) canonical: PathBuf,
    pub(super) filter: Filter,
    pub(super) recursive: bool,
    pub(super) max_bytes: u64,
    pub(super) on_complete: OnComplete,
}

impl Root {
    fn relative<'a>(&self, path: &'a Path) -> Option<&'a Path> {
        path.strip_prefix(&self.path)
            .ok()
            .or_else(|| path.strip_prefix(&self.canonical).ok())
    }

    fn key_of(relative: &Path) -> String {
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Returns metadata of an acceptable regular file at `path` (following a
    /// symlink only when it stays inside the root).
    pub(super) fn file_metadata(&self, path: &Path) -> Option<fs::Metadata> {
        let link = fs::symlink_metadata(path).ok()?;
        if link.file_type().is_symlink() {
            let target = fs::canonicalize(path).ok()?;
            if !target.starts_with(&self.canonical) {
                debug!(file = %path.display(), "symlink leads outside the watched directory; ignored");
                return None;
            }
            let metadata = fs::metadata(&target).ok()?;
            return metadata.is_file().then_some(metadata);
        }
        link.is_file().then_some(link)
    }

    /// Returns the key of `path` if it is an article file this source takes.
    pub(super) fn accept(&self, path: &Path) -> Option<String> {
        let relative = self.relative(path)?;
        if self.path.join(relative).starts_with(&self.filter.done_dir) {
            return None;
        }
        if !self.recursive && relative.components().count() != 1 {
            return None;
        }
        self.filter
            .accepts(relative)
            .then(|| Root::key_of(relative))
    }

    fn walk(&self, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if self.recursive && !hidden && !path.starts_with(&self.filter.done_dir) {
                    self.walk(&path, out);
                }
            } else {
                out.push(path);
            }
        }
    }

    /// Scans the root (blocking): returns files that need attention, with their
    /// size and mtime. Inputs the ledger already finished are skipped (and their
    /// `on_complete` action is applied if a crash prevented it).
    pub(super) fn scan(&self, ledger: &Ledger, source: &str) -> Vec<(PathBuf, String, u64, i64)> {
        let mut files = Vec::new();
        self.walk(&self.path, &mut files);
        files.sort();
        let mut wanted = Vec::new();
        for path in files {
            let Some(key) = self.accept(&path) else {
                continue;
            };
            let Some(metadata) = self.file_metadata(&path) else {
                continue;
            };
            let (size, mtime) = (metadata.len(), mtime_ns(&metadata));
            match ledger.lookup(source, &key) {
                Ok(Some(entry)) if entry.size == size && entry.mtime_ns == mtime => {
                    if entry.status != InputStatus::Quarantined {
                        self.finish_file(&path, &key);
                    }
                }
                Ok(_) => wanted.push((path, key, size, mtime)),
                Err(err) => {
                    warn!(error = %err, file = %path.display(), "ledger lookup failed; taking the file");
                    wanted.push((path, key, size, mtime));
                }
            }
        }
        wanted
    }

    /// Applies `on_complete` to a finished input (blocking).
    pub(super) fn finish_file(&self, path: &Path, key: &str) {
        let result = match self.on_complete {
            OnComplete::Keep => return,
            OnComplete::Delete => fs::remove_file(path),
            OnComplete::Move => {
                let mut target = self.filter.done_dir.join(key);
                if target.exists() {
                    let mut name = target.clone().into_os_string();
                    name.push(format!(
                        ".{}",
                        SystemTime::now()
                            .duration_since(UNIX_EPOCH)
                            .map(|d| d.as_nanos())
                            .unwrap_or(0)
                    ));
                    target = PathBuf::from(name);
                }
                target
                    .parent()
                    .map(fs::create_dir_all)
                    .unwrap_or(Ok(()))
                    .and_then(|()| fs::rename(path, &target))
            }
        };
        match result {
            Ok(()) => {
                debug!(file = %path.display(), action = ?self.on_complete, "on_complete applied")
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                warn!(file = %path.display(), error = %err, "on_complete failed; the file stays in place")
            }
        }
    }

    /// Reads one file (blocking), refusing empty and oversized files.
    pub(super) fn read(&self, path: &Path, key: &str) -> ReadOutcome {
        let Some(metadata) = self.file_metadata(path) else {
            return ReadOutcome::Vanished;
        };
        let mut info = FileInfo {
            path: path.to_path_buf(),
            key: key.to_string(),
            size: metadata.len(),
            mtime_ns: mtime_ns(&metadata),
            id: None,
            read_at: Instant::now(),
        };
        if info.size > self.max_bytes {
            return ReadOutcome::Refused {
                reason: format!(
                    "file is {} bytes, more than max_bytes = {}",
                    info.size, self.max_bytes
                ),
                hint: "raise max_bytes for this source if such large articles are expected".into(),
                info,
            };
        }
        if info.size == 0 {
            return ReadOutcome::Refused {
                info,
                reason: "file is empty".into(),
                hint: "write the article's text to the file; an empty file holds no article".into(),
            };
        }
        match fs::read(path) {
            Ok(bytes) if bytes.len() as u64 > self.max_bytes => ReadOutcome::Refused {
                reason: format!(
                    "file grew past max_bytes = {} while being read",
                    self.max_bytes
                ),
                hint: "raise max_bytes for this source if such large articles are expected".into(),
                info,
            },
            Ok(bytes) => {
                info.size = bytes.len() as u64;
                ReadOutcome::Read { info, bytes }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => ReadOutcome::Vanished,
            Err(err) => ReadOutcome::Refused {
                reason: format!("cannot read file: {err}"),
                hint: "check the file's permissions".into(),
                info,
            },
        }
    }
}

/// Returns the ledger entry recording what became of the input `info`.
pub(super) fn ledger_entry(
    source: &str,
    info: &FileInfo,
    status: InputStatus,
    reason: Option<String>,
    duplicate_of: Option<String>,
) -> InputEntry {
    InputEntry {
        source: source.to_string(),
        key: info.key.clone(),
        size: info.size,
        mtime_ns: info.mtime_ns,
        id: info.id.clone(),
        status,
        reason,
        duplicate_of,
    }
}
