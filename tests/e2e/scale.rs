//! Scale-out over real NATS JetStream and PostgreSQL servers on this machine:
//! an edge, three workers and the stories process as separate processes
//! (`config/edge.toml`, `config/worker.toml`, `config/stories.toml`).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

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
        for stream in [self.stream.clone(), format!("{}_records", self.stream)] {
            nats(&format!("PUB $JS.API.STREAM.DELETE.{stream} 0\r\n\r\n"));
        }
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

/// A made-up word of 5 to 9 letters, distinct for every (n, k): articles
/// built from them share no content words, so only copies make a story.
fn word(n: usize, k: usize) -> String {
    let mut x = (n as u64 * 1_000_003 + k as u64 * 7_919 + 11).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let len = 5 + (x % 5) as usize;
    (0..len)
        .map(|_| {
            x = x.rotate_left(7).wrapping_mul(0x2545_F491_4F6C_DD1D);
            (b'a' + (x % 26) as u8) as char
        })
        .collect()
}

/// Article `n` and two near-copies of it, as three distinct files: the
/// second adds an update line, the third changes one word of its lead.
fn triple(n: usize) -> [String; 3] {
    let words: Vec<String> = (0..60).map(|k| word(n, k)).collect();
    let sentence = |from: usize| {
        let mut text = words[from..from + 12].join(" ");
        text.push('.');
        text[..1].to_uppercase() + &text[1..]
    };
    let title = format!("Council weighs {} {} plan", words[0], words[1]);
    let body: Vec<String> = (0..4).map(|p| sentence(p * 12)).collect();
    let original = format!("{title}\n\n{}\n", body.join("\n\n"));
    let updated = format!("{original}\nThis story has been updated.\n");
    let edited = original.replacen(&words[13], "revised", 1);
    [original, updated, edited]
}

#[test]
fn edge_three_workers_and_stories_survive_a_killed_worker() {
    scenario(200, true, "5", Duration::from_secs(180));
}

/// Three workers share one consumer whose max_ack_pending they can fill
/// together: none may stop acknowledging while it waits for messages. With
/// redelivery 300 s away, a stall could not be rescued within the deadline.
#[test]
fn three_workers_never_stall_on_the_shared_ack_limit() {
    scenario(500, false, "300", Duration::from_secs(60));
}

/// Runs an edge, three workers and the stories process; writes `triples`
/// articles with two near-copies each (kills a worker midway when `kill`),
/// then checks PostgreSQL: every file once, and each triple in one story of
/// its own.
fn scenario(triples: usize, kill: bool, ack_wait: &str, finish_within: Duration) {
    let total = triples * 3;
    psql("SELECT 1");
    nats("");
    let schema = unique("wh_scale");
    let stream = unique("WH_SCALE");
    let _cleanup = Cleanup {
        schema: schema.clone(),
        stream: stream.clone(),
    };
    let dir = Dir::new("");
    let config = |name: &str| {
        repo_file(&format!("config/{name}.toml"))
            .display()
            .to_string()
    };
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
        .map(|n| Some(spawn(&dir, &config("worker"), &format!("worker-{n}"), &env)))
        .collect();
    let stories = spawn(&dir, &config("stories"), "stories", &env);
    for daemon in workers.iter().flatten().chain([&stories]) {
        assert!(
            daemon.wait_for_log("consuming from nats", Duration::from_secs(30)),
            "{}",
            daemon.log()
        );
    }
    let edge = spawn(&dir, &config("edge"), "edge", &env);
    assert!(
        edge.wait_for_log("watching directory", Duration::from_secs(30)),
        "{}",
        edge.log()
    );

    // file name → (triple, text); the copies of a triple are spread over the
    // run so that they land on different workers.
    let files: Vec<(String, usize, String)> = (0..3)
        .flat_map(|copy| (0..triples).map(move |n| (copy, n)))
        .map(|(copy, n)| (format!("a{n:04}-{copy}.txt"), n, triple(n)[copy].clone()))
        .collect();
    let triple_of: HashMap<String, usize> = files
        .iter()
        .map(|(_, n, text)| (article_id(text.as_bytes()), *n))
        .collect();
    assert_eq!(triple_of.len(), total, "every file is a distinct article");
    // A paced writer, so the kill below lands midway whatever the build mode
    // and the machine's speed.
    let inbox_dir = dir.path("inbox");
    let writer = std::thread::spawn(move || {
        for (name, _, text) in files {
            std::fs::write(inbox_dir.join(name), text).unwrap();
            std::thread::sleep(Duration::from_millis(3));
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
    let mut stories_of: HashMap<usize, HashSet<String>> = HashMap::new();
    for line in psql(&format!("SELECT id, story FROM {schema}.articles")).lines() {
        let (id, story) = line.split_once('|').unwrap();
        let n = *triple_of
            .get(id)
            .unwrap_or_else(|| panic!("stored article {id} was never written"));
        assert!(!story.is_empty(), "article {id} has no story");
        stories_of.entry(n).or_default().insert(story.to_string());
    }
    assert_eq!(stories_of.len(), triples);
    for (n, stories) in &stories_of {
        assert_eq!(stories.len(), 1, "triple {n} got stories {stories:?}");
    }
    let distinct: HashSet<&String> = stories_of.values().flatten().collect();
    assert_eq!(distinct.len(), triples, "each triple is a story of its own");
    let entities: usize = psql(&format!("SELECT COUNT(*) FROM {schema}.mentions"))
        .parse()
        .unwrap();
    assert!(entities > 0, "mentions stored");

    let (status, _) = edge.stop();
    assert!(status.success());
    for daemon in workers.into_iter().flatten().chain([stories]) {
        let (status, log) = daemon.stop();
        assert!(status.success(), "{log}");
    }
}
