//! Helpers: a temporary workspace with a config, and the real binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_wirehose");

/// A temporary directory holding `inbox/`, `state/`, `out/` and a config.
pub struct Dir {
    pub root: tempfile::TempDir,
}

impl Dir {
    /// Creates a workspace whose config watches `inbox/` with `source_extra`
    /// added to the source table and writes `out/articles.jsonl`.
    pub fn new(source_extra: &str) -> Dir {
        let root = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(root.path().join("inbox")).unwrap();
        let settle = if source_extra.contains("settle_ms") {
            ""
        } else {
            "settle_ms = 200"
        };
        let config = format!(
            r#"[state]
dir = "state"
commit_interval_ms = 50

[sources.inbox]
type = "directory"
path = "inbox"
{settle}
{source_extra}

[transforms.normalize]
type = "normalize"
inputs = ["inbox"]

[transforms.extract]
type = "extract"
inputs = ["normalize"]

[transforms.stories]
type = "stories"
inputs = ["extract"]

[sinks.out]
type = "jsonl"
inputs = ["stories"]
path = "out/articles.jsonl"
"#
        );
        fs::write(root.path().join("wirehose.toml"), config).unwrap();
        Dir { root }
    }

    /// A workspace laid out like the repository: `config/wirehose.toml` and
    /// `seeds/` copied in, so `wirehose run` with no flags uses them.
    pub fn with_default_config_and_seeds() -> Dir {
        let dir = Dir::new("");
        fs::create_dir_all(dir.path("config")).unwrap();
        fs::copy(
            repo_file("config/wirehose.toml"),
            dir.path("config/wirehose.toml"),
        )
        .unwrap();
        fs::create_dir_all(dir.path("seeds")).unwrap();
        for entry in fs::read_dir(repo_file("seeds")).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), dir.path("seeds").join(entry.file_name())).unwrap();
        }
        dir
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.root.path())
            .env_remove("RUST_LOG")
            .env_remove("WIREHOSE_CONFIG");
        command
    }

    /// Runs `wirehose ARGS` to completion; returns status, stdout, stderr.
    pub fn run(&self, args: &[&str]) -> (ExitStatus, String, String) {
        let output = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run wirehose");
        (
            output.status,
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Starts `wirehose run --config wirehose.toml [extra]` in the background,
    /// logging to `log-N.txt`.
    pub fn spawn(&self, extra: &[&str]) -> Daemon {
        self.spawn_config("wirehose.toml", extra)
    }

    /// Starts `wirehose run --config CONFIG [extra]` in the background.
    pub fn spawn_config(&self, config: &str, extra: &[&str]) -> Daemon {
        let log_path = (0..)
            .map(|n| self.path(&format!("log-{n}.txt")))
            .find(|p| !p.exists())
            .unwrap();
        let log = fs::File::create(&log_path).unwrap();
        let mut args = vec!["--log-format", "json", "run", "--config", config];
        args.extend_from_slice(extra);
        let child = self
            .command(&args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("spawn wirehose");
        Daemon { child, log_path }
    }

    /// Returns the JSONL output lines (panics on a torn or invalid line).
    pub fn records(&self) -> Vec<serde_json::Value> {
        let text = fs::read_to_string(self.path("out/articles.jsonl")).unwrap_or_default();
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "torn last line in output"
        );
        text.lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("invalid line {line:?}: {e}"))
            })
            .collect()
    }

    /// Counts complete lines without parsing.
    pub fn line_count(&self) -> usize {
        fs::read(self.path("out/articles.jsonl"))
            .map(|bytes| bytes.iter().filter(|b| **b == b'\n').count())
            .unwrap_or(0)
    }

    /// Waits until the output has at least `lines` lines.
    pub fn wait_for_lines(&self, lines: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let count = self.line_count();
            if count >= lines || Instant::now() > deadline {
                return count;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Files in the quarantine directory.
    pub fn quarantined(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.path("state/quarantine"))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

pub struct Daemon {
    pub child: Child,
    pub log_path: PathBuf,
}

impl Daemon {
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.log().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on our own child's pid has no memory-safety concerns.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn stop(mut self) -> (ExitStatus, String) {
        self.signal(libc::SIGTERM);
        let status = wait_timeout(&mut self.child, Duration::from_secs(40))
            .expect("daemon did not stop within 40 s of SIGTERM");
        (status, self.log())
    }

    pub fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.log()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

pub fn article_id(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_string()
}

pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}
