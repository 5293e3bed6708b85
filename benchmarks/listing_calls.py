"""Calls a whole listing takes, on the fake OpenAI-compatible server (127.0.0.1).

    python benchmarks/listing_calls.py [--feed examples/feed.csv] [--set listing]

Runs ``copyassist.run_batch`` on the feed with the set (every field, rows in parallel), then the
same run again (target: 0 calls), then the set with ``faq`` appended (target: the faq's calls
only), each on the same store, and prints calls per listing and the fields' statuses. Counts,
not times: the fake answers at once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fake_server import start_fake_server  # noqa: E402

from copyassist.batch.api import run_batch  # noqa: E402
from copyassist.batch.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed", default=str(ROOT / "examples" / "feed.csv"))
    parser.add_argument("--set", default="listing")
    args = parser.parse_args()
    base_url, server = start_fake_server()
    try:
        with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "store.sqlite3") as store:

            def run(template: str, name: str) -> tuple[int, int, Counter[str]]:
                summary = run_batch(args.feed, Path(folder) / f"{name}.csv", template=template, store=store,
                                    provider="compatible", base_url=base_url, model="fake-model")  # fmt: skip
                return (
                    summary.calls,
                    summary.totals.rows,
                    Counter({str(s): n for s, n in summary.totals.field_counts.items()}),
                )

            calls, rows, fields = run(args.set, "first")
            print(f"{args.set}: {rows} listings, {calls} calls, {calls / rows:.2f} calls per listing; "
                  f"fields {dict(fields)}")  # fmt: skip
            again, _, _ = run(args.set, "again")
            print(f"the same run again: {again} calls (target 0)")
            more, _, fields = run(f"{args.set},faq", "more")
            print(f"{args.set},faq: {more} calls ({more / rows:.2f} a listing, the faq field only); "
                  f"fields {dict(fields)}")  # fmt: skip
    finally:
        server()


if __name__ == "__main__":
    main()
