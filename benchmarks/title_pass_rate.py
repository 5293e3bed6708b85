"""First-pass and after-repair pass rates of a model writing product titles for a channel.

    python benchmarks/title_pass_rate.py [--feed examples/feed.csv] [--channel google-shopping]
                                         [--provider local] [--attempts 3] [--runs 1]

A title "passes" when it breaks no rule at error level (warnings allowed). First pass: the first
answer already passes. After repair: the kept answer passes after up to --attempts calls
(a rule-built fallback title does not count as a pass). Prints one line per row, then rates.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import copyassist
from copyassist.feeds import read_rows

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed", default=str(ROOT / "examples" / "feed.csv"))
    parser.add_argument("--channel", default="google-shopping")
    parser.add_argument("--provider", default="local")
    parser.add_argument("--model", default=None)
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="repeat the feed (different seeds)")
    args = parser.parse_args()

    backend = copyassist.get_backend(args.provider, model=args.model)
    rows = [row for row in read_rows(args.feed) if not row.error]
    total = first = repaired = 0
    calls = 0
    rules: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    for run in range(args.runs):
        for row in rows:
            data = dict(row.data)
            language = data.pop("language", None) or "en"
            result = copyassist.generate(
                "product-title", data, language=language, channel=args.channel,
                backend=backend, max_attempts=args.attempts, params={"seed": run},
            )  # fmt: skip
            total += 1
            calls += result.attempts
            first += result.first_pass
            passed = result.status != "fallback" and not any(v.severity == "error" for v in result.violations)
            repaired += passed
            left = result.rejected if result.status == "fallback" else result.violations
            rules.update(v.rule for v in left if v.severity == "error")
            print(f"{row.number:>3} {language} {result.status:<9} attempts={result.attempts} {result.copy!r}")
    elapsed = time.perf_counter() - started
    print()
    print(f"model: {backend.name}:{backend.model}  channel: {args.channel}  titles: {total}  calls: {calls}")
    print(f"first-pass rate:    {first}/{total} = {first / total:.0%}")
    print(f"after-repair rate:  {repaired}/{total} = {repaired / total:.0%}")
    print(f"calls per title:    {calls / total:.2f}   seconds per title: {elapsed / total:.1f}")
    if rules:
        print("errors left, by rule: " + ", ".join(f"{r} {n}" for r, n in rules.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
