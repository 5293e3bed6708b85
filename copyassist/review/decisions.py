"""What reviewers decided, in the store: an append-only event table and the current state of
every row of a run, indexed for the review filters.

Tables (created on first use, on the store's connection):

- ``review_events``: one row per action (approve, reject, edit, revert, regenerate), never
  changed nor deleted: the fields before and after as JSON, the note sent with a regeneration
  and what it cost, who and when.
- ``review_state``: one row per row of the run (made when its snapshot is first built): the
  decision, the copy that replaces the generated one (an edit or a regeneration, NULL: none),
  the status, the flags of the copy export would publish, and what sorts and searches need.
- ``review_flags``: the same flags one per line, so that the rule and field filters are index
  lookups, not JSON scans.

Every write is one transaction, committed before it returns: a crash never loses a decision
and never leaves an event without its state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from copyassist.review.checking import Flag
from copyassist.rules.text import fold

ACTIONS = ("approve", "reject", "edit", "revert", "regenerate")
DECISIONS = ("pending", "approved", "rejected")

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, row_number INTEGER NOT NULL,
    action TEXT NOT NULL, before TEXT, after TEXT, note TEXT, who TEXT, at TEXT NOT NULL,
    input_tokens INTEGER, output_tokens INTEGER, cost REAL
);
CREATE INDEX IF NOT EXISTS review_events_row ON review_events (run_id, row_number, id);
CREATE TABLE IF NOT EXISTS review_state (
    run_id INTEGER NOT NULL, row_number INTEGER NOT NULL, status TEXT NOT NULL,
    decision TEXT NOT NULL DEFAULT 'pending', replaced TEXT, edited TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]', flag_count INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0, title TEXT NOT NULL DEFAULT '',
    haystack TEXT NOT NULL DEFAULT '', decided_by TEXT, decided_at TEXT,
    PRIMARY KEY (run_id, row_number)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS review_state_status ON review_state (run_id, status, row_number);
CREATE INDEX IF NOT EXISTS review_state_decision ON review_state (run_id, decision, row_number);
CREATE INDEX IF NOT EXISTS review_state_flags ON review_state (run_id, flag_count, row_number);
CREATE INDEX IF NOT EXISTS review_state_title ON review_state (run_id, title, row_number);
CREATE TABLE IF NOT EXISTS review_flags (
    run_id INTEGER NOT NULL, row_number INTEGER NOT NULL, rule TEXT NOT NULL, field TEXT NOT NULL,
    severity TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_flags_row ON review_flags (run_id, row_number);
CREATE INDEX IF NOT EXISTS review_flags_rule ON review_flags (run_id, rule, row_number);
CREATE INDEX IF NOT EXISTS review_flags_field ON review_flags (run_id, field, row_number);
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def ensure_schema(conn: sqlite3.Connection) -> None:
    with conn:
        conn.executescript(SCHEMA)


def flags_json(flags: Sequence[Flag]) -> str:
    return dumps([f.as_dict() for f in flags])


def flags_from(text: str | None) -> list[Flag]:
    return [Flag(**item) for item in json.loads(text or "[]")]


def haystack(title: str, copy: Mapping[str, str]) -> str:
    """What the search box looks in: the title and the copy, folded (no case, no accents); the
    folded title comes first, as ``review_state.title`` holds it."""
    return fold(title) + " " + fold(" ".join(copy.values()))


def _title_and_haystack(title: str, copy: Mapping[str, str]) -> tuple[str, str]:
    folded = fold(title)
    return folded, folded + " " + fold(" ".join(copy.values()))


@dataclass(frozen=True)
class InitialRow:
    """A row's state before anyone reviewed it."""

    row_number: int
    status: str
    flags: list[Flag]
    title: str
    copy: Mapping[str, str]


def _write_flags(conn: sqlite3.Connection, run_id: int, row_number: int, flags: Sequence[Flag]) -> None:
    conn.execute("DELETE FROM review_flags WHERE run_id = ? AND row_number = ?", (run_id, row_number))
    conn.executemany(
        "INSERT INTO review_flags (run_id, row_number, rule, field, severity) VALUES (?, ?, ?, ?, ?)",
        [(run_id, row_number, f.rule, f.field, f.severity) for f in dict.fromkeys(flags)],
    )


def init_state(conn: sqlite3.Connection, run_id: int, rows: Iterable[InitialRow]) -> None:
    """Add the rows not in the state yet; refresh the title and search text of those that are
    (a feed changed since the last snapshot), never their decisions. Call inside a transaction."""
    known = dict(
        conn.execute("SELECT row_number, replaced FROM review_state WHERE run_id = ?", (run_id,)).fetchall()
    )
    fresh: list[InitialRow] = []
    for row in rows:
        if row.row_number not in known:
            fresh.append(row)
            continue
        copy = {**row.copy, **json.loads(known[row.row_number] or "{}")}
        conn.execute(
            "UPDATE review_state SET title = ?, haystack = ? WHERE run_id = ? AND row_number = ?",
            (fold(row.title), haystack(row.title, copy), run_id, row.row_number),
        )
    conn.executemany(
        "INSERT INTO review_state (run_id, row_number, status, flags, flag_count, error_count, title,"
        " haystack) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, row.row_number, row.status, flags_json(row.flags), len(row.flags),
          sum(f.severity == "error" for f in row.flags), *_title_and_haystack(row.title, row.copy))
         for row in fresh],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO review_flags (run_id, row_number, rule, field, severity) VALUES (?, ?, ?, ?, ?)",
        [
            (run_id, row.row_number, f.rule, f.field, f.severity)
            for row in fresh
            for f in dict.fromkeys(row.flags)
        ],
    )


def set_flags(conn: sqlite3.Connection, run_id: int, row_number: int, flags: Sequence[Flag]) -> None:
    """A row's flags, where they were only read back from the run's lines (not a decision: no
    event). Call inside a transaction."""
    conn.execute(
        "UPDATE review_state SET flags = ?, flag_count = ?, error_count = ?"
        " WHERE run_id = ? AND row_number = ?",
        (flags_json(flags), len(flags), sum(f.severity == "error" for f in flags), run_id, row_number),
    )
    _write_flags(conn, run_id, row_number, flags)


@dataclass(frozen=True)
class Change:
    """One action on one row: what the state becomes (None: unchanged) and what the event keeps."""

    row_number: int
    action: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    decision: str | None = None
    replaced: Mapping[str, str] | None = None
    clear_replaced: bool = False
    edited: Sequence[str] | None = None
    status: str | None = None
    flags: Sequence[Flag] | None = None
    search: str | None = None
    note: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost: float | None = None


def apply(conn: sqlite3.Connection, run_id: int, changes: Iterable[Change], who: str) -> int:
    """Record every change (an event each) and update the state, in one committed transaction;
    how many rows were changed."""
    at = now()
    count = 0
    with conn:
        for change in changes:
            if change.action not in ACTIONS:
                raise ValueError(f"unknown review action {change.action!r}")
            conn.execute(
                "INSERT INTO review_events (run_id, row_number, action, before, after, note, who, at,"
                " input_tokens, output_tokens, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, change.row_number, change.action,
                 None if change.before is None else dumps(change.before),
                 None if change.after is None else dumps(change.after), change.note, who, at,
                 change.input_tokens, change.output_tokens, change.cost),
            )  # fmt: skip
            sets: dict[str, Any] = {"decided_by": who, "decided_at": at}
            if change.decision is not None:
                sets["decision"] = change.decision
            if change.replaced is not None or change.clear_replaced:
                sets["replaced"] = None if change.replaced is None else dumps(dict(change.replaced))
            if change.edited is not None:
                sets["edited"] = dumps(sorted(change.edited))
            if change.status is not None:
                sets["status"] = change.status
            if change.search is not None:
                sets["haystack"] = change.search
            if change.flags is not None:
                sets["flags"] = flags_json(change.flags)
                sets["flag_count"] = len(change.flags)
                sets["error_count"] = sum(f.severity == "error" for f in change.flags)
                _write_flags(conn, run_id, change.row_number, change.flags)
            assignments = ", ".join(f"{name} = ?" for name in sets)
            cursor = conn.execute(
                f"UPDATE review_state SET {assignments} WHERE run_id = ? AND row_number = ?",
                (*sets.values(), run_id, change.row_number),
            )
            count += cursor.rowcount
    return count


def decide(conn: sqlite3.Connection, run_id: int, before: Mapping[int, str], decision: str, action: str,
           who: str) -> int:  # fmt: skip
    """A decision alone on many rows (``before``: row -> its decision until now), in bulk:
    approving 100,000 rows is one transaction of two batched statements."""
    at = now()
    after = dumps({"decision": decision})
    with conn:
        conn.executemany(
            "INSERT INTO review_events (run_id, row_number, action, before, after, who, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(run_id, n, action, dumps({"decision": old}), after, who, at) for n, old in before.items()],
        )
        conn.executemany(
            "UPDATE review_state SET decision = ?, decided_by = ?, decided_at = ?"
            " WHERE run_id = ? AND row_number = ?",
            [(decision, who, at, run_id, n) for n in before],
        )
    return len(before)


def decide_where(conn: sqlite3.Connection, run_id: int, where: str, values: Sequence[Any], decision: str,
                 action: str, who: str) -> int:  # fmt: skip
    """``decide`` on every row of ``review_state`` matching ``where`` (SQL over its columns),
    inside SQLite: no row goes through Python."""
    at = now()
    with conn:
        conn.execute(
            "INSERT INTO review_events (run_id, row_number, action, before, after, who, at)"
            " SELECT run_id, row_number, ?, json_object('decision', decision), ?, ?, ? FROM review_state"
            f" WHERE {where} AND decision != ? ORDER BY row_number",
            (action, dumps({"decision": decision}), who, at, *values, decision),
        )
        cursor = conn.execute(
            f"UPDATE review_state SET decision = ?, decided_by = ?, decided_at = ?"
            f" WHERE {where} AND decision != ?",
            (decision, who, at, *values, decision),
        )
    return cursor.rowcount


def history(conn: sqlite3.Connection, run_id: int, row_number: int) -> list[dict[str, Any]]:
    """Every event of one row, oldest first; ``before`` and ``after`` decoded."""
    rows = conn.execute(
        "SELECT id, action, before, after, note, who, at, input_tokens, output_tokens, cost"
        " FROM review_events WHERE run_id = ? AND row_number = ? ORDER BY id",
        (run_id, row_number),
    ).fetchall()
    events = []
    for row in rows:
        event = dict(row)
        for name in ("before", "after"):
            event[name] = None if event[name] is None else json.loads(event[name])
        events.append(event)
    return events
