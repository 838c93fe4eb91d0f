//! Pipeline benchmark: runs the real `wirehose` binary on synthetic articles.
//!
//! ```text
//! cargo bench -p wirehose-cli --bench pipeline -- [--files 20000] [--rate 100]
//!     [--seconds 20] [--paragraphs 6] [--runs 3]
//! ```
//!
//! 1. Backfill: `--files` articles already in the inbox, `wirehose run --once`
//!    with the default pipeline (directory → normalize → extract → jsonl with
//!    fsync per batch, and sqlite with synchronous = FULL). Reports articles/s, MB/s and the peak RSS of the
//!    daemon (from `wait4` rusage), median of `--runs` runs.
//! 2. Latency: the daemon runs; articles are written at `--rate` files/s for
//!    `--seconds`; latency is from the moment a file is closed to the moment
//!    its record is in the JSONL file. Reports p50, p99 and max.
//!
//! `--exec` measures what an `exec` stage costs instead: the backfill of
//! directory → normalize → extract → jsonl against the same with an `exec`
//! stage (`benches/passthrough.py`, a pass-through Python plugin, one per
//! worker) between extract and jsonl, the two alternating run by run.
//!
//! `--api` measures what the HTTP API costs: the default backfill with and
//! without `[api] enabled = true`, alternating, a scraper reading `/metrics`
//! every second (as Prometheus would) during the runs with it.
//!
//! `--corpus DIR` backfills the files of `DIR` (real copy, as
//! `../shared/data/realcopy/bbc`) instead of synthetic articles, and skips
//! the latency phase. Every backfill also reports CPU utilisation (the
//! daemon's user + system time over the wall time; 200 % is both cores)
//! and each stage's p50/p99 time per article, from the daemon's `article
//! completed` log lines.
//!
//! `WIREHOSE_BENCH_BIN=PATH` runs another build of `wirehose` (say, the
//! commit before a change) with the same harness, so two builds can
//! alternate in one sitting on a noisy machine.
//!
//! `--sink sqlite|postgres|nats` measures the backfill into one other sink
//! instead (no latency phase): `sqlite` writes only `out/articles.db`; `postgres`
//! writes to the local server (127.0.0.1:5432, database `test`, a fresh
//! schema); `nats` runs `config/edge.toml` once, `--workers N` processes of
//! `config/worker.toml` and one of `config/stories.toml` (NATS JetStream →
//! workers → NATS JetStream → stories → PostgreSQL), timing until every
//! article is in PostgreSQL.

#[path = "../tests/e2e/synth.rs"]
mod synth;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wirehose");

/// The binary under test: `WIREHOSE_BENCH_BIN` (another build, to compare
/// two builds in one sitting), else this build's.
fn bin() -> String {
    std::env::var("WIREHOSE_BENCH_BIN").unwrap_or_else(|_| BIN.to_string())
}

struct Args {
    sink: String,
    exec: bool,
    api: bool,
    workers: usize,
    files: usize,
    rate: usize,
    seconds: usize,
    paragraphs: usize,
    runs: usize,
    corpus: Option<std::path::PathBuf>,
}

fn parse_args() -> Args {
    let mut args = Args {
        sink: "jsonl".into(),
        exec: false,
        api: false,
        workers: 1,
        files: 20_000,
        rate: 100,
        seconds: 20,
        paragraphs: 6,
        runs: 3,
        corpus: None,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        if flag == "--sink" {
            args.sink = iter
                .next()
                .expect("--sink needs jsonl, sqlite, postgres or nats");
            continue;
        }
        let mut value = || {
            iter.next()
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--files" => args.files = value(),
            "--rate" => args.rate = value(),
            "--seconds" => args.seconds = value(),
            "--paragraphs" => args.paragraphs = value(),
            "--runs" => args.runs = value(),
            "--workers" => args.workers = value(),
            "--bench" => {}
            "--exec" => args.exec = true,
            "--api" => args.api = true,
            "--corpus" => {
                let path = std::path::PathBuf::from(iter.next().expect("--corpus needs a folder"));
                // `cargo bench` runs in crates/cli: a relative path is taken
                // from the workspace root when it is not found here.
                let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
                args.corpus = Some(if path.exists() { path } else { root.join(path) });
            }
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

fn config(dir: &Path) {
    config_with_sink(
        dir,
        "[sinks.out]\ntype = \"jsonl\"\ninputs = [\"stories\"]\npath = \"out/articles.jsonl\"\n",
    );
}

fn config_with_sink(dir: &Path, sink: &str) {
    let text = r#"[state]
dir = "state"

[sources.inbox]
type = "directory"
path = "inbox"

[transforms.normalize]
type = "normalize"
inputs = ["inbox"]

[transforms.extract]
type = "extract"
inputs = ["normalize"]

[transforms.stories]
type = "stories"
inputs = ["extract"]

"#;
    fs::write(dir.join("wirehose.toml"), format!("{text}{sink}")).unwrap();
    fs::create_dir_all(dir.join("inbox")).unwrap();
}

fn spawn(dir: &Path, once: bool) -> Child {
    let mut args = vec![
        "--log-format",
        "json",
        "--log-level",
        "warn,wirehose_core::completion=info",
        "run",
        "--config",
        "wirehose.toml",
    ];
    if once {
        args.push("--once");
    }
    Command::new(bin())
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(dir.join("log.txt")).unwrap())
        .spawn()
        .expect("spawn wirehose")
}

/// Waits for `child`, returning (exit ok, peak RSS in MiB, CPU seconds
/// (user + system)).
fn wait_usage(child: Child) -> (bool, f64, f64) {
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid value; wait4 fills it for our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: pid is our child; status and usage point to valid memory.
    let result = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(result, pid, "wait4 failed");
    std::mem::forget(child);
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        usage.ru_maxrss as f64 / 1024.0,
        seconds(usage.ru_utime) + seconds(usage.ru_stime),
    )
}

/// Waits for `child`, returning (exit ok, peak RSS in MiB).
fn wait_rss(child: Child) -> (bool, f64) {
    let (ok, rss, _) = wait_usage(child);
    (ok, rss)
}

/// Runs `wirehose run --once` in `dir` to the end; returns (seconds, peak
/// RSS in MiB). Panics with the log when the backfill fails.
fn timed_backfill(dir: &Path) -> (f64, f64) {
    let (elapsed, rss, _) = timed_backfill_cpu(dir);
    (elapsed, rss)
}

/// As [`timed_backfill`], with the daemon's CPU seconds as well.
fn timed_backfill_cpu(dir: &Path) -> (f64, f64, f64) {
    let started = Instant::now();
    let (ok, rss, cpu) = wait_usage(spawn(dir, true));
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        ok,
        "backfill failed: {}",
        fs::read_to_string(dir.join("log.txt")).unwrap_or_default()
    );
    (elapsed, rss, cpu)
}

/// Each stage's time per article (ms), and the total as `total`, from the
/// `article completed` lines of the daemon's log in `dir`.
fn stage_times(dir: &Path) -> std::collections::BTreeMap<String, Vec<f64>> {
    let mut times: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    let log = fs::read_to_string(dir.join("log.txt")).unwrap_or_default();
    for line in log.lines().filter(|l| l.contains("article completed")) {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let Some(total) = value["total_ms"].as_f64() {
            times.entry("total".into()).or_default().push(total);
        }
        for part in value["stages"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
        {
            if let Some((stage, ms)) = part.split_once('=')
                && let Ok(ms) = ms.trim_end_matches("ms").parse::<f64>()
            {
                times.entry(stage.to_string()).or_default().push(ms);
            }
        }
    }
    times
}

/// The `q` quantile (0 to 1) of `values`.
fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[((values.len() - 1) as f64 * q).round() as usize]
}

/// Asserts that `out/articles.jsonl` in `dir` holds `files` records.
fn assert_written(dir: &Path, files: usize) {
    let lines = fs::read_to_string(dir.join("out/articles.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(lines, files, "every article written");
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// Fills the inbox of `dir`: `--files` synthetic articles, or every file
/// of `--corpus` (its `truth.jsonl` and README left out). Returns (files,
/// bytes).
fn fill_inbox(dir: &Path, args: &Args) -> (usize, usize) {
    let mut bytes = 0usize;
    let Some(corpus) = &args.corpus else {
        for n in 0..args.files {
            let text = synth::article(n, args.paragraphs);
            bytes += text.len();
            fs::write(dir.join(format!("inbox/{n:06}.txt")), text).unwrap();
        }
        return (args.files, bytes);
    };
    let mut files: Vec<std::path::PathBuf> = fs::read_dir(corpus)
        .unwrap_or_else(|e| panic!("--corpus {}: {e}", corpus.display()))
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.is_file())
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            !name.starts_with('.') && name != "truth.jsonl" && !name.starts_with("README")
        })
        .collect();
    files.sort();
    for path in &files {
        let name = path.file_name().unwrap();
        bytes += fs::copy(path, dir.join("inbox").join(name)).unwrap() as usize;
    }
    (files.len(), bytes)
}

/// What one backfill measured.
struct Backfill {
    rate: f64,
    mb_per_s: f64,
    rss: f64,
    cpu_percent: f64,
    stages: std::collections::BTreeMap<String, Vec<f64>>,
}

fn backfill(args: &Args) -> Backfill {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path());
    let (files, bytes) = fill_inbox(dir.path(), args);
    std::thread::sleep(Duration::from_millis(600)); // past settle_ms
    let (elapsed, rss, cpu) = timed_backfill_cpu(dir.path());
    if args.corpus.is_some() {
        // Real copy has exact duplicates (skipped) and may have refusals.
        let log = fs::read_to_string(dir.path().join("log.txt")).unwrap_or_default();
        let summary = log.lines().rev().find(|l| l.contains("articles written"));
        println!("  {}", summary.unwrap_or("(no summary)"));
    } else {
        assert_written(dir.path(), files);
    }
    Backfill {
        rate: files as f64 / elapsed,
        mb_per_s: bytes as f64 / elapsed / 1e6,
        rss,
        cpu_percent: 100.0 * cpu / elapsed,
        stages: stage_times(dir.path()),
    }
}

fn latency(args: &Args) -> (f64, f64, f64, f64, usize) {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path());
    let child = spawn(dir.path(), false);
    let out = dir.path().join("out/articles.jsonl");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !out.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let total = args.rate * args.seconds;
    let interval = Duration::from_secs_f64(1.0 / args.rate as f64);
    let mut completed: HashMap<String, Instant> = HashMap::with_capacity(total);
    let mut arrived: HashMap<String, Instant> = HashMap::with_capacity(total);
    let mut reader = BufReader::new(fs::File::open(&out).unwrap());
    let mut offset = 0u64;
    let mut line = String::new();
    let mut poll = |arrived: &mut HashMap<String, Instant>| {
        reader.seek(SeekFrom::Start(offset)).unwrap();
        loop {
            line.clear();
            let read = reader.read_line(&mut line).unwrap();
            if read == 0 || !line.ends_with('\n') {
                break;
            }
            offset += read as u64;
            let id = line[7..39].to_string();
            arrived.entry(id).or_insert_with(Instant::now);
        }
    };
    let start = Instant::now();
    for n in 0..total {
        let due = start + interval * n as u32;
        while Instant::now() < due {
            poll(&mut arrived);
            std::thread::sleep(Duration::from_micros(500));
        }
        let text = synth::article(1_000_000 + n, args.paragraphs);
        fs::write(dir.path().join(format!("inbox/live-{n:06}.txt")), &text).unwrap();
        completed.insert(
            blake3::hash(text.as_bytes()).to_hex()[..32].to_string(),
            Instant::now(),
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrived.len() < total && Instant::now() < deadline {
        poll(&mut arrived);
        std::thread::sleep(Duration::from_micros(500));
    }
    // SAFETY: SIGTERM to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let (ok, rss) = wait_rss(child);
    assert!(ok, "daemon did not exit cleanly");
    let mut latencies: Vec<f64> = completed
        .iter()
        .filter_map(|(id, done)| {
            arrived
                .get(id)
                .map(|at| at.saturating_duration_since(*done).as_secs_f64() * 1000.0)
        })
        .collect();
    let received = latencies.len();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| {
        latencies[((latencies.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(latencies.len() - 1)]
    };
    (
        pick(0.50),
        pick(0.99),
        *latencies.last().unwrap(),
        rss,
        total - received,
    )
}

fn psql(sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-t",
            "-A",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "test",
            "-c",
            sql,
        ])
        .output()
        .expect("psql");
    assert!(
        output.status.success(),
        "PostgreSQL at 127.0.0.1:5432 is needed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn write_inbox(dir: &Path, args: &Args) {
    fs::create_dir_all(dir.join("inbox")).unwrap();
    for n in 0..args.files {
        fs::write(
            dir.join(format!("inbox/{n:06}.txt")),
            synth::article(n, args.paragraphs),
        )
        .unwrap();
    }
    std::thread::sleep(Duration::from_millis(600));
}

/// Backfill into sqlite or postgres; returns articles/s.
fn backfill_into(args: &Args, run: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let schema = format!("wh_bench_{}_{run}", std::process::id());
    let sink = match args.sink.as_str() {
        "sqlite" => {
            "[sinks.out]\ntype = \"sqlite\"\ninputs = [\"stories\"]\npath = \"out/articles.db\"\n"
                .to_string()
        }
        "postgres" => format!(
            "[sinks.out]\ntype = \"postgres\"\ninputs = [\"stories\"]\nurl = \"postgres://postgres@127.0.0.1:5432/test\"\nschema = \"{schema}\"\n"
        ),
        other => panic!("unknown sink {other}"),
    };
    config_with_sink(dir.path(), &sink);
    write_inbox(dir.path(), args);
    let (elapsed, _) = timed_backfill(dir.path());
    if args.sink == "postgres" {
        assert_eq!(
            psql(&format!("SELECT COUNT(*) FROM {schema}.articles")),
            args.files.to_string()
        );
        psql(&format!("DROP SCHEMA {schema} CASCADE"));
    }
    args.files as f64 / elapsed
}

/// Edge + N workers through NATS JetStream into PostgreSQL; returns articles/s.
fn scale_out(args: &Args, run: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let schema = format!("wh_bench_{}_{run}", std::process::id());
    let stream = format!("WH_BENCH_{}_{run}", std::process::id());
    write_inbox(dir.path(), args);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let start = |config: &str, state: &str, once: bool| {
        let mut command = Command::new(bin());
        command.args([
            "--log-format",
            "json",
            "--log-level",
            "warn",
            "run",
            "--config",
        ]);
        command.arg(root.join(config));
        if once {
            command.arg("--once");
        }
        command
            .current_dir(dir.path())
            .env("WIREHOSE_STATE", dir.path().join(state))
            .env("WIREHOSE_INBOX", dir.path().join("inbox"))
            .env("WIREHOSE_STREAM", &stream)
            .env("WIREHOSE_PG_SCHEMA", &schema)
            .env("WIREHOSE_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.path().join(format!("{state}.log"))).unwrap())
            .spawn()
            .expect("spawn wirehose")
    };
    let mut workers: Vec<Child> = (0..args.workers)
        .map(|n| start("config/worker.toml", &format!("worker-{n}"), false))
        .collect();
    // The one stories process between the workers and PostgreSQL.
    workers.push(start("config/stories.toml", "stories", false));
    std::thread::sleep(Duration::from_secs(2));
    let started = Instant::now();
    let edge = start("config/edge.toml", "edge", true);
    let count = || {
        psql(&format!("SELECT COUNT(*) FROM {schema}.articles"))
            .parse::<usize>()
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(600);
    while count() < args.files && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(count(), args.files, "every article reached PostgreSQL");
    let (ok, _) = wait_rss(edge);
    assert!(ok, "edge failed");
    for worker in workers {
        // SAFETY: SIGTERM to our own child.
        unsafe { libc::kill(worker.id() as i32, libc::SIGTERM) };
        wait_rss(worker);
    }
    psql(&format!("DROP SCHEMA {schema} CASCADE"));
    let mut nats = std::net::TcpStream::connect("127.0.0.1:4222").expect("NATS");
    let _ = std::io::Write::write_all(
        &mut nats,
        format!(
            "CONNECT {{}}\r\nPUB $JS.API.STREAM.DELETE.{stream} 0\r\n\r\n\
             PUB $JS.API.STREAM.DELETE.{stream}_records 0\r\n\r\nPING\r\n"
        )
        .as_bytes(),
    );
    std::thread::sleep(Duration::from_millis(200));
    args.files as f64 / elapsed
}

/// One backfill of the extract pipeline, with or without a pass-through
/// exec stage before the sink; returns articles/s.
fn backfill_exec(args: &Args, with_exec: bool) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/passthrough.py");
    let (stage, last) = if with_exec {
        (
            format!(
                "[transforms.plugin]\ntype = \"exec\"\ninputs = [\"extract\"]\ncommand = [\"python3\", \"{}\"]\n",
                plugin.display()
            ),
            "plugin",
        )
    } else {
        (String::new(), "extract")
    };
    let text = format!(
        "[state]\ndir = \"state\"\n[sources.inbox]\ntype = \"directory\"\npath = \"inbox\"\n\
         [transforms.normalize]\ntype = \"normalize\"\ninputs = [\"inbox\"]\n\
         [transforms.extract]\ntype = \"extract\"\ninputs = [\"normalize\"]\n{stage}\
         [sinks.out]\ntype = \"jsonl\"\ninputs = [\"{last}\"]\npath = \"out/articles.jsonl\"\n"
    );
    fs::write(dir.path().join("wirehose.toml"), text).unwrap();
    write_inbox(dir.path(), args);
    let (elapsed, _) = timed_backfill(dir.path());
    assert_written(dir.path(), args.files);
    args.files as f64 / elapsed
}

/// One default backfill, with the API on (and scraped every second) or
/// off; returns (articles/s, peak RSS in MiB, scrapes answered).
fn backfill_api(args: &Args, with_api: bool) -> (f64, f64, usize) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = if with_api {
        format!("[api]\nenabled = true\naddress = \"127.0.0.1:{port}\"\n")
    } else {
        String::new()
    };
    let sinks = "[sinks.out]\ntype = \"jsonl\"\ninputs = [\"stories\"]\npath = \"out/articles.jsonl\"\n\
                 [sinks.store]\ntype = \"sqlite\"\ninputs = [\"stories\"]\npath = \"out/articles.db\"\n";
    config_with_sink(dir.path(), sinks);
    let text = fs::read_to_string(dir.path().join("wirehose.toml")).unwrap();
    fs::write(dir.path().join("wirehose.toml"), format!("{api}{text}")).unwrap();
    write_inbox(dir.path(), args);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let scraper = with_api.then(|| {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut answered = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(mut response) =
                    ureq::get(&format!("http://127.0.0.1:{port}/metrics")).call()
                    && response.body_mut().read_to_string().is_ok()
                {
                    answered += 1;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            answered
        })
    });
    let (elapsed, rss) = timed_backfill(dir.path());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let scrapes = scraper.map_or(0, |s| s.join().unwrap_or(0));
    (args.files as f64 / elapsed, rss, scrapes)
}

/// `--api`: the default backfill with and without the API, alternating.
fn api_overhead(args: &Args) {
    let (mut without, mut with, mut rss_off, mut rss_on) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..args.runs {
        let (plain, plain_rss, _) = backfill_api(args, false);
        let (api, api_rss, scrapes) = backfill_api(args, true);
        println!(
            "run {}: without api {plain:.0} articles/s ({plain_rss:.1} MiB), with api {api:.0} articles/s ({api_rss:.1} MiB, {scrapes} scrapes)",
            run + 1
        );
        without.push(plain);
        with.push(api);
        rss_off.push(plain_rss);
        rss_on.push(api_rss);
    }
    let (plain, api) = (median(&mut without), median(&mut with));
    println!(
        "{} files: median without api {plain:.0} articles/s ({:.1} MiB), with api scraped every second {api:.0} articles/s ({:.1} MiB) ({:.1}%)",
        args.files,
        median(&mut rss_off),
        median(&mut rss_on),
        100.0 * api / plain
    );
}

/// `--exec`: the pipeline with and without an exec stage, alternating.
fn exec_overhead(args: &Args) {
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for run in 0..args.runs {
        let plain = backfill_exec(args, false);
        let exec = backfill_exec(args, true);
        println!(
            "run {}: without exec {plain:.0} articles/s, with exec {exec:.0} articles/s",
            run + 1
        );
        without.push(plain);
        with.push(exec);
    }
    let (plain, exec) = (median(&mut without), median(&mut with));
    println!(
        "{} files: median without exec {plain:.0} articles/s, with a pass-through Python exec {exec:.0} articles/s ({:.0}%)",
        args.files,
        100.0 * exec / plain
    );
}

fn main() {
    let args = parse_args();
    if args.exec {
        exec_overhead(&args);
        return;
    }
    if args.api {
        api_overhead(&args);
        return;
    }
    if args.sink != "jsonl" {
        let mut rates: Vec<f64> = (0..args.runs)
            .map(|run| {
                let rate = if args.sink == "nats" {
                    scale_out(&args, run)
                } else {
                    backfill_into(&args, run)
                };
                println!("{} run {}: {:.0} articles/s", args.sink, run + 1, rate);
                rate
            })
            .collect();
        let workers = if args.sink == "nats" {
            format!(" with {} worker(s)", args.workers)
        } else {
            String::new()
        };
        println!(
            "{}{workers}, {} files: median {:.0} articles/s",
            args.sink,
            args.files,
            median(&mut rates)
        );
        return;
    }
    if let Some(corpus) = &args.corpus {
        println!(
            "wirehose pipeline benchmark: corpus {} x {} runs (backfill only)",
            corpus.display(),
            args.runs
        );
    } else {
        println!(
            "wirehose pipeline benchmark: {} files x {} runs (backfill), {} files/s for {} s (latency), {} paragraphs/article, {} cores",
            args.files,
            args.runs,
            args.rate,
            args.seconds,
            args.paragraphs,
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        );
    }
    let mut runs: Vec<Backfill> = (0..args.runs)
        .map(|run| {
            let b = backfill(&args);
            println!(
                "backfill run {}: {:.0} articles/s, {:.2} MB/s, CPU {:.0} %, peak RSS {:.1} MiB",
                run + 1,
                b.rate,
                b.mb_per_s,
                b.cpu_percent,
                b.rss
            );
            b
        })
        .collect();
    let pick = |f: &dyn Fn(&Backfill) -> f64, runs: &[Backfill]| {
        median(&mut runs.iter().map(f).collect::<Vec<f64>>())
    };
    println!(
        "backfill median: {:.0} articles/s, {:.2} MB/s, CPU {:.0} %, peak RSS {:.1} MiB",
        pick(&|b| b.rate, &runs),
        pick(&|b| b.mb_per_s, &runs),
        pick(&|b| b.cpu_percent, &runs),
        pick(&|b| b.rss, &runs)
    );
    // Stage times of the median run (by rate).
    runs.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    let middle = runs.len() / 2;
    for (stage, times) in &mut runs[middle].stages {
        println!(
            "  {stage:<22} p50 {:>8.3} ms  p99 {:>8.3} ms  ({} articles)",
            quantile(times, 0.5),
            quantile(times, 0.99),
            times.len()
        );
    }
    if args.corpus.is_some() {
        return;
    }
    let (p50, p99, max, live_rss, missing) = latency(&args);
    println!(
        "latency at {} files/s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, peak RSS {:.1} MiB, missing {}",
        args.rate, p50, p99, max, live_rss, missing
    );
}
