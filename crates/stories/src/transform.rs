//! The `stories` transform: configuration checks (phase one, no I/O), the
//! store opened under the locked state directory (phase two), and the
//! per-record step.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tracing::info;
use wirehose_core::telemetry::ComponentMetrics;
use wirehose_core::{
    BuildContext, BuiltTransform, ConfigProblem, OpenContext, Record, StageError, Transform,
    TransformConfig,
};

use crate::{Across, StoryConfig};

impl StoryConfig {
    /// Checks every value; on a bad one returns its key and what is wrong.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.duplicate_distance > 3 {
            return Err((
                "duplicate_distance",
                format!("is {}, at most 3 is supported", self.duplicate_distance),
            ));
        }
        if !(self.similarity > 0.0 && self.similarity <= 1.0) {
            return Err((
                "similarity",
                format!("is {}, must be in (0, 1]", self.similarity),
            ));
        }
        // Bounds documented in the README: a huge window or retention would
        // overflow the seconds they are turned into.
        let bounded: [(&'static str, u64, std::ops::RangeInclusive<u64>); 6] = [
            ("window_hours", self.window_hours, 1..=8_760),
            ("retain_days", self.retain_days, 1..=3_650),
            ("keywords", self.keywords as u64, 0..=100),
            (
                "max_window_articles",
                self.max_window_articles as u64,
                100..=10_000_000,
            ),
            ("max_window_mib", self.max_window_mib, 1..=65_536),
            ("vector_terms", self.vector_terms as u64, 8..=10_000),
        ];
        for (key, value, range) in bounded {
            if !range.contains(&value) {
                return Err((
                    key,
                    format!(
                        "is {value}, must be from {} to {}",
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        if !(self.title_weight.is_finite() && self.title_weight >= 0.0) {
            return Err(("title_weight", "must be a number ≥ 0".into()));
        }
        if !(self.entity_weight.is_finite() && self.entity_weight >= 0.0) {
            return Err(("entity_weight", "must be a number ≥ 0".into()));
        }
        Ok(())
    }
}

impl TransformConfig for StoryConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        self.validate()
            .map_err(|(key, message)| cx.problem(key, message))?;
        Ok(Box::new(self.clone()))
    }
}

/// The state file of stories component `id` under `state_dir`:
/// `stories-ID.db`, with characters other than ASCII letters, digits, `-`
/// and `_` replaced by `_`.
pub fn store_path(state_dir: &Path, id: &str) -> PathBuf {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    state_dir.join(format!("stories-{name}.db"))
}

/// Before the stories stage had its own component, the extract component
/// kept this state in `extract-ID.db`. When `target` does not exist yet,
/// moves the legacy database of component `id` (or, failing that, the only
/// legacy database there is) with its WAL files into place.
fn adopt_legacy(state_dir: &Path, id: &str, target: &Path) -> Result<(), StageError> {
    if target.exists() {
        return Ok(());
    }
    let named = state_dir.join(format!("extract-{id}.db"));
    let legacy = if named.exists() {
        Some(named)
    } else {
        let mut found: Vec<PathBuf> = std::fs::read_dir(state_dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("extract-") && n.ends_with(".db"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if found.len() == 1 { found.pop() } else { None }
    };
    let Some(legacy) = legacy else {
        return Ok(());
    };
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", legacy.display()));
        let to = PathBuf::from(format!("{}{suffix}", target.display()));
        if from.exists() {
            std::fs::rename(&from, &to).map_err(|e| StageError::io(&from, e))?;
        }
    }
    info!(from = %legacy.display(), to = %target.display(), "moved the legacy story state of the extract stage");
    Ok(())
}

impl BuiltTransform for StoryConfig {
    fn open(&self, cx: &OpenContext) -> Result<Vec<Box<dyn Transform>>, StageError> {
        let path = store_path(&cx.state_dir, &cx.id);
        adopt_legacy(&cx.state_dir, &cx.id, &path)?;
        let across =
            Arc::new(Across::open(&path, self).map_err(|e| StageError::Other(e.to_string()))?);
        // Private like the rest of the state directory (SQLite gives its WAL
        // files the database file's mode).
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| StageError::io(&path, e))?;
        }
        Ok((0..cx.workers)
            .map(|_| {
                let stories = Stories::new(across.clone()).with_metrics(cx.metrics.clone());
                Box::new(stories) as Box<dyn Transform>
            })
            .collect())
    }
}

/// The running transform: one per worker, all sharing one [`Across`].
#[derive(Debug, Clone)]
pub struct Stories {
    across: Arc<Across>,
    metrics: Option<ComponentMetrics>,
}

impl Stories {
    /// A transform on shared state.
    pub fn new(across: Arc<Across>) -> Stories {
        Stories {
            across,
            metrics: None,
        }
    }

    /// Reports the window's size to `metrics` after each article
    /// (`wirehose_component_state_entries`).
    pub fn with_metrics(mut self, metrics: ComponentMetrics) -> Stories {
        self.metrics = Some(metrics);
        self
    }
}

impl Transform for Stories {
    fn process(&mut self, mut record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        self.across
            .observe(&mut record)
            .map_err(|err| StageError::Other(err.to_string()))?;
        if let Some(metrics) = &self.metrics {
            metrics.set_state_entries(self.across.window_len());
        }
        out.push(record);
        Ok(())
    }
}

/// Registers the `stories` transform type.
pub fn register(registry: &mut wirehose_core::Registry) {
    registry.register_transform::<StoryConfig>(
        "stories",
        "near-duplicates, stories and keywords across articles (keeps state)",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(dir: &Path) -> OpenContext {
        OpenContext {
            key: "transforms.stories".into(),
            id: "stories".into(),
            state_dir: dir.to_path_buf(),
            workers: 2,
            metrics: wirehose_core::telemetry::ComponentMetrics::untracked(),
        }
    }

    #[test]
    fn build_touches_nothing_and_open_makes_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let build = BuildContext {
            key: "transforms.stories".into(),
            id: "stories".into(),
            state_dir: state.clone(),
        };
        let built = StoryConfig::default().build(&build).unwrap();
        assert!(!state.exists());
        let workers = built.open(&cx(&state)).unwrap();
        assert_eq!(workers.len(), 2);
        let store = state.join("stories-stories.db");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&store).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let build = BuildContext {
            key: "transforms.s".into(),
            id: "s".into(),
            state_dir: "/nonexistent".into(),
        };
        let bad: StoryConfig = toml::from_str("similarity = 1.5").unwrap();
        let problem = bad.build(&build).err().unwrap();
        assert_eq!(problem.key.as_deref(), Some("similarity"));
        assert!(toml::from_str::<StoryConfig>("simlarity = 0.3").is_err());
    }

    #[test]
    fn legacy_state_is_moved_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("extract-extract.db"), b"old").unwrap();
        std::fs::write(dir.path().join("extract-extract.db-wal"), b"wal").unwrap();
        let target = store_path(dir.path(), "stories");
        adopt_legacy(dir.path(), "stories", &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert!(dir.path().join("stories-stories.db-wal").exists());
        assert!(!dir.path().join("extract-extract.db").exists());
        // A second legacy file never replaces the live store.
        std::fs::write(dir.path().join("extract-extract.db"), b"newer").unwrap();
        adopt_legacy(dir.path(), "stories", &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
    }
}
