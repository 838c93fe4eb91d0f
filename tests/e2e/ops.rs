//! Operating the daemon (issue 15): metrics, health, readiness, tap, hot
//! reload and config tests, through the real binary and its HTTP API.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{Daemon, Dir, repo_file, wait_timeout};

/// A free loopback port for a daemon's API.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET`/`POST` on the API; returns (status, body), or None when nothing answers.
fn http(method: &str, port: u16, path: &str) -> Option<(u16, String)> {
    let response = ureq::http::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1:{port}{path}"));
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    let mut response = agent.run(response.body(()).unwrap()).ok()?;
    let status = response.status().as_u16();
    Some((
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
    ))
}

/// Waits until `GET path` answers `status`.
fn wait_status(port: u16, path: &str, status: u16, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some((got, body)) = http("GET", port, path)
            && got == status
        {
            return Some(body);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// The value of one metric line (`name{labels} value`).
fn metric(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

fn config(port: u16, extra: &str) -> String {
    format!(
        r#"[state]
dir = "state"
commit_interval_ms = 50

[api]
enabled = true
address = "127.0.0.1:{port}"

[sources.inbox]
type = "directory"
path = "inbox"
settle_ms = 100

[transforms.normalize]
type = "normalize"
inputs = ["inbox"]

[transforms.extract]
type = "extract"
inputs = ["normalize"]

[sinks.out]
type = "jsonl"
inputs = ["extract"]
path = "out/articles.jsonl"
{extra}"#
    )
}

/// A distinct article.
fn article(n: usize) -> String {
    format!(
        "Council vote number {n}\n\nLONDON (Reuters) - The city council voted {n} times on Tuesday on a plan to \
         rebuild the old market hall, officials said, and the mayor promised a decision by spring.\n"
    )
}

fn start(dir: &Dir, config_text: &str, port: u16) -> Daemon {
    dir.write("ops.toml", config_text);
    let daemon = dir.spawn_config("ops.toml", &[]);
    assert!(
        wait_status(port, "/health", 200, Duration::from_secs(30)).is_some(),
        "the API answers: {}",
        daemon.log()
    );
    daemon
}

#[test]
fn metrics_count_what_was_fed_and_health_turns_503_while_draining() {
    let dir = Dir::new("");
    let port = free_port();
    // A plugin that takes its time, so the drain lasts long enough to see.
    dir.write(
        "slow.py",
        "import sys, time\nfor line in sys.stdin:\n    time.sleep(1.5)\n    sys.stdout.write(line)\n    sys.stdout.flush()\n",
    );
    let slow = r#"
[transforms.slow]
type = "exec"
inputs = ["extract"]
command = ["python3", "slow.py"]
workers = 1

[sinks.slow_out]
type = "jsonl"
inputs = ["slow"]
path = "out/slow.jsonl"
"#;
    let daemon = start(&dir, &config(port, slow), port);
    wait_status(port, "/ready", 200, Duration::from_secs(30))
        .expect("ready once watching and connected");
    for n in 0..5 {
        dir.write(&format!("inbox/a{n}.txt"), article(n));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut text = String::new();
    while Instant::now() < deadline {
        text = http("GET", port, "/metrics").unwrap().1;
        if metric(&text, "wirehose_inputs_done_total") == Some(5.0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        metric(&text, "wirehose_inputs_done_total"),
        Some(5.0),
        "{text}"
    );
    for (kind, id, kind_type) in [
        ("source", "inbox", "directory"),
        ("transform", "normalize", "normalize"),
        ("transform", "extract", "extract"),
        ("sink", "out", "jsonl"),
    ] {
        let labels = format!(
            r#"{{component_id="{id}",component_kind="{kind}",component_type="{kind_type}"}}"#
        );
        assert_eq!(
            metric(
                &text,
                &format!("wirehose_component_received_events_total{labels}")
            ),
            Some(5.0),
            "{id}: {text}"
        );
        assert_eq!(
            metric(
                &text,
                &format!("wirehose_component_sent_events_total{labels}")
            ),
            Some(5.0),
            "{id}: {text}"
        );
        assert_eq!(
            metric(&text, &format!("wirehose_component_errors_total{labels}")),
            Some(0.0),
            "{id}: {text}"
        );
    }
    assert!(metric(&text, "wirehose_process_resident_memory_bytes").unwrap() > 1e6);
    assert!(
        text.contains("wirehose_component_processing_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains("wirehose_ledger_commit_seconds_count"),
        "{text}"
    );

    // One more article into the slow plugin, then SIGTERM while it works.
    dir.write("inbox/late.txt", article(99));
    let started = Instant::now();
    while http("GET", port, "/metrics").and_then(|(_, t)| {
        metric(
            &t,
            r#"wirehose_component_received_events_total{component_id="slow""#,
        )
    }) != Some(6.0)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the slow stage takes the late article"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    daemon.signal(libc::SIGTERM);
    let draining =
        wait_status(port, "/health", 503, Duration::from_secs(10)).expect("503 while draining");
    assert!(draining.contains("draining"), "{draining}");
    let mut daemon = daemon;
    let status = wait_timeout(&mut daemon.child, Duration::from_secs(40)).expect("the drain ends");
    assert!(status.success(), "{}", daemon.log());
    assert_eq!(dir.line_count(), 6, "the drain wrote the late article");
    let slow = std::fs::read_to_string(dir.path("out/slow.jsonl")).unwrap();
    assert_eq!(
        slow.lines().count(),
        6,
        "the slow stage finished the late article"
    );
}

#[test]
fn ready_waits_for_a_sink_to_connect() {
    let dir = Dir::new("");
    let port = free_port();
    // PostgreSQL through a proxy that is not listening yet.
    let proxy_port = free_port();
    let schema = crate::scale::unique("ops_ready");
    let extra = format!(
        r#"
[sinks.pg]
type = "postgres"
inputs = ["extract"]
url = "postgres://postgres@127.0.0.1:{proxy_port}/test"
schema = "{schema}"
max_backoff_secs = 1
"#
    );
    let daemon = start(&dir, &config(port, &extra), port);
    // Not ready while the pipeline starts, then waiting for PostgreSQL only.
    let deadline = Instant::now() + Duration::from_secs(20);
    let waiting = loop {
        let (status, body) = http("GET", port, "/ready").unwrap();
        assert_eq!(status, 503, "{body}");
        if body.contains("sinks.pg") || Instant::now() > deadline {
            break body;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        waiting.contains("sinks.pg") && !waiting.contains("sinks.out"),
        "{waiting}"
    );
    std::thread::sleep(Duration::from_secs(1));
    let (status, body) = http("GET", port, "/ready").unwrap();
    assert_eq!(status, 503, "still waiting for postgres: {body}");
    // Now PostgreSQL becomes reachable.
    let listener = TcpListener::bind(("127.0.0.1", proxy_port)).unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect("127.0.0.1:5432") else {
                continue;
            };
            let (mut client_read, mut server_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || std::io::copy(&mut client_read, &mut server_write));
            let (mut server_read, mut client_write) = (server, client);
            std::thread::spawn(move || std::io::copy(&mut server_read, &mut client_write));
        }
    });
    let ready = wait_status(port, "/ready", 200, Duration::from_secs(30));
    let log = daemon.kill();
    crate::scale::psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    assert!(ready.is_some(), "ready once postgres connects: {log}");
}

#[test]
fn tap_prints_the_records_of_a_named_component() {
    let dir = Dir::new("");
    let port = free_port();
    let daemon = start(&dir, &config(port, ""), port);
    wait_status(port, "/ready", 200, Duration::from_secs(30)).expect("ready");
    let mut tap = dir
        .command(&[
            "tap",
            "extract",
            "--api",
            &format!("127.0.0.1:{port}"),
            "--limit",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tap subscribes when its request arrives: feed until it has two.
    let mut n = 0;
    let status = loop {
        if let Some(status) = tap.try_wait().unwrap() {
            break status;
        }
        assert!(n < 200, "the tap prints two records");
        dir.write(&format!("inbox/t{n}.txt"), article(n));
        n += 1;
        std::thread::sleep(Duration::from_millis(100));
    };
    let (mut out, mut err) = (String::new(), String::new());
    tap.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    tap.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{out}{err}");
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{out}");
    assert!(
        records
            .iter()
            .all(|r| r["agencies"] == serde_json::json!(["Reuters"])),
        "{out}"
    );
    // An unknown component is a clear error naming the ones there are.
    let (status, _, stderr) = dir.run(&["tap", "nope", "--api", &format!("127.0.0.1:{port}")]);
    assert!(!status.success());
    assert!(
        stderr.contains("no transform `nope`") && stderr.contains("extract"),
        "{stderr}"
    );
    drop(daemon);
}

#[test]
fn sighup_adds_a_sink_and_a_broken_config_keeps_the_old_pipeline() {
    let dir = Dir::new("");
    let port = free_port();
    let daemon = start(&dir, &config(port, ""), port);
    for n in 0..3 {
        dir.write(&format!("inbox/before{n}.txt"), article(n));
    }
    assert_eq!(dir.wait_for_lines(3, Duration::from_secs(30)), 3);
    let second =
        "\n[sinks.second]\ntype = \"jsonl\"\ninputs = [\"extract\"]\npath = \"out/second.jsonl\"\n";
    dir.write("ops.toml", config(port, second));
    daemon.signal(libc::SIGHUP);
    assert!(
        daemon.wait_for_log("config reloaded while running", Duration::from_secs(30)),
        "{}",
        daemon.log()
    );
    // Only the new sink started: the source, the transforms and the first
    // sink kept running.
    let log = daemon.log();
    assert!(
        log.contains("added: sinks.second; kept: sinks.out, sources.inbox, transforms.extract, transforms.normalize"),
        "{log}"
    );
    assert_eq!(log.matches("pipeline started").count(), 1, "{log}");
    assert!(!log.contains("source stopping"), "{log}");
    for n in 10..14 {
        dir.write(&format!("inbox/after{n}.txt"), article(n));
    }
    assert_eq!(
        dir.wait_for_lines(7, Duration::from_secs(30)),
        7,
        "the first sink misses none"
    );
    let second_lines = || {
        std::fs::read_to_string(dir.path("out/second.jsonl"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while second_lines() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(second_lines(), 4, "the new sink gets every later record");

    // A broken config: refused, the running pipeline goes on.
    dir.write(
        "ops.toml",
        format!(
            "{}\n[sinks.broken]\ntype = \"nosuch\"\ninputs = [\"extract\"]\n",
            config(port, second)
        ),
    );
    let (status, body) = http("POST", port, "/reload").unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("unknown type `nosuch`"), "{body}");
    dir.write("inbox/after-broken.txt", article(50));
    assert_eq!(dir.wait_for_lines(8, Duration::from_secs(30)), 8);
    assert!(
        daemon
            .log()
            .contains("config reload refused; the running pipeline keeps its config")
    );

    // A changed sink is replaced: the old file keeps what it had, the new
    // one gets what comes next.
    let moved = second.replace("second.jsonl", "moved.jsonl");
    dir.write("ops.toml", config(port, &moved));
    let (status, body) = http("POST", port, "/reload").unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("replaced: sinks.second"), "{body}");
    dir.write("inbox/after-move.txt", article(60));
    assert_eq!(dir.wait_for_lines(9, Duration::from_secs(30)), 9);
    let moved_lines = || {
        std::fs::read_to_string(dir.path("out/moved.jsonl"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while moved_lines() < 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!((second_lines(), moved_lines()), (5, 1));

    // A [runtime] change drains the whole pipeline and starts it again.
    let restart =
        config(port, &moved).replace("[api]", "[runtime]\nchannel_capacity = 16\n\n[api]");
    dir.write("ops.toml", restart);
    let (status, body) = http("POST", port, "/reload").unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("channel_capacity changed"), "{body}");
    assert!(
        daemon.wait_for_log(
            "config reloaded; pipeline starting",
            Duration::from_secs(30)
        ),
        "{}",
        daemon.log()
    );
    wait_status(port, "/ready", 200, Duration::from_secs(30)).expect("ready again");
    dir.write("inbox/after-restart.txt", article(70));
    assert_eq!(dir.wait_for_lines(10, Duration::from_secs(30)), 10);
    let (status, log) = daemon.stop();
    assert!(status.success(), "{log}");
}

#[test]
fn wirehose_test_passes_and_fails() {
    let dir = Dir::new("");
    let base = std::fs::read_to_string(repo_file("config/wirehose.toml")).unwrap();
    let tests = r#"
[[tests]]
name = "a Reuters story gets its dateline and agency"
component = "extract"
input = """Starmer pledges fair deal

LONDON, March 3 (Reuters) - Prime Minister Keir Starmer said on Monday that 370,000 families would get "a fair deal" by next year, in a speech to party members in Manchester.
"""
expect = { "dateline.place" = "London", language = "en", title = "Starmer pledges fair deal" }
contains = { agencies = "Reuters", entities = { name = "Keir Starmer", type = "PER" } }
absent = ["duplicate_of"]
"#;
    dir.write("good.toml", format!("{base}{tests}"));
    let (status, stdout, stderr) = dir.run(&["test", "--config", "good.toml"]);
    assert!(status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("test a Reuters story gets its dateline and agency ... ok"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
    assert!(!dir.path("state").exists(), "config tests touch no state");

    let failing = tests.replace(
        "\"dateline.place\" = \"London\"",
        "\"dateline.place\" = \"Paris\"",
    );
    dir.write("bad.toml", format!("{base}{failing}"));
    let (status, stdout, _) = dir.run(&["test", "--config", "bad.toml"]);
    assert_eq!(status.code(), Some(4), "{stdout}");
    assert!(
        stdout.contains("... FAILED")
            && stdout.contains("dateline.place: expected \"Paris\", found \"London\""),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");

    dir.write(
        "typo.toml",
        format!("{base}\n[[tests]]\nname = \"x\"\ncomponent = \"extrct\"\ninput = \"x\"\n"),
    );
    let (status, _, stderr) = dir.run(&["test", "--config", "typo.toml"]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("tests.0: key `component`: `extrct` is not a transform"),
        "{stderr}"
    );
}

#[test]
fn the_systemd_unit_is_well_formed() {
    let unit = std::fs::read_to_string(repo_file("config/wirehose.service")).unwrap();
    for line in [
        "ExecStart=/usr/local/bin/wirehose --log-format json run --config /etc/wirehose/wirehose.toml",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "StateDirectory=wirehose",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line}");
    }
    // systemd-analyze, where the machine has it, checks every directive.
    if let Ok(output) = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(repo_file("config/wirehose.service"))
        .output()
    {
        let text = String::from_utf8_lossy(&output.stderr);
        let problems: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains("is not executable") && !l.trim().is_empty())
            .collect();
        assert!(problems.is_empty(), "{text}");
    }
}
