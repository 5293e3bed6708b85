"""Progress of a batch: a rich progress bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from copyassist.batch.model import RowOutcome
from copyassist.batch.settings import BatchTotals
from copyassist.feeds import RecordCount
from copyassist.status import Status

LOG_EVERY_SECONDS = 10.0


def _summary(totals: BatchTotals) -> str:
    counts = totals.counts
    parts = [f"{counts[s]} {s}" for s in Status if counts[s]]
    cost = f"${totals.cost:.4f}" + ("+?" if totals.unknown_cost else "")
    fields = totals.field_counts  # a listing: its fields too, the rows' statuses being their worst
    listed = ", ".join(f"{fields[s]} {s}" for s in Status if fields[s])
    cached = f"{totals.cached} {'fields' if fields else ''} from cache".replace("  ", " ")
    return (
        f"{', '.join(parts) or 'nothing yet'}{f' · fields: {listed}' if listed else ''} · {cached} · {cost}"
    )


class BatchProgress:
    """Call ``update`` for each finished row, ``close`` at the end. ``total`` is the feed's record
    count (``feeds.count_records``); an estimate is shown as "about N"."""

    def __init__(
        self, total: RecordCount | int | None, stream: IO[str] | None = None, enabled: bool = True
    ) -> None:
        self.stream = stream or sys.stderr
        count = RecordCount(total) if isinstance(total, int) else total
        self.total = count.records if count else None
        self.exact = count.exact if count else True
        self.enabled = enabled
        self.started = time.monotonic()
        self._last_log = self.started
        self._bar: Any = None
        self._task: Any = None
        if enabled and self.stream.isatty():
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )  # fmt: skip

            self._bar = Progress(
                TextColumn("[bold]copyassist"), BarColumn(),
                TextColumn("{task.completed:.0f}{task.fields[of]}"),
                TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), TextColumn("{task.fields[status]}"), transient=False,
            )  # fmt: skip
            self._bar.start()
            self._task = self._bar.add_task("rows", total=self.total, rate="0.0", status="", of=self._of())

    def _of(self) -> str:
        """What follows the rows done: "/92", " of about 92", or nothing when the total is unknown."""
        if self.total is None:
            return ""
        return f"/{self.total}" if self.exact else f" of about {self.total}"

    def update(self, outcome: RowOutcome, totals: BatchTotals) -> None:
        if not self.enabled:
            return
        done = totals.rows
        if self.total is not None and done > self.total:  # an estimate passed: never show 17/16
            self.total, self.exact = None, True
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        if self._bar is not None:
            self._bar.update(self._task, total=self.total, completed=done, rate=f"{rate:.1f}",
                             status=_summary(totals), of=self._of())  # fmt: skip
            return
        now = time.monotonic()
        if now - self._last_log >= LOG_EVERY_SECONDS:
            self._last_log = now
            of = self._of()
            eta = ""
            if self.total and rate > 0:
                about = "" if self.exact else "about "
                eta = f" · ETA {about}{max(0.0, (self.total - done) / rate):.0f} s"
            print(
                f"copyassist: {done}{of} rows · {rate:.1f} rows/s{eta} · {_summary(totals)}", file=self.stream
            )

    def close(self, totals: BatchTotals) -> None:
        if self._bar is not None:
            self._bar.stop()
        if self.enabled:
            elapsed = time.monotonic() - self.started
            print(f"copyassist: {totals.rows} rows in {elapsed:.1f} s · {_summary(totals)}", file=self.stream)
