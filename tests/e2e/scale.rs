//! Scale-out over real NATS JetStream and PostgreSQL servers on this machine:
//! an edge and three workers as separate processes.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::synth::article;
use crate::util::{Daemon, Dir, article_id, repo_file};

const PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Runs `sql` with psql; panics with a clear message when the server is missing.
pub fn psql(sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-t",
            "-A",
            "-h",
            "127.0.0.1",
            "-p",
            "5432",
            "-U",
            "postgres",
            "-d",
            "test",
            "-c",
            sql,
        ])
        .output()
        .expect("psql is not installed: install postgresql-client (see README, Development)");
    assert!(
        output.status.success(),
        "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) failed or is not running; start it as the README's Development section says: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Sends raw NATS protocol lines; panics with a clear message when the server is missing.
pub fn nats(lines: &str) {
    let mut stream = TcpStream::connect("127.0.0.1:4222")
        .expect("NATS is not running at 127.0.0.1:4222; start it with JetStream as the README's Development section says");
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut info = [0u8; 4096];
    let _ = stream.read(&mut info).unwrap();
    stream
        .write_all(format!("CONNECT {{\"verbose\":false}}\r\n{lines}PING\r\n").as_bytes())
        .unwrap();
    let mut reply = [0u8; 4096];
    let _ = stream.read(&mut reply);
}

/// A name no other test run uses.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

struct Cleanup {
    schema: String,
    stream: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "test",
                "-c",
            ])
            .arg(format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema))
            .output();
        nats(&format!(
            "PUB $JS.API.STREAM.DELETE.{} 0\r\n\r\n",
            self.stream
        ));
    }
}

fn spawn(dir: &Dir, config: &str, state: &str, env: &[(&str, &str)]) -> Daemon {
    let log_path = dir.path(&format!("{state}.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut command = dir.command(&["--log-format", "json", "run", "--config", config]);
    command.env("WIREHOSE_STATE", dir.path(&format!("state/{state}")));
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("spawn wirehose");
    Daemon { child, log_path }
}

#[test]
fn edge_and_three_workers_survive_a_killed_worker() {
    scenario(3000, true, "5", Duration::from_secs(180));
}

/// Three workers share one consumer whose max_ack_pending they can fill
/// together: none may stop acknowledging while it waits for messages. With
/// redelivery 300 s away, a stall could not be rescued within the deadline.
#[test]
fn three_workers_never_stall_on_the_shared_ack_limit() {
    scenario(1500, false, "300", Duration::from_secs(60));
}

fn scenario(total: usize, kill: bool, ack_wait: &str, finish_within: Duration) {
    psql("SELECT 1");
    nats("");
    let schema = unique("wh_scale");
    let stream = unique("WH_SCALE");
    let _cleanup = Cleanup {
        schema: schema.clone(),
        stream: stream.clone(),
    };
    let dir = Dir::new("");
    let edge_config = repo_file("config/edge.toml");
    let worker_config = repo_file("config/worker.toml");
    let inbox = dir.path("inbox");
    let env = [
        ("WIREHOSE_INBOX", inbox.to_str().unwrap()),
        ("WIREHOSE_NATS_URL", "nats://127.0.0.1:4222"),
        ("WIREHOSE_STREAM", stream.as_str()),
        ("WIREHOSE_PG_URL", PG),
        ("WIREHOSE_PG_SCHEMA", schema.as_str()),
        ("WIREHOSE_ACK_WAIT_SECS", ack_wait),
    ];
    let mut workers: Vec<Option<Daemon>> = (0..3)
        .map(|n| {
            Some(spawn(
                &dir,
                worker_config.to_str().unwrap(),
                &format!("worker-{n}"),
                &env,
            ))
        })
        .collect();
    for worker in workers.iter().flatten() {
        assert!(
            worker.wait_for_log("consuming from nats", Duration::from_secs(30)),
            "{}",
            worker.log()
        );
    }
    let edge = spawn(&dir, edge_config.to_str().unwrap(), "edge", &env);
    assert!(
        edge.wait_for_log("watching directory", Duration::from_secs(30)),
        "{}",
        edge.log()
    );

    let texts: Vec<String> = (0..total).map(|n| article(50_000 + n, 3)).collect();
    let expected: HashSet<String> = texts.iter().map(|t| article_id(t.as_bytes())).collect();
    // A paced writer (about 3 s for 3,000 files), so the kill below lands
    // midway whatever the build mode and the machine's speed.
    let inbox_dir = dir.path("inbox");
    let writer = std::thread::spawn(move || {
        for (n, text) in texts.into_iter().enumerate() {
            std::fs::write(inbox_dir.join(format!("a{n:05}.txt")), text).unwrap();
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let count = || {
        psql(&format!("SELECT COUNT(*) FROM {schema}.articles"))
            .parse::<usize>()
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while count() < total / 10 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let at_kill = count();
    if kill {
        assert!(
            at_kill < total,
            "the kill must happen midway (count {at_kill})"
        );
        let killed = workers[0].take().unwrap();
        let killed_log = killed.kill();
        assert!(
            killed_log.contains("article completed"),
            "the killed worker had taken work"
        );
    }

    writer.join().expect("writer thread");
    let deadline = Instant::now() + finish_within;
    while count() < total && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let rows = psql(&format!(
        "SELECT COUNT(*), COUNT(DISTINCT id) FROM {schema}.articles"
    ));
    assert_eq!(
        rows,
        format!("{total}|{total}"),
        "exactly {total} articles, each once ({at_kill} at the kill point; short without a kill: the workers stalled)"
    );
    let ids: HashSet<String> = psql(&format!("SELECT id FROM {schema}.articles"))
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ids, expected, "the stored articles are the ones written");
    let entities: usize = psql(&format!("SELECT COUNT(*) FROM {schema}.mentions"))
        .parse()
        .unwrap();
    assert!(entities > total, "mentions stored");

    let (status, _) = edge.stop();
    assert!(status.success());
    for worker in workers.into_iter().flatten() {
        let (status, log) = worker.stop();
        assert!(status.success(), "{log}");
    }
}
