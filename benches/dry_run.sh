#!/usr/bin/env bash
# Cost before spending at O*NET scale (issue #25): `draft --all --dry-run` over the full
# O*NET catalog (923 occupations, 19,265 tasks, 20,188 prompts), every prompt rendered,
# looked up and its tokens counted: with o200k_base (gpt-4o-mini), with bytes / 4 (a model
# tiktoken does not know), and for comparison the rows alone (the count is the estimate's
# only extra work). Prints wall time and peak memory of each, and the estimate.
# usage: benches/dry_run.sh [ONET_TSV]   (WILLAI=path measures another build)
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=$(realpath "${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}")
if [ -z "${WILLAI:-}" ]; then
  cargo build --release -q -p willai
  WILLAI=$PWD/target/release/willai
fi
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/root"
cp -r prompts "$DIR/root/"
printf 'model = "bench-model"\n[prices."gpt-4o-mini"]\ninput = 0.15\noutput = 0.60\n' > "$DIR/root/willai.toml"
export WILLAI_ROOT=$DIR/root
"$WILLAI" --version
"$WILLAI" import onet "$TSV" >/dev/null
run() { # label, args...
  local label=$1; shift
  local t0 t1; t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$DIR/rss" "$WILLAI" draft --all --dry-run "$@" >"$DIR/out" 2>"$DIR/err" \
    || { tail "$DIR/err"; exit 1; }
  t1=$(date +%s%N)
  printf '%-44s %6.2f s  peak RSS %4d MB\n' "$label" "$(python3 -c "print(($t1-$t0)/1e9)")" \
    "$(( $(cat "$DIR/rss") / 1024 ))"
  grep -E '^(dry run: |tokens in: |tokens out: |cost: )' "$DIR/out" | sed 's/^/    /'
}
run "dry run, gpt-4o-mini (o200k_base)" --model gpt-4o-mini
run "dry run, bench-model (bytes / 4)"
