//! Direct-quote detection and speaker accuracy on the PolNeAR layout.

use std::path::Path;

use crate::ExtractError;

/// Scores of one evaluation run.
#[derive(Debug, Clone, Default)]
pub struct QuoteScores {}

impl std::fmt::Display for QuoteScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not scored")
    }
}

/// Scores the extractor built from `config` on a PolNeAR split directory
/// (`DIR/text/*.txt`, `DIR/attributions/*.ann`).
pub fn evaluate(dir: &Path, _config: &crate::ExtractConfig) -> Result<QuoteScores, ExtractError> {
    Err(ExtractError::format(
        dir,
        0,
        "quote evaluation is not written yet",
    ))
}
