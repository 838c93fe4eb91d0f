//! The error type of the extract crate.

use std::path::PathBuf;

/// What can go wrong in extract outside one article.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The NER model named by the config could not be loaded.
    #[error("cannot load the NER model {path}: {source}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: wirehose_ner::NerError,
    },
}
