"""A batch's candidates (``variants`` > 1): every answer of a field, kept beside its copy.

The store's ``results`` row under a key is the copy, the chosen candidate; the ``candidates``
table (made here, in the same SQLite file) holds all of them under that key, chosen one
included, so a rerun answered from the store writes the same candidates, and the review app can
make another one the copy (``choose``). Candidates are written before the result they belong
to: a run killed in between has no result for the key, and pays for the row again, whole.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from copyassist.batch.fields import output_fields

if TYPE_CHECKING:
    from copyassist.results import CopyResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS candidates (
    key TEXT NOT NULL, number INTEGER NOT NULL, chosen INTEGER NOT NULL, status TEXT NOT NULL,
    output TEXT, fields TEXT NOT NULL, violations TEXT NOT NULL, problem TEXT NOT NULL DEFAULT '',
    input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0, cost REAL,
    PRIMARY KEY (key, number)
) WITHOUT ROWID;
"""
_COLUMNS = "number, chosen, status, output, fields, violations, problem, input_tokens, output_tokens, cost"


@dataclass(frozen=True)
class StoredCandidate:
    """One answer of a field: its columns' text, how it checked, what it cost."""

    number: int
    chosen: bool
    status: str
    fields: dict[str, str] = field(default_factory=dict)
    violations: tuple[str, ...] = ()  # "rule: message" lines, as a row's
    output: str | None = None  # the output model as JSON text; None when it could not be read
    problem: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None

    def as_dict(self, template: str | None = None) -> dict[str, Any]:
        """The candidate in a JSON or JSONL output (``copyassist_candidates``)."""
        return {
            "template": template,
            "number": self.number,
            "chosen": self.chosen,
            "status": self.status,
            "fields": dict(self.fields),
            "violations": list(self.violations),
            "problem": self.problem,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost,
        }


def from_result(result: CopyResult) -> list[StoredCandidate]:
    """What the store keeps of a generation's candidates."""
    kept = []
    for candidate in result.candidates:
        output = candidate.output
        kept.append(
            StoredCandidate(
                number=candidate.number,
                chosen=candidate.chosen,
                status=candidate.status,
                fields=output_fields(output, result.language) if output is not None else {},
                violations=tuple(f"{v.rule}: {v.message}" for v in candidate.violations),
                output=json.dumps(output.model_dump(mode="json"), ensure_ascii=False) if output else None,
                problem=candidate.problem,
                input_tokens=candidate.usage.input_tokens,
                output_tokens=candidate.usage.output_tokens,
                cost=candidate.cost,
            )
        )
    return kept


def _values(c: StoredCandidate) -> tuple[Any, ...]:
    fields, violations = (
        json.dumps(c.fields, ensure_ascii=False),
        json.dumps(list(c.violations), ensure_ascii=False),
    )
    return (c.number, int(c.chosen), c.status, c.output, fields, violations, c.problem,
            c.input_tokens, c.output_tokens, c.cost)  # fmt: skip


def _candidate(row: sqlite3.Row | tuple[Any, ...]) -> StoredCandidate:
    number, chosen, status, output, fields, violations, problem, tokens_in, tokens_out, cost = tuple(row)
    return StoredCandidate(number, bool(chosen), status, json.loads(fields), tuple(json.loads(violations)),
                           output, problem, tokens_in, tokens_out, cost)  # fmt: skip


class CandidateStore:
    """The ``candidates`` table of a batch store's connection (made when missing)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        with connection:
            connection.executescript(_SCHEMA)

    def put(self, key: str, candidates: Sequence[StoredCandidate]) -> None:
        """Keep ``candidates`` under ``key``, instead of any kept before; committed at once."""
        with self._conn:
            self._conn.execute("DELETE FROM candidates WHERE key = ?", (key,))
            self._conn.executemany(
                f"INSERT INTO candidates (key, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(key, *_values(c)) for c in candidates],
            )

    def get(self, key: str) -> list[StoredCandidate]:
        """The candidates kept under ``key``, in their order (none for a key without)."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM candidates WHERE key = ? ORDER BY number", (key,)
        ).fetchall()
        return [_candidate(row) for row in rows]
