//! The error type of the stories crate.

use std::path::PathBuf;

/// What can go wrong with the story state outside one article.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoriesError {
    /// A file or directory could not be used.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The persistent state (story clusters, fingerprints) failed.
    #[error("state store {path}: {message}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

impl StoriesError {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoriesError {
        StoriesError::Io {
            path: path.into(),
            source,
        }
    }
}
