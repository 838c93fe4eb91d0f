//! Crashes: kill -9 during a backfill loses nothing and duplicates nothing.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::synth::article;
use crate::util::{Dir, article_id};

#[test]
fn kill_9_three_times_during_a_2000_file_backfill() {
    let dir = Dir::new("");
    let total = 2000;
    for n in 0..total {
        dir.write(&format!("inbox/{n:05}.txt"), article(n, 3));
    }
    // Let the files age past settle_ms so the backfill takes them at once.
    std::thread::sleep(Duration::from_millis(300));
    let mut kills = 0;
    let mut lines_at_kill = Vec::new();
    while kills < 3 {
        let before = dir.line_count();
        let daemon = dir.spawn(&["--once"]);
        // Kill at a different point each time: after some more lines appeared.
        let target = before + 150 + kills * 170;
        let deadline = Instant::now() + Duration::from_secs(60);
        while dir.line_count() < target && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(
            dir.line_count() < total,
            "backfill finished before the kill; make the test kill earlier"
        );
        daemon.kill();
        kills += 1;
        lines_at_kill.push(dir.line_count());
    }
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "wirehose.toml"]);
    assert!(status.success(), "{stderr}");
    let records = dir.records(); // panics on a torn or invalid line
    let ids: Vec<String> = records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "a line was duplicated (kills at {lines_at_kill:?})"
    );
    assert_eq!(
        ids.len(),
        total,
        "an article was lost (kills at {lines_at_kill:?})"
    );
    for n in [0, 999, 1999] {
        assert!(unique.contains(&article_id(article(n, 3).as_bytes())));
    }
}
