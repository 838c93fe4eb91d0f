//! Issue 9, "Hardening": a closed log reader, two daemons on one output,
//! config bounds, exit codes, per-article size limits, the state directory's
//! permissions, a ledger removed or damaged, UTF-32 text.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
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

const BASE: &str = r#"
[state]
dir = "state"
[sources.inbox]
type = "directory"
path = "inbox"
[transforms.normalize]
type = "normalize"
inputs = ["inbox"]
[transforms.stories]
type = "stories"
inputs = ["normalize"]
[sinks.out]
type = "jsonl"
inputs = ["stories"]
path = "out/articles.jsonl"
"#;

/// Returns `BASE` with `line` added to the table `table` (`[runtime]` is
/// added when missing).
fn config_with(table: &str, line: &str) -> String {
    let header = format!("[{table}]\n");
    if BASE.contains(&header) {
        BASE.replacen(&header, &format!("{header}{line}\n"), 1)
    } else {
        format!("{header}{line}\n{BASE}")
    }
}

#[test]
fn issue_9_every_number_has_a_bound_named_with_its_component_and_key() {
    let huge = "1000000000000000";
    let cases: &[(&str, &str, &str)] = &[
        ("runtime", "runtime", "workers"),
        ("runtime", "runtime", "channel_capacity"),
        ("runtime", "runtime", "shutdown_timeout_secs"),
        ("runtime", "runtime", "max_body_bytes"),
        ("runtime", "runtime", "max_record_bytes"),
        ("state", "state", "commit_interval_ms"),
        ("transforms.normalize", "transforms.normalize", "workers"),
        ("sources.inbox", "sources.inbox", "settle_ms"),
        ("sources.inbox", "sources.inbox", "rescan_secs"),
        ("sources.inbox", "sources.inbox", "poll_interval_ms"),
        ("sources.inbox", "sources.inbox", "max_bytes"),
        ("sources.inbox", "sources.inbox", "max_in_flight"),
        ("sinks.out", "sinks.out", "batch_max_records"),
        ("transforms.stories", "transforms.stories", "window_hours"),
        ("transforms.stories", "transforms.stories", "retain_days"),
        ("transforms.stories", "transforms.stories", "keywords"),
    ];
    let dir = Dir::new("");
    let mut failures = Vec::new();
    for (table, component, key) in cases {
        dir.write(
            "bounds.toml",
            config_with(table, &format!("{key} = {huge}")),
        );
        let mut child = dir
            .command(&["validate", "--config", "bounds.toml"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let Some(status) = wait_timeout(&mut child, Duration::from_secs(30)) else {
            let _ = child.kill();
            failures.push(format!("{component}.{key}: validate hung"));
            continue;
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        let named = stderr.contains(&format!("{component}: key `{key}`"));
        if status.code() != Some(1) || !named {
            failures.push(format!("{component}.{key}: {status:?} {stderr}"));
        }
    }
    // Other sink and source types.
    let others = [
        (
            "sinks.pg",
            "type = \"postgres\"\nurl = \"postgres://x@127.0.0.1:1/x\"",
            "linger_ms",
        ),
        (
            "sinks.pg",
            "type = \"postgres\"\nurl = \"postgres://x@127.0.0.1:1/x\"",
            "max_backoff_secs",
        ),
        (
            "sinks.pg",
            "type = \"postgres\"\nurl = \"postgres://x@127.0.0.1:1/x\"",
            "batch_max_records",
        ),
        ("sinks.bus", "type = \"nats\"", "max_backoff_secs"),
        ("sinks.bus", "type = \"nats\"", "batch_max_records"),
        (
            "sinks.sql",
            "type = \"sqlite\"\npath = \"x.db\"",
            "batch_max_records",
        ),
        ("sinks.print", "type = \"stdout\"", "batch_max_records"),
    ];
    for (component, table, key) in others {
        let text =
            format!("{BASE}\n[{component}]\n{table}\ninputs = [\"stories\"]\n{key} = {huge}\n");
        dir.write("bounds.toml", text);
        let (status, _, stderr) = dir.run(&["validate", "--config", "bounds.toml"]);
        if status.code() != Some(1) || !stderr.contains(&format!("{component}: key `{key}`")) {
            failures.push(format!("{component}.{key}: {status:?} {stderr}"));
        }
    }
    for key in ["max_in_flight", "ack_wait_secs"] {
        let text = format!(
            "{BASE}\n[sources.bus]\ntype = \"nats\"\nstream = \"s\"\nconsumer = \"c\"\n{key} = {huge}\n[sinks.bus_out]\ntype = \"stdout\"\ninputs = [\"bus\"]\n"
        );
        dir.write("bounds.toml", text);
        let (status, _, stderr) = dir.run(&["validate", "--config", "bounds.toml"]);
        if status.code() != Some(1) || !stderr.contains(&format!("sources.bus: key `{key}`")) {
            failures.push(format!("sources.bus.{key}: {status:?} {stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The documented upper bounds themselves are accepted.
    dir.write(
        "bounds.toml",
        config_with("runtime", "workers = 256\nchannel_capacity = 65536"),
    );
    let (status, _, stderr) = dir.run(&["validate", "--config", "bounds.toml"]);
    assert!(status.success(), "{stderr}");
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

/// A long article: `paragraphs` paragraphs of news with names and places.
fn long_article(paragraphs: usize) -> String {
    let mut text = String::from("A very long report\n\n");
    for n in 0..paragraphs {
        text.push_str(&format!(
            "GENEVA (Reuters) - John Kerry met Sergey Lavrov in Geneva on {} March 2019, and Angela Merkel said $ {n} million would follow.\n\n",
            n % 28 + 1
        ));
    }
    text
}

#[test]
fn issue_9_oversized_articles_are_quarantined_with_the_limit_named() {
    let dir = Dir::new("");
    // About 1.3 MB of text: over the default body limit.
    dir.write("inbox/huge.txt", long_article(10_000));
    dir.write("inbox/fine.txt", article(1, 3));
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(dir.records().len(), 1);
    let report = fs::read_to_string(dir.path("state/quarantine/huge.txt.error.json"))
        .expect("huge.txt quarantined");
    assert!(report.contains("max_body_bytes"), "{report}");

    // A lower record limit is applied to what a transform emits.
    let dir = Dir::new("");
    let text = fs::read_to_string(dir.path("wirehose.toml")).unwrap();
    dir.write(
        "wirehose.toml",
        format!("[runtime]\nmax_record_bytes = 65536\n{text}"),
    );
    dir.write("inbox/long.txt", long_article(300));
    dir.write("inbox/fine.txt", article(1, 3));
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(dir.records().len(), 1);
    let report = fs::read_to_string(dir.path("state/quarantine/long.txt.error.json"))
        .expect("long.txt quarantined");
    assert!(report.contains("max_record_bytes"), "{report}");
}

#[test]
fn issue_9_state_directory_is_private() {
    let dir = Dir::new("");
    dir.write("inbox/a.txt", article(1, 3));
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    let mode = |relative: &str| {
        fs::metadata(dir.path(relative))
            .unwrap_or_else(|e| panic!("{relative}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("state"), 0o700);
    assert_eq!(mode("state/ledger.db"), 0o600);
    assert_eq!(mode("state/lock"), 0o600);
}

#[test]
fn issue_9_ledger_removed_while_running_is_reported() {
    let dir = Dir::new("");
    let daemon = dir.spawn(&[]);
    dir.write("inbox/a.txt", article(1, 3));
    assert_eq!(dir.wait_for_lines(1, Duration::from_secs(30)), 1);
    fs::remove_file(dir.path("state/ledger.db")).unwrap();
    dir.write("inbox/b.txt", article(2, 3));
    assert!(
        daemon.wait_for_log("ledger file removed or replaced", Duration::from_secs(30)),
        "{}",
        daemon.log()
    );
    let (_, log) = daemon.stop();
    assert!(log.contains("state/ledger.db"), "{log}");
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

#[test]
fn issue_9_utf32_text_is_decoded() {
    let dir = Dir::new("");
    let text = "Kerry Meets Lavrov\n\n“We are close,” Kerry said in Geneva on Friday.\n";
    let mut le = vec![0xFF, 0xFE, 0x00, 0x00];
    let mut be = Vec::new();
    for c in text.chars() {
        le.extend_from_slice(&(c as u32).to_le_bytes());
        be.extend_from_slice(&(c as u32).to_be_bytes());
    }
    dir.write("inbox/le.txt", le);
    dir.write("inbox/be.txt", be);
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    assert!(dir.quarantined().is_empty(), "{:?}", dir.quarantined());
    let records = dir.records();
    assert_eq!(records.len(), 2);
    for record in records {
        assert_eq!(record["title"], "Kerry Meets Lavrov", "{record}");
    }
}
