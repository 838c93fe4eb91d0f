//! A PostgreSQL outage: the sink holds the pipeline, retries, and loses nothing.
//!
//! Runs a private PostgreSQL server (initdb into a temporary directory, as the
//! `postgres` user, on its own port) so the shared server stays up for the
//! other tests.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::synth::article;
use crate::util::Dir;

const PORT: &str = "55439";

fn pg_bin(tool: &str) -> PathBuf {
    let versions = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries are not installed under /usr/lib/postgresql (see README, Development)");
    let mut found: Vec<PathBuf> = versions
        .flatten()
        .map(|e| e.path().join("bin").join(tool))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| panic!("no {tool} under /usr/lib/postgresql/*/bin"))
}

fn as_postgres(args: &[&str]) -> std::process::Output {
    let output = Command::new("runuser")
        .arg("-u")
        .arg("postgres")
        .arg("--")
        .args(args)
        .output()
        .expect("runuser");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

struct Server {
    data: PathBuf,
}

impl Server {
    fn start(&self) {
        let log = self.data.with_extension("log");
        as_postgres(&[
            pg_bin("pg_ctl").to_str().unwrap(),
            "-D",
            self.data.to_str().unwrap(),
            "-o",
            &format!(
                "-p {PORT} -k {} -c listen_addresses=127.0.0.1",
                self.data.parent().unwrap().display()
            ),
            "-l",
            log.to_str().unwrap(),
            "-w",
            "start",
        ]);
    }

    fn stop(&self) {
        as_postgres(&[
            pg_bin("pg_ctl").to_str().unwrap(),
            "-D",
            self.data.to_str().unwrap(),
            "-m",
            "fast",
            "-w",
            "stop",
        ]);
    }

    fn count(&self) -> usize {
        let output = Command::new(pg_bin("psql"))
            .args([
                "-X",
                "-t",
                "-A",
                "-h",
                "127.0.0.1",
                "-p",
                PORT,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                "SELECT COUNT(*) FROM outage.articles",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args([
                "-u",
                "postgres",
                "--",
                pg_bin("pg_ctl").to_str().unwrap(),
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "immediate",
                "stop",
            ])
            .output();
    }
}

fn wait_for(what: impl Fn() -> bool, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if what() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn postgres_outage_holds_records_and_loses_nothing() {
    let dir = Dir::new("");
    let base = dir.path("pg");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::set_permissions(dir.root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o777)).unwrap();
    let data = base.join("data");
    as_postgres(&[
        pg_bin("initdb").to_str().unwrap(),
        "-D",
        data.to_str().unwrap(),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
    ]);
    let server = Server { data: data.clone() };
    server.start();

    dir.write(
        "pg.toml",
        format!(
            "[state]\ndir = \"state\"\n[sources.inbox]\ntype = \"directory\"\npath = \"inbox\"\nsettle_ms = 200\n\
             [transforms.normalize]\ntype = \"normalize\"\ninputs = [\"inbox\"]\n\
             [sinks.pg]\ntype = \"postgres\"\ninputs = [\"normalize\"]\nurl = \"postgres://postgres@127.0.0.1:{PORT}/postgres\"\n\
             schema = \"outage\"\nlinger_ms = 20\nmax_backoff_secs = 1\n"
        ),
    );
    let daemon = dir.spawn_config("pg.toml", &[]);
    for n in 0..100 {
        dir.write(&format!("inbox/before-{n}.txt"), article(70_000 + n, 3));
    }
    assert!(
        wait_for(|| server.count() == 100, Duration::from_secs(30)),
        "{}",
        daemon.log()
    );

    server.stop();
    for n in 0..100 {
        dir.write(&format!("inbox/during-{n}.txt"), article(80_000 + n, 3));
    }
    assert!(
        daemon.wait_for_log("holding records and retrying", Duration::from_secs(20)),
        "the sink says it is retrying: {}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_secs(1));
    server.start();
    assert!(
        wait_for(|| server.count() == 200, Duration::from_secs(60)),
        "{}",
        daemon.log()
    );
    let (status, log) = daemon.stop();
    assert!(status.success(), "{log}");
    assert!(
        !log.contains("article quarantined"),
        "nothing refused during the outage"
    );
    let _ = Path::new(&data);
}
