"""What a run through a batch engine keeps in the result store, beside ``results`` and ``runs``.

``remote_batches``: one request file each, from the moment it is written to the moment its
results are collected. ``state`` walks ``written`` (the file is on disk) -> ``uploading`` ->
``uploaded`` (``file_id`` known) -> ``submitting`` -> ``submitted`` (``batch_id`` known;
``status`` is then the engine's own: validating, in_progress, finalizing, completed, failed,
expired, cancelled) -> ``collected``
(every line's answer is in ``remote_requests``). An exported file is ``exported`` until its
results are imported. ``token`` names the file and the batch at the engine (file name and batch
metadata), so a run killed between a call and its record finds its upload or batch again
instead of making a second one.

``remote_requests``: one per request ever sent, keyed by ``custom_id``, the sha256 of its body:
the same request is never sent twice, and its answer (``answer``, JSON: see ``answers.Answer``)
is found again from the prompt alone, whichever row or run asks. ``state``: ``sent`` (in batch
``batch``), ``answered`` (an answer or a failed line), ``wanted`` (its batch expired or was
cancelled before it: it goes out again).

Created with CREATE TABLE IF NOT EXISTS on first use: a store that never ran a remote batch
never has them, and older copyassist versions ignore them.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from copyassist.batch.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS remote_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER, engine TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE, path TEXT, request_count INTEGER NOT NULL,
    state TEXT NOT NULL, status TEXT, file_id TEXT, batch_id TEXT,
    completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
    output_file_id TEXT, error_file_id TEXT, note TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS remote_requests (
    custom_id TEXT PRIMARY KEY, batch INTEGER REFERENCES remote_batches(id), key TEXT,
    row_number INTEGER, attempt INTEGER NOT NULL, state TEXT NOT NULL, answer TEXT,
    worst_cost REAL, cost REAL, source TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS remote_requests_batch ON remote_requests (batch);
"""

#: a file still to be submitted or collected ("uploading", "submitting": a call was begun)
OPEN_STATES = ("written", "uploading", "uploaded", "submitting", "submitted")
#: the engine's batch statuses after which nothing more happens to a batch
FINISHED = frozenset({"completed", "failed", "expired", "cancelled"})

_BATCH_COLUMNS = (
    "id, run_id, engine, token, path, request_count, state, status, file_id, batch_id, completed,"
    " failed, output_file_id, error_file_id, note, created_at, updated_at"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class RemoteBatch:
    id: int
    run_id: int | None
    engine: str  # "openai" | "export"
    token: str
    path: str | None
    request_count: int
    state: str  # written | uploaded | submitted | collected | exported
    status: str | None  # the engine's (validating, in_progress, ... completed, expired)
    file_id: str | None
    batch_id: str | None
    completed: int
    failed: int
    output_file_id: str | None
    error_file_id: str | None
    note: str | None
    created_at: str
    updated_at: str

    @property
    def open(self) -> bool:
        """Still to be submitted or collected."""
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class RequestRecord:
    """One request to send: where its line goes and what it is for."""

    custom_id: str
    key: str
    row_number: int
    attempt: int
    worst_cost: float | None


@dataclass(frozen=True)
class KnownRequest:
    custom_id: str
    batch: int | None
    state: str  # sent | answered | wanted
    answer: dict[str, Any] | None
    cost: float | None
    worst_cost: float | None
    row_number: int | None


class RemoteTables:
    """The two tables, on a ``Store``'s connection (its thread, its transactions)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn = store.connection
        with self._conn:
            self._conn.executescript(_SCHEMA)

    # -- batches ---------------------------------------------------------------------------

    def add_batch(
        self, *, run_id: int | None, engine: str, path: str, requests: Iterable[RequestRecord], state: str
    ) -> RemoteBatch:
        """Record a request file and every request in it, in one transaction: either the file is
        known with all its requests or not at all."""
        now = _now()
        listed = list(requests)
        with self._conn:
            cursor = self._conn.execute(
                "INSERT INTO remote_batches (run_id, engine, token, path, request_count, state,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, engine, uuid.uuid4().hex, path, len(listed), state, now, now),
            )
            batch_id = cursor.lastrowid
            self._conn.executemany(
                "INSERT OR REPLACE INTO remote_requests (custom_id, batch, key, row_number, attempt,"
                " state, answer, worst_cost, cost, source)"
                " VALUES (?, ?, ?, ?, ?, 'sent', NULL, ?, NULL, NULL)",
                [(r.custom_id, batch_id, r.key, r.row_number, r.attempt, r.worst_cost) for r in listed],
            )
        assert batch_id is not None
        return self.batch(batch_id)

    def batch(self, batch_id: int) -> RemoteBatch:
        row = self._conn.execute(f"SELECT {_BATCH_COLUMNS} FROM remote_batches WHERE id = ?", (batch_id,))
        return RemoteBatch(*row.fetchone())

    def batches(self, *, engine: str | None = None, open_only: bool = False) -> list[RemoteBatch]:
        sql = f"SELECT {_BATCH_COLUMNS} FROM remote_batches WHERE 1 = 1"
        values: list[Any] = []
        if engine is not None:
            sql += " AND engine = ?"
            values.append(engine)
        if open_only:
            sql += f" AND state IN ({','.join(repr(s) for s in OPEN_STATES)})"
        return [RemoteBatch(*row) for row in self._conn.execute(sql + " ORDER BY id", values)]

    def update_batch(self, row: int, /, **values: Any) -> RemoteBatch:
        allowed = set(_BATCH_COLUMNS.replace(" ", "").split(",")) - {"id", "token", "created_at"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not columns of remote_batches: {sorted(unknown)}")
        values["updated_at"] = _now()
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self._conn:
            self._conn.execute(
                f"UPDATE remote_batches SET {assignments} WHERE id = ?", (*values.values(), row)
            )
        return self.batch(row)

    def batches_waited_on(self, custom_ids: Iterable[str]) -> dict[int, int]:
        """batch id -> how many of ``custom_ids`` it holds unanswered."""
        counts: dict[int, int] = {}
        for known in self.known(custom_ids).values():
            if known.state == "sent" and known.batch is not None:
                counts[known.batch] = counts.get(known.batch, 0) + 1
        return counts

    # -- requests --------------------------------------------------------------------------

    def known(self, custom_ids: Iterable[str]) -> dict[str, KnownRequest]:
        wanted = list(dict.fromkeys(custom_ids))
        found: dict[str, KnownRequest] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT custom_id, batch, state, answer, cost, worst_cost, row_number FROM remote_requests"
                f" WHERE custom_id IN ({marks})"
            )
            for row in self._conn.execute(sql, chunk):
                found[row[0]] = KnownRequest(
                    row[0], row[1], row[2], None if row[3] is None else json.loads(row[3]), *row[4:]
                )
        return found

    def get(self, custom_id: str) -> KnownRequest | None:
        return self.known([custom_id]).get(custom_id)

    def in_batch(self, batch_id: int, state: str | None = None) -> list[str]:
        sql = "SELECT custom_id FROM remote_requests WHERE batch = ?"
        values: list[Any] = [batch_id]
        if state is not None:
            sql += " AND state = ?"
            values.append(state)
        return [row[0] for row in self._conn.execute(sql, values)]

    def record_answers(
        self,
        answers: Iterable[tuple[str, dict[str, Any], float | None]],
        *,
        source: str,
        batch_done: tuple[int, dict[str, Any]] | None = None,
        unfinished_back: bool = False,
    ) -> int:
        """Store answers (custom_id, answer, cost) in one transaction, with the batch's own update
        (``batch_done``: its id and columns) in the same one: a batch is marked collected exactly
        when its answers are in. ``unfinished_back``: the batch's requests left without an answer
        (it expired or was cancelled) are wanted again. Answers to requests never recorded are
        kept too (an imported results file may hold them). The count of answers stored."""
        stored = 0
        with self._conn:
            for custom_id, answer, cost in answers:
                text = json.dumps(answer, ensure_ascii=False, sort_keys=True)
                updated = self._conn.execute(
                    "UPDATE remote_requests SET state = 'answered', answer = ?, cost = ?, source = ?"
                    " WHERE custom_id = ?",
                    (text, cost, source, custom_id),
                ).rowcount
                if not updated:
                    self._conn.execute(
                        "INSERT INTO remote_requests (custom_id, batch, key, row_number, attempt, state,"
                        " answer, cost, source) VALUES (?, NULL, NULL, NULL, 0, 'answered', ?, ?, ?)",
                        (custom_id, text, cost, source),
                    )
                stored += 1
            if batch_done is not None:
                batch_id, columns = batch_done
                if unfinished_back:
                    self._conn.execute(
                        "UPDATE remote_requests SET state = 'wanted' WHERE batch = ? AND state = 'sent'",
                        (batch_id,),
                    )
                columns = {**columns, "updated_at": _now()}
                assignments = ", ".join(f"{name} = ?" for name in columns)
                self._conn.execute(
                    f"UPDATE remote_batches SET {assignments} WHERE id = ?", (*columns.values(), batch_id)
                )
        return stored

    def want_again(self, *, engine: str, state: str = "exported") -> int:
        """The requests of ``engine``'s files in ``state`` still without an answer are wanted
        again (an exported file re-exported, or imported without them), and those files are
        done with. The count of requests wanted again."""
        with self._conn:
            ids = [
                row[0]
                for row in self._conn.execute(
                    "SELECT id FROM remote_batches WHERE engine = ? AND state = ?", (engine, state)
                )
            ]
            again = 0
            for batch_id in ids:
                again += self._conn.execute(
                    "UPDATE remote_requests SET state = 'wanted' WHERE batch = ? AND state = 'sent'",
                    (batch_id,),
                ).rowcount
                self._conn.execute(
                    "UPDATE remote_batches SET state = 'collected', updated_at = ? WHERE id = ?",
                    (_now(), batch_id),
                )
        return again


def batches_of_run(store: Store, run_id: int) -> list[RemoteBatch]:
    """The request files a run wrote (none when the store never ran a remote batch): read only."""
    try:
        rows = store.connection.execute(
            f"SELECT {_BATCH_COLUMNS} FROM remote_batches WHERE run_id = ? ORDER BY id", (run_id,)
        ).fetchall()
    except sqlite3.OperationalError:  # no such table
        return []
    return [RemoteBatch(*row) for row in rows]
