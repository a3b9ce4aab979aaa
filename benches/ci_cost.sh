#!/usr/bin/env bash
# What a run of the CI `willai init` writes costs, step by step, for the steps that can
# run here (the README's "What a run costs"): a publication of TASKS approved tasks
# (default 19,265, O*NET's count, in files of 20) committed to git, and a pull request
# that changes the level and rationale of CHANGED of them; then, as the check job runs
# them: the full-depth clone, `willai fmt --check`, `willai validate --format github`
# (clean on main, and on the pull request, where every changed task is "edited after
# approval"), `git merge-base` and `willai diff --markdown` into a summary file; and
# what the cache holds (the installed binary, compressed as actions/cache does, with
# zstd). The cold install is timed separately: `cargo install --locked --profile dist`.
# usage: WILLAI=path/to/willai benches/ci_cost.sh [TASKS] [CHANGED]
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-19265}
CHANGED=${2:-2000}
if [ -z "${WILLAI:-}" ]; then
  cargo build --profile dist -q -p willai
  WILLAI=$PWD/target/dist/willai
fi
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org
t() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; python3 -c "print(f'{$(date +%s.%N)-$s:.2f} s')"; }

python3 benches/make_catalog.py "$DIR/origin" "$TASKS" --approved
cd "$DIR/origin"
"$WILLAI" schema >/dev/null
"$WILLAI" fmt >/dev/null
git init -q -b main && git add -A && git commit -q -m "approved"
base=$(git rev-parse HEAD)
git checkout -q -b change
python3 - "$CHANGED" <<'PY'
import json, os, sys
left = int(sys.argv[1])
d = "data/records"
for name in sorted(os.listdir(d)):
    if left <= 0:
        break
    path = os.path.join(d, name)
    rec = json.load(open(path))
    for t in rec["tasks"]:
        if left <= 0:
            break
        t["level"] = {"HIGH": "LOW", "LOW": "MEDIUM", "MEDIUM": "HIGH"}[t["level"]]
        t["rationale"] = t["rationale"] + " An editor added this sentence."
        left -= 1
    json.dump(rec, open(path, "w"), indent=2, ensure_ascii=False)
    open(path, "a").write("\n")
PY
"$WILLAI" fmt >/dev/null 2>&1 || true
git add -A && git commit -q -m "an editor's pull request"
head=$(git rev-parse HEAD)
files=$(ls data/records | wc -l)
echo "a publication of $TASKS approved tasks in $files record files; the pull request changes $CHANGED of them"
echo "repository: $(du -sh .git | cut -f1) of git objects"

cd "$DIR"
echo "checkout, full depth (git clone --no-local):          $(t git clone -q --no-local origin work)"
cd work
git checkout -q "$head"
echo "willai fmt --check:                                   $(t "$WILLAI" fmt --check)"
git checkout -q main
echo "willai validate --format github (main, clean):        $(t "$WILLAI" validate --format github)"
git checkout -q "$head"
problems=$("$WILLAI" validate --format github 2>/dev/null | wc -l || true)
echo "willai validate --format github (pull request, $problems annotations): $(t "$WILLAI" validate --format github)"
summary=$DIR/summary.md
echo "git merge-base + willai diff --markdown > summary:    $(t sh -c "b=\$(git merge-base $base HEAD) && '$WILLAI' diff \"\$b\" --markdown > '$summary'")"
echo "  the summary: $(wc -c < "$summary") bytes; $(grep -c '^| ' "$summary" || true) table rows; last line: $(tail -1 "$summary" | cut -c1-120)"
mkdir -p "$DIR/cache/bin" && cp "$WILLAI" "$DIR/cache/bin/willai"
if command -v zstd >/dev/null; then
  echo "the cache entry (~/.willai, tar + zstd as actions/cache): $(tar -C "$DIR/cache" -cf - . | zstd -q -T0 | wc -c) bytes (binary $(wc -c < "$WILLAI") bytes)"
else
  echo "the cache entry: binary $(wc -c < "$WILLAI") bytes, $(gzip -c "$WILLAI" | wc -c) gzipped (install zstd for actions/cache's own compression)"
fi
