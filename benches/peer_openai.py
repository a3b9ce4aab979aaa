#!/usr/bin/env python3
"""The peer a user would otherwise write (issue #5): send every request of a batch
request file through the official `openai` package, AsyncOpenAI with an
asyncio.Semaphore(64), writing each reply to a file. Same bodies willai sends.

usage: peer_openai.py REQUESTS.jsonl OUT_DIR BASE_URL [CONCURRENCY]
"""
import asyncio
import json
import os
import sys

from openai import AsyncOpenAI


async def main(requests_file, out_dir, base_url, concurrency):
    client = AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=5, timeout=120)
    sem = asyncio.Semaphore(concurrency)
    with open(requests_file) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    os.makedirs(out_dir, exist_ok=True)

    async def one(line):
        async with sem:
            reply = await client.chat.completions.create(**line["body"])
        with open(os.path.join(out_dir, line["custom_id"] + ".json"), "w") as f:
            f.write(reply.model_dump_json())

    await asyncio.gather(*(one(line) for line in lines))
    await client.close()
    print(f"{len(lines)} replies written to {out_dir}")


if __name__ == "__main__":
    conc = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], conc))
