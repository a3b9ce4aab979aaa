#!/usr/bin/env python3
"""Writes a synthetic project root for benchmarks: N tasks spread over professions of
20 tasks each (no skills, so the prompt count equals the task count), with the
repository's prompts and a willai.toml for the fake server.

usage: make_catalog.py ROOT TASKS [--approved]
  --approved  also write records whose every task is approved (for validate/publish)
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
    for p in range((n + per - 1) // per):
        slug = f"profession-{p:04d}"
        tasks = [{"id": f"task-{i:05d}", "text": f"Bench task {i} of profession {p}: prepare report number {i}"}
                 for i in range(p * per, min(n, (p + 1) * per))]
        occ = {"$schema": "../schema/catalog.schema.json", "name": f"Profession {p:04d}", "slug": slug,
               "tasks": tasks, "skills": []}
        with open(os.path.join(root, "data", "catalog", slug + ".json"), "w") as f:
            f.write(json.dumps(occ, indent=2, ensure_ascii=False) + "\n")
        if approved:
            entries = []
            for i, t in enumerate(tasks):
                content = {"level": ["HIGH", "MEDIUM", "LOW"][i % 3],
                           "rationale": f"AI drafts much of {t['text'].lower()}. People still check the result.",
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
