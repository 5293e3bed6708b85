"""The bare SDK contender of ``compare.py``: an ``AsyncOpenAI`` client and a semaphore, nothing else.

    python benchmarks/contenders.py --requests FILE.jsonl --out FILE.jsonl --base-url URL
        [--concurrency 64] [--api-key KEY]

What a developer writes in ten lines instead of using a tool: read the request bodies (one
``chat.completions.create`` argument object a line, as ``compare.py`` writes them from the
tool's own prompts), send them ``--concurrency`` at a time, write each answer's text to a JSONL
file. The SDK keeps its defaults (2 retries with backoff, which also cover 429s); the client is
built on an explicit ``httpx.AsyncClient`` whose pool holds ``--concurrency`` connections, so the
pool is not what limits it. No rendering, no validation, no store, no rate limiter.

It runs as its own process and imports nothing from copyassist, so its start-up and CPU time
are its own. Prints one JSON line: ``{"ok": N, "failed": N}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, cast

import httpx
import openai


async def run_bare_loop(
    bodies: list[dict[str, Any]], out: Path, *, base_url: str, concurrency: int = 64, api_key: str = "dummy"
) -> dict[str, int]:
    http_client = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        timeout=httpx.Timeout(600.0, connect=10.0),
    )
    # cast: this openai release types http_client as its own default transport's client; an
    # httpx.AsyncClient drives it all the same
    client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, http_client=cast(Any, http_client))
    gate = asyncio.Semaphore(concurrency)
    counts = {"ok": 0, "failed": 0}
    with out.open("w", encoding="utf-8") as handle:

        async def one(row: int, body: dict[str, Any]) -> None:
            async with gate:
                try:
                    response = await client.chat.completions.create(**body)
                except openai.OpenAIError as exc:
                    counts["failed"] += 1
                    handle.write(json.dumps({"row": row, "error": str(exc)}) + "\n")
                    return
            counts["ok"] += 1
            content = response.choices[0].message.content
            handle.write(json.dumps({"row": row, "content": content}, ensure_ascii=False) + "\n")

        try:
            await asyncio.gather(*(one(row, body) for row, body in enumerate(bodies)))
        finally:
            await client.close()
    return counts


def read_requests(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--api-key", default="dummy")
    args = parser.parse_args(argv)
    bodies = read_requests(args.requests)
    counts = asyncio.run(
        run_bare_loop(
            bodies, args.out, base_url=args.base_url, concurrency=args.concurrency, api_key=args.api_key
        )
    )
    print(json.dumps(counts))
    return 0 if counts["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
