#!/usr/bin/env python3
"""Writes a synthetic project root for benchmarks: N tasks spread over professions of
20 tasks each (no skills, so the prompt count equals the task count), with the
repository's prompts and a willai.toml for the fake server.

usage: make_catalog.py ROOT TASKS [--approved] [--onet FILE]
  --approved   also write records whose every task is approved (for validate/publish)
  --onet FILE  take occupations and task statements from an O*NET task file (the
               GPTs-are-GPTs TSV) instead of inventing them; TASKS is then ignored
"""
import hashlib, json, os, shutil, sys

def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

def main():
    root, n = sys.argv[1], int(sys.argv[2])
    approved = "--approved" in sys.argv
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(os.path.join(repo, "prompts"), os.path.join(root, "prompts"))
    os.makedirs(os.path.join(root, "data", "catalog"))
    with open(os.path.join(root, "willai.toml"), "w") as f:
        f.write('model = "bench-model"\nretries = 2\ntimeout_secs = 30\n')
    per = 20
    occupations = []
    if "--onet" in sys.argv:
        import csv, re
        path = sys.argv[sys.argv.index("--onet") + 1]
        by_soc = {}
        with open(path, newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                soc = row["O*NET-SOC Code"]
                occ = by_soc.setdefault(soc, {"title": row["Title"], "tasks": []})
                tid = int(float(row["Task ID"]))
                occ["tasks"].append({"id": f"onet-{tid}", "text": row["Task"].strip(), "onet_task_id": tid})
        for soc, o in sorted(by_soc.items()):
            slug = re.sub(r"[^a-z0-9]+", "-", o["title"].lower()).strip("-")
            occupations.append((slug, o["title"], o["tasks"], soc))
    else:
        for p in range((n + per - 1) // per):
            tasks = [{"id": f"task-{i:05d}", "text": f"Bench task {i} of profession {p}: prepare report number {i}"}
                     for i in range(p * per, min(n, (p + 1) * per))]
            occupations.append((f"profession-{p:04d}", f"Profession {p:04d}", tasks, None))
    seen = set()
    for slug, name, tasks, soc in occupations:
        while slug in seen:
            slug += "-x"
        seen.add(slug)
        occ = {"$schema": "../schema/catalog.schema.json", "name": name, "slug": slug, "tasks": tasks, "skills": []}
        if soc:
            occ = {"$schema": occ["$schema"], "name": name, "slug": slug, "onet_soc": soc, "onet_title": name,
                   "tasks": tasks, "skills": []}
        with open(os.path.join(root, "data", "catalog", slug + ".json"), "w") as f:
            f.write(json.dumps(occ, indent=2, ensure_ascii=False) + "\n")
        if approved:
            entries = []
            for i, t in enumerate(tasks):
                content = {"level": ["HIGH", "MEDIUM", "LOW"][i % 3],
                           "rationale": f"AI drafts much of this work quickly ({t['id']}). People still check the result and own the decisions.",
                           "tools": ["ChatGPT", "Microsoft Copilot"],
                           "tip": "Learn to review machine drafts quickly."}
                sha = hashlib.sha256(canonical(content).encode()).hexdigest()
                e = {"id": t["id"], "status": "approved", **content,
                     "source": "benchmark", "approval": {"reviewer": "Bench", "date": "2026-01-01", "sha256": sha}}
                entries.append(e)
            rec = {"$schema": "../schema/record.schema.json", "profession": slug, "tasks": entries, "skills": []}
            os.makedirs(os.path.join(root, "data", "records"), exist_ok=True)
            with open(os.path.join(root, "data", "records", slug + ".json"), "w") as f:
                f.write(json.dumps(rec, indent=2, ensure_ascii=False) + "\n")

main()
