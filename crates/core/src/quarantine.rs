//! The quarantine: where refused inputs go, each beside a report of why.
//!
//! For an input `NAME`, the quarantine directory (`quarantine/` in the state
//! directory) receives `NAME` itself (moved there, unless the source is told to
//! keep it in place) and `NAME.error.json`: what failed, in which component,
//! and what to do. A name already taken gets the article id (or a counter)
//! appended, so nothing is overwritten. A name too long to take those
//! suffixes is shortened, with a hash of the whole name, and the report keeps
//! the original.
//!
//! The report is written first: when it cannot be written, nothing is moved
//! and [`Quarantine::put`] fails, so the caller can leave the input for a
//! retry. When the input cannot be moved, the report says so. The directory
//! is private to its owner (0700) and so are the reports (0600): inputs may
//! be confidential.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

/// The report written beside a quarantined input.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuarantineReport {
    /// Where the input was found (a name that is not UTF-8 is written lossily).
    #[serde(serialize_with = "lossy_path")]
    pub input: PathBuf,
    /// Article id, when the content was read.
    pub id: Option<String>,
    /// The component that refused it (`sources.inbox`, `transforms.normalize`).
    pub component: String,
    /// What went wrong.
    pub reason: String,
    /// What the user can do.
    pub hint: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Set when the input could not be moved beside the report: why, and
    /// that it was left in place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn lossy_path<S: Serializer>(path: &Path, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&path.to_string_lossy())
}

/// Moves an input to the path it is given (the source's own way of moving
/// its input, such as relative to a directory handle).
pub type MoveInput<'a> = &'a (dyn Fn(&Path) -> io::Result<()> + Send + Sync);

/// Longest file name, in bytes, the quarantine keeps as it is: room is left
/// for a `.id` or `.N` suffix and `.error.json.tmp` under the usual 255.
const MAX_NAME_BYTES: usize = 200;

/// Returns `name`, shortened to fit [`MAX_NAME_BYTES`] with a hash of the
/// whole name when it is longer.
fn short_name(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_string();
    }
    let mut cut = 150;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let hash = blake3::hash(name.as_bytes()).to_hex();
    format!("{}-{}", &name[..cut], &hash[..16])
}

/// The quarantine directory.
#[derive(Debug, Clone)]
pub struct Quarantine {
    dir: PathBuf,
}

impl Quarantine {
    /// Returns the quarantine in `dir` (created on first use).
    pub fn new(dir: PathBuf) -> Quarantine {
        Quarantine { dir }
    }

    /// Returns the quarantine directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the directory (0700), or makes an existing one private.
    fn ensure_dir(&self) -> io::Result<()> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)?;
        let metadata = fs::metadata(&self.dir)?;
        if metadata.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }

    fn free_name(&self, name: &str, id: Option<&str>) -> PathBuf {
        let taken = |candidate: &Path| {
            let mut report = candidate.as_os_str().to_owned();
            report.push(".error.json");
            candidate.symlink_metadata().is_ok() || Path::new(&report).symlink_metadata().is_ok()
        };
        let plain = self.dir.join(name);
        if !taken(&plain) {
            return plain;
        }
        if let Some(id) = id {
            let tagged = self.dir.join(format!("{name}.{}", &id[..id.len().min(12)]));
            if !taken(&tagged) {
                return tagged;
            }
        }
        (1u32..)
            .map(|n| self.dir.join(format!("{name}.{n}")))
            .find(|candidate| !taken(candidate))
            .unwrap_or(plain)
    }

    /// Writes `report` and, when `move_input` is set, moves the input into the
    /// quarantine (falling back to copy-and-delete across file systems).
    /// Returns the path of the report.
    pub fn put(&self, report: &QuarantineReport, move_input: bool) -> io::Result<PathBuf> {
        let by_path = |target: &Path| -> io::Result<()> {
            if fs::rename(&report.input, target).is_err() {
                fs::copy(&report.input, target)?;
                fs::remove_file(&report.input)?;
            }
            Ok(())
        };
        self.put_with(report, move_input.then_some(&by_path as MoveInput<'_>))
    }

    /// Writes `report` and, with `move_input`, moves the input beside it with
    /// that function. The report is written before anything moves: if it
    /// cannot be, this fails and the input stays where it is. If only the
    /// move fails, the report says so. Returns the path of the report.
    pub fn put_with(
        &self,
        report: &QuarantineReport,
        move_input: Option<MoveInput<'_>>,
    ) -> io::Result<PathBuf> {
        self.ensure_dir()?;
        let name = report
            .input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "input".to_string());
        let target = self.free_name(&short_name(&name), report.id.as_deref());
        let report_path = suffixed(&target, ".error.json");
        let temporary = suffixed(&target, ".error.json.tmp");
        write_private(&temporary, &to_json(report)?)?;
        if let Some(move_input) = move_input
            && let Err(err) = move_input(&target)
        {
            let mut noted = report.clone();
            noted.note = Some(format!(
                "the input could not be moved here ({err}); it was left in place"
            ));
            if let Err(err) = write_private(&temporary, &to_json(&noted)?) {
                let _ = fs::remove_file(&temporary);
                return Err(err);
            }
        }
        fs::rename(&temporary, &report_path).inspect_err(|_| {
            let _ = fs::remove_file(&temporary);
        })?;
        Ok(report_path)
    }
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn to_json(report: &QuarantineReport) -> io::Result<Vec<u8>> {
    serde_json::to_vec_pretty(report).map_err(io::Error::other)
}

/// Writes `bytes` to a new or truncated file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

impl Quarantine {
    /// Writes `bytes` (an input that has no file of its own, such as a message
    /// payload) into the quarantine as `name`, beside `report`. Returns the
    /// path of the report.
    pub fn put_bytes(
        &self,
        report: &QuarantineReport,
        name: &str,
        bytes: &[u8],
    ) -> io::Result<PathBuf> {
        self.ensure_dir()?;
        let target = self.free_name(&short_name(name), report.id.as_deref());
        let report_path = suffixed(&target, ".error.json");
        let temporary = suffixed(&target, ".error.json.tmp");
        write_private(&temporary, &to_json(report)?)?;
        write_private(&target, bytes)?;
        fs::rename(&temporary, &report_path)?;
        Ok(report_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_input_and_writes_report_without_overwriting() {
        let dir = tempfile::tempdir().unwrap();
        let quarantine = Quarantine::new(dir.path().join("q"));
        for round in 0..2 {
            let input = dir.path().join("bad.txt");
            fs::write(&input, format!("round {round}")).unwrap();
            let report = QuarantineReport {
                input: input.clone(),
                id: None,
                component: "sources.inbox".into(),
                reason: "empty file".into(),
                hint: "write content".into(),
                at: "now".into(),
                note: None,
            };
            let written = quarantine.put(&report, true).unwrap();
            assert!(written.exists());
            assert!(!input.exists());
        }
        assert!(dir.path().join("q/bad.txt").exists());
        assert!(dir.path().join("q/bad.txt.1").exists());
        assert!(dir.path().join("q/bad.txt.1.error.json").exists());
    }

    fn report(input: PathBuf) -> QuarantineReport {
        QuarantineReport {
            input,
            id: Some("0123456789abcdef".into()),
            component: "sources.inbox".into(),
            reason: "binary".into(),
            hint: "send text".into(),
            at: "now".into(),
            note: None,
        }
    }

    #[test]
    fn a_long_name_is_shortened_and_the_report_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let quarantine = Quarantine::new(dir.path().join("q"));
        let name = format!("{}.txt", "é".repeat(120));
        let input = dir.path().join(&name);
        fs::write(&input, "x").unwrap();
        let written = quarantine.put(&report(input.clone()), true).unwrap();
        let file_name = written.file_name().unwrap().len();
        assert!(file_name < 255, "{file_name}");
        let json: serde_json::Value = serde_json::from_slice(&fs::read(&written).unwrap()).unwrap();
        assert!(json["input"].as_str().unwrap().ends_with(&name));
        assert!(!input.exists());
        // The same name again gets its own report.
        fs::write(&input, "y").unwrap();
        let again = quarantine.put(&report(input), true).unwrap();
        assert_ne!(again, written);
    }

    #[test]
    fn a_failed_move_is_noted_and_an_unwritable_report_moves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let quarantine = Quarantine::new(dir.path().join("q"));
        let failing = |_: &Path| -> io::Result<()> { Err(io::Error::other("busy")) };
        let written = quarantine
            .put_with(&report(dir.path().join("a.txt")), Some(&failing))
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&fs::read(&written).unwrap()).unwrap();
        assert!(json["note"].as_str().unwrap().contains("left in place"));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("q")), 0o700);
        assert_eq!(mode(&written), 0o600);

        let blocked = Quarantine::new(dir.path().join("file"));
        fs::write(dir.path().join("file"), "").unwrap();
        let moved = std::sync::atomic::AtomicBool::new(false);
        let mover = |_: &Path| -> io::Result<()> {
            moved.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        };
        assert!(
            blocked
                .put_with(&report(dir.path().join("b.txt")), Some(&mover))
                .is_err()
        );
        assert!(!moved.load(std::sync::atomic::Ordering::SeqCst));
    }
}
