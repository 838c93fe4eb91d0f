//! The embedded SQLite store and its query commands.

use crate::util::Dir;

fn lines(output: &str) -> Vec<serde_json::Value> {
    output
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_default_config_fills_jsonl_and_sqlite_and_search_finds() {
    let dir = Dir::with_default_config_and_seeds();
    let (status, _, stderr) = dir.run(&["run", "--once"]);
    assert!(status.success(), "{stderr}");
    assert_eq!(dir.records().len(), 5);
    assert!(dir.path("out/articles.db").exists());

    let (status, stdout, stderr) = dir.run(&["search", "", "--json", "--limit", "100"]);
    assert!(status.success(), "{stderr}");
    assert_eq!(lines(&stdout).len(), 5);

    // A re-run from scratch (state wiped) upserts: no new rows, no new lines.
    std::fs::remove_dir_all(dir.path("state")).unwrap();
    let (status, _, stderr) = dir.run(&["run", "--once"]);
    assert!(status.success(), "{stderr}");
    assert_eq!(dir.records().len(), 5);
    let (_, stdout, _) = dir.run(&["search", "", "--json", "--limit", "100"]);
    assert_eq!(lines(&stdout).len(), 5);

    let (status, stdout, _) = dir.run(&["search", "productive conversation", "--json"]);
    assert!(status.success());
    assert_eq!(
        lines(&stdout).len(),
        2,
        "both words, any order: seeds 000 and 001"
    );
    let (status, stdout, _) =
        dir.run(&["search", "\"productive conversation\"", "--fts", "--json"]);
    assert!(status.success());
    let hits = lines(&stdout);
    assert_eq!(hits.len(), 1, "the phrase is only in seed 001: {hits:?}");
    assert!(
        hits[0]["path"].as_str().unwrap().contains("001_"),
        "{hits:?}"
    );
    assert!(hits[0]["snippet"].as_str().unwrap().contains('['));

    let (_, stdout, _) = dir.run(&[
        "search",
        "",
        "--entity",
        "john kerry",
        "--type",
        "PER",
        "--json",
        "--limit",
        "100",
    ]);
    let kerry = lines(&stdout);
    assert!(kerry.len() >= 2, "{kerry:?}");
    assert!(
        kerry
            .iter()
            .all(|h| !h["path"].as_str().unwrap().contains("001_"))
    );

    let (_, stdout, _) = dir.run(&["search", "Syria", "--since", "2100-01-01", "--json"]);
    assert!(stdout.trim().is_empty(), "nothing after 2100");

    let (status, stdout, _) = dir.run(&["entities", "--type", "PER", "--top", "3", "--json"]);
    assert!(status.success());
    let top = lines(&stdout);
    assert_eq!(top.len(), 3);
    assert!(top.iter().all(|e| e["type"] == "PER"));
    assert!(top[0]["mentions"].as_u64().unwrap() >= top[2]["mentions"].as_u64().unwrap());

    let (status, _, stderr) = dir.run(&["search", "x", "--db", "nope.db"]);
    assert_eq!(status.code(), Some(2));
    assert!(stderr.contains("no database at nope.db"), "{stderr}");
}
