#!/usr/bin/env bash
# Chaos test: random `kill -9` during a backfill while files keep arriving.
#
#   benches/chaos.sh [KILLS] [FILES] [ARRIVING]
#
# Not part of `cargo test` (it takes minutes). It runs the real binary
# ($WIREHOSE_BIN, default target/debug/wirehose; build it first with
# `cargo build -p wirehose-cli`, or `--release` and point WIREHOSE_BIN at it)
# with the repository's default config (config/wirehose.toml: directory →
# normalize → extract → stories → jsonl + sqlite) in a fresh temporary
# directory:
#
# 1. FILES articles (default 20000) are in the inbox; a writer adds ARRIVING
#    more (default 2000) while the test runs, each written to a `.tmp` name
#    and renamed in (or, one in five, written in place, so settle is used);
# 2. KILLS times (default 60): `wirehose run --once` starts and is killed
#    with SIGKILL once it has written a random 20–400 more lines (so the
#    kills land in the middle of the work whatever the machine's speed), or,
#    one kill in six, a random 0–1 s after it started (in the start-up:
#    opening the ledger and the stores, the JSONL recovery, the first scan);
# 3. once the writer is done, a last `wirehose run --once` must finish with 0;
# 4. the counts: every input file has exactly one JSONL line and one SQLite
#    row (by source path), no line is torn or invalid, no id is repeated,
#    nothing is quarantined, and the JSONL and SQLite id sets are identical.
#
# Exit 0 when all hold, 1 otherwise. Needs python3 (with its sqlite3 module).
set -euo pipefail

kills=${1:-60}
files=${2:-20000}
arriving=${3:-2000}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${WIREHOSE_BIN:-$repo/target/debug/wirehose}
[[ -x $bin ]] || { echo "no binary at $bin: cargo build -p wirehose-cli" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/wirehose-chaos.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
cd "$work"
mkdir -p inbox config seeds
cp "$repo/config/wirehose.toml" config/wirehose.toml
export WIREHOSE_STATE=state WIREHOSE_INBOX=inbox WIREHOSE_OUT=out/articles.jsonl WIREHOSE_DB=out/articles.db

# Distinct synthetic articles: title, dateline, people, a quote, numbers.
article() {
    local n=$1
    local people=("John Kerry" "Sergey Lavrov" "Angela Merkel" "Emmanuel Macron" "Shinzo Abe")
    local places=("GENEVA" "MOSCOW" "BERLIN" "PARIS" "TOKYO")
    local who=${people[$((n % 5))]} where=${places[$((n % 5))]}
    printf 'Talks resume as %s meets partners (report %d)\n\n' "$who" "$n"
    printf '%s (Reuters) - %s said on Friday that negotiations would continue next week, after %d hours of talks, officials said in report %d.\n\n' "$where" "$who" $((n % 12 + 1)) "$n"
    printf 'Delegations from %d countries discussed financing of %d million dollars in report %d.\n\n' $((n % 40 + 3)) $((n * 7 % 900 + 10)) "$n"
    printf '“We made real progress today,” %s told reporters (report %d).\n' "$who" "$n"
}

echo "chaos: $work: $files files, $arriving arriving, $kills kills, binary $bin"
for ((n = 0; n < files; n++)); do article "$n" > "inbox/$(printf '%06d' "$n").txt"; done
sleep 1 # past settle_ms

(
    for ((n = files; n < files + arriving; n++)); do
        name=inbox/$(printf '%06d' "$n").txt
        if ((n % 5 == 0)); then
            article "$n" > "$name"
        else
            article "$n" > "$name.tmp" && mv "$name.tmp" "$name"
        fi
        sleep 0.0$((RANDOM % 10))
    done
) &
writer=$!

lines() { wc -l < out/articles.jsonl 2>/dev/null || echo 0; }

start=$(date +%s)
for ((k = 1; k <= kills; k++)); do
    "$bin" --log-format json run --once >> "log-$k.txt" 2>&1 &
    pid=$!
    if ((k % 6 != 0)); then
        # Five kills in six land in the middle of the work: once the run has
        # written a random 20–400 more lines (at most 30 s).
        target=$(( $(lines) + 20 + RANDOM % 380 ))
        for ((t = 0; t < 1500; t++)); do
            (( $(lines) >= target )) && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.02
        done
    else
        # The sixth at a random point of the start-up (opening the ledger,
        # the stores, the JSONL recovery, the first scan).
        sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
    fi
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid"
        wait "$pid" 2>/dev/null || true
        echo "kill $k: SIGKILL with $(lines) lines written"
    else
        wait "$pid" && code=0 || code=$?
        echo "kill $k: the run had already ended (exit $code) before its kill"
    fi
done
wait "$writer"
sleep 1
"$bin" --log-format json run --once > final.log 2>&1 || { echo "final run failed: see $work/final.log"; exit 1; }
echo "chaos: $kills kills in $(( $(date +%s) - start )) s; final run exit 0"

python3 - "$((files + arriving))" <<'EOF'
import json, os, sqlite3, sys
expected = int(sys.argv[1])
inputs = sorted("inbox/" + name for name in os.listdir("inbox") if name.endswith(".txt"))
text = open("out/articles.jsonl", "rb").read()
torn = 0 if text.endswith(b"\n") or not text else 1
lines = text.split(b"\n")[:-1] if text.endswith(b"\n") else text.split(b"\n")
records = []
for line in lines:
    try:
        records.append(json.loads(line))
    except ValueError:
        torn += 1
paths = [r["source"]["path"] for r in records]
ids = [r["id"] for r in records]
db = sqlite3.connect("out/articles.db")
rows = db.execute("SELECT id, source_path FROM articles").fetchall()
quarantined = [n for n in os.listdir("state/quarantine") if n.endswith(".error.json")] if os.path.isdir("state/quarantine") else []
lost = sorted(set(inputs) - set(paths))
figures = {
    "input files": len(inputs),
    "jsonl lines": len(lines),
    "jsonl records": len(records),
    "torn or invalid lines": torn,
    "duplicated jsonl ids": len(ids) - len(set(ids)),
    "duplicated jsonl paths": len(paths) - len(set(paths)),
    "lost (input without a jsonl line)": len(lost),
    "sqlite rows": len(rows),
    "sqlite ids not in jsonl": len({r[0] for r in rows} - set(ids)),
    "jsonl ids not in sqlite": len(set(ids) - {r[0] for r in rows}),
    "quarantined": len(quarantined),
}
for key, value in figures.items():
    print(f"{key:>36}: {value}")
ok = (
    len(inputs) == expected
    and torn == 0
    and len(records) == expected
    and len(set(ids)) == expected
    and not lost
    and len(rows) == expected
    and {r[0] for r in rows} == set(ids)
    and not quarantined
)
print("chaos: PASS" if ok else f"chaos: FAIL (expected {expected} of each)")
sys.exit(0 if ok else 1)
EOF
