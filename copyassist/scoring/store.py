"""Grades kept in the batch store's file, so that no grade is paid for twice.

Two tables beside the store's own, created on first use on its connection:

- ``scores``: one grade per (result key, criterion, grader). The result key is the listing's:
  a batch row's ``results`` key, or for a feed graded as it is a hash of its copy and data. The
  grader is a hash of what shapes a grade besides the listing (the rubric template and its
  version, the model, persona, channel, language), so a new rubric or model grades again.
- ``run_row_scores``: which grades a batch run recorded for each of its rows.

Only grades that came out are kept; a grade that failed is tried again next time.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from copyassist.batch.store import Store
from copyassist.scoring.model import Score

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scores (
    result_key TEXT NOT NULL, criterion TEXT NOT NULL, grader TEXT NOT NULL,
    score INTEGER NOT NULL, reason TEXT NOT NULL, language TEXT, model TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0, cost REAL,
    created_at TEXT NOT NULL, PRIMARY KEY (result_key, criterion, grader)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_row_scores (
    run_id INTEGER NOT NULL, row_number INTEGER NOT NULL, criterion TEXT NOT NULL,
    result_key TEXT NOT NULL, grader TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, row_number, criterion)
) WITHOUT ROWID;
"""
_COLUMNS = "criterion, score, reason, language, model, input_tokens, output_tokens, cost"


def _score(row: sqlite3.Row | tuple[object, ...], cached: bool = True) -> Score:
    criterion, grade, reason, language, model, tokens_in, tokens_out, cost = tuple(row)
    return Score(str(criterion), int(str(grade)), str(reason), language and str(language),
                 model and str(model), int(str(tokens_in)), int(str(tokens_out)),
                 None if cost is None else float(str(cost)), cached=cached)  # fmt: skip


class ScoreStore:
    """The grade tables on ``store``'s connection (the store stays the caller's to close)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn = store.connection
        with self._conn:
            self._conn.executescript(_SCHEMA)

    def get(self, result_key: str, criterion: str, grader: str) -> Score | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM scores WHERE result_key = ? AND criterion = ? AND grader = ?",
            (result_key, criterion, grader),
        ).fetchone()
        return None if row is None else _score(row)

    def put(self, result_key: str, grader: str, score: Score) -> None:
        """Keep a grade that came out (committed before this returns)."""
        if score.score is None:
            raise ValueError("only a grade that came out is stored")
        now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        with self._conn:
            self._conn.execute(
                f"INSERT OR REPLACE INTO scores (result_key, grader, {_COLUMNS}, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (result_key, grader, score.criterion, score.score, score.reason, score.language,
                 score.model, score.input_tokens, score.output_tokens, score.cost, now),
            )  # fmt: skip

    def record_row(
        self, run_id: int, row_number: int, result_key: str, grader: str, criterion: str, position: int = 0
    ) -> None:
        """A batch run's row was graded on ``criterion``, the ``position``-th criterion asked (the
        grade itself is in ``scores``)."""
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO run_row_scores (run_id, row_number, criterion, result_key, grader,"
                " position) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, row_number, criterion, result_key, grader, position),
            )

    def for_run(self, run_id: int, row_number: int | None = None) -> dict[int, list[Score]]:
        """Row number -> its grades in run ``run_id`` (one row's with ``row_number``), criteria
        in the order they were graded."""
        where = "r.run_id = ?" + ("" if row_number is None else " AND r.row_number = ?")
        params = (run_id,) if row_number is None else (run_id, row_number)
        rows = self._conn.execute(
            f"SELECT r.row_number, s.{_COLUMNS.replace(', ', ', s.')} FROM run_row_scores r"
            " JOIN scores s ON s.result_key = r.result_key AND s.criterion = r.criterion"
            f" AND s.grader = r.grader WHERE {where} ORDER BY r.row_number, r.position",
            params,
        ).fetchall()
        found: dict[int, list[Score]] = {}
        for row in rows:
            found.setdefault(int(row[0]), []).append(_score(tuple(row)[1:]))
        return found


def scores_for(store: Store, run_id: int, row_number: int) -> list[Score]:
    """The grades batch run ``run_id`` recorded for its row ``row_number`` (none if it graded none)."""
    return ScoreStore(store).for_run(run_id, row_number).get(row_number, [])
