"""A listing run's per-field records: what became of each field of each row, and what it cost.

``run_rows`` keeps one line per row (its status the worst of its fields', ``status.worst_status``);
``run_fields`` one per field, keyed by run, row and template, in the same store file (created
on first use, ``CREATE TABLE IF NOT EXISTS``: older stores gain it, older code ignores it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from copyassist.backends.base import Usage
from copyassist.batch.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_fields (
    run_id INTEGER NOT NULL REFERENCES runs(id), row_number INTEGER NOT NULL, template TEXT NOT NULL,
    key TEXT, status TEXT NOT NULL, error TEXT, input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0, cost REAL,
    PRIMARY KEY (run_id, row_number, template)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class FieldRecord:
    row_number: int
    template: str
    key: str | None
    status: str
    error: str | None
    input_tokens: int
    output_tokens: int
    cost: float | None


class FieldLog:
    """The ``run_fields`` table of ``store``."""

    def __init__(self, store: Store) -> None:
        self._conn = store.connection
        with self._conn:
            self._conn.executescript(_SCHEMA)

    def record(
        self, run_id: int, row_number: int, template: str | None, key: str | None, status: str,
        error: str | None, usage: Usage | None = None, cost: float | None = None,
    ) -> None:  # fmt: skip
        """What became of one field of a row in a run, and what this run paid for it; committed."""
        paid = usage or Usage()
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO run_fields (run_id, row_number, template, key, status, error,"
                " input_tokens, output_tokens, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, row_number, template or "", key, status, error, paid.input_tokens,
                 paid.output_tokens, cost),
            )  # fmt: skip

    def spent(self, run_id: int, row_number: int) -> tuple[Usage, float | None]:
        """What this run paid for the row's fields (cost None when one field's is unknown)."""
        tokens_in, tokens_out, cost, unknown = self._conn.execute(
            "SELECT sum(input_tokens), sum(output_tokens), sum(cost), sum(cost IS NULL AND"
            " (input_tokens > 0 OR output_tokens > 0)) FROM run_fields WHERE run_id = ? AND row_number = ?",
            (run_id, row_number),
        ).fetchone()
        return Usage(tokens_in or 0, tokens_out or 0), None if unknown else float(cost or 0.0)

    def fields(self, run_id: int, row_number: int | None = None) -> list[FieldRecord]:
        """The run's field records (one row's with ``row_number``), by row then template name."""
        sql = (
            "SELECT row_number, template, key, status, error, input_tokens, output_tokens, cost"
            " FROM run_fields WHERE run_id = ?"
        )
        params: tuple[int, ...] = (run_id,)
        if row_number is not None:
            sql, params = sql + " AND row_number = ?", (run_id, row_number)
        return [
            FieldRecord(*row) for row in self._conn.execute(sql + " ORDER BY row_number, template", params)
        ]


@dataclass(frozen=True)
class StoredField:
    """One field of a listing row as a run left it: its record and its stored copy."""

    template: str
    status: str
    error: str | None
    fields: dict[str, str]
    violations: list[str]
    model: str | None


def stored_fields(store: Store, run_id: int, templates: Sequence[str]) -> dict[int, list[StoredField]]:
    """Row number -> its fields' records and copy, in ``templates`` order (a listing run's)."""
    order = {name: index for index, name in enumerate(templates)}
    rows = (
        FieldLog(store)
        ._conn.execute(
            "SELECT f.row_number, f.template, f.status, f.error, r.fields, r.violations, r.model"
            " FROM run_fields f LEFT JOIN results r ON r.key = f.key WHERE f.run_id = ?",
            (run_id,),
        )
        .fetchall()
    )
    found: dict[int, list[StoredField]] = {}
    for number, template, status, error, fields, violations, model in rows:
        found.setdefault(number, []).append(
            StoredField(
                template, status, error, json.loads(fields or "{}"), json.loads(violations or "[]"), model
            )
        )
    for parts in found.values():
        parts.sort(key=lambda part: order.get(part.template, len(order)))
    return found
