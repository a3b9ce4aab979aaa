#!/usr/bin/env bash
# Benchmark of `willai draft` against the fake server (issue #2):
#   TASKS tasks (default 2,000), replies after 50 ms, concurrency 64.
#   ideal = TASKS x 50 ms / 64; the cold run must be within 1.15 x of it,
#   the warm rerun (every prompt from the cache) under 0.5 s.
# usage: benches/draft.sh [TASKS]
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-2000}
# WILLAI=path FAKE=path benchmark other binaries (e.g. an earlier build) with this script.
if [ -z "${WILLAI:-}" ]; then
  cargo build --release -q -p willai -p fake-openai
  WILLAI=$PWD/target/release/willai
fi
FAKE=${FAKE:-$PWD/target/release/fake-openai}
ROOT=$(mktemp -d)/bench
python3 benches/make_catalog.py "$ROOT" "$TASKS"

coproc SERVER { "$FAKE" --delay-ms 50; }
read -r BASE <&"${SERVER[0]}"
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$(dirname "$ROOT")"' EXIT

export WILLAI_ROOT=$ROOT OPENAI_BASE_URL=$BASE OPENAI_API_KEY=sk-bench-not-a-real-key
ms() { date +%s%3N; }
peak() { /usr/bin/time -f '%M' -o /tmp/willai-bench-rss "$@" >/dev/null; cat /tmp/willai-bench-rss; }

t0=$(ms); cold_kb=$(peak "$WILLAI" draft --all --concurrency 64 --no-progress); t1=$(ms)
rm -rf "$ROOT/data/records"
t2=$(ms); warm_kb=$(peak "$WILLAI" draft --all --concurrency 64 --no-progress); t3=$(ms)
t4=$(ms); "$WILLAI" draft --all --no-progress >/dev/null; t5=$(ms)

ideal=$(python3 -c "print($TASKS*0.050/64)")
python3 - "$TASKS" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$ideal" "$cold_kb" "$warm_kb" <<'PY'
import sys
n, t0, t1, t2, t3, t4, t5 = map(int, sys.argv[1:8]); ideal = float(sys.argv[8])
cold, warm, noop = (t1 - t0) / 1000, (t3 - t2) / 1000, (t5 - t4) / 1000
print(f"tasks {n}, concurrency 64, fake server delay 50 ms")
print(f"cold run      {cold:.2f} s  (ideal {ideal:.2f} s, ratio {cold/ideal:.3f}, goal <= 1.15)  peak RSS {int(sys.argv[9])/1024:.1f} MB")
print(f"warm rerun    {warm:.2f} s  (records deleted, every prompt from the cache; goal < 0.5 s)  peak RSS {int(sys.argv[10])/1024:.1f} MB")
print(f"no-op rerun   {noop:.2f} s  (records current: nothing to draft)")
PY
