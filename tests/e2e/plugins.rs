//! Pluggable stages (issue 14): `exec` programs, jq `filter`, `route` and
//! `remap`, and extract's steps as stages of their own.

use std::time::Duration;

use crate::scale::{psql, unique};
use crate::util::{Dir, repo_file, wait_timeout};

const GERMAN: &str = "Die Bundesregierung hat am Dienstag in Berlin einen neuen Haushalt \
vorgelegt. Der Finanzminister sagte, die Ausgaben für Bildung und Forschung sollen im kommenden \
Jahr deutlich steigen, während die Zuschüsse für die Landwirtschaft gekürzt werden. Die \
Opposition kritisierte den Entwurf als unsozial und kündigte Widerstand im Bundestag an. Nach \
Angaben des Ministeriums wird die Neuverschuldung trotz der höheren Ausgaben sinken, weil die \
Steuereinnahmen stärker wachsen als erwartet.";

/// The seeds (English wire copy) and one German article in `inbox/`.
fn inbox_with_seeds(dir: &Dir) {
    for entry in std::fs::read_dir(repo_file("seeds")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        dir.write(
            &format!("inbox/{name}"),
            std::fs::read(entry.path()).unwrap(),
        );
    }
    dir.write(
        "inbox/haushalt.txt",
        format!("Haushalt vorgelegt\n\n{GERMAN}\n"),
    );
}

/// Runs `wirehose run --once` on `config` (a file in `dir`) to the end.
fn backfill(dir: &Dir, config: &str) -> String {
    dir.write("run.toml", config);
    let mut daemon = dir.spawn_config("run.toml", &["--once"]);
    let status = wait_timeout(&mut daemon.child, Duration::from_secs(120)).expect("backfill ends");
    let log = daemon.log();
    assert!(status.success(), "backfill failed: {log}");
    log
}

fn jsonl(dir: &Dir, path: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.path(path))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn quarantine_reason(dir: &Dir, name: &str) -> String {
    let text = std::fs::read_to_string(dir.path(&format!("state/quarantine/{name}.error.json")))
        .unwrap_or_else(|e| panic!("{name} quarantined: {e}"));
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    report["reason"].as_str().unwrap_or_default().to_string()
}

const HEAD: &str = r#"
[state]
dir = "state"
commit_interval_ms = 50

[sources.inbox]
type = "directory"
path = "inbox"

[transforms.normalize]
type = "normalize"
inputs = ["inbox"]

[transforms.extract]
type = "extract"
inputs = ["normalize"]
"#;

#[test]
fn a_python_exec_stage_adds_fields_that_every_sink_stores() {
    let dir = Dir::new("");
    inbox_with_seeds(&dir);
    let schema = unique("plugins");
    let example = repo_file("examples/wirehose-plugin/words.py");
    let config = format!(
        r#"{HEAD}
[transforms.words]
type = "exec"
inputs = ["extract"]
command = ["python3", "{example}"]
workers = 2

[sinks.out]
type = "jsonl"
inputs = ["words"]
path = "out/articles.jsonl"

[sinks.db]
type = "sqlite"
inputs = ["words"]
path = "out/articles.db"

[sinks.pg]
type = "postgres"
inputs = ["words"]
url = "postgres://postgres@127.0.0.1:5432/test"
schema = "{schema}"
"#,
        example = example.display()
    );
    let log = backfill(&dir, &config);
    let records = dir.records();
    assert_eq!(records.len(), 6, "{log}");
    for record in &records {
        let words: u64 = record["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().split_whitespace().count() as u64)
            .sum();
        assert_eq!(record["fields"]["words"], words, "{record}");
        assert!(!record["entities"].as_array().unwrap().is_empty() || record["language"] == "de");
    }
    assert!(log.contains("exec program started"), "{log}");

    let db = rusqlite::Connection::open(dir.path("out/articles.db")).unwrap();
    let stored: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM articles WHERE json_extract(fields, '$.words') > 0",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(stored, 6);
    let in_postgres = psql(&format!(
        "SELECT COUNT(*) FROM {schema}.articles WHERE (fields->>'words')::int > 0"
    ));
    psql(&format!("DROP SCHEMA {schema} CASCADE"));
    assert_eq!(in_postgres, "6");
}

#[test]
fn a_crash_and_a_hang_quarantine_their_articles_and_the_rest_flow() {
    let dir = Dir::new("");
    inbox_with_seeds(&dir);
    dir.write(
        "inbox/crash.txt",
        "Crash\n\nThis article says CRASHME and the plugin dies on it.\n",
    );
    dir.write(
        "inbox/hang.txt",
        "Hang\n\nThis article says HANGME and the plugin hangs on it.\n",
    );
    dir.write(
        "plugin.py",
        r#"import json, os, sys, time
for line in sys.stdin:
    record = json.loads(line)
    text = " ".join(record["paragraphs"])
    if "CRASHME" in text:
        print("about to crash", file=sys.stderr, flush=True)
        os._exit(3)
    if "HANGME" in text:
        time.sleep(3600)
    record["fields"]["seen"] = True
    print(json.dumps(record), flush=True)
"#,
    );
    let config = format!(
        r#"{HEAD}
[transforms.plugin]
type = "exec"
inputs = ["extract"]
command = ["python3", "plugin.py"]
workers = 1
timeout_ms = 1500

[sinks.out]
type = "jsonl"
inputs = ["plugin"]
path = "out/articles.jsonl"
"#
    );
    let log = backfill(&dir, &config);
    let records = dir.records();
    assert_eq!(records.len(), 6, "the other articles flow: {log}");
    assert!(records.iter().all(|r| r["fields"]["seen"] == true));
    let crash = quarantine_reason(&dir, "crash.txt");
    assert!(crash.contains("exited") && crash.contains("3"), "{crash}");
    let hang = quarantine_reason(&dir, "hang.txt");
    assert!(hang.contains("did not answer within 1500 ms"), "{hang}");
    // Started once, then again for the next article after a failure (the
    // restart is lazy: after the last article nothing needs a program).
    assert!(log.matches("exec program started").count() >= 2, "{log}");
    assert!(log.contains("exec program restarting"), "{log}");
    assert!(log.contains("about to crash"), "stderr is logged: {log}");
}

#[test]
fn route_filter_and_remap_with_jq() {
    let dir = Dir::new("");
    inbox_with_seeds(&dir);
    dir.write("inbox/short.txt", "Brief\n\nA short note of a few words.\n");
    let config = format!(
        r#"{HEAD}
[transforms.long]
type = "filter"
inputs = ["extract"]
condition = '(.paragraphs | join(" ") | split(" ") | length) >= 40'

[transforms.desk]
type = "remap"
inputs = ["long"]
program = '.fields.desk = (if .language == "de" then "berlin" else "london" end)'

[transforms.lang]
type = "route"
inputs = ["desk"]
route.english = '.language == "en"'

[sinks.english]
type = "jsonl"
inputs = ["lang.english"]
path = "out/english.jsonl"

[sinks.other]
type = "jsonl"
inputs = ["lang._unmatched"]
path = "out/other.jsonl"
"#
    );
    let log = backfill(&dir, &config);
    let english = jsonl(&dir, "out/english.jsonl");
    let other = jsonl(&dir, "out/other.jsonl");
    assert_eq!(english.len(), 5, "{log}");
    assert!(
        english
            .iter()
            .all(|r| r["language"] == "en" && r["fields"]["desk"] == "london")
    );
    assert_eq!(other.len(), 1, "{other:?}");
    assert_eq!(other[0]["language"], "de");
    assert_eq!(other[0]["fields"]["desk"], "berlin");
    assert!(dir.quarantined().is_empty(), "{:?}", dir.quarantined());
    // The short article was dropped and its input is done: a second run
    // takes nothing again.
    assert!(log.contains("\"completed\":7"), "{log}");
    let again = backfill(&dir, &config);
    assert!(again.contains("\"completed\":0"), "{again}");
    assert_eq!(jsonl(&dir, "out/english.jsonl").len(), 5);
}

#[test]
fn bad_jq_and_bad_outputs_are_config_errors_naming_component_and_key() {
    let dir = Dir::new("");
    dir.write(
        "bad.toml",
        format!(
            r#"{HEAD}
[transforms.picky]
type = "filter"
inputs = ["extract"]
condition = '.language == "en" and'

[transforms.lang]
type = "route"
inputs = ["extract"]
route.en = '.language | nosuch'

[sinks.out]
type = "jsonl"
inputs = ["picky", "lang.en"]
path = "out/articles.jsonl"
"#
        ),
    );
    let (status, _, stderr) = dir.run(&["validate", "--config", "bad.toml"]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("transforms.picky: key `condition`: jq syntax error"),
        "{stderr}"
    );
    assert!(
        stderr.contains("transforms.lang: key `route.en`: jq error: undefined filter `nosuch/0`"),
        "{stderr}"
    );
    // A daemon refuses to start on it, with the same words.
    let (status, _, stderr) = dir.run(&["run", "--once", "--config", "bad.toml"]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("key `condition`"), "{stderr}");
    dir.write(
        "outputs.toml",
        format!(
            r#"{HEAD}
[transforms.lang]
type = "route"
inputs = ["extract"]
route.en = '.language == "en"'

[sinks.out]
type = "jsonl"
inputs = ["lang.de", "lang"]
path = "out/articles.jsonl"
"#
        ),
    );
    let (status, _, stderr) = dir.run(&["validate", "--config", "outputs.toml"]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "sinks.out: key `inputs`: `lang` has no output `de` (outputs: en, _unmatched)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("sinks.out: key `inputs`: `lang` has named outputs"),
        "{stderr}"
    );
}

#[test]
fn the_split_extract_stages_write_the_same_records_as_extract() {
    let dir = Dir::new("");
    inbox_with_seeds(&dir);
    let bundle = r#"
[state]
dir = "state-bundle"
[sources.inbox]
type = "directory"
path = "inbox"
[transforms.normalize]
type = "normalize"
inputs = ["inbox"]
[transforms.extract]
type = "extract"
inputs = ["normalize"]
[sinks.out]
type = "jsonl"
inputs = ["extract"]
path = "out/bundle.jsonl"
"#;
    let mut split = String::from(
        r#"
[state]
dir = "state-split"
[sources.inbox]
type = "directory"
path = "inbox"
[transforms.normalize]
type = "normalize"
inputs = ["inbox"]
"#,
    );
    let mut previous = "normalize";
    for step in [
        "dateline", "agencies", "language", "entities", "quotes", "dates", "amounts",
    ] {
        split.push_str(&format!(
            "[transforms.{step}]\ntype = \"{step}\"\ninputs = [\"{previous}\"]\n"
        ));
        previous = step;
    }
    split.push_str(&format!(
        "[sinks.out]\ntype = \"jsonl\"\ninputs = [\"{previous}\"]\npath = \"out/split.jsonl\"\n"
    ));
    backfill(&dir, bundle);
    backfill(&dir, &split);
    let by_id = |path: &str| {
        let mut records: Vec<serde_json::Value> = jsonl(&dir, path)
            .into_iter()
            .map(|mut r| {
                r["source"]["received_at"] = serde_json::Value::Null;
                r
            })
            .collect();
        records.sort_by_key(|r| r["id"].as_str().unwrap().to_string());
        records
    };
    let bundle = by_id("out/bundle.jsonl");
    assert_eq!(bundle.len(), 6);
    assert_eq!(bundle, by_id("out/split.jsonl"));
}

#[test]
fn list_names_every_type_and_validate_shows_route_outputs() {
    let dir = Dir::new("");
    let (status, stdout, _) = dir.run(&["list"]);
    assert!(status.success());
    for name in [
        "directory",
        "exec",
        "filter",
        "route",
        "remap",
        "extract",
        "dateline",
        "entities",
        "quotes",
        "amounts",
        "stories",
        "jsonl",
        "postgres",
    ] {
        assert!(stdout.contains(&format!("  {name} ")), "{name} in {stdout}");
    }
    dir.write(
        "routes.toml",
        format!(
            r#"{HEAD}
[transforms.lang]
type = "route"
inputs = ["extract"]
route.english = '.language == "en"'

[sinks.out]
type = "jsonl"
inputs = ["lang.english"]
path = "out/articles.jsonl"
"#
        ),
    );
    let (status, stdout, stderr) = dir.run(&["validate", "--config", "routes.toml"]);
    assert!(status.success(), "{stderr}");
    assert!(
        stdout.contains("output lang.english -> sinks.out"),
        "{stdout}"
    );
    assert!(
        stdout.contains("output lang._unmatched -> (nothing: its records are dropped)"),
        "{stdout}"
    );
}
