"""One measured run of a contender for ``compare.py``: its own process, its own CPU, the server's clock.

Each run is a fresh process started with ``subprocess.Popen`` and reaped with ``os.wait4``,
which hands back that one child's resource usage: user + system CPU of the whole process, from
interpreter start to exit, imports included (what ``/usr/bin/time`` shows). The fake server
(its own process) stamps the first chat request and the last answer with ``time.time()``,
so "time to first request" is the server's first stamp minus the moment the parent spawned
the process, on the same clock.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from batch_throughput import reset_stats, server_stats

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = "product-title"
MODEL = "fake-model"
API_KEY = "sk-dummy-benchmark-key"


@dataclasses.dataclass(frozen=True)
class Run:
    contender: str
    wall: float  # seconds, spawn to exit
    cpu: float  # seconds of user + system CPU, the process alone
    returncode: int
    first_request: float | None = None  # seconds, spawn to the server's first chat request
    span: float | None = None  # seconds, the server's first chat request to its last answer
    requests: int = 0  # chat requests the server received
    ok_rows: int = 0  # rows whose answer was written
    failed_rows: int = 0


def environment(home: Path) -> dict[str, str]:
    """The same environment for every contender: this checkout first on the path, a dummy key."""
    path = os.environ.get("PYTHONPATH", "")
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else ""),
        "OPENAI_API_KEY": API_KEY,
        "COPYASSIST_HOME": str(home),
    }


def spawn(argv: list[str], env: dict[str, str], log: Path) -> tuple[float, float, float, int]:
    """(spawned at, wall seconds, CPU seconds, exit code) of one process run to its end."""
    with log.with_suffix(".stdout").open("w") as out, log.with_suffix(".stderr").open("w") as err:
        started = time.time()
        clock = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, wait_status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - clock
    process.returncode = os.waitstatus_to_exitcode(wait_status)
    return started, wall, usage.ru_utime + usage.ru_stime, process.returncode


def measured(contender: str, argv: list[str], env: dict[str, str], log: Path, base_url: str | None) -> Run:
    """Run ``argv`` against a server whose counters are reset first (``base_url``), or alone."""
    if base_url is None:
        _, wall, cpu, code = spawn(argv, env, log)
        return Run(contender, wall, cpu, code)
    reset_stats(base_url)
    started, wall, cpu, code = spawn(argv, env, log)
    stats = server_stats(base_url)
    first, last = stats["first_request_at"], stats["last_ok_at"]
    return Run(
        contender,
        wall,
        cpu,
        code,
        first_request=None if first is None else first - started,
        span=None if first is None or last is None else last - first,
        requests=int(stats["requests"]),
    )


def copyassist_argv(
    feed: Path, out: Path, db: Path, base_url: str, concurrency: int, *extra: str
) -> list[str]:
    """The command a user types: a fresh ``--db`` makes every row a cache miss."""
    return [sys.executable, "-m", "copyassist", "batch", str(feed), "-t", TEMPLATE, "-o", str(out),
            "--provider", "compatible", "--base-url", base_url, "--model", MODEL, "--db", str(db),
            "--lang", "fr", "--quiet", "--concurrency", str(concurrency), *extra]  # fmt: skip


def bare_argv(requests: Path, out: Path, base_url: str, concurrency: int) -> list[str]:
    return [sys.executable, str(HERE / "contenders.py"), "--requests", str(requests), "--out", str(out),
            "--base-url", base_url, "--concurrency", str(concurrency), "--api-key", API_KEY]  # fmt: skip


def cookbook_argv(requests: Path, out: Path, base_url: str, concurrency: int, *extra: str) -> list[str]:
    return [sys.executable, str(HERE / "cookbook_style.py"), "--requests", str(requests), "--out", str(out),
            "--base-url", base_url, "--max-in-flight", str(concurrency), "--api-key", API_KEY,
            *extra]  # fmt: skip


def copyassist_rows(out: Path) -> tuple[int, int]:
    """(rows written with copy, rows failed) in the tool's output feed."""
    if not out.exists():
        return 0, 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    failed = sum(1 for r in rows if r.get("copyassist_status") == "failed")
    ok = sum(1 for r in rows if r.get("copyassist_title") and r.get("copyassist_status") != "failed")
    return ok, failed


def bare_rows(out: Path) -> tuple[int, int]:
    records = _jsonl(out)
    ok = sum(1 for r in records if isinstance(r, dict) and r.get("content"))
    return ok, len(records) - ok


def cookbook_rows(out: Path) -> tuple[int, int]:
    records = _jsonl(out)
    ok = sum(1 for r in records if isinstance(r, list) and len(r) == 2 and isinstance(r[1], dict))
    return ok, len(records) - ok


def _jsonl(path: Path) -> list[Any]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def steady_rate(times: list[float], weights: list[int] | None = None, trim: float = 0.1) -> float | None:
    """Requests (or, with ``weights``, tokens) a minute between the ``trim`` and ``1 - trim``
    quantiles of the admission times: the steady part, without the start's ramp and the tail's
    stragglers."""
    ordered = sorted(zip(times, weights or [1] * len(times), strict=True))
    if len(ordered) < 3:
        return None
    first = int(len(ordered) * trim)
    last = max(first + 1, len(ordered) - 1 - int(len(ordered) * trim))
    elapsed = ordered[last][0] - ordered[first][0]
    amount = sum(weight for _, weight in ordered[first + 1 : last + 1])
    return amount / elapsed * 60.0 if elapsed > 0 else None


async def paced_sender(base_url: str, body: dict[str, Any], per_minute: float, count: int) -> int:
    """The control for the rate figures: ``count`` requests sent evenly at ``per_minute``, each on
    its own schedule whatever the answers; returns how many were answered 429."""
    import asyncio

    import aiohttp

    async with aiohttp.ClientSession() as session:

        async def one() -> int:
            async with session.post(base_url + "/chat/completions", json=body) as response:
                await response.read()
                return response.status

        sent = []
        start = time.monotonic()
        for n in range(count):
            delay = start + n * 60.0 / per_minute - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent.append(asyncio.create_task(one()))
        statuses = await asyncio.gather(*sent)
    return statuses.count(429)
