//! The error type of the extract crate.

use std::path::PathBuf;

/// Everything that can go wrong in extract outside one article: reading a
/// model, a data set or the story state.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A data or model file is not in the expected format.
    #[error("{path}:{line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when the file as a whole is wrong).
        line: usize,
        /// What is wrong.
        message: String,
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

impl ExtractError {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ExtractError {
        ExtractError::Io {
            path: path.into(),
            source,
        }
    }

    /// A format error at `line` of `path`.
    pub fn format(
        path: impl Into<PathBuf>,
        line: usize,
        message: impl Into<String>,
    ) -> ExtractError {
        ExtractError::Format {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
