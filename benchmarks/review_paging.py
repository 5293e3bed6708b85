"""How the review page's load time grows with the run: 100,000 rows against 1,000.

    python benchmarks/review_paging.py [--big 100000] [--small 1000] [--repeat 5] [--workdir DIR]

One store holds both runs. A two-row ``run_batch`` with an in-process backend gives a real
run's settings (``runs.args``); the big and small runs reuse them over their own CSV feeds, with
their results and run rows inserted straight into the store in one transaction each (no model,
no pipeline: only what a finished run leaves behind). Opening each run once builds its review
snapshot (timed, printed, not part of the ratio). With ``--workdir`` the store is kept there and
reused by the next run of the script (building the 100,000-row run takes minutes).

Then the list page is fetched through Starlette's TestClient, median of ``--repeat``: the first
page, a page 90% of the way in, the flagged rows 90% of the way in, and a search. Printed: each
median, and the ratio big / small (1.0 = the page costs the same whatever the run's size).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from copyassist.backends import Completion, Prompt, Usage
from copyassist.backends.base import StructuredMode
from copyassist.backends.retry import RetryPolicy
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.review.app import review_app
from copyassist.review.session import ReviewSession

TOKEN = "benchmark"
CHANNEL = "amazon"
CATEGORIES = ["Luminaires", "Cuisine", "Jardin", "Bagagerie", "Papeterie", "Textile"]


class TitleBackend:
    """Answers every call with the same clean title (for the two-row run that gives the settings)."""

    name = "fake"
    model = "fake-model"

    @property
    def structured_mode(self) -> StructuredMode:
        return "json_object_schema"

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return Completion(json.dumps({"title": "Lampe de bureau LED"}), self.model, Usage(100, 10), "stop")

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return self.complete(prompt)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def write_feed(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "category", "image_link"])
        for number in range(rows):
            category = CATEGORIES[number % len(CATEGORIES)]
            image = f"https://img.example/{number}.jpg"
            writer.writerow(
                [f"SKU-{number}", f"Lampe de bureau LED modèle {number}", "Lumio", category, image]
            )
    return path


def copy_for(number: int) -> tuple[str, str, list[str]]:
    """(status, title, violations) of row ``number``: one row in 20 flagged, one in 10 repaired."""
    if number % 20 == 7:
        return (
            "flagged",
            f"LAMPE DE BUREAU LED MODÈLE {number} !!!",
            ["punctuation.repeated: repeated punctuation"],
        )
    status = "repaired" if number % 10 == 3 else "ok"
    return status, f"Lampe de bureau LED Lumio, modèle {number}", []


def add_run(store: Store, feed: Path, rows: int, like: dict[str, Any]) -> int:
    """A finished run of ``rows`` rows over ``feed`` with the settings of the run ``like``."""
    stat = feed.stat()
    args = dict(like["args"]) | {"feed_stamp": {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}}
    run_id = store.start_run(
        feed=str(feed), output=str(feed.with_suffix(".out.csv")), template=like["template"], channel=CHANNEL,
        model="fake-model", language=like["language"], command=["bench"], args=args,
    )  # fmt: skip
    results: list[tuple[Any, ...]] = []
    run_rows: list[tuple[Any, ...]] = []
    counts: dict[str, int] = {}
    for number in range(1, rows + 1):
        status, title, violations = copy_for(number)
        key = f"bench-{run_id}-{number}"
        results.append((key, json.dumps({"title": title}), json.dumps({"title": title}), status,
                        json.dumps(violations), 100, 10, None, "fake-model", like["template"], 1, None,
                        run_id, "2026-01-01T00:00:00Z"))  # fmt: skip
        run_rows.append((run_id, number, key, status, None, 100, 10, None))
        counts[status] = counts.get(status, 0) + 1
    with store.connection as conn:
        conn.executemany(
            "INSERT INTO results (key, output, fields, status, violations, input_tokens, output_tokens, cost,"
            " model, template, template_version, persona, run_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            results,
        )
        conn.executemany(
            "INSERT INTO run_rows (run_id, row_number, key, status, error, input_tokens, output_tokens, cost)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            run_rows,
        )
    store.finish_run(run_id, "finished", counts, 100 * rows, 10 * rows, None)
    return run_id


def seed_settings(store: Store, work: Path) -> dict[str, Any]:
    """The settings of a real two-row run (made once), for the benchmark runs to copy."""
    seeds = [run for run in store.list_runs(None) if run.command != ["bench"] and run.args]
    if not seeds:
        run_batch(write_feed(work / "seed.csv", 2), work / "seed.out.csv", template="product-title",
                  backend=TitleBackend(), store=store, channel=CHANNEL, language="fr")  # fmt: skip
        seeds = [store.get_run(store.last_run_id or 0)]
    return {"args": seeds[0].args or {}, "template": seeds[0].template, "language": seeds[0].language}


def reused_runs(path: Path, sizes: tuple[int, ...]) -> dict[int, int]:
    """The benchmark runs of these sizes already in the store at ``path``: size -> run id."""
    if not path.is_file():
        return {}
    with Store(path) as store:
        found = {
            sum(run.counts.values()): run.id for run in store.list_runs(None) if run.command == ["bench"]
        }
    return {size: found[size] for size in sizes if size in found}


def median_ms(client: TestClient, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer = client.get(url)
        times.append(time.perf_counter() - start)
        if answer.status_code != 200 or 'data-row="' not in answer.text:
            raise SystemExit(f"{url}: {answer.status_code}, no row on the page")
    return statistics.median(times) * 1000


def data_layer_ms(path: Path, run_id: int, rows: int, repeat: int) -> dict[str, float]:
    """The data layer's share: ``ReviewSession.page`` (first and 90% in) and ``facets``, called directly."""
    deep = (rows * 9 // 10) // 50 * 50
    calls = {
        "page()": lambda s: s.page(),
        "page(offset 90%)": lambda s: s.page(offset=deep),
        "facets()": lambda s: s.facets(),
    }
    with Store(path) as store:
        session = ReviewSession(store, run_id)
        found = {}
        for name, call in calls.items():
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                call(session)
                times.append(time.perf_counter() - start)
            found[name] = statistics.median(times) * 1000
    return found


def pages(rows: int) -> dict[str, str]:
    deep = (rows * 9 // 10) // 50 * 50
    flagged = rows // 20
    return {
        "first page": "/",
        "page 90% in": f"/?offset={deep}",
        "flagged, 90% in": f"/?status=flagged&offset={(flagged * 9 // 10) // 50 * 50}",
        "search": "/?q=mod%C3%A8le%207",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="keep the store here, and reuse it next time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        path = work / "store.sqlite3"
        runs = reused_runs(path, (args.small, args.big))
        with Store(path) as store:
            for rows in (args.small, args.big):
                if rows in runs:
                    print(f"{rows:>7} rows: reused from {path}")
                    continue
                like = seed_settings(store, work)
                start = time.perf_counter()
                runs[rows] = add_run(store, write_feed(work / f"feed-{rows}.csv", rows), rows, like)
                stored = time.perf_counter() - start
                start = time.perf_counter()
                ReviewSession(store, runs[rows]).close()
                built = time.perf_counter() - start
                print(f"{rows:>7} rows: stored in {stored:.1f} s, review snapshot built in {built:.1f} s")
        medians: dict[int, dict[str, float]] = {}
        for rows, run_id in runs.items():
            client = TestClient(review_app(path, run_id, token=TOKEN), base_url="http://127.0.0.1")
            client.get(f"/?token={TOKEN}")  # the cookie, and a first warm-up load
            medians[rows] = {name: median_ms(client, url, args.repeat) for name, url in pages(rows).items()}
            medians[rows] |= data_layer_ms(path, run_id, rows, args.repeat)
    print(f"\nlist page, median of {args.repeat} (ms)   {args.small:>8} rows {args.big:>10} rows   ratio")
    for name in medians[args.big]:
        if name == "page()":
            print("  the data layer alone (ReviewSession, no HTTP, no page):")
        small, big = medians[args.small][name], medians[args.big][name]
        print(f"  {name:<30} {small:>13.1f} {big:>15.1f}   {big / small:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
