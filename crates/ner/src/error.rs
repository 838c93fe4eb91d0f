//! The error type of the ner crate.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing a model, a gazetteer or a
/// CoNLL data set.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NerError {
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
}

impl NerError {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> NerError {
        NerError::Io {
            path: path.into(),
            source,
        }
    }

    /// A format error at `line` of `path`.
    pub fn format(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> NerError {
        NerError::Format {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
