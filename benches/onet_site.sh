#!/usr/bin/env bash
# The full O*NET publication, built the way a publication would build it: import all 923
# occupations, draft every task and skill against the fake server (titles, proposed
# skills), approve everything, publish. Then measures what readers and search engines
# see: page-title and meta-description lengths, duplicate titles and descriptions
# (goal: none), deep-dive titles without "AI" or their profession (goal: none), rank
# inversions in the ranking (a printed share larger than the one above it; goal:
# none), the share of professions with a skills analysis, the site's size and file
# count, the same with `[site] deep_dives = "core"`, and publish time. With Chromium,
# where the first task row of the largest profession lands at 390 and 320 px (goal:
# within 1,200 px of the top at 390).
#
# With the tools installed (as .ci/run does, or by hand), also:
#   VNU_JAR=path/to/vnu.jar   the Nu HTML Checker over every page: its error count;
#   LIGHTHOUSE=path/to/lighthouse (with CHROME_PATH)   Lighthouse's mobile scores of the
#     index, a profession page and a deep dive, served gzipped from 127.0.0.1 as a static
#     host serves them.
# usage: benches/onet_site.sh [ONET_TSV] [KEEP_DIR]
#   KEEP_DIR: build there and keep it (KEEP_DIR/root is the project, KEEP_DIR/site the
#   site: for benches/publish.sh, Lighthouse, the Nu HTML Checker, screenshots).
#   BUILT_ROOT=DIR: publish that approved project (an earlier KEEP_DIR/root) instead of
#   importing, drafting and approving again (about 6 minutes on 2 cores).
#   CHROMIUM=path (default /usr/bin/chromium, when there): the phone layout probe.
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
license = "CC BY 4.0"
license_url = "https://creativecommons.org/licenses/by/4.0/"
signup_url = "https://willaireplace.me/report"
TOML
export WILLAI_ROOT=$DIR/root OPENAI_API_KEY=sk-bench-not-a-real-key
coproc SERVER { "$FAKE" --delay-ms 0; }
read -r BASE <&"${SERVER[0]}"
export OPENAI_BASE_URL=$BASE
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; [ -n "${2:-}" ] || rm -rf "$DIR"' EXIT

# t OUT CMD...: runs CMD with its output in OUT, prints the seconds it took.
t() {
  local out=$1 s; shift
  s=$(date +%s.%N); "$@" >"$out" 2>&1
  python3 -c "print(f'{$(date +%s.%N)-$s:.2f}')"
}
if [ -n "${BUILT_ROOT:-}" ]; then
  rm -rf "$DIR/root"; cp -r "$BUILT_ROOT" "$DIR/root"
  "$WILLAI" schema >/dev/null
  echo "project: a copy of $BUILT_ROOT"
else
"$WILLAI" import onet "$TSV" >/dev/null
"$WILLAI" schema >/dev/null
echo "draft --all: $(t "$DIR/draft.out" "$WILLAI" draft --all --no-progress) s ($(grep -E '^(requests|failed)' "$DIR/draft.out" | tr '\n' ' '))"
slugs=$(ls "$DIR/root/data/catalog" | sed 's/\.json$//')
start=$(date +%s)
for s in $slugs; do
  "$WILLAI" approve -p "$s" --all --reviewer "Bench Editor" --date 2026-04-20 >/dev/null
done
echo "approve --all for $(echo "$slugs" | wc -l) professions: $(( $(date +%s) - start )) s"
fi
kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
"$WILLAI" validate >/dev/null 2>&1 && echo "validate: clean" || echo "validate: PROBLEMS"
echo "publish (cold): $(t "$DIR/publish.out" "$WILLAI" publish --out "$DIR/site") s"
echo "publish (warm): $(t "$DIR/publish.out" "$WILLAI" publish --out "$DIR/site") s"
grep -E '^(the site|note)' "$DIR/publish.out" || true
echo "site: $(find "$DIR/site" -type f | wc -l) files, $(du -sh --apparent-size "$DIR/site" | cut -f1) (apparent), $(du -sh "$DIR/site" | cut -f1) on disk"
# The same project with deep dives for Core tasks only (what fits Cloudflare Pages).
cp "$DIR/root/willai.toml" "$DIR/willai.toml.all"
printf 'deep_dives = "core"\n' >> "$DIR/root/willai.toml"
"$WILLAI" publish --out "$DIR/site-core" > "$DIR/publish-core.out" 2>&1
echo "deep_dives = \"core\": $(grep '^the site' "$DIR/publish-core.out"), $(grep -c '^note' "$DIR/publish-core.out" || true) host note(s)"
cp "$DIR/willai.toml.all" "$DIR/root/willai.toml"; rm -rf "$DIR/site-core"
python3 - "$DIR/site" <<'PY'
import collections, html, json, os, re, sys, statistics
root = sys.argv[1].rstrip("/")
titles, descs, skills, profs = [], [], 0, 0
seen_titles, seen_descs = collections.Counter(), collections.Counter()
short = {}
for f in os.listdir(os.path.join(root, "api/professions")):
    if f != "index.json":
        api = json.load(open(os.path.join(root, "api/professions", f), encoding="utf-8"))
        short[api["slug"]] = api["short_name"]
no_ai, no_profession = [], []
kinds = {}
for dirpath, _, files in os.walk(root):
    for f in files:
        path = os.path.join(dirpath, f)
        kind = ("api" if "/api/" in path else "profession pages" if f == "index.html" and dirpath != root
                else "deep dives" if f.endswith(".html") and dirpath != root else "site files")
        kinds[kind] = kinds.get(kind, 0) + os.path.getsize(path)
        if not f.endswith(".html"):
            continue
        text = open(path, encoding="utf-8").read()
        t = re.search(r"<title>(.*?)</title>", text, re.S)
        d = re.search(r'<meta name="description" content="(.*?)">', text, re.S)
        if t:
            title = html.unescape(t.group(1))
            titles.append(len(title))
            seen_titles[title] += 1
            if kind == "deep dives":
                prof = os.path.basename(dirpath)
                if not title.startswith("AI "):
                    no_ai.append(path)
                if short.get(prof, "\0") not in title:
                    no_profession.append(path)
        if d:
            desc = html.unescape(d.group(1))
            descs.append(len(desc))
            seen_descs[desc] += 1
        if f == "index.html" and dirpath != root and "Skills Analysis" in text:
            profs += 1
            if '<h3 class="verdict-' in text:
                skills += 1
def dist(name, xs, goal):
    xs = sorted(xs)
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    ok = sum(1 for x in xs if x <= goal)
    print(f"{name}: {len(xs)} pages, median {statistics.median(xs):.0f}, p90 {q(.9)}, p99 {q(.99)}, max {xs[-1]}; <= {goal}: {100*ok/len(xs):.2f}%")
dist("page titles", titles, 70)
dist("meta descriptions", descs, 160)
dup = lambda c: (sum(n for n in c.values() if n > 1), sum(1 for n in c.values() if n > 1))
print("duplicate titles: %d pages share %d titles; goal 0" % dup(seen_titles))
print("duplicate descriptions: %d pages share %d descriptions; goal 0" % dup(seen_descs))
print(f"deep-dive titles without \"AI\": {len(no_ai)}, without their profession: {len(no_profession)}; goal 0")
by = open(os.path.join(root, "index-by-exposure.html"), encoding="utf-8").read()
ranking = by[by.find('<ol class="profs ranking">'):]
ranking = ranking[:ranking.find("</ol>")]
printed = [int(x) for x in re.findall(r'<span class="n">(\d+)%</span>', ranking)]
inversions = sum(1 for a, b in zip(printed, printed[1:]) if b > a)
api = json.load(open(os.path.join(root, "api/professions/index.json"), encoding="utf-8"))
standing = collections.Counter(p["standing"] for p in api["professions"])
print(f"ranking: {len(printed)} ranked, {standing['few_tasks']} ranked apart, {standing['in_review']} in review; rank inversions (a printed share above the one before it): {inversions}; goal 0")
print(f"professions with a skills analysis: {skills} of {profs}")
print("bytes by kind: " + ", ".join(f"{k} {v/1e6:.1f} MB" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
PY

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  # The largest profession (most tasks), where the first task row lands on a phone.
  big=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print(max(a['professions'], key=lambda p: (p['counts']['tasks'], p['slug']))['slug'])" "$DIR/site/api/professions/index.json")
  for w in 390 320; do
    python3 benches/layout_probe.py "$CHROMIUM" "$w" "$DIR/site/$big/index.html" | sed "s|$DIR/site/||"
  done
fi
if [ -n "${VNU_JAR:-}" ]; then
  vnu=$(java -jar "$VNU_JAR" --errors-only --skip-non-html --format text "$DIR/site" 2>&1 || true)
  echo "Nu HTML Checker over $(find "$DIR/site" -name '*.html' | wc -l) pages: $(grep -c ': error:' <<<"$vnu" || true) error(s)"
  grep ': error:' <<<"$vnu" | head -5 || true
fi
if [ -n "${LIGHTHOUSE:-}" ]; then
  # A static host: gzip for text, a 404 page for missing paths.
  coproc WEB { python3 -u - "$DIR/site" <<'PY'
import gzip, http.server, io, os, sys
root = sys.argv[1]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=root, **k)
    def log_message(self, *a): pass
    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path): path = os.path.join(path, "index.html")
        found = os.path.isfile(path)
        body = open(path if found else os.path.join(root, "404.html"), "rb").read()
        self.send_response(200 if found else 404)
        kind = self.guess_type(path) if found else "text/html"
        if "gzip" in self.headers.get("Accept-Encoding", "") and (kind.startswith("text") or kind in ("application/json", "application/javascript", "image/svg+xml")):
            body = gzip.compress(body, 6); self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Type", kind); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); return io.BytesIO(body)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
PY
  }
  read -r WEB_URL <&"${WEB[0]}"
  # The index, the largest profession and its first deep dive.
  big=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print(max(a['professions'], key=lambda p: (p['counts']['tasks'], p['slug']))['slug'])" "$DIR/site/api/professions/index.json")
  deep=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print(a['tasks'][0]['url'].rsplit('/', 1)[1])" "$DIR/site/api/professions/$big.json")
  for page in index.html "$big/index.html" "$big/$deep"; do
    "$LIGHTHOUSE" "$WEB_URL/$page" --quiet --output=json --output-path="$DIR/lighthouse.json" \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="--headless --no-sandbox --disable-gpu --user-data-dir=$(mktemp -d)" >/dev/null 2>&1 || true
    python3 - "$DIR/lighthouse.json" "$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = {k: round(v["score"] * 100) for k, v in r["categories"].items() if v["score"] is not None}
print(f"Lighthouse (mobile) {sys.argv[2]}: performance {s.get('performance')}, accessibility {s.get('accessibility')}, best practices {s.get('best-practices')}, SEO {s.get('seo')}")
PY
  done
  kill "$WEB_PID" 2>/dev/null || true
fi
