#!/usr/bin/env python3
"""Resident memory of the live daemon over a long feed.

Runs `wirehose run` (the default pipeline: normalize, extract, stories,
JSONL + SQLite) in a scratch directory, feeds it ARTICLES articles made from
a folder of real copy (each copy gets a line of its own so none is an exact
duplicate), keeping a few hundred waiting in the inbox, and samples the
daemon's RSS (/proc/PID/status) every second. Then it restarts the daemon on
the same state and reports the restart RSS once the pipeline is ready.

    cargo build --release -p wirehose-cli
    python3 benches/live_memory.py [--articles 100000] [--corpus DIR] [--bin PATH]

Prints the RSS at each tenth of the feed, the peak, the peak of each half
and the restart RSS, in MiB.
"""

import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PORT = 18787

CONFIG = f"""
[state]
dir = "state"
[api]
enabled = true
address = "127.0.0.1:{PORT}"
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
[transforms.stories]
type = "stories"
inputs = ["extract"]
[sinks.articles]
type = "jsonl"
inputs = ["stories"]
path = "out/articles.jsonl"
[sinks.store]
type = "sqlite"
inputs = ["stories"]
path = "out/articles.db"
"""


def rss_mib(pid, field="VmRSS"):
    """A resident-memory line of /proc/PID/status in MiB: `VmRSS` (all),
    `RssAnon` (heap and stacks) or `RssFile` (mapped files: the binary, whose
    model tables are paged in as they are read)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def metric(name):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/metrics", timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " "):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def finished():
    total = 0.0
    for name in ("wirehose_inputs_done_total", "wirehose_inputs_quarantined_total",
                 "wirehose_inputs_duplicates_total"):
        value = metric(name)
        if value is None:
            return None
        total += value
    return total


def wait_ready(timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/ready", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def start(binary, work):
    log = open(work / "log.txt", "a")
    return subprocess.Popen([binary, "--log-format", "json", "--log-level", "warn", "run",
                             "--config", "wirehose.toml"], cwd=work, stdout=log, stderr=log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/data/realcopy/reuters-flow"))
    parser.add_argument("--bin", default=str(ROOT / "target/release/wirehose"))
    parser.add_argument("--backlog", type=int, default=300)
    parser.add_argument("--without", choices=["stories", "sqlite"], action="append", default=[],
                        help="leave a stage out (to see what grows)")
    args = parser.parse_args()
    texts = [p.read_text(errors="replace") for p in sorted(pathlib.Path(args.corpus).glob("*.txt"))]
    work = pathlib.Path(tempfile.mkdtemp(prefix="wh-live-memory-"))
    config = CONFIG
    if "stories" in args.without:
        config = config.replace('inputs = ["stories"]', 'inputs = ["extract"]')
        config = config.replace('[transforms.stories]\ntype = "stories"\ninputs = ["extract"]\n', "")
    if "sqlite" in args.without:
        config = config[:config.index("[sinks.store]")]
    (work / "wirehose.toml").write_text(config)
    (work / "inbox").mkdir()
    daemon = start(args.bin, work)
    if not wait_ready():
        sys.exit(f"daemon not ready; see {work}/log.txt")
    samples = []  # (articles fed, rss)
    split = []  # (articles fed, anonymous, file-backed)
    fed, last_sample, started = 0, 0.0, time.time()
    while fed < args.articles:
        done = finished() or 0
        while fed < args.articles and fed - done < args.backlog:
            text = texts[fed % len(texts)]
            tmp = work / "inbox" / f".{fed}.tmp"
            tmp.write_text(f"{text}\n\nRef {fed}.\n")
            tmp.rename(work / "inbox" / f"a{fed:07d}.txt")
            fed += 1
        if time.time() - last_sample >= 1.0:
            samples.append((fed, rss_mib(daemon.pid)))
            split.append((fed, rss_mib(daemon.pid, "RssAnon"), rss_mib(daemon.pid, "RssFile")))
            last_sample = time.time()
        time.sleep(0.05)
    while (finished() or 0) < args.articles:
        samples.append((fed, rss_mib(daemon.pid)))
        time.sleep(1)
    seconds = time.time() - started
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=120)
    daemon = start(args.bin, work)
    wait_ready(120)
    time.sleep(2)
    restart = rss_mib(daemon.pid)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=120)
    half = [rss for n, rss in samples if n <= args.articles // 2]
    second = [rss for n, rss in samples if n > args.articles // 2]
    print(f"live memory: {args.articles} articles from {args.corpus} in {seconds:.0f} s "
          f"({args.articles / seconds:.0f}/s), work dir {work}")
    for tenth in range(1, 11):
        upto = [rss for n, rss in samples if n <= args.articles * tenth // 10]
        parts = [(a, f) for n, a, f in split if n <= args.articles * tenth // 10]
        if upto and parts:
            print(f"  after {args.articles * tenth // 10:>7} fed: RSS {upto[-1]:.1f} MiB "
                  f"(anonymous {parts[-1][0]:.1f}, file-backed {parts[-1][1]:.1f})")
    print(json.dumps({
        "peak_mib": round(max(r for _, r in samples), 1),
        "first_half_peak_mib": round(max(half), 1) if half else None,
        "second_half_peak_mib": round(max(second), 1) if second else None,
        "second_half_start_mib": round(second[0], 1) if second else None,
        "second_half_end_mib": round(second[-1], 1) if second else None,
        "restart_mib": round(restart, 1),
    }))


if __name__ == "__main__":
    main()
