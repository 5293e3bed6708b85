"""``score`` and ``ascore``: a feed's listings graded as they are, with ``check``'s reading.

The rows are read and their copy columns resolved exactly as ``audit.check`` does
(``feeds.read_rows``, ``audit.resolve_fields``); the row's other columns are the product data
the grader is shown. Grades are kept in the batch store's file, so grading the same listings
again costs nothing.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyassist import errors
from copyassist.audit import _first, resolve_fields
from copyassist.backends import Backend, Usage, get_backend
from copyassist.batch.store import Store
from copyassist.budget import CappedBackend, CostCap
from copyassist.feeds import Row, neutralise_cell, read_rows
from copyassist.persona import Persona
from copyassist.product_language import declared_language
from copyassist.scoring.criteria import parse_criteria
from copyassist.scoring.grader import DEFAULT_GRADE_ATTEMPTS, STOPPING, Grader, listing_key
from copyassist.scoring.model import Score
from copyassist.scoring.store import ScoreStore

#: Rows shown as the worst in a summary.
WORST_SHOWN = 5


@dataclass
class RowScores:
    """One listing's grades. ``error``: the row could not be read or graded at all."""

    row: int
    id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    scores: list[Score] = field(default_factory=list)
    error: str | None = None

    @property
    def mean(self) -> float | None:
        graded = [s.score for s in self.scores if s.score is not None]
        return sum(graded) / len(graded) if graded else None

    @property
    def failed(self) -> bool:
        """Unreadable, or a criterion that could not be graded."""
        return self.error is not None or any(s.score is None for s in self.scores)


@dataclass
class ScoreReport:
    criteria: tuple[str, ...]
    fields: dict[str, str]  # kind -> the column graded as it
    columns: list[str] = field(default_factory=list)  # the file's columns (the first row's)
    rows: list[RowScores] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0
    unknown_cost: bool = False
    stopped: str | None = None  # why grading stopped early (a spending cap, a refused key)

    def count(self, score: Score) -> None:
        """Add what a grade cost (nothing for one reused from the store)."""
        if score.cached:
            return
        self.usage = self.usage + Usage(score.input_tokens, score.output_tokens)
        if score.cost is None:
            self.unknown_cost = True
        else:
            self.cost += score.cost

    @property
    def failed_count(self) -> int:
        return sum(r.failed for r in self.rows)

    @property
    def cached_count(self) -> int:
        return sum(s.cached for r in self.rows for s in r.scores)

    def means(self) -> dict[str, float | None]:
        """Criterion -> the mean grade of the listings graded on it (None: none was)."""
        found: dict[str, float | None] = {}
        for criterion in self.criteria:
            grades = [s.score for r in self.rows for s in r.scores if s.criterion == criterion and s.score]
            found[criterion] = round(sum(grades) / len(grades), 2) if grades else None
        return found

    def worst(self, count: int = WORST_SHOWN) -> list[RowScores]:
        """The rows with the lowest mean grade, lowest first (rows with no grade left out)."""
        graded = [r for r in self.rows if r.mean is not None]
        return sorted(graded, key=lambda r: (r.mean, r.row))[:count]

    def summary_lines(self, spend: bool = True) -> list[str]:
        """The means per criterion, the worst rows, and (``spend``) the tokens and cost."""
        means = ", ".join(f"{c} {'-' if m is None else f'{m:.2f}'}" for c, m in self.means().items())
        cost = "unknown" if self.unknown_cost else f"${self.cost:.4f}"
        lines = [f"{len(self.rows)} rows graded on {', '.join(self.criteria)}: mean {means}"]
        if spend:
            lines.append(
                f"grading tokens: {self.usage.input_tokens} in, {self.usage.output_tokens} out; cost {cost}; "
                f"{self.cached_count} grades reused from the store"
            )
        worst = self.worst()
        if worst:
            listed = ", ".join(
                f"row {r.row}" + (f" ({r.id})" if r.id else "") + f" {r.mean:.1f}" for r in worst
            )
            lines.append(f"worst rows: {listed}")
        if self.failed_count:
            lines.append(f"{self.failed_count} rows could not be read or fully graded")
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "criteria": list(self.criteria),
            "fields": self.fields,
            "means": self.means(),
            "worst_rows": [r.row for r in self.worst()],
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cost_usd": None if self.unknown_cost else round(self.cost, 6),
            "stopped": self.stopped,
            "rows": [
                {"row": r.row, "id": r.id, "error": r.error, "mean": r.mean,
                 "scores": [s.as_dict() for s in r.scores]}
                for r in self.rows
            ],
        }  # fmt: skip

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        """The feed's rows, each with a score and a reason column per criterion."""
        extra = [f"{kind}_{c}" for c in self.criteria for kind in ("score", "reason")]
        columns = [*self.columns, *[name for name in extra if name not in self.columns]]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for report in self.rows:
            cells = {k: "" if v is None else str(v) for k, v in report.data.items()}
            for s in report.scores:
                cells[f"score_{s.criterion}"] = "" if s.score is None else str(s.score)
                cells[f"reason_{s.criterion}"] = neutralise_cell(s.reason or s.error or "")
            if report.error:
                cells[f"reason_{self.criteria[0]}"] = neutralise_cell(report.error)
            writer.writerow([cells.get(c, "") for c in columns])
        return out.getvalue()


def _rows(source: str | Path | Iterable[Mapping[str, Any]]) -> Iterator[Row]:
    if isinstance(source, str | Path):
        return read_rows(source)
    return (Row(n, dict(r)) for n, r in enumerate(source, start=1))


class _FeedGrading:
    """One feed being graded: rows in order, a bounded window of them in flight."""

    def __init__(self, grader: Grader, report: ScoreReport, fields: Mapping[str, str] | None) -> None:
        self.grader = grader
        self.report = report
        self.wanted = fields

    async def run(self, rows: Iterable[Row], window: int) -> None:
        in_flight: deque[asyncio.Task[RowScores]] = deque()
        for row in rows:
            self._read_columns(row)  # a bad column choice fails here, with nothing in flight
            if len(in_flight) >= window:
                self.report.rows.append(await in_flight.popleft())
            in_flight.append(asyncio.ensure_future(self._row(row)))
        while in_flight:
            self.report.rows.append(await in_flight.popleft())

    def _read_columns(self, row: Row) -> None:
        report = self.report
        if not report.columns and row.data:
            report.columns = [str(c) for c in row.data]
        if not report.fields and row.data and not row.error:
            report.fields = resolve_fields(row.data.keys(), self.wanted)

    async def _row(self, row: Row) -> RowScores:
        report = self.report
        if row.error:
            return RowScores(row.number, error=f"unreadable: {row.error}")
        copy_columns = set(report.fields.values())
        listing = {kind: str(row.data.get(column) or "") for kind, column in report.fields.items()}
        listing = {kind: text for kind, text in listing.items() if text.strip()}
        result = RowScores(
            row.number, _first(row.data, ("sku", "id", "handle", "ean", "gtin")), dict(row.data)
        )
        if not listing:
            return result  # nothing to grade: no copy in the graded columns
        if report.stopped:
            result.error = f"not graded: {report.stopped}"
            return result
        product = {k: v for k, v in row.data.items() if k not in copy_columns}
        try:
            result.scores = await self.grader.grade(
                listing, product, listing_key(listing, row.data), declared=declared_language(row.data)
            )
        except STOPPING as exc:
            report.stopped = report.stopped or str(exc)
            result.error = f"not graded: {report.stopped}"
            if isinstance(exc.usage, Usage):
                report.usage = report.usage + exc.usage
        for score in result.scores:
            report.count(score)
        return result


async def ascore(
    source: str | Path | Iterable[Mapping[str, Any]],
    *,
    criteria: str | Iterable[str],
    persona: str | Path | Persona | None = None,
    channel: str | None = None,
    fields: Mapping[str, str] | None = None,
    language: str | None = None,
    keywords: Iterable[str] = (),
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    store: Store | None = None,
    use_cache: bool = True,
    concurrency: int = 4,
    max_attempts: int = DEFAULT_GRADE_ATTEMPTS,
    max_cost: float | None = None,
    prompts_dirs: Iterable[str | Path] = (),
    personas_dirs: Iterable[str | Path] = (),
) -> ScoreReport:
    """Grade every listing of ``source`` (a file, or rows as dicts) on ``criteria`` (names, or one
    comma-separated string; see ``copyassist.scoring.criteria``), each 1 to 5 with a reason.

    Columns and languages are read as ``check`` reads them (``fields`` picks the columns); the
    grades are model calls, counted in the report's tokens and cost (``max_cost`` caps it), and
    kept in ``store`` (default: the batch store) so a second run reuses them (``use_cache``).
    Grades never replace the rule checks: use ``check`` for those."""
    dirs = list(prompts_dirs)
    chosen = parse_criteria(criteria, dirs)
    caller = backend or get_backend(provider, model=model, base_url=base_url)
    capped: Backend = caller if max_cost is None else CappedBackend(caller, CostCap(max_cost))
    db = store or Store()
    try:
        grader = Grader(chosen, capped, store=ScoreStore(db), persona=persona, channel=channel,
                        keywords=keywords, language=language, max_attempts=max_attempts,
                        use_cache=use_cache, prompts_dirs=dirs, personas_dirs=personas_dirs,
                        limit=asyncio.Semaphore(concurrency))  # fmt: skip
        report = ScoreReport(chosen, {})
        await _FeedGrading(grader, report, fields).run(_rows(source), window=max(16, concurrency * 4))
    finally:
        if backend is None:
            await caller.aclose()
        if store is None:
            db.close()
    if not report.rows:
        raise errors.InputError("the file holds no rows to grade")
    return report


def score(source: str | Path | Iterable[Mapping[str, Any]], **options: Any) -> ScoreReport:
    """The sync face of ``ascore`` (same arguments)."""
    return asyncio.run(ascore(source, **options))
