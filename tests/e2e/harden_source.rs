//! Issue 9, directory source: no reads or deletes outside the inbox, no data
//! lost to timing. Each test is named after the issue's item.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use crate::synth::article;
use crate::util::{Daemon, Dir, wait_timeout};

const LONG: Duration = Duration::from_secs(30);

/// Returns `(key, status)` of every ledger row of the source `inbox`.
fn ledger_rows(dir: &Dir) -> Vec<(String, String)> {
    let output = Command::new("sqlite3")
        .arg(dir.path("state/ledger.db"))
        .arg("SELECT key, status FROM inputs WHERE source = 'inbox' ORDER BY key")
        .output()
        .expect("the sqlite3 command line tool");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.rsplit_once('|'))
        .map(|(key, status)| (key.to_string(), status.to_string()))
        .collect()
}

/// Waits until `check` holds, polling; returns whether it did.
fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// Returns how many inotify watches the process `pid` holds.
fn inotify_watches(pid: u32) -> usize {
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fdinfo")) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| fs::read_to_string(entry.path()).ok())
        .map(|text| {
            text.lines()
                .filter(|l| l.starts_with("inotify wd:"))
                .count()
        })
        .sum()
}

fn started(dir: &Dir) -> Daemon {
    let daemon = dir.spawn(&[]);
    assert!(
        daemon.wait_for_log("watching directory", LONG),
        "{}",
        daemon.log()
    );
    daemon
}

fn paths(dir: &Dir) -> Vec<String> {
    dir.records()
        .iter()
        .map(|r| r["source"]["path"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Item 1: a symlinked subdirectory must not take the source outside the
/// inbox, neither for reading, nor for deleting, nor for watching.
#[test]
fn issue9_1_a_symlinked_directory_is_not_followed_out_of_the_inbox() {
    let dir = Dir::new("recursive = true\non_complete = \"delete\"\nrescan_secs = 1");
    dir.write("outside/old.txt", article(21, 3));
    for n in 0..40 {
        fs::create_dir_all(dir.path(&format!("outside/d{n}/e"))).unwrap();
    }
    symlink(dir.path("outside"), dir.path("inbox/link")).unwrap();
    dir.write("inbox/real/inner.txt", article(22, 3));
    let daemon = started(&dir);
    assert_eq!(dir.wait_for_lines(1, LONG), 1, "{}", daemon.log());

    // A new file and a touched one behind the link.
    dir.write("outside/new.txt", article(23, 3));
    fs::File::options()
        .append(true)
        .open(dir.path("outside/old.txt"))
        .unwrap()
        .set_modified(SystemTime::now())
        .unwrap();
    // A link created while running, and a real directory created later.
    symlink(dir.path("outside/d1"), dir.path("inbox/real/link2")).unwrap();
    dir.write("outside/d1/deep.txt", article(25, 3));
    dir.write("inbox/later/after.txt", article(24, 3));
    assert_eq!(dir.wait_for_lines(2, LONG), 2, "{}", daemon.log());
    // Two rescans (rescan_secs = 1) pass over the link.
    std::thread::sleep(Duration::from_millis(2500));

    let watches = inotify_watches(daemon.child.id());
    let (_, log) = daemon.stop();
    for name in ["old.txt", "new.txt", "d1/deep.txt"] {
        assert!(
            dir.path(&format!("outside/{name}")).exists(),
            "outside/{name} was deleted\n{log}"
        );
    }
    let paths = paths(&dir);
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(!paths.iter().any(|p| p.contains("link")), "{paths:?}");
    assert!(
        !dir.path("inbox/real/inner.txt").exists(),
        "deleted once done"
    );
    // inbox, real, later (and perhaps done): never the 80 directories outside.
    assert!(watches <= 5, "{watches} inotify watches\n{log}");
}

/// Item 2: a file swapped for a symlink between the check and the read must
/// not be read through the link. The test swaps a regular file and a link to
/// a secret back and forth (`renameat2(RENAME_EXCHANGE)`) as fast as it can.
#[test]
fn issue9_2_a_symlink_swapped_in_before_the_read_is_not_followed() {
    let dir = Dir::new("rescan_secs = 1");
    let secret = format!("{}\nSECRET-MARKER-7f3a\n", article(90, 3));
    dir.write("secret/passwd.txt", &secret);
    let daemon = started(&dir);
    let inbox = dir.path("inbox");
    let mut pairs = Vec::new();
    for n in 0..4 {
        let name = inbox.join(format!("a{n}.txt"));
        fs::write(&name, article(1000 + n, 2)).unwrap();
        let link = inbox.join(format!(".link{n}"));
        symlink(dir.path("secret/passwd.txt"), &link).unwrap();
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
        pairs.push((c(&name), c(&link)));
    }
    let swap_until = Instant::now() + Duration::from_secs(5);
    let mut swaps = 0u64;
    while Instant::now() < swap_until {
        for (name, link) in &pairs {
            // SAFETY: both are valid NUL-terminated paths.
            let done = unsafe {
                libc::renameat2(
                    libc::AT_FDCWD,
                    name.as_ptr(),
                    libc::AT_FDCWD,
                    link.as_ptr(),
                    libc::RENAME_EXCHANGE,
                )
            };
            assert_eq!(done, 0, "{}", std::io::Error::last_os_error());
            swaps += 1;
        }
    }
    std::thread::sleep(Duration::from_secs(2));
    let (_, log) = daemon.stop();
    let output = fs::read_to_string(dir.path("out/articles.jsonl")).unwrap_or_default();
    assert!(
        !output.contains("SECRET-MARKER"),
        "the secret reached the output after {swaps} swaps"
    );
    for name in dir.quarantined() {
        let text = fs::read(dir.path(&format!("state/quarantine/{name}"))).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&text).contains("SECRET-MARKER"));
    }
    assert!(
        dir.path("secret/passwd.txt").exists(),
        "the target stays\n{log}"
    );
    assert!(
        output.lines().count() >= 1,
        "the real files were read\n{log}"
    );
}

/// Item 3: a file created empty and written after `settle_ms` is taken whole
/// once written, not quarantined as empty.
#[test]
fn issue9_3_a_file_created_empty_and_written_late_is_taken_whole() {
    let dir = Dir::new("settle_ms = 200");
    let daemon = started(&dir);
    let mut writer = fs::File::create(dir.path("inbox/late.txt")).unwrap();
    // Created empty (and closed once by `touch`-like tools): wait well past settle_ms.
    fs::File::open(dir.path("inbox/late.txt")).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let text = article(31, 4);
    writer.write_all(text.as_bytes()).unwrap();
    drop(writer);
    assert_eq!(dir.wait_for_lines(1, LONG), 1, "{}", daemon.log());
    let (_, log) = daemon.stop();
    assert_eq!(dir.quarantined(), Vec::<String>::new(), "{log}");
    let records = dir.records();
    assert!(
        records[0]["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with("late.txt")
    );
    assert_eq!(records[0]["source"]["bytes"], text.len());
}

/// Item 6: files renamed in at 10 files/s are each read once, and the ledger
/// says `done` for each, never `duplicate` of itself.
#[test]
fn issue9_6_a_renamed_in_file_is_taken_once_and_stays_done() {
    let dir = Dir::new("");
    let daemon = started(&dir);
    for n in 0..30 {
        // Written under a hidden name in the inbox, then renamed.
        let staged = dir.path(&format!("inbox/.s{n}.txt"));
        dir.write(&format!("inbox/.s{n}.txt"), article(100 + n, 3));
        fs::rename(&staged, dir.path(&format!("inbox/s{n}.txt"))).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(dir.wait_for_lines(30, LONG), 30, "{}", daemon.log());
    // A second take would come one settle time after the completion.
    std::thread::sleep(Duration::from_millis(1500));
    let (status, log) = daemon.stop();
    assert!(status.success(), "{log}");
    let rows = ledger_rows(&dir);
    assert_eq!(rows.len(), 30, "{rows:?}");
    let not_done: Vec<_> = rows.iter().filter(|(_, s)| s != "done").collect();
    assert!(not_done.is_empty(), "{not_done:?}");
    assert!(
        log.contains(r#""message":"run finished","completed":30,"duplicates":0"#),
        "{log}"
    );
}

/// Item 7: a file whose name is not UTF-8 is taken (or refused with a
/// report), logged, recorded in the ledger and counted.
#[test]
fn issue9_7_a_file_name_that_is_not_utf8_is_taken_and_recorded() {
    let dir = Dir::new("");
    let inbox = dir.path("inbox");
    fs::write(
        inbox.join(OsStr::from_bytes(b"caf\xe9.txt")),
        article(41, 3),
    )
    .unwrap();
    fs::write(
        inbox.join(OsStr::from_bytes(b"bin\xff.txt")),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10",
    )
    .unwrap();
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("1 articles written, 0 duplicates skipped, 1 quarantined"),
        "{stderr}"
    );
    let paths = paths(&dir);
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].contains("caf"), "{paths:?}");
    let rows = ledger_rows(&dir);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .any(|(k, s)| k.starts_with("caf") && s == "done")
    );
    assert!(
        rows.iter()
            .any(|(k, s)| k.starts_with("bin") && s == "quarantined")
    );
    let reports: Vec<String> = dir
        .quarantined()
        .into_iter()
        .filter(|n| n.ends_with(".error.json"))
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");

    // Recorded: a restart takes nothing again.
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("0 articles written, 0 duplicates skipped, 0 quarantined"),
        "{stderr}"
    );
}

/// Item 8: a refused file with a 245-byte name still gets a report, which
/// names the original file.
#[test]
fn issue9_8_a_long_name_is_quarantined_with_a_report() {
    let dir = Dir::new("");
    let name = format!("{}.txt", "n".repeat(245));
    dir.write(
        &format!("inbox/{name}"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10",
    );
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    let reports: Vec<String> = dir
        .quarantined()
        .into_iter()
        .filter(|n| n.ends_with(".error.json"))
        .collect();
    assert_eq!(reports.len(), 1, "{:?}\n{stderr}", dir.quarantined());
    let report: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path(&format!("state/quarantine/{}", reports[0]))).unwrap(),
    )
    .unwrap();
    assert!(
        report["input"].as_str().unwrap().ends_with(&name),
        "{report}"
    );
    assert!(
        !dir.path(&format!("inbox/{name}")).exists(),
        "moved beside its report"
    );
    assert_eq!(dir.quarantined().len(), 2);
    assert_eq!(ledger_rows(&dir)[0].1, "quarantined");
}

/// Item 8: when the quarantine cannot be written the file is not marked
/// quarantined; it is taken again later and then gets its report.
#[test]
fn issue9_8_an_unwritable_quarantine_leaves_the_file_for_a_retry() {
    let dir = Dir::new("rescan_secs = 1");
    // A plain file where the quarantine directory belongs: nothing can be written.
    dir.write("state/quarantine", "");
    let daemon = started(&dir);
    dir.write("inbox/bad.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    assert!(
        daemon.wait_for_log("quarantine could not be written", LONG),
        "{}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_millis(300));
    let rows = ledger_rows(&dir);
    assert!(
        rows.is_empty(),
        "not marked quarantined without a report: {rows:?}"
    );
    assert!(dir.path("inbox/bad.txt").exists());

    fs::remove_file(dir.path("state/quarantine")).unwrap();
    assert!(
        wait_until(LONG, || dir
            .quarantined()
            .iter()
            .any(|n| n == "bad.txt.error.json")),
        "{}",
        daemon.log()
    );
    assert!(wait_until(LONG, || ledger_rows(&dir)
        == [("bad.txt".to_string(), "quarantined".to_string())]));
    let (status, log) = daemon.stop();
    assert!(status.success(), "{log}");
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path("state/quarantine")), 0o700);
    assert_eq!(
        mode(&dir.path("state/quarantine/bad.txt.error.json")),
        0o600
    );
}

/// Item 10: a burst that overflows the event queue (4096) does not start a
/// rescan storm, and files keep flowing meanwhile.
#[test]
fn issue9_10_an_event_overflow_does_not_start_a_rescan_storm() {
    const FILES: usize = 30_000;
    let dir = Dir::new("");
    let config = r#"[state]
dir = "state"
commit_interval_ms = 50

[sources.inbox]
type = "directory"
path = "inbox"
settle_ms = 200
include = ["*.txt"]

[sinks.out]
type = "jsonl"
inputs = ["inbox"]
path = "out/articles.jsonl"
"#;
    dir.write("burst.toml", config);
    let mut daemon = dir.spawn_config("burst.toml", &[]);
    assert!(daemon.wait_for_log("watching directory", LONG));
    let started = Instant::now();
    for n in 0..FILES {
        fs::write(
            dir.path(&format!("inbox/f{n}.txt")),
            format!("article number {n}\n"),
        )
        .unwrap();
    }
    let written = dir.wait_for_lines(FILES, Duration::from_secs(90));
    let elapsed = started.elapsed();
    let log = daemon.log();
    let rescans = log.matches("rescanning").count();
    daemon.signal(libc::SIGTERM);
    wait_timeout(&mut daemon.child, LONG);
    assert_eq!(written, FILES, "after {elapsed:?}, {rescans} rescans");
    assert!(log.contains("rescanning"), "the burst overflowed the queue");
    assert!(rescans <= 4, "{rescans} rescans in {elapsed:?}");
}
