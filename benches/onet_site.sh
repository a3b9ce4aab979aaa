#!/usr/bin/env bash
# The full O*NET publication, built the way a publication would build it: import all 923
# occupations, draft every task and skill against the fake server (titles, proposed
# skills), approve everything, publish. Then measures what readers and search engines
# see: page-title and meta-description lengths (goals: titles <= 70 and descriptions
# <= 160 characters on 99% of pages), the share of professions with a skills analysis,
# the site's size and file count, and publish time.
# usage: benches/onet_site.sh [ONET_TSV] [KEEP_DIR]
#   KEEP_DIR: build there and keep it (for Lighthouse, the Nu HTML Checker, screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=$(realpath "${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}")
if [ -z "${WILLAI:-}" ]; then
  cargo build --release -q -p willai -p fake-openai
  WILLAI=$PWD/target/release/willai
fi
FAKE=${FAKE:-$PWD/target/release/fake-openai}
if [ -n "${2:-}" ]; then
  DIR=$2; rm -rf "$DIR"; mkdir -p "$DIR"
else
  DIR=$(mktemp -d); trap 'rm -rf "$DIR"' EXIT
fi
mkdir -p "$DIR/root"
cp -r prompts "$DIR/root/"
cat > "$DIR/root/willai.toml" <<'TOML'
model = "bench-model"
concurrency = 64
retries = 3

[site]
name = "WillAIReplaceMe"
base_url = "https://willaireplace.me"
volume = "I"
number = "04"
date = "2026-04-20"
TOML
export WILLAI_ROOT=$DIR/root OPENAI_API_KEY=bench
coproc SERVER { "$FAKE" --delay-ms 0; }
read -r BASE <&"${SERVER[0]}"
export OPENAI_BASE_URL=$BASE
trap 'kill $SERVER_PID 2>/dev/null || true; [ -n "${2:-}" ] || rm -rf "$DIR"' EXIT

t() { local s; s=$(date +%s.%N); "$@"; python3 -c "print(f'{$(date +%s.%N)-$s:.2f}')"; }
"$WILLAI" import onet "$TSV" >/dev/null
"$WILLAI" schema >/dev/null
echo "draft --all: $(t "$WILLAI" draft --all --no-progress >"$DIR/draft.out" 2>&1) s ($(grep -E '^(requests|failed)' "$DIR/draft.out" | tr '\n' ' '))"
slugs=$(ls "$DIR/root/data/catalog" | sed 's/\.json$//')
start=$(date +%s)
for s in $slugs; do
  "$WILLAI" approve -p "$s" --all --reviewer "Bench Editor" --date 2026-04-20 >/dev/null
done
echo "approve --all for $(echo "$slugs" | wc -l) professions: $(( $(date +%s) - start )) s"
"$WILLAI" validate >/dev/null 2>&1 && echo "validate: clean" || echo "validate: PROBLEMS"
echo "publish (cold): $(t "$WILLAI" publish --out "$DIR/site" >/dev/null) s"
echo "publish (warm): $(t "$WILLAI" publish --out "$DIR/site" >/dev/null) s"
echo "site: $(find "$DIR/site" -type f | wc -l) files, $(du -sh --apparent-size "$DIR/site" | cut -f1) (apparent), $(du -sh "$DIR/site" | cut -f1) on disk"
python3 - "$DIR/site" <<'PY'
import html, os, re, sys, statistics
root = sys.argv[1]
titles, descs, skills, profs = [], [], 0, 0
for dirpath, _, files in os.walk(root):
    for f in files:
        if not f.endswith(".html"):
            continue
        text = open(os.path.join(dirpath, f), encoding="utf-8").read()
        t = re.search(r"<title>(.*?)</title>", text, re.S)
        d = re.search(r'<meta name="description" content="(.*?)">', text, re.S)
        if t: titles.append(len(html.unescape(t.group(1))))
        if d: descs.append(len(html.unescape(d.group(1))))
        if f == "index.html" and os.path.dirname(os.path.join(dirpath, f)) != root.rstrip("/") and "Skills Analysis" in text:
            profs += 1
            if "skills assessed" in text and not re.search(r"<strong>0</strong> skills assessed", text):
                skills += 1
def dist(name, xs, goal):
    xs = sorted(xs)
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    ok = sum(1 for x in xs if x <= goal)
    print(f"{name}: {len(xs)} pages, median {statistics.median(xs):.0f}, p90 {q(.9)}, p99 {q(.99)}, max {xs[-1]}; <= {goal}: {100*ok/len(xs):.2f}%")
dist("page titles", titles, 70)
dist("meta descriptions", descs, 160)
print(f"professions with a skills analysis: {skills} of {profs}")
PY
