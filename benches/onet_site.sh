#!/usr/bin/env bash
# The full O*NET publication, built the way a publication would build it: import all 923
# occupations, draft every task and skill against the fake server (titles, proposed
# skills), approve everything, publish. Then measures what readers and search engines
# see: page-title and meta-description lengths (goals: titles <= 70 and descriptions
# <= 160 characters on 99% of pages), the share of professions with a skills analysis,
# the site's size and file count (goal: at most 120 MB), and publish time.
#
# With the tools installed (as .ci/run does, or by hand), also:
#   VNU_JAR=path/to/vnu.jar   the Nu HTML Checker over every page: its error count;
#   LIGHTHOUSE=path/to/lighthouse (with CHROME_PATH)   Lighthouse's mobile scores of the
#     index, a profession page and a deep dive, served gzipped from 127.0.0.1 as a static
#     host serves them.
# usage: benches/onet_site.sh [ONET_TSV] [KEEP_DIR]
#   KEEP_DIR: build there and keep it (KEEP_DIR/root is the project, KEEP_DIR/site the
#   site: for benches/publish.sh, Lighthouse, the Nu HTML Checker, screenshots).
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
"$WILLAI" import onet "$TSV" >/dev/null
"$WILLAI" schema >/dev/null
echo "draft --all: $(t "$DIR/draft.out" "$WILLAI" draft --all --no-progress) s ($(grep -E '^(requests|failed)' "$DIR/draft.out" | tr '\n' ' '))"
kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
slugs=$(ls "$DIR/root/data/catalog" | sed 's/\.json$//')
start=$(date +%s)
for s in $slugs; do
  "$WILLAI" approve -p "$s" --all --reviewer "Bench Editor" --date 2026-04-20 >/dev/null
done
echo "approve --all for $(echo "$slugs" | wc -l) professions: $(( $(date +%s) - start )) s"
"$WILLAI" validate >/dev/null 2>&1 && echo "validate: clean" || echo "validate: PROBLEMS"
echo "publish (cold): $(t /dev/null "$WILLAI" publish --out "$DIR/site") s"
echo "publish (warm): $(t /dev/null "$WILLAI" publish --out "$DIR/site") s"
echo "site: $(find "$DIR/site" -type f | wc -l) files, $(du -sh --apparent-size "$DIR/site" | cut -f1) (apparent), $(du -sh "$DIR/site" | cut -f1) on disk; goal <= 120 MB"
python3 - "$DIR/site" <<'PY'
import html, os, re, sys, statistics
root = sys.argv[1].rstrip("/")
titles, descs, skills, profs = [], [], 0, 0
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
        if t: titles.append(len(html.unescape(t.group(1))))
        if d: descs.append(len(html.unescape(d.group(1))))
        if f == "index.html" and dirpath != root and "Skills Analysis" in text:
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
print("bytes by kind: " + ", ".join(f"{k} {v/1e6:.1f} MB" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
PY

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
  deep=$(ls "$DIR/site/accountants-and-auditors" | grep -v '^index.html$' | head -1)
  for page in index.html accountants-and-auditors/index.html "accountants-and-auditors/$deep"; do
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
