#!/usr/bin/env bash
# Benchmarks of issue #5 on the full O*NET file (923 occupations, 19,265 tasks):
#   import time; `draft --all` against the fake server (50 ms replies, concurrency 64),
#   ideal 19,265 x 50 ms / 64 = 15.05 s, goal within 1.15 x; the warm rerun (every prompt
#   from the cache) under 3 s; peak memory of each under 300 MB; cache size on disk; and
#   the same requests through the official `openai` package (benches/peer_openai.py)
#   against the same server in the same run, as ratios.
# usage: benches/onet_scale.sh [ONET_TSV]
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=$(realpath "${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}")
# WILLAI=path FAKE=path benchmark other binaries (e.g. an earlier build) with this script.
if [ -z "${WILLAI:-}" ]; then
  cargo build --release -q -p willai -p fake-openai
  WILLAI=$PWD/target/release/willai
fi
FAKE=${FAKE:-$PWD/target/release/fake-openai}
VENV=$PWD/target/bench-venv
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q openai; }
DIR=$(mktemp -d)
mkdir -p "$DIR/root"
cp -r prompts "$DIR/root/"
printf 'model = "bench-model"\nconcurrency = 64\nretries = 3\n' > "$DIR/root/willai.toml"
export WILLAI_ROOT=$DIR/root OPENAI_API_KEY=sk-bench-not-a-real-key

coproc SERVER { "$FAKE" --delay-ms 50; }
read -r BASE <&"${SERVER[0]}"
export OPENAI_BASE_URL=$BASE
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$DIR"' EXIT

run() { # label, command...
  local label=$1; shift
  local t0 t1; t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$DIR/rss" "$@" >"$DIR/out" 2>"$DIR/err" || { cat "$DIR/err" "$DIR/out"; exit 1; }
  t1=$(date +%s%N)
  local secs; secs=$(python3 -c "print(f'{($t1-$t0)/1e9:.2f}')")
  printf '%-44s %7s s  peak RSS %5d MB\n' "$label" "$secs" "$(( $(cat "$DIR/rss") / 1024 ))"
  echo "$secs $(cat "$DIR/rss")" > "$DIR/last"
}

run "import onet (full file)" "$WILLAI" import onet "$TSV"
run "import onet again (no-op)" "$WILLAI" import onet "$TSV"
run "draft --all --batch-out (request file)" "$WILLAI" draft --all --batch-out "$DIR/requests.jsonl" --no-progress
echo "  request file: $(wc -l < "$DIR/requests.jsonl") lines, $(du -h "$DIR/requests.jsonl" | cut -f1)"
run "draft --all (cold, fake server 50 ms, c=64)" "$WILLAI" draft --all --concurrency 64 --no-progress
read -r w_secs w_kb < "$DIR/last"
grep -E '^(requests|failed)' "$DIR/out" | sed 's/^/  /'
run "peer: openai AsyncOpenAI + Semaphore(64)" "$VENV/bin/python" benches/peer_openai.py "$DIR/requests.jsonl" "$DIR/peer-out" "$BASE" 64
read -r p_secs p_kb < "$DIR/last"
rm -rf "$DIR/root/data/records"
run "draft --all (warm: records deleted)" "$WILLAI" draft --all --concurrency 64 --no-progress
run "draft --all (no-op: all current)" "$WILLAI" draft --all --no-progress
echo "cache: $(find "$DIR/root/cache" -name '*.json' | wc -l) entries, $(du -sh "$DIR/root/cache" | cut -f1) on disk (apparent $(du -sh --apparent-size "$DIR/root/cache" | cut -f1))"
python3 - "$w_secs" "$w_kb" "$p_secs" "$p_kb" <<'PY'
import sys
w, wkb, p, pkb = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
ideal = 19265 * 0.050 / 64
print(f"willai cold run: {w:.2f} s = {w/ideal:.3f} x ideal ({ideal:.2f} s; goal <= 1.15)")
print(f"willai / peer: wall time {w/p:.2f} x, peak memory {wkb/pkb:.2f} x")
PY
