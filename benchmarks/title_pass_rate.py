"""Pass rates of a model writing titles, descriptions, bullets and SEO, full prompts against compact.

    python benchmarks/title_pass_rate.py [--feed benchmarks/products.csv]
                                         [--fields title,description,bullets,seo] [--channel google-shopping]
                                         [--provider local] [--attempts 3]
                                         [--runs 1] [--start N] [--limit N] [--arms full,compact]

An item "passes" when its copy came out ok or repaired: no rule broken at error level, and no
rule-built fallback. For each field kind and each arm (full: today's prompts; compact: the short
prompts of ``copyassist.compact``) it prints the pass rate, the first-pass rate, calls per item and
seconds per item, then the compact arm's figures as ratios of the full arm's. Each item runs
through the arms one after the other, their order swapped from one item to the next (full,
compact, compact, full...), so load on a shared machine weighs on both alike.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import copyassist
from copyassist import errors
from copyassist.feeds import read_rows

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = {
    "title": "product-title",
    "description": "product-description",
    "bullets": "bullets",
    "seo": "seo",
}
ARMS = {"full": False, "compact": True}


@dataclass
class Tally:
    items: int = 0
    passed: int = 0
    first: int = 0
    calls: int = 0
    seconds: float = 0.0
    left: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, status: str, first: bool, calls: int, seconds: float, rules: list[str]) -> None:
        self.items += 1
        self.passed += status in ("ok", "repaired")
        self.first += first
        self.calls += calls
        self.seconds += seconds
        self.left.update(rules)

    def line(self) -> str:
        n = max(self.items, 1)
        return (
            f"pass {self.passed}/{self.items} = {self.passed / n:4.0%}  first-pass {self.first / n:4.0%}  "
            f"calls/item {self.calls / n:.2f}  s/item {self.seconds / n:5.1f}"
        )


def run_one(kind: str, data: dict[str, Any], language: str, compact: bool, args: argparse.Namespace,
            backend: Any, seed: int) -> tuple[str, bool, int, list[str], str]:  # fmt: skip
    try:
        result = copyassist.generate(
            TEMPLATES[kind], data, language=language, channel=args.channel, backend=backend,
            max_attempts=args.attempts, params={"seed": seed}, compact=compact,
        )  # fmt: skip
    except errors.OutputError as exc:
        return "failed", False, exc.attempts or args.attempts, ["no valid output"], ""
    left = result.rejected if result.status == "fallback" else result.violations
    rules = [v.rule for v in left if v.severity == "error"]
    return result.status, result.first_pass, result.attempts, rules, result.copy


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feed", default=str(ROOT / "benchmarks" / "products.csv"))
    parser.add_argument("--fields", default="title,description,bullets,seo")
    parser.add_argument("--channel", default="google-shopping")
    parser.add_argument("--provider", default="local")
    parser.add_argument("--model", default=None)
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="repeat the feed (different seeds)")
    parser.add_argument("--start", type=int, default=0, help="skip the first N rows")
    parser.add_argument("--limit", type=int, default=0, help="only N rows (0: all)")
    parser.add_argument("--arms", default="full,compact")
    parser.add_argument("--quiet", action="store_true", help="no line per item")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.fields.split(",") if k.strip()]
    arms = [a.strip() for a in args.arms.split(",") if a.strip()]
    unknown = [k for k in kinds if k not in TEMPLATES] + [a for a in arms if a not in ARMS]
    if unknown:
        parser.error(f"unknown field kind or arm: {', '.join(unknown)}")

    backend = copyassist.get_backend(args.provider, model=args.model)
    rows = [row for row in read_rows(args.feed) if not row.error]
    rows = rows[args.start :]
    rows = rows[: args.limit] if args.limit else rows
    tallies = {(kind, arm): Tally() for kind in kinds for arm in arms}
    turn = 0
    for run in range(args.runs):
        for kind in kinds:
            for row in rows:
                data = dict(row.data)
                language = data.pop("language", None) or "en"
                order = arms if turn % 2 == 0 else arms[::-1]
                turn += 1
                for arm in order:
                    started = time.perf_counter()
                    status, first, calls, rules, copy = run_one(
                        kind, data, language, ARMS[arm], args, backend, run
                    )
                    seconds = time.perf_counter() - started
                    tallies[kind, arm].add(status, first, calls, seconds, rules)
                    if not args.quiet:
                        shown = " ".join(copy.split())[:90]
                        print(f"{kind:<11} {arm:<7} row {row.number:>3} {language} {status:<9} "
                              f"calls={calls} {seconds:5.1f}s {shown!r}", flush=True)  # fmt: skip
    print()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print(f"model: {backend.name}:{backend.model}  channel: {args.channel}  rows: {len(rows)}  "
          f"runs: {args.runs}  load average at the end: {' '.join(f'{x:.2f}' for x in load)}")  # fmt: skip
    for kind in kinds:
        for arm in arms:
            tally = tallies[kind, arm]
            print(f"{kind:<11} {arm:<7} {tally.line()}")
            if tally.left:
                print(f"{'':<20}errors left: " + ", ".join(f"{r} {n}" for r, n in tally.left.most_common(6)))
        if set(arms) == set(ARMS):
            full, compact = tallies[kind, "full"], tallies[kind, "compact"]
            rate = f"{compact.passed / full.passed:.2f}x" if full.passed else f"{compact.passed} vs 0"
            calls = compact.calls / full.calls if full.calls else 0.0
            seconds = compact.seconds / full.seconds if full.seconds else 0.0
            print(
                f"{kind:<11} compact/full: pass rate {rate}, calls/item {calls:.2f}x, s/item {seconds:.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
