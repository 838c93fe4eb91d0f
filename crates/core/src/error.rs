//! Errors of the core crate.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a configuration, with the component and key it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProblem {
    /// `sources.inbox`, `transforms.clean`, … or `None` for top-level problems.
    pub component: Option<String>,
    /// The offending key (`inputs`, `settle_ms`), when known.
    pub key: Option<String>,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

impl ConfigProblem {
    /// Returns a problem about `key` of `component`.
    pub fn new(component: Option<&str>, key: Option<&str>, message: impl Into<String>) -> Self {
        ConfigProblem {
            component: component.map(str::to_string),
            key: key.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.component, &self.key) {
            (Some(c), Some(k)) => write!(f, "{c}: key `{k}`: {}", self.message),
            (Some(c), None) => write!(f, "{c}: {}", self.message),
            (None, Some(k)) => write!(f, "key `{k}`: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Every problem of a configuration, found in one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProblems(pub Vec<ConfigProblem>);

impl fmt::Display for ConfigProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "{count} problem{} in config",
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigProblems {}

/// Errors of the core crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The configuration file could not be read.
    #[error("cannot read config file {path}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigProblems),
    /// The state directory could not be created or used.
    #[error("cannot use state directory {path}")]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Another wirehose process uses the same state directory.
    #[error(
        "state directory {path} is locked by another wirehose process (stop it, or give this one its own [state] dir)"
    )]
    StateLocked {
        /// The directory.
        path: PathBuf,
    },
    /// The ledger database failed.
    #[error("ledger {path} failed")]
    Ledger {
        /// The database file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// A transform could not open its state (phase two of building).
    #[error("component {component} could not be opened")]
    Open {
        /// The component (`transforms.stories`).
        component: String,
        /// The cause.
        #[source]
        source: StageError,
    },
    /// A component stopped with an error.
    #[error("component {component} failed")]
    Component {
        /// The component (`sinks.out`).
        component: String,
        /// The cause.
        #[source]
        source: StageError,
    },
    /// Components did not finish within the shutdown timeout.
    #[error("shutdown timed out waiting for {}", components.join(", "))]
    ShutdownTimeout {
        /// The components still running.
        components: Vec<String>,
    },
}

/// Errors raised by stages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StageError {
    /// The article itself is unusable; it is quarantined, the stage goes on.
    #[error("{reason}")]
    InvalidArticle {
        /// What is wrong with it.
        reason: String,
        /// What the user can do.
        hint: String,
    },
    /// An I/O operation failed.
    #[error("i/o error on {path}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Anything else; the message says what.
    #[error("{0}")]
    Other(String),
}

impl StageError {
    /// Returns an [`StageError::InvalidArticle`].
    pub fn invalid(reason: impl Into<String>, hint: impl Into<String>) -> StageError {
        StageError::InvalidArticle {
            reason: reason.into(),
            hint: hint.into(),
        }
    }

    /// Returns an [`StageError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StageError {
        StageError::Io {
            path: path.into(),
            source,
        }
    }
}
