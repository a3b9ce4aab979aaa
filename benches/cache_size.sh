#!/usr/bin/env bash
# The cache at O*NET scale (issue #25): import the full O*NET file (923 occupations,
# 19,265 tasks), `draft --all` against the fake server, and report the cache's entries,
# bytes and bytes per entry (goal: at most 2 KB on average); then that the warm rerun
# sends nothing and that an offline redraft writes byte-identical records.
# usage: benches/cache_size.sh [ONET_TSV]
#   WILLAI=path FAKE=path   measure other binaries (e.g. an earlier build: "before")
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=$(realpath "${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}")
if [ -z "${WILLAI:-}" ]; then
  cargo build --release -q -p willai -p fake-openai
  WILLAI=$PWD/target/release/willai
fi
FAKE=${FAKE:-$(dirname "$WILLAI")/fake-openai}
DIR=$(mktemp -d)
mkdir -p "$DIR/root"
cp -r prompts "$DIR/root/"
printf 'model = "bench-model"\nconcurrency = 64\nretries = 3\n' > "$DIR/root/willai.toml"
export WILLAI_ROOT=$DIR/root OPENAI_API_KEY=sk-bench-not-a-real-key  # not to be found in the text of a reply
coproc SERVER { "$FAKE"; }
read -r BASE <&"${SERVER[0]}"
export OPENAI_BASE_URL=$BASE
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$WILLAI" --version
"$WILLAI" import onet "$TSV" >/dev/null
t0=$(date +%s%N)
"$WILLAI" draft --all --no-progress >"$DIR/out" 2>"$DIR/err" || { tail "$DIR/err" "$DIR/out"; exit 1; }
t1=$(date +%s%N)
grep -E '^(drafted|requests|failed)' "$DIR/out" | sed 's/^/  /'
echo "  cold draft: $(( (t1 - t0) / 1000000 )) ms"
n=$(find "$DIR/root/cache" -name '*.json' | wc -l)
bytes=$(find "$DIR/root/cache" -name '*.json' -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "cache: $n entries, $bytes bytes, $(( bytes / n )) bytes per entry on average; $(du -sh "$DIR/root/cache" | cut -f1) on disk"
cp -r "$DIR/root/data/records" "$DIR/records-cold"
rm -rf "$DIR/root/data/records"
"$WILLAI" draft --all --offline --no-progress >"$DIR/out" 2>&1
grep -E '^(requests|from cache)' "$DIR/out" | sed 's/^/  offline redraft: /'
if diff -r -q "$DIR/records-cold" "$DIR/root/data/records" >/dev/null; then
  echo "  offline redraft: records byte-identical to the cold run's"
else
  echo "  offline redraft: records DIFFER"; exit 1
fi
"$WILLAI" cache verify | tail -1 | sed 's/^/  /'
