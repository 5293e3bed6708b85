"""A server that enforces a rate limit, told to the tool or not: the share of the limit used.

    python benchmarks/rate_limits.py [--rows 200] [--rpm 60] [--concurrency 8] [--latency 0.2]

The server (``fake_server.py``, in a subprocess on 127.0.0.1) enforces ``--rpm`` over 1 s
windows, as providers do ("60 RPM may be enforced as 1 request a second"), and says so in one of
three ways: ``x-ratelimit-*`` headers on every answer, on its 429s only, or nothing but a bare
``retry-after``. The tool runs ``copyassist.run_batch`` with no ``rpm=``, then once with ``rpm=``
(told). Targets: 0 rows failed, under 5% of requests answered 429, and of the limit, over the
steady part of the run (the server's admissions between the first and the last tenth): >= 0.95
told, >= 0.90 not told.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from batch_throughput import fake_server, lost, server_stats, tool_run, write_feed
from compare_runs import steady_rate

STATED = {
    "told": "on every answer, and told with rpm=",
    "all": "on every answer",
    "429": "on 429s only",
    "none": "nowhere (retry-after only)",
}


def steady(stats: dict[str, Any], rpm: int) -> str:
    per_minute = steady_rate(stats["admitted_times"])
    return f"{per_minute / rpm:.3f}" if per_minute is not None else "n/a (too few requests)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--rpm", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--only", default="told,all,429,none")
    args = parser.parse_args(argv)
    print(f"a {args.rpm} RPM limit over 1 s windows; {args.rows} rows, "
          f"concurrency {args.concurrency}, latency {args.latency * 1000:.0f} ms:")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="copyassist-bench-") as folder:
        workdir = Path(folder)
        os.environ["COPYASSIST_HOME"] = str(workdir / "home")
        feed = write_feed(workdir / "feed.csv", args.rows)
        for headers in args.only.split(","):
            told = headers == "told"
            server = {"latency": args.latency, "rpm": args.rpm, "window": 1.0,
                      "limit_headers": "all" if told else headers}  # fmt: skip
            limit = {"rpm": args.rpm} if told else {}
            with fake_server(**server) as base_url:
                elapsed, summary, rows = tool_run(
                    feed, base_url, workdir, concurrency=args.concurrency, **limit
                )
                stats = server_stats(base_url, times=True)
            share = stats["rate_limited"] / max(1, stats["requests"])
            failed = summary.totals.counts.get("failed", 0)
            print(f"  limits stated {STATED[headers]}: "
                  f"{failed} rows failed (target 0), {lost(rows, args.rows)} rows without copy, "
                  f"{stats['rate_limited']} of {stats['requests']} requests answered 429 = {share:.1%} "
                  f"(target < 5%), {args.rows / elapsed * 60:.0f} rows/min = "
                  f"{args.rows / elapsed * 60 / args.rpm:.2f} of the limit over the whole run, "
                  f"{steady(stats, args.rpm)} over its steady part (target {0.95 if told else 0.90}), "
                  f"{elapsed:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
