//! The error type of the eval crate.

use std::path::PathBuf;

/// What can go wrong reading a data set or running the stages on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A data file is not in the expected format.
    #[error("{path}:{line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when the file as a whole is wrong).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The tagger's model or data could not be read.
    #[error(transparent)]
    Ner(#[from] wirehose_ner::NerError),
    /// A stage could not be set up.
    #[error("{0}")]
    Stage(String),
    /// What was asked for does not exist (a built-in model of a language
    /// without one).
    #[error("{0}")]
    Usage(String),
}

impl EvalError {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> EvalError {
        EvalError::Io {
            path: path.into(),
            source,
        }
    }

    /// A format error at `line` of `path`.
    pub fn format(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> EvalError {
        EvalError::Format {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
