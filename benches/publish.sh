#!/usr/bin/env bash
# Benchmark of `willai publish` at O*NET scale (issues 4 and 12): the full site (923
# professions, 19,265 approved tasks with titles and proposed skills) -- its size and file
# count, publish time cold (empty directory) and warm (nothing changed) -- and, in the
# same run, Hugo (Debian's `hugo`) building the same pages from equivalent Markdown with
# minimal templates: a page per profession (its tasks with their rationales, skills,
# insights), a page per task (its focus and the profession's task table, skills and
# insights) and an index. Each time is the median of three runs. Goal: willai's cold
# publish at most half of Hugo's time.
# usage: benches/publish.sh [ONET_TSV] [ROOT]
#   ROOT: a project root with the approved records (KEEP_DIR/root of benches/onet_site.sh);
#   without it one is built first with benches/onet_site.sh (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
TSV=${1:-../shared/data/gpts-are-gpts/full_onet_data.tsv}
command -v hugo >/dev/null || { echo "needs Hugo: apt-get install hugo"; exit 1; }
cargo build --release -q -p willai -p fake-openai
WILLAI=$PWD/target/release/willai
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
if [ -n "${2:-}" ]; then
  ROOT=$(realpath "$2")
else
  WILLAI=$WILLAI benches/onet_site.sh "$TSV" "$DIR/built" >/dev/null
  ROOT=$DIR/built/root
fi
export WILLAI_ROOT=$ROOT

# median SECONDS of three runs of CMD (each preceded by SETUP, untimed)
median() {
  local setup=$1; shift
  for _ in 1 2 3; do
    eval "$setup"
    /usr/bin/time -f '%e %M' -o "$DIR/t" "$@" >/dev/null 2>&1
    cat "$DIR/t"
  done | sort -n | sed -n 2p
}
read -r cold cold_kb < <(median 'rm -rf "$DIR/site"' "$WILLAI" publish --out "$DIR/site")
read -r warm warm_kb < <(median ':' "$WILLAI" publish --out "$DIR/site")
echo "willai publish, cold (empty directory): ${cold} s, peak RSS $((cold_kb / 1024)) MB"
echo "willai publish, warm (nothing changed): ${warm} s, peak RSS $((warm_kb / 1024)) MB"
echo "site: $(find "$DIR/site" -type f | wc -l) files, $(du -sh --apparent-size "$DIR/site" | cut -f1) (apparent), $(du -sh "$DIR/site" | cut -f1) on disk"

# The same pages as Markdown with front matter, from willai's own JSON API.
python3 - "$DIR/site/api/professions" "$DIR/hugo" <<'PY'
import json, os, sys
api, root = sys.argv[1], sys.argv[2]
os.makedirs(root + "/content"); os.makedirs(root + "/layouts/_default")
open(root + "/config.toml", "w").write('baseURL = "https://willaireplace.me/"\ntitle = "WillAIReplaceMe"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
L = root + "/layouts/_default/"
open(L + "baseof.html", "w").write('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title><link rel="stylesheet" href="/style.css"></head><body><header><a href="/">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>\n')
skills = '<h2>Skills Analysis</h2><ul>{{ range .Params.skills }}<li><strong>{{ .name }}</strong> {{ .reason }}</li>{{ end }}</ul><h2>Key Insights</h2><ul>{{ range .Params.insights }}<li>{{ . }}</li>{{ end }}</ul>'
open(L + "list.html", "w").write('{{ define "main" }}<h1>Will AI replace {{ .Title }}?</h1>{{ .Content }}<table>{{ range .Pages }}<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Params.level }}</td><td>{{ .Params.rationale }}</td></tr>{{ end }}</table>' + skills + '{{ end }}\n')
open(L + "single.html", "w").write('{{ define "main" }}<h1>AI and {{ .Title }}</h1><section><h2>Focus: {{ .Title }}</h2><p>{{ .Params.level }}</p>{{ .Content }}</section>{{ $cur := . }}<table>{{ range .CurrentSection.Pages }}<tr><td><a href="{{ .RelPermalink }}"{{ if eq . $cur }} aria-current="page"{{ end }}>{{ .Title }}</a></td><td>{{ .Params.level }}</td></tr>{{ end }}</table>{{ with .CurrentSection }}' + skills + '{{ end }}{{ end }}\n')
open(L + "index.html", "w").write('{{ define "main" }}<h1>{{ .Site.Title }}</h1><ul>{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.high_share }}% high</li>{{ end }}</ul>{{ end }}\n')
for e in json.load(open(api + "/index.json"))["professions"]:
    p = json.load(open(f"{api}/{e['slug']}.json"))
    d = f"{root}/content/{p['slug']}"
    os.makedirs(d)
    front = {"title": p["name"], "high_share": p["high_share"], "skills": p["skills"], "insights": p["insights"]}
    open(d + "/_index.md", "w").write(json.dumps(front) + "\n\nHow exposed each task is to AI, task by task.\n")
    for i, t in enumerate(p["tasks"]):
        fm = {"title": t["title"], "slug": t["slug"], "level": t["level"], "weight": i + 1, "rationale": t["rationale"]}
        body = f"{t['text']}\n\n{t['rationale']}\n\n{t['tip'] or ''}\n"
        open(f"{d}/{t['slug']}.md", "w").write(json.dumps(fm) + "\n\n" + body)
PY
read -r hugo hugo_kb < <(median 'rm -rf "$DIR/hugo-out"' hugo --quiet -s "$DIR/hugo" -d "$DIR/hugo-out")
echo "hugo $(hugo version | cut -d' ' -f2), cold: ${hugo} s, peak RSS $((hugo_kb / 1024)) MB, $(find "$DIR/hugo-out" -type f | wc -l) files, $(du -sh --apparent-size "$DIR/hugo-out" | cut -f1)"
python3 -c "print(f'willai cold / hugo: {$cold / $hugo:.2f} (goal <= 0.50)')"
