"""The other candidates of a reviewed row (a run with ``variants``), for "use this one".

Read from the ``candidates`` table (``batch.candidates``) under the row's key, or under each
field's key in a listing (``run_fields``). A candidate is offered as the fields it would set:
choosing it posts them as an edit, so the copy is checked again like any edit, and the choice is
in the row's history. The copy now proposed is not offered again; the one the run chose is, once
another has replaced it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

_OF_ROW = (
    "SELECT c.fields FROM run_rows rr JOIN candidates c ON c.key = rr.key"
    " WHERE rr.run_id = ? AND rr.row_number = ? AND c.output IS NOT NULL ORDER BY c.number"
)
_OF_FIELDS = (
    "SELECT c.fields FROM run_fields rf JOIN candidates c ON c.key = rf.key"
    " WHERE rf.run_id = ? AND rf.row_number = ? AND c.output IS NOT NULL ORDER BY rf.template, c.number"
)


class RowCandidates:
    """Reads a run's candidates, when the store has any (none: every query is skipped)."""

    def __init__(self, conn: sqlite3.Connection, run_id: int) -> None:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self._conn = conn
        self._run_id = run_id
        self._queries = [] if "candidates" not in tables else [_OF_ROW]
        if self._queries and "run_fields" in tables:
            self._queries.append(_OF_FIELDS)

    def offered(self, row_number: int, proposed: Mapping[str, str]) -> list[dict[str, str]]:
        """The candidates of the row that differ from ``proposed``, each as the fields it sets."""
        offered: list[dict[str, str]] = []
        for sql in self._queries:
            for (text,) in self._conn.execute(sql, (self._run_id, row_number)):
                fields = {str(k): str(v) for k, v in json.loads(text).items()}
                if fields and any(proposed.get(k) != v for k, v in fields.items()) and fields not in offered:
                    offered.append(fields)
        return offered
