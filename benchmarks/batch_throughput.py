"""Figures for bulk runs, each a ratio measured within one run of this script.

    python benchmarks/batch_throughput.py [--rows 2000] [--concurrency 64] [--latency 0.2]
        [--only throughput,limits,cache,resume] [--cache-rows 100000]

The model is ``fake_server.py`` started in a subprocess on 127.0.0.1 (so it does not share this
process's GIL); the tool runs in this process, or as the ``copyassist`` command where a figure is
about the command (peak memory, SIGKILL).

* throughput: ``copyassist.arun_batch`` on ``--rows`` rows vs a bare ``AsyncOpenAI`` + semaphore
  loop sending the very same request bodies (``bare_baseline.py``), and vs the concurrency-bound
  ideal ``rows / concurrency * latency``. Runs alternate (baseline, tool, baseline, tool) and the
  ratios use the best of each, so one noisy moment on a shared machine does not decide.
* limits: the server enforces an RPM (then a TPM) limit pro rata over 1 s windows; the tool runs
  once told the limit (``rpm=`` / ``tpm=``) and once not told (it learns from 429s and headers).
  Figure: achieved rate / limit, with rows lost (any row not written with copy) and 429s.
* cache: a feed whose every row is already in the store, through the ``copyassist batch``
  command: rows/s of the pipeline itself and the command's peak RSS.
* resume: ``copyassist batch`` killed with SIGKILL at about half-way, run again: calls the rerun
  made for rows that were finished before the kill (target 0), and rows missing or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bare_baseline import run_baseline
from fake_server import prompt_hash

import copyassist
from copyassist.backends import OpenAIBackend
from copyassist.batch.limiter import RateLimiter
from copyassist.batch.pacing import PacedBackend
from copyassist.batch.run_settings import settings_for
from copyassist.batch.runner import BatchRunner
from copyassist.batch.store import Store
from copyassist.feeds import open_feed
from copyassist.pipeline import prepare
from copyassist.product import Product

HERE = Path(__file__).resolve().parent
TEMPLATE = "product-title"
MODEL = "fake-model"
CATEGORIES = ["Luminaires", "Cuisine", "Jardin", "Bagagerie", "Papeterie", "Textile"]


@contextmanager
def fake_server(**options: Any) -> Iterator[str]:
    command = [sys.executable, str(HERE / "fake_server.py")]
    for name, value in options.items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(10)


def server_stats(base_url: str, prompts: bool = False, times: bool = False) -> dict[str, Any]:
    """The fake server's counters (``GET /stats``): with ``prompts``, per prompt; with ``times``,
    the arrival and admission times."""
    query = f"prompts={int(prompts)}&times={int(times)}"
    with urllib.request.urlopen(f"{base_url.removesuffix('/v1')}/stats?{query}", timeout=30) as answer:
        stats: dict[str, Any] = json.load(answer)
    return stats


def reset_stats(base_url: str) -> None:
    request = urllib.request.Request(base_url.removesuffix("/v1") + "/stats/reset", method="POST", data=b"")
    urllib.request.urlopen(request, timeout=30).close()


def write_feed(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "category", "price"])
        for n in range(rows):
            category = CATEGORIES[n % len(CATEGORIES)]
            writer.writerow([f"SKU-{n:07d}", f"Article {category.lower()} modèle {n}", "Maison Arvor",
                             category, f"{10 + n % 90},90"])  # fmt: skip
    return path


def first_requests(feed: Path) -> dict[int, dict[str, Any]]:
    """Row number -> the request body of the row's first call, as the tool's backend builds it."""
    backend = OpenAIBackend(name="compatible", model=MODEL, base_url="http://unused/v1")
    bodies = {}
    for row in open_feed(feed).rows():
        prepared = prepare(TEMPLATE, Product.from_mapping(row.product or {}), language="fr")
        bodies[row.number] = backend.request(prepared.prompt)
    return bodies


def tool_run(
    feed: Path, base_url: str, workdir: Path, **options: Any
) -> tuple[float, Any, list[dict[str, str]]]:
    out = workdir / f"out-{time.monotonic_ns()}.csv"
    with Store(workdir / f"store-{time.monotonic_ns()}.sqlite3") as store:
        started = time.perf_counter()
        summary = copyassist.run_batch(feed, out, template=TEMPLATE, language="fr", provider="compatible",
                                       base_url=base_url, model=MODEL, store=store, **options)  # fmt: skip
        elapsed = time.perf_counter() - started
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return elapsed, summary, rows


def lost(rows: list[dict[str, str]], expected: int) -> int:
    written = sum(1 for r in rows if r.get("copyassist_title") and r["copyassist_status"] != "failed")
    return expected - written


def throughput(args: argparse.Namespace, workdir: Path) -> None:
    feed = write_feed(workdir / "throughput.csv", args.rows)
    bodies = list(first_requests(feed).values())
    runs: dict[str, list[float]] = {"bare": [], "sharded": [], "tool": []}
    with fake_server(latency=args.latency) as base_url:
        for _ in range(2):
            for label, sharded in (("bare", False), ("sharded", True)):
                result = asyncio.run(run_baseline(base_url, bodies, concurrency=args.concurrency,
                                                  sharded=sharded))  # fmt: skip
                assert result.errors == 0, f"baseline: {result.errors} errors"
                runs[label].append(result.elapsed)
            elapsed, summary, rows = tool_run(feed, base_url, workdir, concurrency=args.concurrency)
            assert lost(rows, args.rows) == 0, "the tool lost rows"
            runs["tool"].append(elapsed)
    best = {label: min(values) for label, values in runs.items()}
    ideal = args.rows / args.concurrency * args.latency
    n = args.rows
    print(f"throughput, {n} rows, concurrency {args.concurrency}, latency {args.latency * 1000:.0f} ms, "
          f"ideal {ideal:.2f} s:")  # fmt: skip
    for label, name in (("bare", "bare AsyncOpenAI + semaphore loop"),
                        ("sharded", "the same loop, over clients of 8 connections"),
                        ("tool", f"copyassist batch ({summary.calls} calls)")):  # fmt: skip
        print(f"  {name}: {n / best[label]:.1f} rows/s (runs: {_secs(runs[label])})")
    print(f"  ratio tool / bare loop:           {best['bare'] / best['tool']:.3f}  (target >= 0.95)")
    print(f"  ratio tool / same-transport loop: {best['sharded'] / best['tool']:.3f}  (the tool's own work)")
    print(f"  ratio tool / ideal:               {ideal / best['tool']:.3f}")
    print(
        f"  ratio same-transport loop / ideal: {ideal / best['sharded']:.3f}  (what HTTP alone allows here)"
    )


def _secs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f} s" for v in values)


def limits(args: argparse.Namespace, workdir: Path) -> None:
    rows = args.limit_rows
    feed = write_feed(workdir / "limits.csv", rows)
    prompt = sum(len(m["content"]) for m in next(iter(first_requests(feed).values()))["messages"]) // 4 + 40
    rpm = 1200
    tpm = int(rpm * 0.75 * (prompt + 60))  # binds before the rpm of the TPM scenario does
    print(f"limits, {rows} rows, concurrency {args.concurrency}, latency {args.latency * 1000:.0f} ms, "
          f"limits enforced over 1 s windows:")  # fmt: skip
    scenarios: list[tuple[str, dict[str, Any], dict[str, Any], Callable[[float, dict[str, Any]], float]]] = [
        ("RPM 1200, tool told", {"rpm": rpm}, {"rpm": rpm}, lambda s, _: rows / s / (rpm / 60)),
        ("RPM 1200, tool not told", {"rpm": rpm}, {}, lambda s, _: rows / s / (rpm / 60)),
        (f"TPM {tpm}, tool told", {"tpm": tpm}, {"tpm": tpm}, lambda s, st: _tokens(st) / s / (tpm / 60)),
        (f"TPM {tpm}, tool not told", {"tpm": tpm}, {}, lambda s, st: _tokens(st) / s / (tpm / 60)),
    ]
    for label, server_limits, tool_limits, fraction in scenarios:
        with fake_server(latency=args.latency, window=1.0, **server_limits) as base_url:
            elapsed, _, out = tool_run(feed, base_url, workdir, concurrency=args.concurrency,
                                       **tool_limits)  # fmt: skip
            stats = server_stats(base_url)
        print(f"  {label}: {fraction(elapsed, stats):.3f} of the limit (target >= 0.9), "
              f"{lost(out, rows)} rows lost, {stats['rate_limited']} answers 429, "
              f"{elapsed:.1f} s")  # fmt: skip


def _tokens(stats: dict[str, Any]) -> int:
    return int(stats["prompt_tokens"]) + int(stats["completion_tokens"])


def command(feed: Path, out: Path, db: Path, base_url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "copyassist", "batch", str(feed), "-t", TEMPLATE, "-o", str(out),
            "--provider", "compatible", "--base-url", base_url, "--model", MODEL, "--db", str(db),
            "--lang", "fr", "--quiet", *extra]  # fmt: skip


# The command's own peak (VmHWM), read at exit: the rusage of a child counts the memory of the
# (large) benchmark process it was forked from, before it exec'd.
_PEAK_WRAPPER = """
import atexit, os, runpy, sys
def report():
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]
    with open(os.environ["PEAK_FILE"], "w") as out:
        out.write(peak)
atexit.register(report)
sys.argv = ["copyassist", *sys.argv[1:]]
runpy.run_module("copyassist", run_name="__main__", alter_sys=True)
"""


def cache(args: argparse.Namespace, workdir: Path) -> None:
    """Fill the store through the runner's own keys (no model calls), then time a full rerun."""
    rows = args.cache_rows
    feed = write_feed(workdir / "cache.csv", rows)
    db = workdir / "cache.sqlite3"
    with fake_server() as base_url:
        seed_store(feed, db, base_url)
        reset_stats(base_url)
        env = {**os.environ, "OPENAI_API_KEY": ""}
        argv = command(feed, workdir / "cache-out.csv", db, base_url)
        peak_file = workdir / "cache-peak.txt"
        log = workdir / "cache-stderr.txt"
        with log.open("w") as stderr:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *argv[3:]], stdout=subprocess.DEVNULL,
                                  stderr=stderr, env={**env, "PEAK_FILE": str(peak_file)})  # fmt: skip
            elapsed = time.perf_counter() - started
        calls = server_stats(base_url)["requests"]
    assert done.returncode == 0, log.read_text()
    peak_kib = int(peak_file.read_text())
    print(f"cache hits, {rows} rows, the copyassist batch command from start to exit:")
    print(f"  {rows / elapsed:.0f} rows/s (target >= 2000), {elapsed:.1f} s, {calls} model calls")
    print(f"  peak RSS {peak_kib / 1024:.0f} MB (target < 200 MB)")


def seed_store(feed: Path, db: Path, base_url: str) -> None:
    """One real run on a handful of rows gives a stored answer; every row gets a copy of it under
    its own key, as the runner computes keys."""
    head = feed.with_name("head.csv")
    with feed.open(encoding="utf-8") as source, head.open("w", encoding="utf-8") as target:
        target.writelines(line for _, line in zip(range(3), source, strict=False))
    with Store(db) as store:
        copyassist.run_batch(head, feed.with_name("head-out.csv"), template=TEMPLATE, language="fr",
                             provider="compatible", base_url=base_url, model=MODEL, store=store)  # fmt: skip
        backend = copyassist.get_backend("compatible", model=MODEL, base_url=base_url)
        runner = BatchRunner(settings_for(TEMPLATE, "fr"), PacedBackend(backend, RateLimiter(None, None)),
                             store, run_id=0)  # fmt: skip
        sample = next(iter(store.get_many([runner.key_for(r) for r in open_feed(head).rows()]).values()))
        for row in open_feed(feed).rows():
            store.put(runner.key_for(row), sample, run_id=None, row_number=None)


def resume(args: argparse.Namespace, workdir: Path) -> None:
    rows = args.resume_rows
    feed = write_feed(workdir / "resume.csv", rows)
    out, db = workdir / "resume-out.csv", workdir / "resume.sqlite3"
    env = {**os.environ, "OPENAI_API_KEY": ""}
    with fake_server(latency=args.latency, jitter=args.latency / 4) as base_url:
        argv = command(feed, out, db, base_url, "--concurrency", str(args.concurrency // 4))
        first = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while len(finished_rows(db)) < rows // 2 and first.poll() is None:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        done_before = finished_rows(db)
        reset_stats(base_url)
        rerun = subprocess.run(argv, env=env, capture_output=True, text=True)
        stats = server_stats(base_url, prompts=True)
    assert rerun.returncode == 0, rerun.stderr
    hashes = {n: prompt_hash(body["messages"]) for n, body in first_requests(feed).items()}
    by_prompt = stats["by_prompt"]
    repeat = sum(by_prompt.get(hashes[n], 0) for n in done_before)
    with out.open(encoding="utf-8", newline="") as handle:
        skus = [r["sku"] for r in csv.DictReader(handle)]
    print(f"resume, {rows} rows, SIGKILL after {len(done_before)} were stored:")
    print(f"  calls by the rerun for rows finished before the kill: {repeat} (target 0)")
    print(f"  rerun calls in all: {stats['requests']} for {rows - len(done_before)} unfinished rows; "
          f"rows missing: {rows - len(set(skus))}, rows doubled: {len(skus) - len(set(skus))}")  # fmt: skip


def finished_rows(db: Path) -> set[int]:
    if not db.exists():
        return set()
    try:
        with sqlite3.connect(db, timeout=30) as connection:
            found = connection.execute("SELECT row_number FROM run_rows JOIN results USING (key)").fetchall()
    except sqlite3.OperationalError:
        return set()
    return {n for (n,) in found}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--limit-rows", type=int, default=600)
    parser.add_argument("--cache-rows", type=int, default=100_000)
    parser.add_argument("--resume-rows", type=int, default=400)
    parser.add_argument("--only", default="throughput,limits,cache,resume")
    args = parser.parse_args(argv)
    figures = {"throughput": throughput, "limits": limits, "cache": cache, "resume": resume}
    with tempfile.TemporaryDirectory(prefix="copyassist-bench-") as folder:
        os.environ["COPYASSIST_HOME"] = str(Path(folder) / "home")
        for name in args.only.split(","):
            figures[name.strip()](args, Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
