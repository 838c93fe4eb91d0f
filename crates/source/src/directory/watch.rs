//! What the source watches. The root is watched non-recursively; with
//! `recursive = true` each real subdirectory gets a watch of its own, added
//! by the source once it has checked (without following links) that the
//! name is a directory under the root. notify's own recursive inotify mode
//! is not used: it follows symlinked directories, so a link to `/usr` would
//! add thousands of watches outside the root. The poll watcher walks the
//! tree itself and is told not to follow links.

use std::collections::HashSet;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use notify::event::{ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::at::{self, Kind};
use super::config::DirectoryConfig;
use super::root::Root;

/// The watcher and the subdirectories it watches one by one.
pub(super) struct Watches {
    watcher: Box<dyn Watcher + Send>,
    /// Watched subdirectories, relative to the root.
    dirs: HashSet<PathBuf>,
    /// Whether subdirectories are watched one by one (inotify, recursive).
    per_dir: bool,
}

impl Watches {
    /// Starts watching the root. Events go to `sender`; when it is full, the
    /// event is dropped and `overflow` is set so that the source rescans.
    pub(super) fn start(
        config: &DirectoryConfig,
        root: &Root,
        sender: mpsc::Sender<notify::Result<notify::Event>>,
        overflow: Arc<AtomicBool>,
    ) -> Result<Watches, notify::Error> {
        let handler = move |event: notify::Result<notify::Event>| {
            // Never block notify's thread: on a full queue, ask for a rescan.
            if sender.try_send(event).is_err() {
                overflow.store(true, Ordering::Release);
            }
        };
        let notify_config = notify::Config::default().with_follow_symlinks(false);
        let (mut watcher, mode): (Box<dyn Watcher + Send>, _) = if config.poll {
            let poll_config =
                notify_config.with_poll_interval(Duration::from_millis(config.poll_interval_ms));
            let mode = if config.recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            (
                Box::new(notify::PollWatcher::new(handler, poll_config)?),
                mode,
            )
        } else {
            (
                Box::new(notify::RecommendedWatcher::new(handler, notify_config)?),
                RecursiveMode::NonRecursive,
            )
        };
        watcher.watch(&root.path, mode)?;
        Ok(Watches {
            watcher,
            dirs: HashSet::new(),
            per_dir: config.recursive && !config.poll,
        })
    }

    /// Returns how many subdirectories are watched one by one.
    pub(super) fn count(&self) -> usize {
        self.dirs.len()
    }

    /// Watches each of `dirs` (subdirectories found by a scan) not watched yet.
    pub(super) fn add_all(&mut self, root: &Root, dirs: &[PathBuf]) {
        for relative in dirs {
            self.add(root, relative);
        }
    }

    /// Watches the subdirectory `relative` if it is a real directory under
    /// the root. The name is checked again once watched: if it was swapped
    /// for a link in between, the watch is removed at once.
    fn add(&mut self, root: &Root, relative: &Path) -> bool {
        if !self.per_dir || self.dirs.contains(relative) || !root.enters(relative) {
            return false;
        }
        let look = || at::stat_under(root.handle.as_fd(), relative).ok();
        let Some(before) = look().filter(|s| s.kind == Kind::Dir) else {
            return false;
        };
        let path = root.path.join(relative);
        if let Err(err) = self.watcher.watch(&path, RecursiveMode::NonRecursive) {
            debug!(dir = %path.display(), error = %err, "cannot watch directory");
            return false;
        }
        let same = look().is_some_and(|after| {
            after.kind == Kind::Dir && after.dev == before.dev && after.ino == before.ino
        });
        if !same {
            let _ = self.watcher.unwatch(&path);
            warn!(dir = %path.display(), "directory replaced while being watched; not watched");
            return false;
        }
        self.dirs.insert(relative.to_path_buf());
        true
    }

    /// Stops watching `relative` and everything under it.
    fn remove(&mut self, root: &Root, relative: &Path) {
        let gone: Vec<PathBuf> = self
            .dirs
            .iter()
            .filter(|dir| dir.starts_with(relative))
            .cloned()
            .collect();
        for dir in gone {
            // notify may have dropped the watch itself already.
            let _ = self.watcher.unwatch(&root.path.join(&dir));
            self.dirs.remove(&dir);
        }
    }

    /// Follows directories appearing and going away. Returns the files found
    /// in directories that were just watched (created or moved in, perhaps
    /// already holding files), for the source to consider. Listing a new
    /// directory blocks briefly; directories are rarely large when new.
    pub(super) fn on_event(&mut self, root: &Root, event: &notify::Event) -> Vec<PathBuf> {
        if !self.per_dir {
            return Vec::new();
        }
        let (gone, came): (&[PathBuf], &[PathBuf]) = match event.kind {
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                (&[], &event.paths)
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                let split = event.paths.len().min(1);
                (&event.paths[..split], &event.paths[split..])
            }
            EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) => (&event.paths, &[]),
            _ => (&[], &[]),
        };
        for path in gone {
            if let Some(relative) = root.relative(path) {
                self.remove(root, &relative);
            }
        }
        let mut files = Vec::new();
        for path in came {
            let Some(relative) = root.relative(path) else {
                continue;
            };
            if !self.add(root, &relative) {
                continue;
            }
            let (found, dirs) = root.list_under(&relative);
            for dir in &dirs {
                self.add(root, dir);
            }
            files.extend(found.into_iter().map(|file| root.path.join(file)));
        }
        files
    }
}
