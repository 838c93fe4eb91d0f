//! The file-system side of the directory source: which files are articles,
//! scanning, reading and `on_complete`. Everything here blocks; the source
//! calls it on blocking threads (a single `stat` excepted).
//!
//! Every access goes through the root's directory handle, one path component
//! at a time, without following symlinks (see [`super::at`]): a symlink, to a
//! file or a directory, inside the root or not, is never followed.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;
use tracing::{debug, warn};
use wirehose_core::{InputEntry, InputInfo, InputStatus, Ledger};

use super::at::{self, Kind, Stat};
use super::config::{Filter, OnComplete};

/// Identity of an input file at the time it was read.
#[derive(Debug, Clone)]
pub(super) struct FileInfo {
    /// Its path: the root's path joined with the real relative path.
    pub(super) path: PathBuf,
    /// Its path under the root, as on disk (perhaps not UTF-8).
    pub(super) relative: PathBuf,
    /// Its ledger key: `relative` with `/` separators, bytes that are not
    /// UTF-8 escaped as `\xNN`.
    pub(super) key: String,
    pub(super) stat: Stat,
    pub(super) id: Option<String>,
    pub(super) read_at: Instant,
}

impl FileInfo {
    /// Returns the path shown in records, reports and logs: the root's path
    /// joined with the key (UTF-8 even when the name on disk is not).
    pub(super) fn shown_path(&self, root: &Root) -> PathBuf {
        root.path.join(&self.key)
    }

    /// Returns what core needs to settle this input.
    pub(super) fn input(&self, root: &Root) -> InputInfo {
        InputInfo {
            id: self.id.clone(),
            file: self.shown_path(root),
            bytes: self.stat.size,
            read_at: self.read_at,
        }
    }
}

/// What reading a file gave.
pub(super) enum ReadOutcome {
    /// Gone, or no longer a regular file.
    Vanished,
    /// Empty, or changed while it was read: wait for it to settle again.
    Unsettled,
    /// The ledger already holds this very file (same size and mtime).
    Finished {
        info: FileInfo,
        status: InputStatus,
    },
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

/// A file a scan found, with what `fstatat` said of it.
pub(super) struct Found {
    pub(super) path: PathBuf,
    pub(super) stat: Stat,
}

/// Returns `relative` as a ledger key: components joined with `/`, each byte
/// that is not UTF-8 written `\xNN` (so the key stays unique and readable).
pub(super) fn key_of(relative: &Path) -> String {
    let mut key = String::new();
    for (n, component) in relative.iter().enumerate() {
        if n > 0 {
            key.push('/');
        }
        for chunk in component.as_bytes().utf8_chunks() {
            key.push_str(chunk.valid());
            for byte in chunk.invalid() {
                key.push_str(&format!("\\x{byte:02X}"));
            }
        }
    }
    key
}

/// Returns nanoseconds since the Unix epoch, now.
pub(super) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Shared, immutable facts the blocking helpers need.
#[derive(Debug)]
pub(super) struct Root {
    /// The configured path, used to build record paths.
    pub(super) path: PathBuf,
    /// Its canonical form: event paths may be spelled this way.
    pub(super) canonical: PathBuf,
    /// The root directory, opened once: every access starts here.
    pub(super) handle: OwnedFd,
    pub(super) filter: Filter,
    pub(super) recursive: bool,
    pub(super) max_bytes: u64,
    pub(super) on_complete: OnComplete,
}

impl Root {
    /// Returns `path` relative to the root, if it is under it.
    pub(super) fn relative(&self, path: &Path) -> Option<PathBuf> {
        path.strip_prefix(&self.path)
            .ok()
            .or_else(|| path.strip_prefix(&self.canonical).ok())
            .map(Path::to_path_buf)
    }

    /// Returns whether the directory `relative` is one the source looks into.
    pub(super) fn enters(&self, relative: &Path) -> bool {
        let hidden = relative.iter().any(|c| c.as_bytes().first() == Some(&b'.'));
        self.recursive && !hidden && !self.path.join(relative).starts_with(&self.filter.done_dir)
    }

    /// Returns the path (in its one spelling) and relative path of `path` if
    /// it is an article file this source takes.
    pub(super) fn accept(&self, path: &Path) -> Option<(PathBuf, PathBuf)> {
        let relative = self.relative(path)?;
        if relative.as_os_str().is_empty() {
            return None;
        }
        if self.path.join(&relative).starts_with(&self.filter.done_dir) {
            return None;
        }
        if !self.recursive && relative.components().count() != 1 {
            return None;
        }
        self.filter
            .accepts(&relative)
            .then(|| (self.path.join(&relative), relative))
    }

    /// Returns the `fstatat` of the regular file `relative`, or `None` when
    /// it is gone, not a regular file, or reached through a symlink.
    pub(super) fn stat(&self, relative: &Path) -> Option<Stat> {
        match at::stat_under(self.handle.as_fd(), relative) {
            Ok(stat) if stat.kind == Kind::File => Some(stat),
            Ok(_) => {
                debug!(file = %self.path.join(key_of(relative)).display(), "not a regular file; ignored");
                None
            }
            Err(_) => None,
        }
    }

    /// Walks the directory `dir` (at `relative`) and the real
    /// subdirectories it enters, calling `file` with each file's path
    /// relative to the root and `subdir` with each subdirectory's, one entry
    /// at a time (nothing is listed in memory).
    fn walk(
        &self,
        relative: &Path,
        dir: OwnedFd,
        file: &mut dyn FnMut(PathBuf),
        subdir: &mut dyn FnMut(&Path),
    ) {
        let listed = dir.try_clone().and_then(|listing| {
            at::each_entry(listing, |name, kind| match kind {
                Kind::File => file(relative.join(name)),
                Kind::Dir => {
                    let child = relative.join(name);
                    if !self.enters(&child) {
                        return;
                    }
                    let Ok(handle) = at::open_dir_at(dir.as_fd(), name) else {
                        return;
                    };
                    subdir(&child);
                    self.walk(&child, handle, &mut *file, &mut *subdir);
                }
                Kind::Other => {}
            })
        });
        if let Err(err) = listed {
            debug!(dir = %self.path.join(key_of(relative)).display(), error = %err, "cannot list directory");
        }
    }

    /// Walks (blocking) the directory `relative` (empty for the root
    /// itself), never through a link: see [`Root::walk`].
    fn walk_under(
        &self,
        relative: &Path,
        file: &mut dyn FnMut(PathBuf),
        subdir: &mut dyn FnMut(&Path),
    ) {
        let handle = if relative.as_os_str().is_empty() {
            self.handle.try_clone()
        } else {
            at::open_parent(self.handle.as_fd(), relative)
                .and_then(|(parent, name)| at::open_dir_at(parent.as_fd(), name))
        };
        if let Ok(handle) = handle {
            self.walk(relative, handle, file, subdir);
        }
    }

    /// Lists (blocking) the files and the real subdirectories under the
    /// directory `relative` (empty for the root itself), never through a link.
    pub(super) fn list_under(&self, relative: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let (mut files, mut dirs) = (Vec::new(), Vec::new());
        self.walk_under(relative, &mut |f| files.push(f), &mut |d| {
            dirs.push(d.to_path_buf())
        });
        (files, dirs)
    }

    /// The real subdirectories (blocking) under the root, never through a
    /// link; the files are not listed.
    pub(super) fn subdirectories(&self) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        self.walk_under(Path::new(""), &mut |_| {}, &mut |d| {
            dirs.push(d.to_path_buf())
        });
        dirs
    }

    /// Scans the root (blocking): returns the files that need attention and
    /// every real subdirectory (to watch). Paths in `skip` (already pending,
    /// queued or in flight) cost no `stat` and no ledger lookup. Inputs the
    /// ledger already finished are skipped (and their `on_complete` action
    /// is applied if a crash prevented it).
    pub(super) fn scan(
        &self,
        ledger: &Ledger,
        source: &str,
        skip: &HashSet<PathBuf>,
    ) -> (Vec<Found>, Vec<PathBuf>) {
        // One file at a time: an inbox that keeps its finished files
        // (`on_complete = "keep"`) grows without end, and a list of every
        // name made each rescan a spike of memory that grew with it.
        let (mut wanted, mut dirs) = (Vec::new(), Vec::new());
        let mut each_file = |relative: PathBuf| {
            let Some((path, relative)) = self.accept(&self.path.join(&relative)) else {
                return;
            };
            if skip.contains(&path) {
                return;
            }
            let Some(stat) = self.stat(&relative) else {
                return;
            };
            let key = key_of(&relative);
            match ledger.lookup(source, &key) {
                Ok(Some(entry)) if entry.size == stat.size && entry.mtime_ns == stat.mtime_ns => {
                    if entry.status != InputStatus::Quarantined {
                        self.finish_file(&relative, &stat);
                    }
                }
                Ok(_) => wanted.push(Found { path, stat }),
                Err(err) => {
                    warn!(error = %err, file = %path.display(), "ledger lookup failed; taking the file");
                    wanted.push(Found { path, stat });
                }
            }
        };
        self.walk_under(Path::new(""), &mut each_file, &mut |d| {
            dirs.push(d.to_path_buf())
        });
        // Taken in name order, as a listing sorted by name gave them.
        wanted.sort_by(|a, b| a.path.cmp(&b.path));
        (wanted, dirs)
    }

    /// Applies `on_complete` (blocking) to a finished input, if the name
    /// still holds the very file that was read (`read`).
    pub(super) fn finish_file(&self, relative: &Path, read: &Stat) {
        if self.on_complete == OnComplete::Keep {
            return;
        }
        let shown = self.path.join(key_of(relative));
        let result = at::open_parent(self.handle.as_fd(), relative).and_then(|(parent, name)| {
            let now = at::stat_at(parent.as_fd(), name)?;
            if now.dev != read.dev || now.ino != read.ino {
                return Err(io::Error::from_raw_os_error(libc::ENOENT));
            }
            match self.on_complete {
                OnComplete::Keep => Ok(()),
                OnComplete::Delete => at::unlink_at(parent.as_fd(), name),
                OnComplete::Move => self.move_done(parent.as_fd(), name, relative),
            }
        });
        match result {
            Ok(()) => {
                debug!(file = %shown.display(), action = ?self.on_complete, "on_complete applied")
            }
            Err(err) if at::is_absent(&err) => {}
            Err(err) => {
                warn!(file = %shown.display(), error = %err, "on_complete failed; the file stays in place")
            }
        }
    }

    /// Moves `name` (in `parent`, at `relative` under the root) into
    /// `done_dir`, keeping its relative path; a name already there gets a
    /// time suffix.
    fn move_done(
        &self,
        parent: std::os::fd::BorrowedFd<'_>,
        name: &OsStr,
        relative: &Path,
    ) -> io::Result<()> {
        // Inside the root, the done directory is reached like everything
        // else; elsewhere it is the configuration's own path.
        let done = match self.relative(&self.filter.done_dir) {
            Some(inside) => at::create_dirs_at(self.handle.as_fd(), &inside)?,
            None => {
                std::fs::create_dir_all(&self.filter.done_dir)?;
                at::open_root(&self.filter.done_dir)?
            }
        };
        let target_dir = match relative.parent() {
            Some(sub) if !sub.as_os_str().is_empty() => at::create_dirs_at(done.as_fd(), sub)?,
            _ => done,
        };
        match at::rename_at(parent, name, target_dir.as_fd(), name) {
            Err(err) if err.raw_os_error() == Some(libc::EEXIST) => {
                let mut other = name.to_owned();
                other.push(format!(".{}", now_ns()));
                at::rename_at(parent, name, target_dir.as_fd(), &other)
            }
            result => result,
        }
    }

    /// Moves the input `relative`, if it still is the file `read`, to
    /// `target` (the quarantine), without following links on the inbox side.
    pub(super) fn move_out(&self, relative: &Path, read: &Stat, target: &Path) -> io::Result<()> {
        let (parent, name) = at::open_parent(self.handle.as_fd(), relative)?;
        let now = at::stat_at(parent.as_fd(), name)?;
        if now.dev != read.dev || now.ino != read.ino {
            return Err(io::Error::other("the file was replaced since it was read"));
        }
        let (Some(target_parent), Some(target_name)) = (target.parent(), target.file_name()) else {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        };
        let target_dir = at::open_root(target_parent)?;
        match at::rename_at(parent.as_fd(), name, target_dir.as_fd(), target_name) {
            Err(err) if err.raw_os_error() == Some(libc::EXDEV) => {
                // Another file system: copy what the opened file holds, then unlink.
                let (mut file, _) = at::open_file_under(self.handle.as_fd(), relative)?;
                let mut copy = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(target)?;
                io::copy(&mut file, &mut copy)?;
                at::unlink_at(parent.as_fd(), name)
            }
            result => result,
        }
    }

    /// Reads one file (blocking) through a handle opened without following
    /// links, taking its size and mtime from that handle. Refuses oversized
    /// files; an empty file, or one that changed while being read, is not
    /// settled. A file the ledger already holds as it is now is finished.
    pub(super) fn read(
        &self,
        path: &Path,
        relative: &Path,
        ledger: &Ledger,
        source: &str,
    ) -> ReadOutcome {
        let (mut file, stat) = match at::open_file_under(self.handle.as_fd(), relative) {
            Ok(opened) => opened,
            Err(err) if at::is_absent(&err) => return ReadOutcome::Vanished,
            Err(err) => {
                let stat = at::stat_under(self.handle.as_fd(), relative).unwrap_or(Stat::unknown());
                let info = self.info(path, relative, stat);
                return ReadOutcome::Refused {
                    reason: format!("cannot read file: {err}"),
                    hint: "check the file's permissions".into(),
                    info,
                };
            }
        };
        let info = self.info(path, relative, stat);
        if let Ok(Some(entry)) = ledger.lookup(source, &info.key)
            && entry.size == stat.size
            && entry.mtime_ns == stat.mtime_ns
        {
            return ReadOutcome::Finished {
                info,
                status: entry.status,
            };
        }
        if stat.size > self.max_bytes {
            return ReadOutcome::Refused {
                reason: format!(
                    "file is {} bytes, more than max_bytes = {}",
                    stat.size, self.max_bytes
                ),
                hint: "raise max_bytes for this source if such large articles are expected".into(),
                info,
            };
        }
        if stat.size == 0 {
            return ReadOutcome::Unsettled;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(stat.size).unwrap_or(0));
        if let Err(err) = (&mut file).take(self.max_bytes + 1).read_to_end(&mut bytes) {
            return ReadOutcome::Refused {
                reason: format!("cannot read file: {err}"),
                hint: "check the file's permissions".into(),
                info,
            };
        }
        // Written, truncated or replaced while read: not complete after all.
        let after = at::stat_fd(file.as_fd());
        if bytes.len() as u64 != stat.size || after.map_or(true, |after| !after.same_as(&stat)) {
            debug!(file = %info.shown_path(self).display(), "file changed while being read; waiting for it to settle");
            return ReadOutcome::Unsettled;
        }
        ReadOutcome::Read { info, bytes }
    }

    fn info(&self, path: &Path, relative: &Path, stat: Stat) -> FileInfo {
        FileInfo {
            path: path.to_path_buf(),
            relative: relative.to_path_buf(),
            key: key_of(relative),
            stat,
            id: None,
            read_at: Instant::now(),
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
        size: info.stat.size,
        mtime_ns: info.stat.mtime_ns,
        id: info.id.clone(),
        status,
        reason,
        duplicate_of,
    }
}
