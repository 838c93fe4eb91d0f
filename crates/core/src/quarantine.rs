//! The quarantine: where refused inputs go, each beside a report of why.
//!
//! For an input `NAME`, the quarantine directory (`quarantine/` in the state
//! directory) receives `NAME` itself (moved there, unless the source is told to
//! keep it in place) and `NAME.error.json`: what failed, in which component,
//! and what to do. A name already taken gets the article id (or a counter)
//! appended, so nothing is overwritten.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// The report written beside a quarantined input.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuarantineReport {
    /// Where the input was found.
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

    fn free_name(&self, name: &str, id: Option<&str>) -> PathBuf {
        let plain = self.dir.join(name);
        if !plain.exists() && !self.dir.join(format!("{name}.error.json")).exists() {
            return plain;
        }
        if let Some(id) = id {
            let tagged = self.dir.join(format!("{name}.{}", &id[..id.len().min(12)]));
            if !tagged.exists() {
                return tagged;
            }
        }
        (1u32..)
            .map(|n| self.dir.join(format!("{name}.{n}")))
            .find(|candidate| !candidate.exists())
            .unwrap_or(plain)
    }

    /// Writes `report` and, when `move_input` is set, moves the input into the
    /// quarantine (falling back to copy-and-delete across file systems).
    /// Returns the path of the report.
    pub fn put(&self, report: &QuarantineReport, move_input: bool) -> io::Result<PathBuf> {
        fs::create_dir_all(&self.dir)?;
        let name = report
            .input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "input".to_string());
        let target = self.free_name(&name, report.id.as_deref());
        if move_input && report.input.exists() && fs::rename(&report.input, &target).is_err() {
            fs::copy(&report.input, &target)?;
            fs::remove_file(&report.input)?;
        }
        let mut report_path = target.into_os_string();
        report_path.push(".error.json");
        let report_path = PathBuf::from(report_path);
        let json = serde_json::to_vec_pretty(report).map_err(io::Error::other)?;
        let temporary = report_path.with_extension("json.tmp");
        fs::write(&temporary, json)?;
        fs::rename(&temporary, &report_path)?;
        Ok(report_path)
    }
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
        fs::create_dir_all(&self.dir)?;
        let target = self.free_name(name, report.id.as_deref());
        fs::write(&target, bytes)?;
        let mut report_path = target.into_os_string();
        report_path.push(".error.json");
        let report_path = PathBuf::from(report_path);
        let json = serde_json::to_vec_pretty(report).map_err(io::Error::other)?;
        fs::write(&report_path, json)?;
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
            };
            let written = quarantine.put(&report, true).unwrap();
            assert!(written.exists());
            assert!(!input.exists());
        }
        assert!(dir.path().join("q/bad.txt").exists());
        assert!(dir.path().join("q/bad.txt.1").exists());
        assert!(dir.path().join("q/bad.txt.1.error.json").exists());
    }
}
