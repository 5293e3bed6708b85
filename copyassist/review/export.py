"""Writing a reviewed run back: the feed as ``batch`` wrote it, with the reviewers' decisions.

The feed is read again as the run read it and every row goes through the batch's own writer
(``batch.writers.FeedWriter``: same format, encoding, delimiter, columns and side columns),
from what the store holds for the row, with the review on top:

- approved rows: the proposed copy (the edit or regeneration, else the generated copy) in the
  platform's own target columns, replacing what they held (as batch does when told to overwrite);
- rejected rows: the target cells as the feed had them;
- rows not reviewed: as the batch run wrote them (an edit kept in the side columns and, where
  the run's rules fill a target, there too), or, with ``approved_only``, target cells untouched.

The input feed is only replaced with ``in_place`` (a ``.bak`` copy is kept first, as batch
does); an existing output only with ``force``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copyassist.batch.field_log import StoredField, stored_fields
from copyassist.batch.model import RowOutcome
from copyassist.batch.store import Store
from copyassist.batch.store_records import RunInfo
from copyassist.batch.writers import FeedWriter
from copyassist.errors import InputError
from copyassist.feeds import Feed
from copyassist.feeds.platforms import CSV_FORMATS
from copyassist.feeds.writing import check_output_path, keep_backup
from copyassist.review.session import ReviewSession
from copyassist.review.snapshot import (
    Generated,
    feed_changed,
    feed_path,
    generated_rows,
    reopen_feed,
)


@dataclass(frozen=True)
class ExportSummary:
    rows: int  # rows written (every row of the feed)
    approved: int  # rows whose copy was published as approved
    edited: int  # rows written with a reviewer's edit or a regeneration
    rejected: int
    unreviewed: int
    output: Path

    def __str__(self) -> str:
        return (
            f"{self.rows} rows written to {self.output}: {self.approved} approved, {self.edited} edited, "
            f"{self.rejected} rejected, {self.unreviewed} unreviewed"
        )


@dataclass(frozen=True)
class _Review:
    decision: str
    replaced: dict[str, str]
    status: str


class ReviewWriter(FeedWriter):
    """The batch writer, with each row's review deciding what reaches the target columns."""

    def __init__(
        self, path: Path, reviews: Mapping[int, _Review], approved_only: bool, **options: Any
    ) -> None:
        super().__init__(path, **options)
        self.reviews = reviews
        self.approved_only = approved_only
        self.batch_overwrite = self.overwrite

    def _record(self, outcome: RowOutcome) -> dict[str, Any]:
        review = self.reviews.get(outcome.row.number)
        if review is None:  # a row the review never saw: never published as approved
            record = super()._record(outcome)
            if self.approved_only:
                self._untouched(record, outcome)
            return record
        parts = [  # a listing's fields, each with the review's edits of its own columns
            dataclasses.replace(part, fields={k: review.replaced.get(k, v) for k, v in part.fields.items()})
            for part in outcome.field_outcomes
        ]
        outcome = dataclasses.replace(
            outcome, fields={**outcome.fields, **review.replaced}, status=review.status, field_outcomes=parts
        )
        record = super()._record(outcome)
        if review.decision == "approved":
            self.overwrite = True
            try:
                for name in self.fields:
                    text = outcome.fields.get(name, "")
                    if text.strip():
                        self._fill(record, name, text, ai=True)
            finally:
                self.overwrite = self.batch_overwrite
        elif review.decision == "rejected" or self.approved_only:
            self._untouched(record, outcome)
        return record

    def _untouched(self, record: dict[str, Any], outcome: RowOutcome) -> None:
        raw = outcome.row.raw
        for column in [*self.targets.values(), *self.structured.values()]:
            twin = column[2:] if column.startswith("g:") else "g:" + column
            for name in (column, twin):
                if name in raw:
                    record[name] = raw[name]
                elif name == column and self.source_format in CSV_FORMATS:
                    record[name] = ""
                elif name == column:  # JSON: a key the product did not have stays absent
                    record.pop(name, None)


def _outcome(
    row: Any, made: Generated | None, run: RunInfo, parts: list[StoredField] | None = None
) -> RowOutcome:
    if made is None:  # a row the run passed through (a variant, a blank line) or did not reach
        return RowOutcome(row, template=run.template, persona=run.persona, model=run.model, error=row.skip)
    fields = [RowOutcome(row, fields=dict(p.fields), status=p.status, template=p.template, model=p.model,
                         violations=list(p.violations), error=p.error) for p in parts or []]  # fmt: skip
    return RowOutcome(
        row, fields=dict(made.fields), status=made.status, template=made.template or run.template,
        template_version=made.template_version, persona=made.persona or run.persona,
        model=made.model or run.model, violations=list(made.violations), error=made.error,
        field_outcomes=fields,
    )  # fmt: skip


def _reviews(session: ReviewSession) -> dict[int, _Review]:
    rows = session.conn.execute(
        "SELECT row_number, decision, replaced, status FROM review_state WHERE run_id = ?", (session.run.id,)
    )
    return {n: _Review(d, json.loads(r or "{}"), s) for n, d, r, s in rows}


def _feed_for(run: RunInfo) -> Feed:
    feed = reopen_feed(run)  # gone: says so
    if feed_changed(run):
        raise InputError(
            f"run {run.id}: the feed {feed.path} changed since the run; its rows may no longer match the "
            "stored copy: run the batch again on it, then review and export that run"
        )
    return feed


def _writer_options(feed: Feed, run: RunInfo, fields: list[str], target: Path) -> dict[str, Any]:
    args = run.args or {}
    batch_output = args.get("output")
    same_kind = batch_output is not None and Path(batch_output).suffix.lower() == target.suffix.lower()
    return dict(
        source_format=feed.format, columns=feed.columns, mapping=feed.mapping, fields=fields,
        delimiter=feed.delimiter, encoding=feed.encoding, lineterminator=feed.lineterminator,
        output_format=args.get("output_format") if same_kind else None,
        overwrite=bool(args.get("overwrite")), neutralise=bool(args.get("neutralise", True)),
        neutralise_all=bool(args.get("neutralise_all")),
        merchant_structured=bool(args.get("merchant_structured")) and feed.format == "merchant",
        document=feed.document, preamble=feed.preamble, header_source=feed.header_source,
        listing=[str(t) for t in args.get("templates") or []] if len(args.get("templates") or []) > 1 else [],
    )  # fmt: skip


def open_store(store_or_path: Store | str | Path | None) -> tuple[Store, bool]:
    """The Store (opened here: True) of a path that must exist, or the Store given."""
    if isinstance(store_or_path, Store):
        return store_or_path, False
    if store_or_path is not None and not Path(store_or_path).expanduser().is_file():
        raise InputError(f"no batch store at {store_or_path}; give the store a batch run wrote to").with_hint(
            "store"
        )
    return Store(store_or_path), True


def export(
    store_or_path: Store | str | Path | None,
    run_id: int | None,
    output: str | Path | None,
    *,
    approved_only: bool = False,
    in_place: bool = False,
    force: bool = False,
) -> ExportSummary:
    """Write run ``run_id``'s feed (None: the last batch run) to ``output`` (None with
    ``in_place``: the feed itself) with the review's decisions; see the module docstring."""
    store, opened = open_store(store_or_path)
    try:
        session = ReviewSession(store, run_id)
        run = session.run
        if run.status == "running" and run.alive:
            raise InputError(f"run {run.id} is still running; export it once it has finished")
        feed = _feed_for(run)
        if output is None and not in_place:
            raise InputError("give the file to write, or write into the feed in place").with_hint(
                "output", "in_place"
            )
        own = Path(feed_path(run) or feed.path)  # the feed's own file (feed.path may be its backup)
        target = check_output_path(own if output is None else output, source=own, in_place=in_place)
        same = target.exists() and os.path.samefile(target, own)
        if target.exists() and not same and not force:
            raise InputError(f"{target} exists; choose another output, or replace it").with_hint(
                "output", "force"
            )
        if same:
            keep_backup(own)
        reviews = _reviews(session)
        made = generated_rows(store.connection, run.id)
        options = _writer_options(feed, run, session.fields, target)
        listing = options["listing"]
        parts = stored_fields(store, run.id, listing) if listing else {}
        with ReviewWriter(target, reviews, approved_only, **options) as writer:
            for row in feed.rows():
                writer.write(_outcome(row, made.get(row.number), run, parts.get(row.number)))
        counts = {
            d: sum(r.decision == d for r in reviews.values()) for d in ("approved", "rejected", "pending")
        }
        edited = sum(
            bool(r.replaced) and (r.decision == "approved" or (r.decision == "pending" and not approved_only))
            for r in reviews.values()
        )
        return ExportSummary(
            writer.rows, counts["approved"], edited, counts["rejected"], counts["pending"], target
        )
    finally:
        if opened:
            store.close()


__all__ = ["ExportSummary", "export"]
