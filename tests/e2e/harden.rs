//! Issue 9, "Hardening": a closed log reader, two daemons on one output,
//! config bounds, exit codes, per-article size limits, the state directory's
//! permissions, a ledger removed or damaged, UTF-32 text.

use std::collections::HashSet;
use std::fs;
use std::process::Stdio;
use std::time::Duration;

use crate::synth::article;
use crate::util::{Daemon, Dir, wait_timeout};

/// A pipe whose reading end is already closed: every write to it fails
/// with EPIPE, as when a log reader (`… 2>&1 | head`) went away.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer.into()
}

fn unique_ids(dir: &Dir) -> (usize, usize) {
    let records = dir.records();
    let ids: HashSet<String> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    (records.len(), ids.len())
}

#[test]
fn issue_9_closed_stderr_neither_crashes_nor_hangs_the_daemon() {
    let dir = Dir::new("");
    for n in 0..10 {
        dir.write(&format!("inbox/{n:03}.txt"), article(n, 3));
    }
    let child = dir
        .command(&["--log-format", "json", "run", "--config", "wirehose.toml"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(closed_pipe())
        .spawn()
        .expect("spawn wirehose");
    // Killed on drop if an assertion fails.
    let mut daemon = Daemon {
        child,
        log_path: dir.path("no-log"),
    };
    assert_eq!(dir.wait_for_lines(10, Duration::from_secs(60)), 10);
    // Files arriving while running, each logged (to the closed stderr).
    for n in 10..20 {
        dir.write(&format!("inbox/{n:03}.txt"), article(n, 3));
    }
    let lines = dir.wait_for_lines(20, Duration::from_secs(60));
    assert!(
        daemon.child.try_wait().unwrap().is_none(),
        "daemon died with a closed stderr"
    );
    assert_eq!(lines, 20, "articles lost with a closed stderr");
    daemon.signal(libc::SIGTERM);
    let status = wait_timeout(&mut daemon.child, Duration::from_secs(40))
        .expect("daemon ignored SIGTERM with a closed stderr");
    assert_eq!(status.code(), Some(0));
    assert_eq!(unique_ids(&dir), (20, 20));
}

#[test]
fn issue_9_backfill_with_closed_stderr_exits_0() {
    let dir = Dir::new("");
    for n in 0..5 {
        dir.write(&format!("inbox/{n:03}.txt"), article(n, 3));
    }
    let mut child = dir
        .command(&["run", "--once", "--config", "wirehose.toml"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(closed_pipe())
        .spawn()
        .expect("spawn wirehose");
    let status = wait_timeout(&mut child, Duration::from_secs(60)).expect("backfill ends");
    assert_eq!(status.code(), Some(0));
    assert_eq!(unique_ids(&dir), (5, 5));
}

#[test]
fn issue_9_inspect_into_a_closed_pipe_exits_0_quietly() {
    let dir = Dir::new("");
    dir.write("a.txt", article(1, 4));
    let output = dir
        .command(&["inspect", "a.txt"])
        .stdin(Stdio::null())
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .expect("run wirehose");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Writes `NAME.toml`: the workspace's config with its own state directory
/// and `replace` applied.
fn second_config(dir: &Dir, name: &str, replace: &[(&str, &str)]) {
    let mut text = fs::read_to_string(dir.path("wirehose.toml")).unwrap();
    text = text.replace("dir = \"state\"", "dir = \"state-two\"");
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    dir.write(&format!("{name}.toml"), text);
}

#[test]
fn issue_9_second_daemon_on_the_same_jsonl_file_is_refused() {
    let dir = Dir::new("");
    second_config(&dir, "two", &[]);
    let first = dir.spawn(&[]);
    assert!(first.wait_for_log("jsonl sink ready", Duration::from_secs(30)));
    dir.write("inbox/a.txt", article(1, 3));
    assert_eq!(dir.wait_for_lines(1, Duration::from_secs(30)), 1);
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "two.toml"]);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sinks.out") && stderr.contains("out/articles.jsonl"),
        "{stderr}"
    );
    assert!(stderr.contains("another wirehose process"), "{stderr}");
    let (status, log) = first.stop();
    assert_eq!(status.code(), Some(0), "{log}");
    assert_eq!(unique_ids(&dir), (1, 1));
}

#[test]
fn issue_9_second_daemon_on_the_same_sqlite_store_is_refused() {
    let dir = Dir::new("");
    let store =
        "\n[sinks.db]\ntype = \"sqlite\"\ninputs = [\"stories\"]\npath = \"out/store.db\"\n";
    let mut text = fs::read_to_string(dir.path("wirehose.toml")).unwrap();
    text.push_str(store);
    dir.write("wirehose.toml", &text);
    second_config(&dir, "two", &[("out/articles.jsonl", "out/second.jsonl")]);
    let first = dir.spawn(&[]);
    assert!(first.wait_for_log("sqlite sink ready", Duration::from_secs(30)));
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "two.toml"]);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sinks.db") && stderr.contains("out/store.db"),
        "{stderr}"
    );
    let (status, log) = first.stop();
    assert_eq!(status.code(), Some(0), "{log}");
}

#[test]
fn issue_9_jsonl_path_that_is_not_a_regular_file_is_refused() {
    for path in ["/dev/null", "out"] {
        let dir = Dir::new("");
        fs::create_dir_all(dir.path("out")).unwrap();
        let text = fs::read_to_string(dir.path("wirehose.toml"))
            .unwrap()
            .replace(
                "path = \"out/articles.jsonl\"",
                &format!("path = \"{path}\""),
            );
        dir.write("wirehose.toml", text);
        dir.write("inbox/a.txt", article(1, 3));
        let mut child = dir
            .command(&["run", "--once", "--config", "wirehose.toml"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_timeout(&mut child, Duration::from_secs(60));
        let _ = child.kill();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        let status = status.unwrap_or_else(|| panic!("--once hung on jsonl path {path}"));
        assert_eq!(status.code(), Some(2), "{path}: {stderr}");
        assert!(
            stderr.contains("not a regular file") && stderr.contains("sinks.out"),
            "{path}: {stderr}"
        );
    }
}

#[test]
fn issue_9_interrupted_backfill_exits_3_and_a_rerun_finishes_with_0() {
    let dir = Dir::new("");
    let total = 1000;
    for n in 0..total {
        dir.write(&format!("inbox/{n:05}.txt"), article(n, 3));
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut daemon = dir.spawn(&["--once"]);
    dir.wait_for_lines(1, Duration::from_secs(60));
    daemon.signal(libc::SIGTERM);
    let status = wait_timeout(&mut daemon.child, Duration::from_secs(60)).expect("stops");
    let log = daemon.log();
    assert!(dir.line_count() < total, "backfill finished before SIGTERM");
    assert_eq!(status.code(), Some(3), "{log}");
    assert!(log.contains("backfill interrupted"), "{log}");
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(unique_ids(&dir), (total, total));
    // A bad config is 1.
    dir.write("bad.toml", "[runtime]\nworkers = 0\n");
    let (status, _, _) = dir.run(&["run", "--once", "--config", "bad.toml"]);
    assert_eq!(status.code(), Some(1));
}

#[test]
fn issue_9_second_signal_exits_130() {
    let dir = Dir::new("");
    // A sink that can never connect holds the pipeline, so the graceful
    // shutdown cannot finish before the second signal.
    let mut text = fs::read_to_string(dir.path("wirehose.toml")).unwrap();
    text.push_str(
        "\n[sinks.pg]\ntype = \"postgres\"\ninputs = [\"stories\"]\nurl = \"postgres://nobody@127.0.0.1:1/none\"\n",
    );
    dir.write("wirehose.toml", text);
    dir.write("inbox/a.txt", article(1, 3));
    let mut daemon = dir.spawn(&[]);
    assert!(daemon.wait_for_log("postgres unavailable", Duration::from_secs(30)));
    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait_for_log("draining", Duration::from_secs(30)));
    daemon.signal(libc::SIGTERM);
    let status = wait_timeout(&mut daemon.child, Duration::from_secs(30)).expect("exits");
    assert_eq!(status.code(), Some(130), "{}", daemon.log());
}

#[test]
fn issue_9_damaged_ledger_says_how_to_recover() {
    let dir = Dir::new("");
    dir.write("inbox/a.txt", article(1, 3));
    dir.write("state/ledger.db", "this is not a database\n".repeat(200));
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("move it aside"), "{stderr}");
    assert!(stderr.contains("state/ledger.db"), "{stderr}");
}
