//! Logging set-up, and writing to standard error that never fails.
//!
//! Logging must never take the daemon down: a log reader that went away
//! (`wirehose run 2>&1 | head`) turns every write to standard error into
//! EPIPE. tracing-subscriber then reports the failure with `eprintln!`, which
//! panics, in whatever thread logged: a transform worker, a sink, the signal
//! handler (which then never cancels the shutdown token). So logs go through
//! [`Stderr`], whose writes always succeed, and internal errors of the
//! subscriber are not reported.

use std::io::{IsTerminal, Write};

use tracing_subscriber::EnvFilter;

use crate::LogFormat;

/// Standard error for logs and notes: a failed write (EPIPE, a full disk
/// behind a redirection) is dropped, never returned and never a panic.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().lock().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Writes one line to standard error, ignoring failures (see [`Stderr`]).
pub fn note(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(Stderr, "{line}");
}

/// Installs the global subscriber: `level` (or `RUST_LOG`, else `info`, or
/// `warn` with `quiet_default`) in the format asked for.
pub fn init(format: LogFormat, level: Option<&str>, quiet_default: bool) {
    let default = if quiet_default { "warn" } else { "info" };
    let filter = match level {
        Some(level) => EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new(default)),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default)),
    };
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Stderr)
        .log_internal_errors(false);
    if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_always_succeed() {
        let mut stderr = Stderr;
        assert_eq!(stderr.write(b"").unwrap(), 0);
        assert!(stderr.flush().is_ok());
    }
}
