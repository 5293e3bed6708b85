"""CPU per row of a cache-miss ``copyassist batch`` against a bare ``AsyncOpenAI`` loop, in one run.

    python benchmarks/request_cpu.py [--rows 1000] [--concurrency 64] [--latency 0.005]
        [--profile FILE] [--repeat 2] [--transport default|httpx]

``fake_server.py`` runs in a subprocess on 127.0.0.1 (its CPU is not counted); the tool runs
in this process, as the ``copyassist batch`` command (``cli.app``, progress display on), on a
fresh store each time (every row a cache miss). Imports and the language model are loaded
before anything is measured: they are a fixed cost, not a per-row one. CPU is this process's
user + system time (``resource.getrusage``) around each run; the bare loop sends the very same
request bodies (``bare_baseline.run_baseline``). Runs alternate and each side keeps its best.
Two more references: ``sdk-post-aiohttp`` (the tool's own transport alone: prepared bodies
through the SDK's ``post`` on aiohttp) and ``aiohttp`` (one bare aiohttp session, no SDK: the
transport of a Cookbook-style parallel processor). ``--profile`` writes a cProfile of one more
tool run (read it with ``pstats``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from bare_baseline import run_baseline
from batch_throughput import MODEL, TEMPLATE, fake_server, first_requests, write_feed

from copyassist.cli import app
from copyassist.rules.language import known_languages


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured(run: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of ``run()``."""
    cpu_start, wall_start = cpu(), time.perf_counter()
    run()
    return cpu() - cpu_start, time.perf_counter() - wall_start


def tool_command(
    feed: Path, workdir: Path, base_url: str, concurrency: int, extra: list[str]
) -> Callable[[], None]:
    def run() -> None:
        stamp = time.monotonic_ns()
        argv = ["batch", str(feed), "-t", TEMPLATE, "-o", str(workdir / f"out-{stamp}.csv"),
                "--provider", "compatible", "--base-url", base_url, "--model", MODEL,
                "--db", str(workdir / f"store-{stamp}.sqlite3"), "--lang", "fr",
                "--concurrency", str(concurrency), *extra]  # fmt: skip
        try:
            app(argv, standalone_mode=False)
        except SystemExit as exit:
            if exit.code not in (0, None):
                raise

    return run


async def sdk_post_loop(base_url: str, bodies: list[dict[str, Any]], concurrency: int) -> None:
    """The tool's transport alone: prepared JSON through the SDK's ``post`` on its aiohttp client."""
    from copyassist.backends import OpenAIBackend
    from copyassist.backends.request import encoded

    backend = OpenAIBackend(name="compatible", model=MODEL, base_url=base_url, http="aiohttp")
    gate = asyncio.Semaphore(concurrency)

    async def one(body: dict[str, Any]) -> None:
        async with gate, backend._aclients.client() as sdk:
            response = await sdk.post("/chat/completions", cast_to=httpx.Response, content=encoded(body))
            json.loads(response.content)

    await asyncio.gather(*(one(body) for body in bodies))
    await backend.aclose()


async def aiohttp_loop(base_url: str, bodies: list[dict[str, Any]], concurrency: int) -> None:
    """A Cookbook-style processor's transport: one aiohttp session, a semaphore, no SDK."""
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def one(body: dict[str, Any]) -> None:
            async with gate, session.post(f"{base_url}/chat/completions", json=body) as response:
                await response.json()

        await asyncio.gather(*(one(body) for body in bodies))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.005)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--tool-args", default="", help="extra arguments of copyassist batch")
    parser.add_argument("--only", default="", help="some runs: bare,sdk-post-aiohttp,aiohttp,tool")
    args = parser.parse_args(argv)
    known_languages()  # a fixed cost of the first call: loaded before measuring
    server = fake_server(latency=args.latency)
    with tempfile.TemporaryDirectory(prefix="copyassist-cpu-") as folder, server as url:
        workdir = Path(folder)
        feed = write_feed(workdir / "feed.csv", args.rows)
        bodies = list(first_requests(feed).values())
        tool = tool_command(feed, workdir, url, args.concurrency, args.tool_args.split())

        def bare() -> None:
            asyncio.run(run_baseline(url, bodies, concurrency=args.concurrency, sharded=True))

        def sdk_post() -> None:
            asyncio.run(sdk_post_loop(url, bodies, args.concurrency))

        def raw_aiohttp() -> None:
            asyncio.run(aiohttp_loop(url, bodies, args.concurrency))

        runs = (("bare", bare), ("sdk-post-aiohttp", sdk_post), ("aiohttp", raw_aiohttp), ("tool", tool))
        runs = tuple(run for run in runs if not args.only or run[0] in args.only.split(","))
        for _, run in runs:  # warm every path once (imports on first use, the server's own warm-up)
            run()
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.repeat):
            for name, run in runs:
                spent = measured(run)
                best[name] = min(best.get(name, spent), spent)
        if args.profile is not None:
            profiler = cProfile.Profile()
            profiler.runcall(tool)
            profiler.dump_stats(str(args.profile))
    rows = args.rows
    for name, (cpu_s, wall_s) in best.items():
        print(f"{name}: {cpu_s / rows * 1000:.2f} ms CPU/row, {rows / wall_s:.0f} rows/s wall")
    for name in (n for n in ("bare", "sdk-post-aiohttp", "aiohttp") if n in best and "tool" in best):
        print(f"tool / {name} CPU per row: {best['tool'][0] / best[name][0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
