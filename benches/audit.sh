#!/usr/bin/env bash
# `willai audit` on the full O*NET project (923 occupations, 19,265 tasks): import, draft
# every task against the fake server, then `audit draw --size 400` and `audit report`
# (text and --json), each timed five times (goal: under one second each), beside
# `willai status` over the same records in the same run, as a ratio. The sample is judged
# with the human labels of "GPTs are GPTs" (full_labelset.tsv, by O*NET Task ID) so that
# the report has numbers to show; its first lines are printed.
# usage: benches/audit.sh [ONET_TSV] [LABELSET_TSV] [KEEP_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=$(realpath "${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}")
LABELS=$(realpath "${2:-../shared/data/gpts-are-gpts/full_labelset.tsv}")
if [ -z "${WILLAI:-}" ]; then
  cargo build --release -q -p willai -p fake-openai
  WILLAI=$PWD/target/release/willai
fi
FAKE=${FAKE:-$PWD/target/release/fake-openai}
if [ -n "${3:-}" ]; then
  DIR=$3; rm -rf "$DIR"; mkdir -p "$DIR"
else
  DIR=$(mktemp -d)
fi
mkdir -p "$DIR/root"
cp -r prompts "$DIR/root/"
printf 'model = "bench-model"\nconcurrency = 64\nretries = 3\n' > "$DIR/root/willai.toml"
export WILLAI_ROOT=$DIR/root OPENAI_API_KEY=sk-bench-not-a-real-key
coproc SERVER { "$FAKE" --delay-ms 0; }
read -r BASE <&"${SERVER[0]}"
export OPENAI_BASE_URL=$BASE
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; [ -n "${3:-}" ] || rm -rf "$DIR"' EXIT

"$WILLAI" import onet "$TSV" >/dev/null
"$WILLAI" schema >/dev/null
"$WILLAI" draft --all --no-progress >/dev/null 2>&1
kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true

# timed LABEL CMD...: five runs; prints the fastest and the median, and sets $median.
timed() {
  local label=$1 out; shift
  out=$(python3 - "$label" "$@" <<'PY'
import statistics, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2:]
runs = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs.append(time.perf_counter() - t)
print(f"{label:<34} fastest {min(runs):.3f} s, median {statistics.median(runs):.3f} s")
print(statistics.median(runs))
PY
)
  echo "${out%$'\n'*}"
  median=${out##*$'\n'}
}

echo "records: $(ls "$DIR/root/data/records" | wc -l)"
# Each run draws under a new name (an audit is never drawn over); they go after.
timed "audit draw --size 400" bash -c 'f=$(mktemp -u XXXXXX | tr A-Z a-z); exec "$0" audit draw --size 400 --seed bench --name "run-$f" --date 2026-12-05' "$WILLAI"
draw=$median
rm -f "$DIR"/root/data/audits/run-*.json
"$WILLAI" audit draw --size 400 --seed bench --name bench --date 2026-12-05
# Judge the sample with the human labels (E1 HIGH, E2 MEDIUM, E0 LOW) by O*NET Task ID.
python3 - "$DIR/root/data/audits/bench.json" "$LABELS" <<'PY'
import csv, json, sys
path, labels = sys.argv[1], sys.argv[2]
level = {"E1": "HIGH", "E2": "MEDIUM", "E0": "LOW"}
human = {}
with open(labels, newline="") as f:
    for row in csv.DictReader(f, delimiter="\t"):
        human[f"onet-{int(float(row['Task ID']))}"] = level[row["human_exposure_agg"]]
audit = json.load(open(path))
for item in audit["items"]:
    item["judged"] = human[item["task"]]
open(path, "w").write(json.dumps(audit, indent=2) + "\n")
PY
"$WILLAI" fmt >/dev/null 2>&1
timed "audit report" "$WILLAI" audit report bench
report=$median
timed "audit report --json" "$WILLAI" audit report bench --json
json=$median
timed "status (reads the same records)" "$WILLAI" status
status=$median
python3 -c "print(f'ratios to status (median): draw {$draw/$status:.2f}, report {$report/$status:.2f}, report --json {$json/$status:.2f}')"
echo
"$WILLAI" audit report bench | sed -n '1,22p'
