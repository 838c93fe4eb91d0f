//! `type = "exec"`: runs a long-lived program of the user's on every record,
//! talking JSON lines.
//!
//! ```toml
//! [transforms.sentiment]
//! type = "exec"
//! inputs = ["extract"]
//! command = ["python3", "score.py"]
//! workdir = "/opt/plugins"
//! env = { MODEL = "small" }
//! workers = 2
//! timeout_ms = 10000
//! ```
//!
//! Each worker starts one instance of `command` and writes one record per
//! line (the record as JSON, as the sinks write it) to its stdin; for each it
//! reads one line back from its stdout:
//!
//! - the record, possibly changed (typically with something added under
//!   `fields`); its `id` and `source` may not change;
//! - `{"drop": true}`: the record is consumed, its input done;
//! - `{"error": "reason"}`: the article is quarantined with that reason.
//!
//! The program's stderr goes to the logs, a line per event, with the
//! component's key. The runner waits for each answer, so a slow program
//! slows the source (backpressure) and nothing queues without bound.
//!
//! When things go wrong, the article in flight is quarantined with the reason
//! and the others flow on:
//! - no answer within `timeout_ms`: the program is killed and started again;
//! - the program exits (crashes): it is started again, after a backoff that
//!   doubles with each failure in a row (100 ms up to 5 s);
//! - an answer that is not JSON, or longer than `max_reply_bytes`: the
//!   program is restarted too, since its replies can no longer be trusted to
//!   line up with its inputs.
//!
//! A new instance starts when the next record comes, after the backoff.
//!
//! A program that cannot be started when the daemon starts stops the start
//! with the error. At shutdown each program's stdin is closed; one that has
//! not exited 2 s later is killed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tracing::{info, warn};
use wirehose_core::config::in_range;
use wirehose_core::{
    BuildContext, BuiltTransform, ConfigProblem, OpenContext, Record, StageError, Transform,
    TransformConfig,
};

use crate::jq::{kind_of, record_from};

fn default_timeout_ms() -> u64 {
    10_000
}

fn default_max_reply_bytes() -> u64 {
    16 << 20
}

/// First restart delay after a failure; doubles with each failure in a row.
const BACKOFF_START: Duration = Duration::from_millis(100);
/// Longest restart delay.
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How long a program may take to exit after its stdin closes at shutdown.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Raw configuration of an exec transform.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecConfig {
    /// The program and its arguments (`["python3", "score.py"]`), run
    /// without a shell; a relative program is looked up on `PATH`. Required.
    pub command: Vec<String>,
    /// Variables added to the daemon's environment for the program. Default
    /// none.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The program's working directory. Default: the daemon's.
    #[serde(default)]
    pub workdir: Option<PathBuf>,
    /// How long the program may take to answer one record, in milliseconds;
    /// past it the article is quarantined and the program restarted. Default
    /// 10000, at most 3600000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Longest answer line accepted, in bytes. Default 16 MiB.
    #[serde(default = "default_max_reply_bytes")]
    pub max_reply_bytes: u64,
}

impl TransformConfig for ExecConfig {
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn BuiltTransform>, ConfigProblem> {
        match self.command.first() {
            None => {
                return Err(cx.problem(
                    "command",
                    "empty: name the program to run, as [\"python3\", \"score.py\"]",
                ));
            }
            Some(program) if program.trim().is_empty() => {
                return Err(cx.problem("command", "the program name is empty"));
            }
            Some(_) => {}
        }
        in_range(cx, "timeout_ms", self.timeout_ms, 1..=3_600_000)?;
        in_range(cx, "max_reply_bytes", self.max_reply_bytes, 2..=(1 << 30))?;
        for name in self.env.keys() {
            if name.is_empty() || name.contains('=') || name.contains('\0') {
                return Err(cx.problem("env", format!("`{name}` is not a variable name")));
            }
        }
        Ok(Box::new(BuiltExec {
            spec: Arc::new(Spec {
                key: cx.key.clone(),
                config: self.clone(),
            }),
        }))
    }
}

/// What every worker of one exec component shares.
#[derive(Debug)]
struct Spec {
    key: String,
    config: ExecConfig,
}

impl Spec {
    fn timeout(&self) -> Duration {
        Duration::from_millis(self.config.timeout_ms)
    }

    /// The command line, for messages: `python3 score.py`.
    fn command_line(&self) -> String {
        self.config.command.join(" ")
    }

    fn hint(&self) -> String {
        format!(
            "see the program's log lines for [{}]; fix it, then drop the file in again",
            self.key
        )
    }
}

struct BuiltExec {
    spec: Arc<Spec>,
}

impl BuiltTransform for BuiltExec {
    fn open(&self, cx: &OpenContext) -> Result<Vec<Box<dyn Transform>>, StageError> {
        (0..cx.workers)
            .map(|worker| {
                let program = Program::start(&self.spec, worker).map_err(StageError::Other)?;
                Ok(Box::new(Exec {
                    spec: self.spec.clone(),
                    worker,
                    program: Some(program),
                    failures: 0,
                }) as Box<dyn Transform>)
            })
            .collect()
    }
}

/// One line the program wrote on its stdout, or why none could be read.
type Reply = Result<Vec<u8>, String>;

/// A running instance of the program and the threads around its pipes.
struct Program {
    child: Child,
    /// Lines to write to its stdin (a thread writes them, so a program that
    /// stops reading cannot block the worker past the timeout).
    input: Option<SyncSender<Vec<u8>>>,
    /// Lines read from its stdout.
    replies: Receiver<Reply>,
}

impl Program {
    /// Starts the program with its three pipe threads.
    fn start(spec: &Arc<Spec>, worker: usize) -> Result<Program, String> {
        let config = &spec.config;
        let mut command = Command::new(&config.command[0]);
        command
            .args(&config.command[1..])
            .envs(&config.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &config.workdir {
            command.current_dir(dir);
        }
        let mut child = command.spawn().map_err(|err| {
            format!(
                "{}: cannot start `{}`{}: {err}",
                spec.key,
                spec.command_line(),
                config
                    .workdir
                    .as_ref()
                    .map(|dir| format!(" in {}", dir.display()))
                    .unwrap_or_default()
            )
        })?;
        let pid = child.id();
        let (stdin, stdout, stderr) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(stdin), Some(stdout), Some(stderr)) => (stdin, stdout, stderr),
                _ => {
                    return Err(format!(
                        "{}: the program's pipes could not be opened",
                        spec.key
                    ));
                }
            };
        let (input, lines) = sync_channel::<Vec<u8>>(1);
        std::thread::Builder::new()
            .name(format!("exec-in-{pid}"))
            .spawn(move || write_lines(stdin, lines))
            .map_err(|err| format!("{}: cannot start a thread: {err}", spec.key))?;
        let (sender, replies) = sync_channel::<Reply>(1);
        let limit = spec.config.max_reply_bytes;
        std::thread::Builder::new()
            .name(format!("exec-out-{pid}"))
            .spawn(move || read_replies(stdout, sender, limit))
            .map_err(|err| format!("{}: cannot start a thread: {err}", spec.key))?;
        let key = spec.key.clone();
        std::thread::Builder::new()
            .name(format!("exec-err-{pid}"))
            .spawn(move || log_stderr(stderr, &key, worker, pid))
            .map_err(|err| format!("{}: cannot start a thread: {err}", spec.key))?;
        info!(component = %spec.key, worker, pid, command = %spec.command_line(), "exec program started");
        Ok(Program {
            child,
            input: Some(input),
            replies,
        })
    }

    /// Kills the program (if it still runs) and reaps it.
    fn kill(mut self) -> Option<ExitStatus> {
        self.input.take();
        let _ = self.child.kill();
        self.child.wait().ok()
    }

    /// Waits a little for a program whose stdout closed, and reaps it.
    fn exit_status(mut self) -> Option<ExitStatus> {
        self.input.take();
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.kill()
    }
}

impl Drop for Program {
    /// Closes stdin so the program can finish, then kills it if it lingers.
    fn drop(&mut self) {
        self.input.take();
        let deadline = Instant::now() + EXIT_GRACE;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes each line to the program's stdin until the channel closes or the
/// pipe breaks (the program exited).
fn write_lines(mut stdin: ChildStdin, lines: Receiver<Vec<u8>>) {
    for line in lines {
        if stdin.write_all(&line).and_then(|()| stdin.flush()).is_err() {
            return;
        }
    }
}

/// Reads the program's stdout a line at a time, each at most `limit` bytes.
/// Ends at EOF (the program exited), at a read error, at an over-long line,
/// or when the worker is gone.
fn read_replies(stdout: impl Read, replies: SyncSender<Reply>, limit: u64) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut line = Vec::new();
        match reader.by_ref().take(limit + 1).read_until(b'\n', &mut line) {
            Ok(0) => return,
            Ok(_) if line.last() != Some(&b'\n') && line.len() as u64 > limit => {
                let _ = replies.send(Err(format!(
                    "the program's answer is longer than {limit} bytes (max_reply_bytes)"
                )));
                return;
            }
            Ok(_) => {
                if replies.send(Ok(line)).is_err() {
                    return;
                }
            }
            Err(err) => {
                let _ = replies.send(Err(format!("cannot read the program's answer: {err}")));
                return;
            }
        }
    }
}

/// Logs each line the program writes on stderr.
fn log_stderr(stderr: impl Read, key: &str, worker: usize, pid: u32) {
    let reader = BufReader::new(stderr);
    for line in reader.split(b'\n') {
        let Ok(line) = line else { return };
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end();
        if !line.is_empty() {
            warn!(component = %key, worker, pid, line = %line, "exec program stderr");
        }
    }
}

/// What became of one record sent to the program.
enum Outcome {
    /// It answered with a line.
    Answer(Vec<u8>),
    /// It failed; the reason, and whether the program must be restarted.
    Failed(String),
}

/// One worker's exec transform: its program, restarted as needed.
pub struct Exec {
    spec: Arc<Spec>,
    worker: usize,
    program: Option<Program>,
    /// Failures in a row, for the restart backoff.
    failures: u32,
}

impl std::fmt::Debug for Exec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exec").field("key", &self.spec.key).finish()
    }
}

impl Exec {
    /// Returns the running program, starting one (after the backoff) if the
    /// last one failed.
    fn program(&mut self) -> Result<&mut Program, String> {
        if self.program.is_none() {
            if self.failures > 0 {
                let doubling = 1u32 << (self.failures - 1).min(16);
                let delay = BACKOFF_START.saturating_mul(doubling).min(BACKOFF_MAX);
                warn!(component = %self.spec.key, worker = self.worker, failures = self.failures, backoff_ms = delay.as_millis() as u64, "exec program restarting");
                std::thread::sleep(delay);
            }
            match Program::start(&self.spec, self.worker) {
                Ok(program) => self.program = Some(program),
                Err(err) => {
                    self.failures += 1;
                    return Err(err);
                }
            }
        }
        self.program
            .as_mut()
            .ok_or_else(|| "the program is not running".to_string())
    }

    /// Sends `line` and waits for the answer.
    fn exchange(&mut self, line: Vec<u8>) -> Outcome {
        let timeout = self.spec.timeout();
        let program = match self.program() {
            Ok(program) => program,
            Err(err) => return Outcome::Failed(err),
        };
        let sent = program
            .input
            .as_ref()
            .is_some_and(|input| input.send(line).is_ok());
        let reply = if sent {
            program.replies.recv_timeout(timeout)
        } else {
            // The writer is gone: the program closed its stdin or exited.
            Err(RecvTimeoutError::Disconnected)
        };
        match reply {
            Ok(Ok(line)) => Outcome::Answer(line),
            Ok(Err(reason)) => {
                self.fail();
                Outcome::Failed(reason)
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Some(program) = self.program.take() {
                    program.kill();
                }
                self.failures += 1;
                Outcome::Failed(format!(
                    "the program did not answer within {} ms (timeout_ms); it was killed and is restarted",
                    timeout.as_millis()
                ))
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.program.take().and_then(Program::exit_status);
                self.failures += 1;
                let status =
                    status.map_or_else(|| "an unknown status".to_string(), |s| s.to_string());
                Outcome::Failed(format!(
                    "the program exited ({status}) while processing the article; it is restarted"
                ))
            }
        }
    }

    /// Kills the program after an answer that cannot be trusted.
    fn fail(&mut self) {
        if let Some(program) = self.program.take() {
            program.kill();
        }
        self.failures += 1;
    }

    /// Reads the program's answer for `record`.
    fn answer(&mut self, line: &[u8], record: Record) -> Result<Option<Record>, String> {
        let value: serde_json::Value = match serde_json::from_slice(line) {
            Ok(value) => value,
            Err(err) => {
                // Its stdout no longer lines up with its inputs.
                self.fail();
                let shown: String = String::from_utf8_lossy(line).chars().take(80).collect();
                return Err(format!(
                    "the program's answer is not JSON ({err}): `{}`; it is restarted (write logs to stderr, not stdout)",
                    shown.trim_end()
                ));
            }
        };
        self.failures = 0;
        let Some(object) = value.as_object() else {
            return Err(format!(
                "the program answered {}; expected the record, {{\"drop\": true}} or {{\"error\": \"reason\"}}",
                kind_of(&value)
            ));
        };
        if !object.contains_key("id") {
            if let Some(reason) = object.get("error") {
                let reason = reason
                    .as_str()
                    .map_or_else(|| reason.to_string(), str::to_string);
                return Err(format!("the program refused the article: {reason}"));
            }
            if object.get("drop") == Some(&serde_json::Value::Bool(true)) {
                return Ok(None);
            }
        }
        record_from(value, &record).map(Some)
    }
}

impl Transform for Exec {
    fn process(&mut self, record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let spec = self.spec.clone();
        let invalid = |reason: String| StageError::invalid(reason, spec.hint());
        let mut line = serde_json::to_vec(&record).map_err(|err| {
            StageError::invalid(
                format!("cannot encode record: {err}"),
                "report this as a bug",
            )
        })?;
        line.push(b'\n');
        match self.exchange(line) {
            Outcome::Answer(reply) => match self.answer(&reply, record) {
                Ok(Some(record)) => out.push(record),
                Ok(None) => {}
                Err(reason) => return Err(invalid(format!("exec: {reason}"))),
            },
            Outcome::Failed(reason) => return Err(invalid(format!("exec: {reason}"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(script: &str, timeout_ms: u64) -> Box<dyn Transform> {
        let config = ExecConfig {
            command: vec!["sh".into(), "-c".into(), script.into()],
            env: BTreeMap::from([("GREETING".into(), "hi".into())]),
            workdir: None,
            timeout_ms,
            max_reply_bytes: default_max_reply_bytes(),
        };
        let cx = BuildContext {
            key: "transforms.x".into(),
            id: "x".into(),
            state_dir: "state".into(),
        };
        let open = OpenContext {
            key: "transforms.x".into(),
            id: "x".into(),
            state_dir: "state".into(),
            workers: 1,
            metrics: wirehose_core::telemetry::ComponentMetrics::untracked(),
        };
        config.build(&cx).unwrap().open(&open).unwrap().remove(0)
    }

    fn record(id: &str) -> Record {
        Record {
            id: id.into(),
            ..Record::default()
        }
    }

    #[test]
    fn echoes_drops_and_refusals() {
        // `cat` answers every record with itself.
        let mut cat = exec("cat", 5_000);
        let mut out = Vec::new();
        cat.process(record("a"), &mut out).unwrap();
        assert_eq!(out[0].id, "a");
        let mut drop = exec(r#"while read l; do echo '{"drop": true}'; done"#, 5_000);
        out.clear();
        drop.process(record("a"), &mut out).unwrap();
        assert!(out.is_empty());
        let mut refuse = exec(
            r#"while read l; do echo '{"error": "too short"}'; done"#,
            5_000,
        );
        let err = refuse
            .process(record("a"), &mut out)
            .unwrap_err()
            .to_string();
        assert!(err.contains("too short"), "{err}");
    }

    #[test]
    fn a_crash_or_a_hang_quarantines_one_article_and_restarts() {
        // Answers once, then exits.
        let mut once = exec("head -n 1", 5_000);
        let mut out = Vec::new();
        once.process(record("a"), &mut out).unwrap();
        let err = once.process(record("b"), &mut out).unwrap_err().to_string();
        assert!(err.contains("exited"), "{err}");
        once.process(record("c"), &mut out).unwrap();
        assert_eq!(
            out.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            vec!["a", "c"]
        );

        let mut hang = exec("sleep 30", 200);
        let started = Instant::now();
        let err = hang.process(record("a"), &mut out).unwrap_err().to_string();
        assert!(err.contains("did not answer within 200 ms"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn garbage_on_stdout_is_a_clear_error() {
        let mut chatty = exec(r#"while read l; do echo "loading model..."; done"#, 5_000);
        let mut out = Vec::new();
        let err = chatty
            .process(record("a"), &mut out)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not JSON") && err.contains("loading model"),
            "{err}"
        );
    }

    #[test]
    fn env_reaches_the_program() {
        let mut env = exec(
            r#"sed -u "s/\"fields\":{}/\"fields\":{\"g\":\"$GREETING\"}/""#,
            5_000,
        );
        let mut out = Vec::new();
        env.process(record("a"), &mut out).unwrap();
        assert_eq!(out[0].fields["g"], "hi");
    }

    #[test]
    fn a_missing_program_fails_at_open_with_its_name() {
        let config = ExecConfig {
            command: vec!["/nonexistent/score".into()],
            env: BTreeMap::new(),
            workdir: None,
            timeout_ms: 1_000,
            max_reply_bytes: 1_000,
        };
        let cx = BuildContext {
            key: "transforms.x".into(),
            id: "x".into(),
            state_dir: "state".into(),
        };
        let open = OpenContext {
            key: "transforms.x".into(),
            id: "x".into(),
            state_dir: "state".into(),
            workers: 1,
            metrics: wirehose_core::telemetry::ComponentMetrics::untracked(),
        };
        let err = config
            .build(&cx)
            .unwrap()
            .open(&open)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("transforms.x") && err.contains("/nonexistent/score"),
            "{err}"
        );
    }
}
