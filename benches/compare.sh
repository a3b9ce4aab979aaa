#!/usr/bin/env bash
# Two builds of willai on the hot paths, in one run on the same data, runs interleaved
# (A, B, A, B, ...) so a noisy machine weighs on both alike: the warm rerun of `draft`
# (2,000 tasks, every prompt from the cache), `validate` over 20,000 approved tasks, and
# `publish` of the full O*NET site (923 professions, 19,265 approved tasks) cold and warm.
# Prints the median of each and the ratio B / A.
# usage: benches/compare.sh A_BINARY B_BINARY [ONET_TSV] [RUNS]
#   e.g. a build of main against this branch's:
#   git worktree add --detach /tmp/base main && (cd /tmp/base && cargo build --release)
#   benches/compare.sh /tmp/base/target/release/willai target/release/willai
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1"); B=$(realpath "$2")
TSV=$(realpath "${3:-../shared/data/gpts-are-gpts/full_onet_data.tsv}")
RUNS=${4:-5}
cargo build --release -q -p fake-openai
FAKE=$PWD/target/release/fake-openai
DIR=$(mktemp -d)
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$DIR"' EXIT
coproc SERVER { "$FAKE" --delay-ms 0; }
read -r BASE <&"${SERVER[0]}"
# A key no reply can contain (a reply echoing the key is refused).
export OPENAI_BASE_URL=$BASE OPENAI_API_KEY=sk-compare-0000000000000000

secs() { # CMD...: its wall time in seconds
  local s; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true
  python3 -c "print(($(date +%s%N)-$s)/1e9)"
}
# compare LABEL SETUP CMD_ARGS...: RUNS interleaved runs of A and B, medians, ratio.
compare() {
  local label=$1 setup=$2; shift 2
  local a=() b=()
  for _ in $(seq "$RUNS"); do
    eval "$setup"; a+=("$(secs "$A" "$@")")
    eval "$setup"; b+=("$(secs "$B" "$@")")
  done
  python3 - "$label" "${a[*]}" "${b[*]}" <<'PY'
import statistics, sys
label, a, b = sys.argv[1], list(map(float, sys.argv[2].split())), list(map(float, sys.argv[3].split()))
ma, mb = statistics.median(a), statistics.median(b)
print(f"{label:<40} A {ma:7.3f} s   B {mb:7.3f} s   B/A {mb/ma:5.3f}   (medians of {len(a)})")
PY
}

# draft: the warm rerun (records deleted, every prompt answered from the cache).
python3 benches/make_catalog.py "$DIR/draft" 2000 >/dev/null
export WILLAI_ROOT=$DIR/draft
"$B" draft --all --concurrency 64 --no-progress >/dev/null 2>&1
compare "draft warm rerun (2,000 tasks)" 'rm -rf "$DIR/draft/data/records"' draft --all --concurrency 64 --no-progress

# validate: 20,000 approved tasks.
python3 benches/make_catalog.py "$DIR/validate" 20000 --approved >/dev/null
export WILLAI_ROOT=$DIR/validate
"$B" schema >/dev/null
compare "validate (20,000 approved tasks)" ':' validate

# publish: the full O*NET site, built once with B.
mkdir -p "$DIR/onet"
cp -r prompts "$DIR/onet/"
printf 'model = "bench-model"\nconcurrency = 64\nretries = 3\n\n[site]\nname = "WillAIReplaceMe"\nbase_url = "https://willaireplace.me"\n' > "$DIR/onet/willai.toml"
export WILLAI_ROOT=$DIR/onet
"$B" import onet "$TSV" >/dev/null
"$B" draft --all --no-progress >/dev/null 2>&1
for s in $(ls "$DIR/onet/data/catalog" | sed 's/\.json$//'); do
  "$B" approve -p "$s" --all --reviewer "Bench Editor" --date 2026-04-20 >/dev/null
done
compare "publish O*NET site, cold" 'rm -rf "$DIR/site"' publish --out "$DIR/site"
"$B" publish --out "$DIR/site" >/dev/null
compare "publish O*NET site, warm (no change)" ':' publish --out "$DIR/site"
