"""The comparison a user would make: copyassist batch against what they would write instead.

    python benchmarks/compare.py [--rows 1000] [--concurrency 64] [--latency 0.2] [--reps 3]
        [--small-rows N] [--limit-rpm 3000] [--limit-rows N] [--limit-headers all|429|none]
        [--only throughput,limits] [--quick]

Three contenders, each run as its own process against the same local fake server
(``fake_server.py``, a process of its own), in turn (A B C A B C ...), ``--reps`` times; the
figures are medians. The same rotation runs again on ``--small-rows`` rows: the difference in
CPU between the two sizes, per row, is the marginal CPU per row (start-up left out).

* ``copyassist batch`` through its command line on a generated feed, a fresh store each run (every
  row a cache miss), the dummy key and ``--base-url``: it renders, calls, validates, stores,
  writes the output feed and its report.
* a bare ``AsyncOpenAI`` + semaphore loop (``contenders.py``) sending the very request bodies the
  tool builds, read from a JSONL file;
* a processor of the OpenAI Cookbook's design (``cookbook_style.py``: aiohttp, token buckets on
  RPM/TPM, a 15 s pause after a 429), on the same JSONL file.

Between them, ``python -c "import openai"`` runs in the same rotation: the yardstick for the
time to first request (spawn to the server's first chat request). CPU is each process's own
(``os.wait4``), per row. Then rate-limit runs of copyassist on servers enforcing
``--limit-rpm``, then a TPM limit, pro rata over 1 s windows, answering 429s with OpenAI's
headers: each once told (``--rpm`` / ``--tpm``), once not; the achieved rate is over the steady
part (the middle 80% of the admitted requests). A control checks the instrument in the same
run: a plain sender paced at 95% of the RPM limit, measured the same way, should read 0.95. The
load average is printed at the start and the end: on a busy machine, read the ratios, not the
absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from batch_throughput import fake_server, first_requests, server_stats, write_feed
from compare_runs import (
    Run,
    bare_argv,
    bare_rows,
    cookbook_argv,
    cookbook_rows,
    copyassist_argv,
    copyassist_rows,
    environment,
    measured,
    paced_sender,
    steady_rate,
)

TOOL, BARE, COOKBOOK = "copyassist batch", "bare SDK loop", "Cookbook-style"
IMPORT = 'python -c "import openai"'
IMPORT_RUNS = 3
CONTENDERS = (TOOL, BARE, COOKBOOK, IMPORT)


@dataclasses.dataclass(frozen=True)
class Figure:
    name: str
    value: float
    target: str = ""  # ">= 1.5", "<= 1.0", "= 0"; empty: reported, no target
    passed: bool | None = None


@dataclasses.dataclass
class Report:
    title: str
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float] = (0.0, 0.0, 0.0)
    medians: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)
    figures: list[Figure] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def add(self, name: str, value: float, target: str = "") -> None:
        passed = None
        if target:
            op, bound = target.split()
            limit = float(bound)
            passed = {">=": value >= limit, "<=": value <= limit, "=": value == limit}[op]
        self.figures.append(Figure(name, value, target, passed))


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="default 1000 (--quick: 128)")
    parser.add_argument("--concurrency", type=int, default=None, help="default 64 (--quick: 16)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the server takes to answer")
    parser.add_argument("--reps", type=int, default=None, help="runs of each; default 3 (--quick: 1)")
    parser.add_argument("--limit-rpm", type=int, default=None, help="default 3000 (--quick: 1800)")
    parser.add_argument("--limit-tpm", type=int, default=None,
                        help="default: --limit-rpm times the tokens of a request")  # fmt: skip
    parser.add_argument("--limit-rows", type=int, default=None, help="default --rows (--quick: 90)")
    parser.add_argument("--small-rows", type=int, default=None,
                        help="the second size, for the marginal CPU per row; default --rows / 5")  # fmt: skip
    parser.add_argument("--limit-headers", choices=("all", "429", "none"), default="all",
                        help="where the limited server states its limits (x-ratelimit-*)")  # fmt: skip
    parser.add_argument("--only", default="throughput,limits", help="throughput, limits or both")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small sizes")
    args = parser.parse_args(argv)
    quick = args.quick
    args.rows = args.rows or (128 if quick else 1000)
    args.concurrency = args.concurrency or (16 if quick else 64)
    args.reps = args.reps or (1 if quick else 3)
    args.limit_rpm = args.limit_rpm or (1800 if quick else 3000)
    args.limit_rows = args.limit_rows or (90 if quick else args.rows)
    args.small_rows = args.small_rows or max(1, args.rows // 5)
    if args.small_rows >= args.rows:
        parser.error("--small-rows must be fewer than --rows")
    return args


def write_requests(feed: Path, path: Path) -> int:
    """The tool's own request bodies for the feed's rows, one a line, for the other contenders."""
    bodies = list(first_requests(feed).values())
    with path.open("w", encoding="utf-8") as handle:
        for body in bodies:
            handle.write(json.dumps(body, ensure_ascii=False) + "\n")
    return len(bodies)


def throughput_runs(args: argparse.Namespace, work: Path, report: Report) -> dict[int, dict[str, list[Run]]]:
    """``--reps`` turns; in each, the contenders in order on ``--rows``, then on ``--small-rows``."""
    sizes = (args.rows, args.small_rows)
    inputs = {}
    for rows in sizes:
        feed = write_feed(work / f"feed-{rows}.csv", rows)
        write_requests(feed, work / f"requests-{rows}.jsonl")
        inputs[rows] = feed, work / f"requests-{rows}.jsonl"
    env = environment(work / "home")
    runs: dict[int, dict[str, list[Run]]] = {rows: {name: [] for name in CONTENDERS} for rows in sizes}
    with fake_server(latency=args.latency) as base_url:
        for rep in range(args.reps):
            for rows in sizes:
                feed, requests = inputs[rows]
                for name in CONTENDERS:
                    log = work / f"run-{rows}-{rep}-{CONTENDERS.index(name)}"
                    runs[rows][name] += one_turn(name, feed, requests, log, base_url, env, args.concurrency)
                    if name == TOOL and rep == 0 and rows == args.rows:
                        report.notes.append(same_bodies(requests, base_url))
    return runs


def one_turn(
    name: str, feed: Path, requests: Path, log: Path, base_url: str, env: dict[str, str], concurrency: int
) -> list[Run]:
    out = log.with_suffix(".out")
    count: Callable[[Path], tuple[int, int]]
    if name == TOOL:
        argv, count = (
            copyassist_argv(feed, out, log.with_suffix(".sqlite3"), base_url, concurrency),
            copyassist_rows,
        )
    elif name == BARE:
        argv, count = bare_argv(requests, out, base_url, concurrency), bare_rows
    elif name == COOKBOOK:
        argv, count = cookbook_argv(requests, out, base_url, concurrency), cookbook_rows
    else:  # a short run, the most exposed to noise: three of them each turn
        argv = [sys.executable, "-c", "import openai"]
        return [measured(name, argv, env, log.with_name(f"{log.name}-{n}"), None) for n in range(IMPORT_RUNS)]
    run = measured(name, argv, env, log, base_url)
    ok, failed = count(out)
    return [dataclasses.replace(run, ok_rows=ok, failed_rows=failed)]


def same_bodies(requests: Path, base_url: str) -> str:
    """Whether the tool sent exactly the prompts the other contenders send (read off the server)."""
    from fake_server import prompt_hash

    with requests.open(encoding="utf-8") as handle:
        expected = {prompt_hash(json.loads(line)["messages"]) for line in handle if line.strip()}
    sent = set(server_stats(base_url, prompts=True)["by_prompt"])
    verdict = "the same" if sent == expected else f"{len(sent & expected)} of {len(expected)} the same"
    return f"prompts the tool sent vs the JSONL the others send: {verdict}"


def median(values: list[float | None]) -> float:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else math.nan


def summarise(
    args: argparse.Namespace, runs: dict[str, list[Run]], small: dict[str, list[Run]], report: Report
) -> None:
    extra_rows = args.rows - args.small_rows
    for name, items in runs.items():
        cpu = median([r.cpu for r in items])
        marginal = (cpu - median([r.cpu for r in small[name]])) / extra_rows
        wall = median([r.wall for r in items])
        rows = math.nan if name == IMPORT else args.rows
        report.medians[name] = {
            "rows/s, start to exit": rows / wall,
            "rows/s, first request to last answer": args.rows / median([r.span for r in items]),
            "CPU ms per row": cpu * 1000 / rows,
            "CPU ms per row, marginal": marginal * 1000 if name != IMPORT else math.nan,
            "CPU ms, whole process": cpu * 1000,
            "time to first request, ms": median([r.first_request for r in items]) * 1000,
            "wall s": median([r.wall for r in items]),
            "requests / row": median([r.requests / args.rows for r in items]) if name != IMPORT else math.nan,
            "rows failed or missing": max((args.rows - r.ok_rows for r in items), default=0)
            if name != IMPORT
            else math.nan,
        }
        bad = [r.returncode for r in items if r.returncode != 0]
        if bad:
            report.notes.append(f"{name}: exit codes {bad} (logs kept only during the run)")
    m = report.medians
    rate, span, cpu = "rows/s, start to exit", "rows/s, first request to last answer", "CPU ms per row"
    marginal = "CPU ms per row, marginal"
    report.add(f"rows/s: copyassist / {BARE}", m[TOOL][rate] / m[BARE][rate], ">= 1.0")
    report.add(f"rows/s: copyassist / {COOKBOOK}", m[TOOL][rate] / m[COOKBOOK][rate], ">= 1.5")
    for other in (BARE, COOKBOOK):
        report.add(f"rows/s first request to last answer: copyassist / {other}",
                   m[TOOL][span] / m[other][span])  # fmt: skip
    report.add(f"CPU per row: copyassist / {BARE}", m[TOOL][cpu] / m[BARE][cpu])
    report.add(f"CPU per row: copyassist / {COOKBOOK}", m[TOOL][cpu] / m[COOKBOOK][cpu], "<= 1.0")
    report.add(f"CPU per row, marginal: copyassist / {BARE}", m[TOOL][marginal] / m[BARE][marginal])
    report.add(f"CPU per row, marginal: copyassist / {COOKBOOK}", m[TOOL][marginal] / m[COOKBOOK][marginal])
    first = "time to first request, ms"
    for name in (TOOL, BARE, COOKBOOK):
        report.add(f"time to first request: {name} / {IMPORT}", m[name][first] / m[IMPORT]["wall s"] / 1000)


def limit_runs(args: argparse.Namespace, work: Path, report: Report) -> None:
    """The tool on servers enforcing an RPM, then a TPM limit (pro rata over 1 s windows), told
    (``--rpm`` / ``--tpm``) and not told. The TPM is set where it binds at about the RPM's rate:
    ``--limit-rpm`` times the tokens a request used in the RPM runs (or ``--limit-tpm``)."""
    feed = write_feed(work / "limits.csv", args.limit_rows)
    env = environment(work / "home")
    tokens_per_request = 0.0
    for kind in ("rpm", "tpm"):
        limit = (
            args.limit_rpm if kind == "rpm" else args.limit_tpm or int(args.limit_rpm * tokens_per_request)
        )
        for told in (True, False):
            server = {
                "latency": args.latency,
                kind: limit,
                "window": 1.0,
                "limit_headers": args.limit_headers,
            }
            with fake_server(**server) as base_url:
                log = work / f"limit-{kind}-{'told' if told else 'untold'}"
                extra = (f"--{kind}", str(limit)) if told else ()
                argv = copyassist_argv(feed, log.with_suffix(".out"), log.with_suffix(".sqlite3"), base_url,
                                       args.concurrency, *extra)  # fmt: skip
                run = measured(TOOL, argv, env, log, base_url)
                stats = server_stats(base_url, times=True)
            if kind == "rpm":
                tokens_per_request = (stats["prompt_tokens"] + stats["completion_tokens"]) / max(
                    1, stats["ok"]
                )
            ok, failed = copyassist_rows(log.with_suffix(".out"))
            weights = stats["admitted_tokens"] if kind == "tpm" else None
            rate = steady_rate(stats["admitted_times"], weights)
            fraction = math.nan if rate is None else rate / limit
            unit = kind.upper()
            label = f"--{kind} {limit} told" if told else f"{limit} {unit} enforced, not told"
            report.add(f"rate limit {label}: achieved / limit", fraction, ">= 0.95" if told else ">= 0.90")
            report.add(f"rate limit {label}: rows failed or missing", float(args.limit_rows - ok), "= 0")
            report.notes.append(f"rate limit {label}: {stats['rate_limited']} answers 429 of "
                                f"{stats['requests']} requests, {failed} rows failed, {run.wall:.1f} s, "
                                f"exit {run.returncode}")  # fmt: skip


def control_run(args: argparse.Namespace, report: Report) -> None:
    """A plain sender paced at 95% of the limit, measured the same way: the instrument's own reading."""
    server = {
        "latency": args.latency,
        "rpm": args.limit_rpm,
        "window": 1.0,
        "limit_headers": args.limit_headers,
    }
    body = {"model": "fake-model", "messages": [{"role": "user", "content": "- Name: Lampe de bureau\n"}]}
    with fake_server(**server) as base_url:
        refused = asyncio.run(paced_sender(base_url, body, args.limit_rpm * 0.95, args.limit_rows))
        rate = steady_rate(server_stats(base_url, times=True)["admitted_times"])
    fraction = math.nan if rate is None else rate / args.limit_rpm
    report.add("control: a sender paced at 0.95 of the limit, achieved / limit", fraction)
    report.notes.append(f"control: {refused} answers 429 of {args.limit_rows} requests")


def measure(args: argparse.Namespace) -> Report:
    title = (f"{args.rows} rows, {args.concurrency} in flight, {args.latency * 1000:.0f} ms latency, "
             f"{args.reps} repetition(s), medians; rate limits on {args.limit_rows} rows")  # fmt: skip
    report = Report(title, os.getloadavg())
    ideal = args.concurrency / args.latency if args.latency > 0 else math.inf
    report.notes.append(f"the concurrency-bound ideal: {ideal:.1f} rows/s")
    with tempfile.TemporaryDirectory(prefix="copyassist-compare-") as folder:
        work = Path(folder)
        if "throughput" in args.only:
            runs = throughput_runs(args, work, report)
            summarise(args, runs[args.rows], runs[args.small_rows], report)
        if "limits" in args.only:
            limit_runs(args, work, report)
            control_run(args, report)
    report.load_end = os.getloadavg()
    return report


def render(report: Report) -> str:
    lines = [f"copyassist compare: {report.title}", "load average at start: " + _load(report.load_start), ""]
    if report.medians:
        measures = list(next(iter(report.medians.values())))
        width = max(len(m) for m in measures) + 2
        lines.append(" " * width + "".join(f"{name:>28}" for name in report.medians))
        for key in measures:
            cells = "".join(f"{_number(values[key]):>28}" for values in report.medians.values())
            lines.append(f"{key:<{width}}{cells}")
        lines.append("")
    width = max(len(f.name) for f in report.figures) + 2
    lines.append(f"{'figure (ratio)':<{width}}{'value':>9}  {'target':<8}  result")
    for f in report.figures:
        result = "" if f.passed is None else ("PASS" if f.passed else "FAIL")
        lines.append(f"{f.name:<{width}}{_number(f.value):>9}  {f.target:<8}  {result}")
    lines += ["", *report.notes, "load average at end: " + _load(report.load_end)]
    return "\n".join(lines)


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in load) + f" (1, 5, 15 min; {os.cpu_count()} CPUs)"


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    started = time.perf_counter()
    report = measure(args)
    print(render(report))
    print(f"({time.perf_counter() - started:.0f} s in all)")
    return 0 if all(f.passed is not False for f in report.figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
