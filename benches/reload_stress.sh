#!/bin/bash
# Reload under load: feeds 600 real articles into a running daemon while
# reloading its config five times (a sink added, extract replaced, the
# stateful stories replaced, the sink removed, a sink added on another
# output with extract replaced again), then stops it and counts what was
# written: every input must be written once (or skipped as a duplicate).
#
#   cargo build --release -p wirehose-cli
#   benches/reload_stress.sh [CORPUS_DIR]   # default ../shared/data/realcopy/bbc
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
W=$HERE/target/release/wirehose
DATA=$(cd "${1:-$HERE/../shared/data/realcopy/bbc}" && pwd)
WORK=$(mktemp -d)
cd "$WORK"
mkdir inbox out
cat > base.toml <<'TOML'
[state]
dir = "state"
commit_interval_ms = 200
[runtime]
channel_capacity = 64
[api]
enabled = true
address = "127.0.0.1:18686"
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
EXTRACT
[transforms.stories]
type = "stories"
inputs = ["extract"]
STORIES
[sinks.articles]
type = "jsonl"
inputs = ["stories"]
path = "out/articles.jsonl"
[sinks.store]
type = "sqlite"
inputs = ["stories"]
path = "out/articles.db"
EXTRA
TOML
mk() { sed -e "s|EXTRACT|$1|" -e "s|STORIES|$2|" -e "s|EXTRA|$3|" base.toml > wirehose.toml; }
mk "" "" ""
$W run --config wirehose.toml > log.txt 2>&1 &
PID=$!
sleep 2
feed() { local start=$1 n=$2 i=0; for f in $(ls $DATA/* | tail -n +$((start % 1000 + 1))); do
  [ $i -ge $n ] && break; cp "$f" inbox/tmp.$((start+i)); mv inbox/tmp.$((start+i)) inbox/a$((start+i)).txt; i=$((i+1)); sleep 0.01; done; }
reload() { curl -s -X POST 127.0.0.1:18686/reload; echo; }
feed 0 300 &
F=$!
sleep 1.5; mk "" "" '[sinks.extra]\ntype = "jsonl"\ninputs = ["extract"]\npath = "out/extra.jsonl"'; reload
sleep 1.5; mk "workers = 1" "" '[sinks.extra]\ntype = "jsonl"\ninputs = ["extract"]\npath = "out/extra.jsonl"'; reload
sleep 1.5; mk "workers = 1" "keywords = 8" '[sinks.extra]\ntype = "jsonl"\ninputs = ["extract"]\npath = "out/extra.jsonl"'; reload
sleep 1.5; mk "workers = 1" "keywords = 8" ""; reload
wait $F
feed 1300 300 &
F=$!
sleep 1; mk "" "keywords = 8" '[sinks.extra]\ntype = "jsonl"\ninputs = ["normalize"]\npath = "out/extra2.jsonl"'; reload
wait $F
sleep 8
kill -TERM $PID; wait $PID; echo "exit $?"
echo "work dir: $WORK"
echo "files: $(ls inbox | wc -l)"
echo "jsonl lines: $(wc -l < out/articles.jsonl) unique ids: $(python3 -c "import json;print(len({json.loads(l)['id'] for l in open('out/articles.jsonl')}))")"
echo "sqlite rows: $(python3 -c "import sqlite3;print(sqlite3.connect('out/articles.db').execute('select count(*) from articles').fetchone()[0])")"
echo "extra: $(wc -l < out/extra.jsonl) extra2: $(wc -l < out/extra2.jsonl)"
grep -o '"message":"[^"]*"' log.txt | sort | uniq -c | sort -rn | grep -E "completed|duplicate|quarantin|reloaded|started|drained"
