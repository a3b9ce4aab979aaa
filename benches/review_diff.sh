#!/usr/bin/env bash
# Review at scale, measured as an editor meets it (release build, fake server):
# 1. a 2,000-task project (100 professions of 20, from make_catalog.py) drafted with
#    confidence: how long `willai review --all` takes to show its first item in a
#    pseudo-terminal (loading catalog, records and prompts, building and sorting the
#    queue), and the same with `--order profession`;
# 2. the full O*NET catalog (923 occupations, 19,265 tasks) drafted and committed to
#    git, then every profession approved: `willai diff` against HEAD (text, --markdown,
#    --json), and `git diff` through `willai textconv`.
# usage: benches/review_diff.sh [ONET_TSV]
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=$(realpath "${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}")
if [ -z "${WILLAI:-}" ]; then
  cargo build --release -q -p willai -p fake-openai
  WILLAI=$PWD/target/release/willai
fi
FAKE=${FAKE:-$PWD/target/release/fake-openai}
DIR=$(mktemp -d)
coproc SERVER { "$FAKE" --delay-ms 0; }
read -r BASE <&"${SERVER[0]}"
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
export OPENAI_BASE_URL=$BASE OPENAI_API_KEY=sk-bench-not-a-real-key WILLAI_REVIEWER="Bench Editor"
t() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; python3 -c "print(f'{$(date +%s.%N)-$s:.3f}')"; }

# 1. The queue.
python3 benches/make_catalog.py "$DIR/queue" 2000
echo 'concurrency = 32' >> "$DIR/queue/willai.toml"
WILLAI_ROOT=$DIR/queue "$WILLAI" draft --all --no-progress >/dev/null 2>&1
WILLAI_ROOT=$DIR/queue python3 benches/pty_open.py 5 "$WILLAI" review --all
WILLAI_ROOT=$DIR/queue python3 benches/pty_open.py 5 "$WILLAI" review --all --order profession

# 2. The full O*NET records in git.
mkdir -p "$DIR/onet"
cp -r prompts "$DIR/onet/"
printf 'model = "bench-model"\nconcurrency = 64\nretries = 3\n' > "$DIR/onet/willai.toml"
export WILLAI_ROOT=$DIR/onet
"$WILLAI" import onet "$TSV" >/dev/null
echo "draft --all (O*NET): $(t "$WILLAI" draft --all --no-progress) s"
WILLAI_ROOT=$DIR/onet python3 benches/pty_open.py 3 "$WILLAI" review --all
cd "$DIR/onet"
git init -q . && git config user.name Bench && git config user.email bench@example.org
printf '/cache/\n.willai.lock\n' > .gitignore
git add . && git commit -q -m drafts
slugs=$(ls data/catalog | sed 's/\.json$//')
start=$(date +%s)
for s in $slugs; do "$WILLAI" approve -p "$s" --all --date 2026-11-28 >/dev/null; done
echo "approve --all for $(echo "$slugs" | wc -l) professions: $(( $(date +%s) - start )) s"
echo "changed: $(git diff --name-only | wc -l) record files; $("$WILLAI" diff | head -1)"
for form in "" --markdown --json; do
  for _ in 1 2 3; do echo "willai diff $form: $(t "$WILLAI" diff $form) s"; done
done
echo "data/records/*.json diff=willai" > .gitattributes
git config diff.willai.textconv "$WILLAI textconv"
echo "git diff through textconv (923 files): $(t git diff) s"
