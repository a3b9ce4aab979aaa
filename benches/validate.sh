#!/usr/bin/env bash
# Benchmark of `willai validate` (issue #3): TASKS approved task records (default 20,000,
# in files of 20 tasks), every check on. Goal: under 1 s. Reports wall time and peak RSS.
# usage: benches/validate.sh [TASKS]
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-20000}
cargo build --release -q -p willai
WILLAI=$PWD/target/release/willai
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 benches/make_catalog.py "$DIR/root" "$TASKS" --approved
export WILLAI_ROOT=$DIR/root
"$WILLAI" schema >/dev/null
"$WILLAI" validate 2>/dev/null || { echo "the generated records do not validate"; "$WILLAI" validate | head; exit 1; }
best=""
for i in 1 2 3 4 5; do
  /usr/bin/time -f '%e %M' -o "$DIR/t" "$WILLAI" validate 2>/dev/null
  read -r secs kb < "$DIR/t"
  echo "run $i: ${secs} s, peak RSS $((kb / 1024)) MB"
done
files=$(ls "$DIR/root/data/records" | wc -l)
echo "validate: $TASKS approved tasks in $files record files (+ $files catalog files); goal < 1 s"
