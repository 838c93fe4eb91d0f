//! File-system calls relative to a directory handle that never follow a
//! symlink: every component of a path under the root is opened with
//! `openat(…, O_NOFOLLOW)`, so what was checked is what is read, moved or
//! deleted, even when a name is swapped for a link in between.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};

/// What `fstatat`/`fstat` told of a name, without following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stat {
    pub(super) kind: Kind,
    pub(super) size: u64,
    pub(super) mtime_ns: i64,
    pub(super) dev: u64,
    pub(super) ino: u64,
}

/// The type of a directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    File,
    Dir,
    /// A symlink, socket, device or FIFO: never taken.
    Other,
}

impl Stat {
    fn from_raw(raw: &libc::stat) -> Stat {
        let kind = match raw.st_mode & libc::S_IFMT {
            libc::S_IFREG => Kind::File,
            libc::S_IFDIR => Kind::Dir,
            _ => Kind::Other,
        };
        Stat {
            kind,
            size: u64::try_from(raw.st_size).unwrap_or(0),
            mtime_ns: raw
                .st_mtime
                .saturating_mul(1_000_000_000)
                .saturating_add(raw.st_mtime_nsec),
            dev: raw.st_dev,
            ino: raw.st_ino,
        }
    }

    /// Returns the facts of a file that could not be looked at.
    pub(super) fn unknown() -> Stat {
        Stat {
            kind: Kind::Other,
            size: 0,
            mtime_ns: 0,
            dev: 0,
            ino: 0,
        }
    }

    /// Returns whether this is the same file, unchanged, as `other`.
    pub(super) fn same_as(&self, other: &Stat) -> bool {
        self.dev == other.dev
            && self.ino == other.ino
            && self.size == other.size
            && self.mtime_ns == other.mtime_ns
    }
}

fn c_name(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// Returns whether `err` says a name is not there as the kind of thing
/// asked for: gone, a symlink (`ELOOP` under `O_NOFOLLOW`), or not a directory.
pub(super) fn is_absent(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::ENOENT | libc::ELOOP | libc::ENOTDIR)
    )
}

/// Opens the directory at `path` (the configured root; following links there
/// is the configuration's choice).
pub(super) fn open_root(path: &Path) -> io::Result<OwnedFd> {
    let name = c_name(path.as_os_str())?;
    // SAFETY: `name` is a valid NUL-terminated string; the returned fd is owned.
    let fd = check(unsafe {
        libc::open(
            name.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    })?;
    // SAFETY: `fd` was just opened and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn open_at(dir: BorrowedFd<'_>, name: &OsStr, flags: libc::c_int) -> io::Result<OwnedFd> {
    let name = c_name(name)?;
    // SAFETY: `dir` is a live fd, `name` NUL-terminated; the returned fd is owned.
    let fd = check(unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            flags | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    })?;
    // SAFETY: `fd` was just opened and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Opens the subdirectory `name` of `dir`, refusing a symlink.
pub(super) fn open_dir_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<OwnedFd> {
    open_at(dir, name, libc::O_RDONLY | libc::O_DIRECTORY)
}

/// Splits `relative` into its directory components and final name, refusing
/// anything but plain names (`..`, `.`, a root).
fn split(relative: &Path) -> io::Result<(Vec<&OsStr>, &OsStr)> {
    let mut names = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(name) => names.push(name),
            _ => return Err(io::Error::from(io::ErrorKind::InvalidInput)),
        }
    }
    let last = names
        .pop()
        .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
    Ok((names, last))
}

/// Opens the directory holding `relative` (a path under `root`), one
/// component at a time without following links; returns it with the final name.
pub(super) fn open_parent<'a>(
    root: BorrowedFd<'_>,
    relative: &'a Path,
) -> io::Result<(OwnedFd, &'a OsStr)> {
    let (dirs, name) = split(relative)?;
    let mut current = root.try_clone_to_owned()?;
    for dir in dirs {
        current = open_dir_at(current.as_fd(), dir)?;
    }
    Ok((current, name))
}

/// Returns what `fstatat(…, AT_SYMLINK_NOFOLLOW)` says of `name` in `dir`.
pub(super) fn stat_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<Stat> {
    let name = c_name(name)?;
    let mut raw = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: valid fd, NUL-terminated name, and `raw` is written by the call.
    check(unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            raw.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    })?;
    // SAFETY: fstatat succeeded, so `raw` is initialised.
    let raw = unsafe { raw.assume_init() };
    Ok(Stat::from_raw(&raw))
}

/// Returns what `fstat` says of an open file.
pub(super) fn stat_fd(fd: BorrowedFd<'_>) -> io::Result<Stat> {
    let mut raw = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: valid fd, and `raw` is written by the call.
    check(unsafe { libc::fstat(fd.as_raw_fd(), raw.as_mut_ptr()) })?;
    // SAFETY: fstat succeeded, so `raw` is initialised.
    let raw = unsafe { raw.assume_init() };
    Ok(Stat::from_raw(&raw))
}

/// Returns what `relative` under `root` is, without following any link.
pub(super) fn stat_under(root: BorrowedFd<'_>, relative: &Path) -> io::Result<Stat> {
    let (parent, name) = open_parent(root, relative)?;
    stat_at(parent.as_fd(), name)
}

/// Opens the regular file `relative` under `root` for reading, without
/// following any link; returns it with its `fstat`.
pub(super) fn open_file_under(root: BorrowedFd<'_>, relative: &Path) -> io::Result<(File, Stat)> {
    let (parent, name) = open_parent(root, relative)?;
    // Look first, so a FIFO or device is never opened.
    if stat_at(parent.as_fd(), name)?.kind != Kind::File {
        return Err(io::Error::from_raw_os_error(libc::ELOOP));
    }
    let fd = open_at(
        parent.as_fd(),
        name,
        libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY,
    )?;
    let stat = stat_fd(fd.as_fd())?;
    if stat.kind != Kind::File {
        return Err(io::Error::from_raw_os_error(libc::ELOOP));
    }
    Ok((File::from(fd), stat))
}

/// Removes `name` from `dir` (never a directory).
pub(super) fn unlink_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<()> {
    let name = c_name(name)?;
    // SAFETY: valid fd and NUL-terminated name.
    check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), 0) }).map(|_| ())
}

/// Renames `from` in `from_dir` to `to` in `to_dir`, refusing to replace an
/// existing `to`.
pub(super) fn rename_at(
    from_dir: BorrowedFd<'_>,
    from: &OsStr,
    to_dir: BorrowedFd<'_>,
    to: &OsStr,
) -> io::Result<()> {
    let (from, to) = (c_name(from)?, c_name(to)?);
    // SAFETY: valid fds and NUL-terminated names.
    check(unsafe {
        libc::renameat2(
            from_dir.as_raw_fd(),
            from.as_ptr(),
            to_dir.as_raw_fd(),
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    })
    .map(|_| ())
}

/// Opens (creating as needed) the directory `relative` under `base`, one
/// component at a time without following links.
pub(super) fn create_dirs_at(base: BorrowedFd<'_>, relative: &Path) -> io::Result<OwnedFd> {
    let mut current = base.try_clone_to_owned()?;
    for component in relative.components() {
        let Component::Normal(name) = component else {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        };
        let c = c_name(name)?;
        // SAFETY: valid fd and NUL-terminated name.
        let made = unsafe { libc::mkdirat(current.as_raw_fd(), c.as_ptr(), 0o755) };
        if made < 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EEXIST) {
                return Err(err);
            }
        }
        current = open_dir_at(current.as_fd(), name)?;
    }
    Ok(current)
}

/// Calls `each` with every entry of the directory `dir` (consumed) and its
/// kind, without following links, one entry at a time: a directory of a
/// million kept files costs no list of a million names. `.` and `..` are
/// left out.
pub(super) fn each_entry(dir: OwnedFd, mut each: impl FnMut(&OsStr, Kind)) -> io::Result<()> {
    let raw = dir.as_raw_fd();
    // SAFETY: `raw` is an open directory fd; on success fdopendir owns it, so
    // ownership is given up with `into_raw_fd` only then.
    let stream = unsafe { libc::fdopendir(raw) };
    if stream.is_null() {
        return Err(io::Error::last_os_error());
    }
    let owned_fd = std::os::fd::IntoRawFd::into_raw_fd(dir);
    debug_assert_eq!(owned_fd, raw);
    // A duplicated fd shares its position with the original: start over.
    // SAFETY: `stream` is a live DIR*.
    unsafe { libc::rewinddir(stream) };
    loop {
        // SAFETY: `stream` is a live DIR*; readdir returns NULL at the end.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            break;
        }
        // SAFETY: a non-null dirent's d_name is NUL-terminated, and the
        // entry stays valid until the next readdir on `stream`.
        let (name, d_type) = unsafe {
            (
                std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()).to_bytes(),
                (*entry).d_type,
            )
        };
        if name == b"." || name == b".." {
            continue;
        }
        let name = OsStr::from_bytes(name);
        let kind = match d_type {
            libc::DT_REG => Kind::File,
            libc::DT_DIR => Kind::Dir,
            libc::DT_UNKNOWN => {
                // SAFETY: `stream` is live; dirfd returns its fd, still owned by it.
                let fd = unsafe { BorrowedFd::borrow_raw(libc::dirfd(stream)) };
                stat_at(fd, name).map(|s| s.kind).unwrap_or(Kind::Other)
            }
            _ => Kind::Other,
        };
        each(name, kind);
    }
    // SAFETY: `stream` is live and closed once (this also closes the fd).
    unsafe { libc::closedir(stream) };
    Ok(())
}
