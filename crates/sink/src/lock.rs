//! One writer per output file.
//!
//! Two daemons with different state directories but the same output file
//! would each append from the length they saw at start: lines interleave and
//! tear, and each cuts the other's "torn" last line at start. So a sink that
//! writes a file holds an advisory lock (`flock`) on it for its whole run,
//! taken before it reads or cuts anything, and a second writer is refused at
//! start. The lock goes with the process, even on `kill -9`.

use std::fs::{File, OpenOptions};
use std::io::{Error, ErrorKind};
use std::path::{Path, PathBuf};

/// Refuses `path` when it exists and is not a regular file: `/dev/null`
/// never syncs (the sink would retry forever), a directory cannot be
/// appended to, a FIFO blocks.
pub(crate) fn require_regular_file(path: &Path) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file: a sink writes a file of its own (not a device, a directory or a pipe)",
        )),
        _ => Ok(()),
    }
}

/// Takes the lock on `file` (the output file itself, opened by the sink),
/// or fails at once if another process holds it.
pub(crate) fn lock(file: &File) -> std::io::Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(busy()),
        Err(std::fs::TryLockError::Error(err)) => Err(err),
    }
}

/// Takes the lock on `PATH.lock` beside `path`, for files the sink does not
/// open itself (SQLite opens its database; a second descriptor on it would
/// drop SQLite's own POSIX locks when closed). Returns the lock file, held
/// until it is dropped.
pub(crate) fn lock_beside(path: &Path) -> std::io::Result<File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)?;
    lock(&file)?;
    Ok(file)
}

fn busy() -> Error {
    Error::new(
        ErrorKind::WouldBlock,
        "in use by another wirehose process (two writers would tear and lose records): stop it, or give each daemon its own output file",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let first = File::create(&path).unwrap();
        lock(&first).unwrap();
        let second = File::open(&path).unwrap();
        let err = lock(&second).unwrap_err();
        assert!(
            err.to_string().contains("another wirehose process"),
            "{err}"
        );
        drop(first);
        lock(&second).unwrap();
    }

    #[test]
    fn lock_beside_keeps_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let held = lock_beside(&path).unwrap();
        assert!(dir.path().join("store.db.lock").exists());
        assert!(lock_beside(&path).is_err());
        drop(held);
        assert!(lock_beside(&path).is_ok());
    }

    #[test]
    fn devices_and_directories_are_refused() {
        assert!(require_regular_file(Path::new("/dev/null")).is_err());
        let dir = tempfile::tempdir().unwrap();
        assert!(require_regular_file(dir.path()).is_err());
        assert!(require_regular_file(&dir.path().join("missing")).is_ok());
    }
}
