"""The rows of a run's feed copied into the store once, so that paging 100,000 rows is SQL.

``review_rows`` holds, per row the run wrote copy for (``run_rows``): the product's title,
image URL and id, its product data and language (to re-check an edit the way the run checked
it), the feed's current copy in each output field's target column, and the copy the run
generated. ``review_snapshots`` holds, per run, the feed's size and mtime when it was read:
the snapshot is rebuilt when the feed changed, and kept when the feed is gone (the current
copy then shows as unknown: an empty ``current``).
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copyassist.batch.store_records import RunInfo
from copyassist.batch.writers import target_columns
from copyassist.columns import find_column
from copyassist.errors import CopyAssistError, InputError
from copyassist.feeds import Feed, FeedRow, open_feed
from copyassist.review.checking import Flag
from copyassist.review.decisions import InitialRow, dumps, ensure_schema, flags_json, init_state, now

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_snapshots (
    run_id INTEGER PRIMARY KEY, stamp TEXT, built_at TEXT NOT NULL, fields TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_rows (
    run_id INTEGER NOT NULL, row_number INTEGER NOT NULL, title TEXT NOT NULL, image TEXT NOT NULL,
    product_id TEXT NOT NULL, product TEXT NOT NULL, language TEXT, current TEXT,
    generated TEXT NOT NULL, output TEXT, status TEXT NOT NULL, error TEXT, flags TEXT NOT NULL,
    checked INTEGER NOT NULL,
    PRIMARY KEY (run_id, row_number)
) WITHOUT ROWID;
"""

IMAGE_COLUMNS = (
    "image src",
    "image_link",
    "g:image_link",
    "image",
    "image url",
    "images",
    "product image url",
)
ID_COLUMNS = ("handle", "url handle", "sku", "variant sku", "id", "g:id", "gtin", "ean")


def feed_stamp(path: str | Path | None) -> str | None:
    """``size:mtime_ns`` of the feed file; None when it is gone."""
    if not path:
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def feed_path(run: RunInfo) -> str | None:
    """Where the run's feed is: the absolute path batch recorded, else the path as it was given."""
    return (run.args or {}).get("feed_path") or run.feed


def run_stamp(run: RunInfo) -> str | None:
    """The feed's stamp when the run started (batch records it in ``runs.args``)."""
    stamp = (run.args or {}).get("feed_stamp")
    return f"{stamp['size']}:{stamp['mtime_ns']}" if isinstance(stamp, Mapping) else None


def feed_changed(run: RunInfo) -> bool:
    """Whether the feed file changed since the run read it (then its rows may no longer match
    the stored copy); False when it is gone, was written by the run itself, or is not recorded."""
    recorded = run_stamp(run)
    if recorded is None or (run.args or {}).get("in_place"):
        return False
    stamp = feed_stamp(feed_path(run))
    return stamp is not None and stamp != recorded


def source_path(run: RunInfo) -> str | None:
    """The file holding the feed as the run read it: a run that wrote its feed in place left
    the seller's original in the backup it recorded; else the feed itself."""
    args = run.args or {}
    backup = args.get("backup") if args.get("in_place") else None
    if backup and Path(backup).is_file():
        return str(backup)
    return feed_path(run)


def reopen_feed(run: RunInfo) -> Feed:
    """The run's feed as the batch read it (``source_path``), opened as the batch opened it;
    InputError when it is gone."""
    path = source_path(run)
    if not path or not Path(path).is_file():
        raise InputError(f"run {run.id}: its feed {path or '?'} is gone; put it back to export this run")
    args = run.args or {}
    mapping = args.get("mapping_given") or None
    return open_feed(
        path, format=args.get("feed_format_given"), mapping=mapping, header_row=args.get("header_row")
    )


@dataclass(frozen=True)
class Generated:
    """What the run stored for one row."""

    status: str
    error: str | None
    fields: dict[str, str]
    output: str | None
    violations: list[str]
    model: str | None = None
    template: str | None = None
    template_version: int | None = None
    persona: str | None = None


def generated_rows(conn: sqlite3.Connection, run_id: int) -> dict[int, Generated]:
    """What the run stored for each of its rows (``run_rows`` and their results)."""
    rows = conn.execute(
        "SELECT rr.row_number, rr.status, rr.error, r.fields, r.output, r.violations, r.model, r.template,"
        " r.template_version, r.persona FROM run_rows rr LEFT JOIN results r ON r.key = rr.key"
        " WHERE rr.run_id = ? ORDER BY rr.row_number",
        (run_id,),
    )
    return {
        row[0]: Generated(
            row[1], row[2], json.loads(row[3] or "{}"), row[4], json.loads(row[5] or "[]"), *row[6:]
        )
        for row in rows
    }


@functools.lru_cache(maxsize=64)
def _column(columns: tuple[str, ...], names: tuple[str, ...]) -> str | None:
    return find_column(columns, *names)  # once per feed (per set of keys for JSON), not per row


def _first_value(raw: Mapping[str, Any], columns: tuple[str, ...], names: tuple[str, ...]) -> str:
    column = _column(columns, names)
    value = raw.get(column) if column else None
    text = str(value).strip() if value not in (None, "") else ""
    return text.split(",")[0].strip() if names is IMAGE_COLUMNS else text


def _product_facts(row: FeedRow, feed: Feed) -> tuple[str, str, str]:
    product = row.product or {}
    columns = tuple(row.raw) if feed.format in ("jsonl", "json") else tuple(feed.columns)
    title = str(product.get("title") or "") or _first_value(row.raw, columns, ("title", "name", "nom"))
    ident = str(product.get("sku") or "") or _first_value(row.raw, columns, ID_COLUMNS)
    return title, _first_value(row.raw, columns, IMAGE_COLUMNS), ident


def _feed_rows(feed: Feed | None, wanted: Mapping[int, Generated]) -> Iterator[FeedRow]:
    if feed is None:
        return
    for row in feed.rows():
        if row.number in wanted:
            yield row


def _parsed_flags(violations: list[str], field: str) -> list[Flag]:
    """Flags read back from the run's "rule: message" lines (no severity, field nor offending
    text in them: warnings, on the model's only field if it has one)."""
    return [
        Flag(rule.strip(), "warning", field, message.strip())
        for rule, _, message in (v.partition(":") for v in violations)
    ]


class Snapshot:
    """Builds, and rebuilds when the feed changed, the snapshot of one run."""

    def __init__(self, conn: sqlite3.Connection, run: RunInfo, fields: list[str]) -> None:
        self.conn = conn
        self.run = run
        self.fields = fields
        ensure_schema(conn)
        with conn:
            conn.executescript(SCHEMA)

    def ensure(self) -> bool:
        """Build the snapshot if needed; whether the feed could be read (its current copy known)."""
        stamp = feed_stamp(source_path(self.run))
        known = self.conn.execute(
            "SELECT stamp FROM review_snapshots WHERE run_id = ?", (self.run.id,)
        ).fetchone()
        if known is not None and (stamp is None or (stamp == known[0] and not self._rows_added())):
            return known[0] is not None and stamp is not None
        feed: Feed | None = None
        if stamp is not None:
            try:
                feed = reopen_feed(self.run)
            except CopyAssistError as exc:
                logger.warning(
                    "run %d: the feed cannot be read again (%s); reviewing without it", self.run.id, exc
                )
        self.build(feed, stamp if feed is not None else None)
        return feed is not None

    def _rows_added(self) -> bool:
        """Whether the run wrote rows since the snapshot (it was opened while the batch ran)."""
        written, copied = self.conn.execute(
            "SELECT (SELECT COUNT(*) FROM run_rows WHERE run_id = ?),"
            " (SELECT COUNT(*) FROM review_rows WHERE run_id = ?)",
            (self.run.id, self.run.id),
        ).fetchone()
        return bool(written > copied)

    def _flags(self, made: Generated) -> tuple[list[Flag], bool]:
        """The row's flags as the run's lines say them, and whether they are exact: re-checking
        every flagged row here would take minutes on a large run, so ``ReviewSession`` re-checks
        them when they are first shown (``precise``)."""
        if not made.violations:
            return [], True
        field = self.fields[0] if len(self.fields) == 1 else ""
        return _parsed_flags(made.violations, field), False

    def build(self, feed: Feed | None, stamp: str | None) -> None:
        run_id = self.run.id
        made = generated_rows(self.conn, run_id)
        targets = target_columns(feed.format, feed.columns, feed.mapping, self.fields) if feed else {}
        records: list[tuple[Any, ...]] = []
        initial: list[InitialRow] = []
        seen: set[int] = set()

        def add(number: int, facts: tuple[str, str, str], product: Mapping[str, Any], language: str | None,
                current: Mapping[str, str] | None) -> None:  # fmt: skip
            row = made[number]
            flags, exact = self._flags(row)
            records.append((run_id, number, *facts, dumps(dict(product)), language,
                            None if current is None else dumps(dict(current)), dumps(row.fields), row.output,
                            row.status, row.error, flags_json(flags), int(exact)))  # fmt: skip
            initial.append(InitialRow(number, row.status, flags, facts[0], row.fields))
            seen.add(number)

        for row in _feed_rows(feed, made):
            assert feed is not None
            current = {f: str(row.raw.get(c) or "") for f, c in targets.items()}
            add(row.number, _product_facts(row, feed), row.product or {}, row.language, current)
        for number in made:
            if number not in seen:  # the feed is gone, or no longer has this row
                add(number, ("", "", ""), {}, None, None)
        with self.conn:
            self.conn.execute("DELETE FROM review_rows WHERE run_id = ?", (run_id,))
            self.conn.executemany(
                "INSERT INTO review_rows (run_id, row_number, title, image, product_id, product, language,"
                " current, generated, output, status, error, flags, checked)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                records,
            )
            init_state(self.conn, run_id, initial)
            self.conn.execute(
                "INSERT OR REPLACE INTO review_snapshots (run_id, stamp, built_at, fields)"
                " VALUES (?, ?, ?, ?)",
                (run_id, stamp, now(), dumps(self.fields)),
            )
