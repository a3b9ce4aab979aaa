#!/usr/bin/env bash
# Benchmark of `willai publish` (issue #4): every O*NET occupation (923) with all its
# 19,265 task statements approved, into an empty directory, then again into the same
# one (nothing changes). Goal: under 5 s. Reports wall time and peak RSS.
# usage: benches/publish.sh [ONET_TSV]
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}
cargo build --release -q -p willai
WILLAI=$PWD/target/release/willai
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 benches/make_catalog.py "$DIR/root" 0 --approved --onet "$TSV"
cat >> "$DIR/root/willai.toml" <<'TOML'
[site]
name = "WillAIReplaceMe"
base_url = "https://willaireplace.me"
volume = "I"
number = "04"
date = "2026-04-20"
TOML
export WILLAI_ROOT=$DIR/root
"$WILLAI" schema >/dev/null
"$WILLAI" validate 2>/dev/null || { echo "the generated records do not validate"; exit 1; }
measure() {
  /usr/bin/time -f '%e %M' -o "$DIR/t" "$WILLAI" publish --out "$DIR/site" >"$DIR/out"
  read -r secs kb < "$DIR/t"
  echo "$1: ${secs} s, peak RSS $((kb / 1024)) MB  ($(cat "$DIR/out"))"
}
measure "cold (empty directory)"
measure "warm (same output)"
rm -rf "$DIR/site"
measure "cold again"
echo "site: $(find "$DIR/site" -type f | wc -l) files, $(du -sh "$DIR/site" | cut -f1); goal < 5 s"
