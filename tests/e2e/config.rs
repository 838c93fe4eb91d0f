//! Config errors: clear messages naming component and key, exit code 1.

use crate::util::{Dir, repo_file};

fn validate(config: &str) -> (i32, String) {
    let dir = Dir::new("");
    dir.write("bad.toml", config);
    let (status, stdout, stderr) = dir.run(&["validate", "--config", "bad.toml"]);
    (status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

const BASE: &str = "[sources.in]\ntype = \"directory\"\npath = \"inbox\"\n[sinks.out]\ntype = \"jsonl\"\ninputs = [\"in\"]\npath = \"o.jsonl\"\n";

#[test]
fn unknown_key_names_component_and_key() {
    let (code, output) =
        validate(&BASE.replace("path = \"inbox\"", "path = \"inbox\"\nsettle_msec = 3"));
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("sources.in") && output.contains("settle_msec"),
        "{output}"
    );
}

#[test]
fn unknown_type_lists_known_types() {
    let (code, output) = validate(&BASE.replace("type = \"jsonl\"", "type = \"jsonll\""));
    assert_eq!(code, 1);
    assert!(
        output.contains(
            "sinks.out: key `type`: unknown type `jsonll` (known: jsonl, nats, postgres, sqlite, stdout)"
        ),
        "{output}"
    );
}

#[test]
fn missing_input_and_cycle_are_reported_together() {
    let config = format!(
        "{BASE}[transforms.a]\ntype = \"normalize\"\ninputs = [\"b\"]\n[transforms.b]\ntype = \"normalize\"\ninputs = [\"a\"]\n[sinks.two]\ntype = \"stdout\"\ninputs = [\"nope\", \"a\"]\n"
    );
    let (code, output) = validate(&config);
    assert_eq!(code, 1);
    assert!(
        output.contains("sinks.two: key `inputs`: unknown input `nope`"),
        "{output}"
    );
    assert!(output.contains("cycle: "), "{output}");
}

#[test]
fn unset_environment_variable_is_named() {
    let (code, output) = validate(&BASE.replace("\"inbox\"", "\"${WIREHOSE_TEST_SURELY_UNSET}\""));
    assert_eq!(code, 1);
    assert!(output.contains("WIREHOSE_TEST_SURELY_UNSET"), "{output}");
}

#[test]
fn run_with_a_bad_config_exits_1_without_starting() {
    let dir = Dir::new("");
    dir.write(
        "bad.toml",
        BASE.replace("[sinks.out]", "[sinks.out]\nfsync = true"),
    );
    let (status, _, stderr) = dir.run(&["run", "--config", "bad.toml"]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("sinks.out") && stderr.contains("fsync"),
        "{stderr}"
    );
    assert!(!dir.path("state").exists(), "nothing started");
}

/// Every file and directory under `root`, relative, sorted.
fn tree(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            found.push(path.strip_prefix(root).unwrap().display().to_string());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_shipped_config_validates_and_validate_writes_nothing() {
    for entry in std::fs::read_dir(repo_file("config")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let dir = Dir::new("");
            let config = dir.path("shipped.toml");
            std::fs::copy(&path, &config).unwrap();
            let before = tree(&dir.path(""));
            let (status, stdout, stderr) =
                dir.run(&["validate", "--config", config.to_str().unwrap()]);
            assert!(status.success(), "{}: {stdout}{stderr}", path.display());
            assert_eq!(
                tree(&dir.path("")),
                before,
                "validate of {} wrote files",
                path.display()
            );
        }
    }
}

#[test]
fn an_old_stories_table_in_extract_names_the_new_place() {
    let base = BASE.replace("inputs = [\"in\"]\npath", "inputs = [\"extract\"]\npath");
    let config = format!(
        "{base}[transforms.extract]\ntype = \"extract\"\ninputs = [\"in\"]\n[transforms.extract.stories]\nsimilarity = 0.2\n"
    );
    let (code, output) = validate(&config);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("transforms.extract: key `stories`")
            && output.contains("type = \"stories\""),
        "{output}"
    );
}

#[test]
fn a_second_daemon_on_a_locked_state_dir_opens_no_store() {
    let dir = Dir::new("");
    let first = dir.spawn(&[]);
    assert!(
        first.wait_for_log("watching directory", std::time::Duration::from_secs(30)),
        "{}",
        first.log()
    );
    assert!(dir.path("state/stories-stories.db").exists());
    // Same state dir, other stores: none of them may be created.
    let second = std::fs::read_to_string(dir.path("wirehose.toml"))
        .unwrap()
        .replace("[transforms.stories]", "[transforms.stories2]")
        .replace("inputs = [\"stories\"]", "inputs = [\"stories2\"]")
        .replace("out/articles.jsonl", "out2/articles.jsonl")
        + "[sinks.db]\ntype = \"sqlite\"\ninputs = [\"stories2\"]\npath = \"out2/articles.db\"\n";
    dir.write("second.toml", second);
    let (status, _, stderr) = dir.run(&["run", "--config", "second.toml"]);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("locked by another wirehose process"),
        "{stderr}"
    );
    assert!(!dir.path("state/stories-stories2.db").exists());
    assert!(!dir.path("out2").exists());
    let (status, log) = first.stop();
    assert!(status.success(), "{log}");
}

#[test]
fn every_component_type_refuses_an_unknown_key() {
    let cases = [
        ("sources.in", "directory", "path = \"inbox\""),
        ("sources.in", "nats", "stream = \"s\"\nconsumer = \"c\""),
        ("transforms.t", "normalize", ""),
        ("transforms.t", "extract", ""),
        ("transforms.t", "stories", ""),
        ("sinks.out", "jsonl", "path = \"o.jsonl\""),
        ("sinks.out", "sqlite", "path = \"o.db\""),
        (
            "sinks.out",
            "postgres",
            "url = \"postgres://postgres@127.0.0.1/test\"",
        ),
        ("sinks.out", "nats", ""),
        ("sinks.out", "stdout", ""),
    ];
    for (component, type_name, required) in cases {
        let (kind, id) = component.split_once('.').unwrap();
        let mut config = String::from(BASE);
        let table = format!("[{component}]\ntype = \"{type_name}\"\n{required}\nbogus_key = 1\n");
        match kind {
            "sources" => {
                config = config.replacen(
                    "[sources.in]\ntype = \"directory\"\npath = \"inbox\"\n",
                    &table,
                    1,
                )
            }
            "transforms" => {
                config = config.replace(
                    "inputs = [\"in\"]\npath = \"o.jsonl\"",
                    "inputs = [\"t\"]\npath = \"o.jsonl\"",
                );
                config.push_str(&table.replace("type =", "inputs = [\"in\"]\ntype ="));
            }
            _ => {
                config = config.replacen(
                    "[sinks.out]\ntype = \"jsonl\"\ninputs = [\"in\"]\npath = \"o.jsonl\"\n",
                    &table.replace("type =", "inputs = [\"in\"]\ntype ="),
                    1,
                )
            }
        }
        let (code, output) = validate(&config);
        assert_eq!(
            code, 1,
            "{component} ({type_name}) accepted an unknown key:\n{config}\n{output}"
        );
        assert!(
            output.contains(&format!("{kind}.{id}: key `bogus_key`")),
            "{component} ({type_name}) must name component and key:\n{output}"
        );
    }
}
