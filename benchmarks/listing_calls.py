"""Calls a whole listing takes, and how many listings come out whole.

    python benchmarks/listing_calls.py [--feed examples/feed.csv] [--set listing] [--embedded]

Runs ``copyassist.run_batch`` on the feed with the set (every field, rows in parallel), then the
same run again (target: 0 calls), then the set with ``faq`` appended (target: the faq's calls
only), each on the same store, and prints calls per listing, the fields' statuses and the share
of listings whose every field is ok or repaired. On the fake OpenAI-compatible server
(127.0.0.1) by default: counts, not times, the fake answers at once. ``--embedded``: on the
embedded model (the local extra), the first run only; it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fake_server import start_fake_server  # noqa: E402

from copyassist.batch.api import run_batch  # noqa: E402
from copyassist.batch.store import Store  # noqa: E402

WHOLE = {"ok", "repaired"}


def whole_listings(output: Path) -> tuple[int, int]:
    """Listings whose every field is ok or repaired, and listings, in a JSONL output."""
    rows = [json.loads(line) for line in output.read_text("utf-8").splitlines() if line.strip()]
    statuses = [
        [str((f or {}).get("status")) for f in (r.get("copyassist_fields") or {}).values()] for r in rows
    ]
    return sum(1 for fields in statuses if fields and set(fields) <= WHOLE), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feed", default=str(ROOT / "examples" / "feed.csv"))
    parser.add_argument("--set", default="listing")
    parser.add_argument("--embedded", action="store_true", help="the embedded model, first run only")
    args = parser.parse_args()
    base_url, server = (None, None) if args.embedded else start_fake_server()
    backend: dict[str, Any] = (
        {"provider": "local"}
        if args.embedded
        else {"provider": "compatible", "base_url": base_url, "model": "fake-model"}
    )
    try:
        with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "store.sqlite3") as store:

            def run(template: str, name: str) -> tuple[int, int, Counter[str], tuple[int, int]]:
                output = Path(folder) / f"{name}.jsonl"
                summary = run_batch(args.feed, output, template=template, store=store, **backend)
                return (
                    summary.calls,
                    summary.totals.rows,
                    Counter({str(s): n for s, n in summary.totals.field_counts.items()}),
                    whole_listings(output),
                )

            calls, rows, fields, (whole, listings) = run(args.set, "first")
            print(f"{args.set}: {rows} listings, {calls} calls, {calls / rows:.2f} calls per listing; "
                  f"fields {dict(fields)}; every field ok or repaired in {whole} of {listings} "
                  f"listings ({whole / max(1, listings):.0%})")  # fmt: skip
            if args.embedded:
                return
            again, _, _, _ = run(args.set, "again")
            print(f"the same run again: {again} calls (target 0)")
            more, _, fields, _ = run(f"{args.set},faq", "more")
            print(f"{args.set},faq: {more} calls ({more / rows:.2f} a listing, the faq field only); "
                  f"fields {dict(fields)}")  # fmt: skip
    finally:
        if server is not None:
            server()


if __name__ == "__main__":
    main()
