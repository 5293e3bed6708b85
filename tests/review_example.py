"""The example feed's run the review tests and the screenshot look at: ``examples/feed.csv``
(the README's batch example) for Google Shopping, written by a FakeBackend one row per call, so
rows come out ok, flagged (a superlative: a warning) and fallback (capitals and a discount: errors)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from tests.helpers import ROOT, FakeBackend

FEED = ROOT / "examples" / "feed.csv"
CHANNEL = "google-shopping"
TITLES = [  # one per row of the feed, in its order
    "Montre connectée Kairos S2 noir graphite",
    "MARINIÈRE HOMME COTON BIO -50% !!!",
    "Cocotte en fonte émaillée 24 cm Maison Vidal",
    "The best hiking daypack ever, 15L",
    "Lumio LED desk lamp, 3 modes",
    "Organic oat baby porridge 2 x 200 g",
]


@dataclass(frozen=True)
class ExampleRun:
    store: Path
    run_id: int
    output: Path  # what batch wrote


def example_run(folder: Path, feed: Path = FEED) -> ExampleRun:
    """Run the example feed into a store in ``folder``; one call per row, in row order. It runs
    in a thread of its own: Playwright's sync API keeps an event loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run, folder, feed).result()


def _run(folder: Path, feed: Path) -> ExampleRun:
    folder.mkdir(parents=True, exist_ok=True)
    backend = FakeBackend([{"title": title} for title in TITLES])
    output = folder / "feed.titles.csv"
    with Store(folder / "store.sqlite3") as store:
        summary = run_batch(
            feed, output, template="product-title", channel=CHANNEL, backend=backend, store=store,
            concurrency=1, max_attempts=1, use_cache=False,
        )  # fmt: skip
    return ExampleRun(folder / "store.sqlite3", summary.run_id, output)
