//! Files flowing through the daemon: at start, in bursts, slowly, renamed in,
//! duplicated, and restarts.

use std::collections::HashSet;
use std::io::Write;
use std::time::{Duration, Instant};

use crate::synth::article;
use crate::util::{Dir, article_id};

#[test]
fn files_present_at_start_are_taken_and_not_retaken_after_restart() {
    let dir = Dir::new("");
    for n in 0..5 {
        dir.write(&format!("inbox/a{n}.txt"), article(n, 4));
    }
    let (status, _, stderr) = dir.run(&[
        "--log-format",
        "json",
        "run",
        "--once",
        "--config",
        "wirehose.toml",
    ]);
    assert!(status.success(), "{stderr}");
    let records = dir.records();
    assert_eq!(records.len(), 5);
    let ids: HashSet<String> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for n in 0..5 {
        assert!(
            ids.contains(&article_id(article(n, 4).as_bytes())),
            "id is the content hash"
        );
    }
    assert!(
        stderr.contains("\"message\":\"article completed\""),
        "one INFO line per article"
    );
    // Restart: nothing is processed again.
    let (status, _, stderr) = dir.run(&[
        "--log-format",
        "json",
        "run",
        "--once",
        "--config",
        "wirehose.toml",
    ]);
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("0 articles written"), "{stderr}");
    assert_eq!(dir.records().len(), 5);
}

#[test]
fn a_burst_of_1000_files_is_taken_by_the_running_daemon() {
    let dir = Dir::new("");
    let daemon = dir.spawn(&[]);
    assert!(
        daemon.wait_for_log("watching directory", Duration::from_secs(10)),
        "{}",
        daemon.log()
    );
    for n in 0..1000 {
        if n % 2 == 0 {
            dir.write(&format!("inbox/burst-{n}.txt"), article(n, 3));
        } else {
            // The scraper habit: write a temporary file, then rename it in.
            dir.write(&format!("inbox/burst-{n}.txt.part"), article(n, 3));
            std::fs::rename(
                dir.path(&format!("inbox/burst-{n}.txt.part")),
                dir.path(&format!("inbox/burst-{n}.txt")),
            )
            .unwrap();
        }
    }
    let count = dir.wait_for_lines(1000, Duration::from_secs(60));
    assert_eq!(
        count,
        1000,
        "{}",
        daemon
            .log()
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let (status, log) = daemon.stop();
    assert!(status.success(), "SIGTERM exits 0: {status:?}");
    assert!(log.contains("shutdown requested"));
    let ids: HashSet<String> = dir
        .records()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1000);
}

#[test]
fn a_file_written_slowly_is_taken_only_when_complete() {
    // Pauses of 120 ms against settle_ms = 1000: room for a loaded machine.
    let dir = Dir::new("settle_ms = 1000");
    let daemon = dir.spawn(&[]);
    assert!(daemon.wait_for_log("watching directory", Duration::from_secs(10)));
    let text = article(7, 8);
    let bytes = text.as_bytes();
    let mut file = std::fs::File::create(dir.path("inbox/slow.txt")).unwrap();
    let pieces = 8;
    let step = bytes.len() / pieces + 1;
    for chunk in bytes.chunks(step) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(120)); // < settle_ms, total ≈ 1 s
        assert_eq!(
            dir.line_count(),
            0,
            "no record while the file is still being written"
        );
    }
    drop(file);
    assert_eq!(dir.wait_for_lines(1, Duration::from_secs(10)), 1);
    let records = dir.records();
    assert_eq!(
        records[0]["id"],
        article_id(bytes),
        "the record is of the complete file"
    );
    drop(daemon);
}

#[test]
fn a_file_renamed_in_is_complete_at_once() {
    let dir = Dir::new("settle_ms = 20000");
    let daemon = dir.spawn(&[]);
    assert!(daemon.wait_for_log("watching directory", Duration::from_secs(10)));
    dir.write("outside/story.txt", article(3, 4));
    let started = Instant::now();
    std::fs::rename(dir.path("outside/story.txt"), dir.path("inbox/story.txt")).unwrap();
    assert_eq!(
        dir.wait_for_lines(1, Duration::from_secs(10)),
        1,
        "{}",
        daemon.log()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "not held for settle_ms: {:?}",
        started.elapsed()
    );
}

#[test]
fn the_same_content_under_two_names_is_one_article() {
    let dir = Dir::new("");
    dir.write("inbox/one.txt", article(11, 4));
    dir.write("inbox/two.txt", article(11, 4));
    dir.write("inbox/three.txt", article(12, 4));
    let (status, _, stderr) = dir.run(&[
        "--log-format",
        "json",
        "run",
        "--once",
        "--config",
        "wirehose.toml",
    ]);
    assert!(status.success(), "{stderr}");
    assert_eq!(dir.records().len(), 2);
    assert!(stderr.contains("duplicate article skipped"), "{stderr}");
    assert!(stderr.contains("1 duplicates skipped"), "{stderr}");
    // A later copy, while the daemon runs, is a duplicate too.
    let daemon = dir.spawn(&[]);
    assert!(daemon.wait_for_log("watching directory", Duration::from_secs(10)));
    dir.write("inbox/four.txt", article(12, 4));
    assert!(
        daemon.wait_for_log("duplicate article skipped", Duration::from_secs(10)),
        "{}",
        daemon.log()
    );
    let (status, _) = daemon.stop();
    assert!(status.success());
    assert_eq!(dir.records().len(), 2);
}

#[test]
fn on_complete_move_happens_after_acknowledgement() {
    let dir = Dir::new("on_complete = \"move\"");
    dir.write("inbox/m.txt", article(21, 3));
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    assert_eq!(dir.records().len(), 1);
    assert!(!dir.path("inbox/m.txt").exists());
    assert!(dir.path("inbox/done/m.txt").exists());
}

#[test]
fn seeds_flow_through_the_default_config() {
    let dir = Dir::with_default_config_and_seeds();
    let (status, _, stderr) = dir.run(&["run", "--once"]);
    assert!(status.success(), "{stderr}");
    let records = dir.records();
    assert_eq!(records.len(), 5);
    let seed = records
        .iter()
        .find(|r| r["source"]["path"].as_str().unwrap().contains("001_"))
        .unwrap();
    assert_eq!(
        seed["title"],
        "Pompeo Says Agreed with Putin on Syria Progress"
    );
    assert_eq!(seed["dateline"]["place"], "Sochi");
    assert_eq!(seed["agencies"][0], "AFP");
}
