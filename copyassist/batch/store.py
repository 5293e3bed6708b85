"""The batch store: every finished row and every run, in one SQLite file.

Two promises rest on it: finished work is never lost (``put`` commits before it returns; in a
batch run, with its group, before the row is reported: ``batch.group_commit``), and
no row is paid for twice (results are found again by ``result_key``, a hash of everything that
shapes the answer). Default file: ``user_home()/batch.sqlite3``.

Tables (schema in ``_SCHEMA``; ``PRAGMA user_version`` = ``SCHEMA_VERSION``): ``results`` (one
row per key), ``runs`` (one per run), ``run_rows`` (run id + row number -> key, status, error,
and the tokens and cost this run paid for the row: a failed row's calls are paid too).
JSON columns: results.output/fields/violations, runs.command/args/counts. Times: ISO 8601 UTC
text. A NULL cost means unknown (no price for the model).

Threads: a ``Store`` is one connection, meant for one thread; the batch runner calls it from its
asyncio thread only (each call is short and blocks the loop briefly; that is fine next to model
calls). Several processes may share a file: WAL lets readers run beside the one writer, and the
busy timeout makes a writer wait its turn instead of failing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copyassist.assets import user_home
from copyassist.backends.base import Usage
from copyassist.batch.group_commit import GroupCommit
from copyassist.batch.store_records import RowFailure, RunInfo, StoredResult, pid_alive
from copyassist.errors import ConfigError, InputError
from copyassist.status import Status

__all__ = ["RowFailure", "RunInfo", "Store", "StoredResult", "default_path"]

SCHEMA_VERSION = 2  # 2: run_rows has input_tokens, output_tokens, cost
KEY_VERSION = 1  # bump to invalidate every cached result at once (a change in what a key means)
BUSY_TIMEOUT_S = 30.0
_CHUNK = 500  # keys per query in get_many: well under SQLite's bound-variable limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY, output TEXT NOT NULL, fields TEXT NOT NULL, status TEXT NOT NULL,
    violations TEXT NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
    cost REAL, model TEXT, template TEXT, template_version INTEGER, persona TEXT,
    run_id INTEGER, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT,
    pid INTEGER, host TEXT, command TEXT, args TEXT, feed TEXT, output TEXT, template TEXT,
    persona TEXT, channel TEXT, model TEXT, language TEXT,
    status TEXT NOT NULL DEFAULT 'running', counts TEXT NOT NULL DEFAULT '{}',
    input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
    cost REAL, note TEXT
);
CREATE TABLE IF NOT EXISTS run_rows (
    run_id INTEGER NOT NULL REFERENCES runs(id), row_number INTEGER NOT NULL, key TEXT,
    status TEXT NOT NULL, error TEXT, input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0, cost REAL, PRIMARY KEY (run_id, row_number)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS results_run ON results (run_id);
"""


_ROW_SPEND = (
    ("input_tokens", "INTEGER NOT NULL DEFAULT 0"),
    ("output_tokens", "INTEGER NOT NULL DEFAULT 0"),
    ("cost", "REAL"),
)


def default_path() -> Path:
    return user_home() / "batch.sqlite3"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, fixed separators, non-JSON values as their str()."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _normalise(value: Any) -> Any:
    """A product as ``Product.from_mapping`` sees it: keys stripped, empty values dropped."""
    if isinstance(value, Mapping):
        return {str(k).strip(): _normalise(v) for k, v in value.items() if v not in (None, "")}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


class Store:
    """The result cache and run log of bulk mode; see the module docstring."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.last_run_id: int | None = None
        self.group: GroupCommit | None = None  # writes committed in groups: group_commit.in_groups
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            self._conn.row_factory = sqlite3.Row
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the batch store {self.path}: {exc}") from None
        try:
            self._setup()
        except sqlite3.Error as exc:
            self._conn.close()
            raise ConfigError(f"{self.path} is not a usable batch store: {exc}") from None

    def _setup(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"WAL journal mode refused (got {mode})")
        # NORMAL in WAL mode: a commit is written to the WAL file before it returns but not
        # fsynced; the WAL is fsynced at checkpoints. Committed data sits in the OS page cache,
        # so a killed process (SIGKILL, OOM, Ctrl-C, crash) loses nothing committed; only a power
        # loss or OS crash may drop the last few transactions, never corrupt the file. Losing a
        # handful of rows then costs a few calls again, against an fsync per row (FULL).
        conn.execute("PRAGMA synchronous = NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version} is from a newer copyassist")
        with conn:
            conn.executescript(_SCHEMA)
            have = {row[1] for row in conn.execute("PRAGMA table_info(run_rows)")}
            for column, kind in _ROW_SPEND:
                if column not in have:  # a version 1 store
                    conn.execute(f"ALTER TABLE run_rows ADD COLUMN {column} {kind}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- results ---------------------------------------------------------------------------

    @staticmethod
    def result_key(
        *, template: str, template_version: int | None, persona: str | None, product: Mapping[str, Any],
        model: str | None, params: Mapping[str, Any] | None, channel: str | None, language: str | None,
    ) -> str:  # fmt: skip
        """sha256 (hex) of everything that shapes a row's answer, as canonical JSON.

        Field order in ``product`` and ``params`` does not matter; empty product values are
        left out, as ``Product.from_mapping`` ignores them."""
        payload = {
            "v": KEY_VERSION, "template": template, "template_version": template_version,
            "persona": persona, "product": _normalise(product), "model": model,
            "params": dict(params or {}), "channel": channel, "language": language,
        }  # fmt: skip
        return hashlib.sha256(_dumps(payload).encode("utf-8")).hexdigest()

    _RESULT_COLUMNS = (
        "key, output, fields, status, violations, input_tokens, output_tokens, cost, model,"
        " template, template_version, persona, run_id, created_at"
    )

    @staticmethod
    def _result(row: sqlite3.Row) -> StoredResult:
        data = dict(row)
        data["fields"], data["violations"] = json.loads(row["fields"]), json.loads(row["violations"])
        return StoredResult(**data)

    def get(self, key: str) -> StoredResult | None:
        sql = f"SELECT {self._RESULT_COLUMNS} FROM results WHERE key = ?"
        row = self._conn.execute(sql, (key,)).fetchone()
        return None if row is None else self._result(row)

    def get_many(self, keys: Iterable[str]) -> dict[str, StoredResult]:
        """The stored results among ``keys`` (missing keys are absent), one query per 500 keys."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, StoredResult] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {self._RESULT_COLUMNS} FROM results WHERE key IN ({marks})"
            for row in self._conn.execute(sql, chunk):
                found[row[0]] = self._result(row)
        return found

    def put(self, key: str, result: StoredResult, run_id: int | None, row_number: int | None) -> None:
        """Store ``result`` under ``key`` (replacing any older one) and, with a run, record the
        row in it; one transaction, committed before this returns (or with its ``group``)."""
        now = _now()
        with self._writing():
            self._conn.execute(
                f"INSERT OR REPLACE INTO results ({self._RESULT_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, result.output, _dumps(result.fields), result.status,
                 _dumps(list(result.violations)), result.input_tokens, result.output_tokens,
                 result.cost, result.model, result.template, result.template_version,
                 result.persona, run_id, now),
            )  # fmt: skip
            if run_id is not None and row_number is not None:
                paid = Usage(result.input_tokens, result.output_tokens)
                self._record(run_id, row_number, key, result.status, None, paid, result.cost)

    # -- runs ------------------------------------------------------------------------------

    def start_run(
        self, *, feed: str | None = None, output: str | None = None, template: str | None = None,
        persona: str | None = None, channel: str | None = None, model: str | None = None,
        language: str | None = None, command: Sequence[str] | None = None,
        args: Mapping[str, Any] | None = None,
    ) -> int:  # fmt: skip
        """Record a new run as ``running``; its id (also kept in ``last_run_id``)."""
        with self._conn:
            cursor = self._conn.execute(
                "INSERT INTO runs (started_at, pid, host, command, args, feed, output, template,"
                " persona, channel, model, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_now(), os.getpid(), socket.gethostname(),
                 None if command is None else _dumps(list(command)),
                 None if args is None else _dumps(dict(args)),
                 feed, output, template, persona, channel, model, language),
            )  # fmt: skip
        run_id = cursor.lastrowid
        assert run_id is not None
        self.last_run_id = run_id
        return run_id

    def _record(
        self, run_id: int, row_number: int, key: str | None, status: str, error: str | None,
        usage: Usage | None = None, cost: float | None = None,
    ) -> None:  # fmt: skip
        paid = usage or Usage()
        self._conn.execute(
            "INSERT OR REPLACE INTO run_rows (run_id, row_number, key, status, error, input_tokens,"
            " output_tokens, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, row_number, key, status, error, paid.input_tokens, paid.output_tokens, cost),
        )

    def record_row(
        self, run_id: int, row_number: int, key: str | None, status: str, error: str | None,
        usage: Usage | None = None, cost: float | None = None,
    ) -> None:  # fmt: skip
        """What became of one row in a run (cached, failed...) and what this run paid for it
        (``usage``, ``cost``: a failed row's calls cost tokens too); committed at once (or with
        its ``group``)."""
        with self._writing():
            self._record(run_id, row_number, key, status, error, usage, cost)

    def _writing(self) -> contextlib.AbstractContextManager[Any]:
        return self._conn if self.group is None else self.group.write()

    def flush(self) -> None:
        """Commit the group of writes in flight (``batch.group_commit``); raises if it was lost."""
        if self.group is not None:
            self.group.flush()

    def finish_run(
        self, run_id: int, status: str, counts: Mapping[str, int], input_tokens: int = 0,
        output_tokens: int = 0, cost: float | None = 0.0, *, note: str | None = None,
        failures: Iterable[tuple[int, str]] = (),
    ) -> None:  # fmt: skip
        """Close a run: ``status`` finished | stopped | failed, rows per status, tokens and cost
        spent by this run (cost None: unknown). ``failures`` (row number, error) not already
        recorded with ``record_row`` are added as failed rows; ``note`` says why it stopped."""
        with self._conn:
            for row_number, error in failures:
                self._conn.execute(
                    "INSERT OR IGNORE INTO run_rows (run_id, row_number, key, status, error)"
                    " VALUES (?, ?, NULL, 'failed', ?)",
                    (run_id, row_number, error),
                )
            updated = self._conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = ?, input_tokens = ?,"
                " output_tokens = ?, cost = ?, note = ? WHERE id = ?",
                (_now(), status, _dumps({k: int(v) for k, v in counts.items()}), input_tokens,
                 output_tokens, cost, note, run_id),
            ).rowcount  # fmt: skip
        if not updated:
            raise InputError(f"no run {run_id} in {self.path}")

    _RUN_COLUMNS = (
        "id, started_at, finished_at, status, feed, output, template, persona, channel, model,"
        " language, command, args, counts, input_tokens, output_tokens, cost, note, pid, host"
    )
    _FAILED = f"(status = '{Status.FAILED}' OR error IS NOT NULL)"

    def _run(self, row: sqlite3.Row) -> RunInfo:
        data = dict(row)
        host = data.pop("host")
        for name in ("command", "args", "counts"):
            data[name] = None if data[name] is None else json.loads(data[name])
        if data["status"] == "running":  # not finished (yet): count the rows recorded so far
            counted = "SELECT status, count(*) FROM run_rows WHERE run_id = ? GROUP BY status"
            data["counts"] = {s: n for s, n in self._conn.execute(counted, (row["id"],))}
            data["alive"] = pid_alive(row["pid"], host)
            spent = "SELECT sum(input_tokens), sum(output_tokens), sum(cost) FROM run_rows WHERE run_id = ?"
            tokens_in, tokens_out, cost = self._conn.execute(spent, (row["id"],)).fetchone()
            if not (tokens_in or tokens_out):  # rows recorded by a version 1 store: no spend column
                spent = spent.replace("run_rows", "results")
                tokens_in, tokens_out, cost = self._conn.execute(spent, (row["id"],)).fetchone()
            data.update(input_tokens=tokens_in or 0, output_tokens=tokens_out or 0, cost=cost)
        failed = f"SELECT count(*) FROM run_rows WHERE run_id = ? AND {self._FAILED}"
        data["failure_count"] = self._conn.execute(failed, (row["id"],)).fetchone()[0]
        return RunInfo(**data)

    def list_runs(self, limit: int | None = 20) -> list[RunInfo]:
        """The latest runs first (all of them with ``limit`` None)."""
        rows = self._conn.execute(
            f"SELECT {self._RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        ).fetchall()
        return [self._run(row) for row in rows]

    def get_run(self, run_id: int, failures_limit: int | None = None) -> RunInfo:
        """One run and its failed rows (row order; at most ``failures_limit``); InputError if
        there is no such run."""
        row = self._conn.execute(f"SELECT {self._RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise InputError(f"no run {run_id} in {self.path} (see 'copyassist runs list')")
        info = self._run(row)
        failed = self._conn.execute(
            f"SELECT row_number, status, error, key FROM run_rows WHERE run_id = ? AND {self._FAILED}"
            " ORDER BY row_number LIMIT ?",
            (run_id, -1 if failures_limit is None else failures_limit),
        ).fetchall()
        info.failures.extend(RowFailure(*f) for f in failed)
        return info

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
