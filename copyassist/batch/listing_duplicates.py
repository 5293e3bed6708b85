"""The batch duplicate check of a listing run, field by field: two products given the same title,
SEO title, meta description, headline or description.

Each field is compared with the same field of the rows before it in the run (input order, so
the verdict does not depend on which row finished first), once normalised as
``rules.duplicates.normalise_title`` does (case, accents, punctuation and spaces aside). A repeat
is a warning, ``batch.duplicate_<column>`` (``batch.duplicate_title`` for titles, as
``copyassist check`` names it), on the later row's field: an ok or repaired field becomes
flagged, so its copy stays in its review column instead of publishing the same text twice. Rows
with the same product data are the same listing and are not compared. Near-duplicates are left
to ``copyassist check`` (comparing every pair is quadratic; this runs as the rows stream).

The run's records are brought in line: the field's and the row's status in ``run_fields`` and
``run_rows``, and the row's merged copy; the field's own stored result keeps the status its
generation had (a duplicate is a property of the run, found again on every run).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from typing import Any

from copyassist.batch.model import RowOutcome
from copyassist.batch.store import Store
from copyassist.rules.duplicates import normalise_title
from copyassist.status import Status, worst_status

logger = logging.getLogger(__name__)

#: The columns compared: copy a buyer reads as this product's own.
COLUMNS = ("title", "headline", "description", "seo_title", "meta_description")
_TO_FLAG = (Status.OK, Status.REPAIRED)


def rule_for(column: str) -> str:
    return f"batch.duplicate_{column}"


class ListingDuplicates:
    """Call ``check`` on each finished listing row, in input order."""

    def __init__(self, store: Store, run_id: int, field_counts: Counter[str]) -> None:
        self.store = store
        self.run_id = run_id
        self.field_counts = field_counts
        self._seen: dict[str, dict[str, tuple[int, str]]] = {}  # column -> text -> (row, product)

    def check(self, outcome: RowOutcome) -> None:
        number = outcome.row.number
        product = json.dumps(outcome.row.product or {}, sort_keys=True, default=str)
        changed = False
        for part in outcome.field_outcomes:
            for column in COLUMNS:
                normalised = normalise_title(part.fields.get(column) or "")
                if not normalised:
                    continue
                first = self._seen.setdefault(column, {}).setdefault(normalised, (number, product))
                if first[0] == number or first[1] == product:
                    continue
                part.violations.append(f"{rule_for(column)}: the same {column} as row {first[0]}")
                if part.status in _TO_FLAG:
                    self.field_counts[part.status] -= 1
                    self.field_counts[Status.FLAGGED] += 1
                    part.status = Status.FLAGGED
                changed = True
        if changed:
            self._update(outcome)

    def _update(self, outcome: RowOutcome) -> None:
        number = outcome.row.number
        outcome.status = worst_status(part.status for part in outcome.field_outcomes)
        outcome.violations = [f"{p.template}: {v}" for p in outcome.field_outcomes for v in p.violations]
        try:
            self._record(outcome)
        except (sqlite3.Error, OSError):  # the output still says it; the run goes on
            logger.warning("row %d: the duplicate's status could not be recorded in the store", number)

    def _record(self, outcome: RowOutcome) -> None:
        number = outcome.row.number
        conn = self.store.connection
        with conn:
            for part in outcome.field_outcomes:
                conn.execute(
                    "UPDATE run_fields SET status = ? WHERE run_id = ? AND row_number = ? AND template = ?",
                    (str(part.status), self.run_id, number, part.template),
                )
            conn.execute(
                "UPDATE run_rows SET status = ? WHERE run_id = ? AND row_number = ?",
                (str(outcome.status), self.run_id, number),
            )
            found: Any = conn.execute(
                "SELECT key FROM run_rows WHERE run_id = ? AND row_number = ?", (self.run_id, number)
            ).fetchone()
            if found and found[0]:
                conn.execute(
                    "UPDATE results SET status = ?, violations = ? WHERE key = ?",
                    (str(outcome.status), json.dumps(outcome.violations, ensure_ascii=False), found[0]),
                )
