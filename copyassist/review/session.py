"""Reviewing one batch run: its rows page by page from SQLite, and the reviewer's decisions.

A ``ReviewSession`` is one store connection, for one thread (open one per thread: once the
snapshot exists, opening costs a few queries). Its first opening on a run copies the feed's
rows into the store (``snapshot``); every decision is one committed transaction
(``decisions``). Edits and regenerations are checked against the run's channel rules and
output model (``checking``), so each row's flags are those of the copy export would publish.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from copyassist.backends import Backend
from copyassist.batch.fields import output_fields
from copyassist.batch.listing import output_columns
from copyassist.batch.store import Store
from copyassist.batch.store_records import RunInfo
from copyassist.errors import CopyAssistError, InputError
from copyassist.listing import ListingResult
from copyassist.review import decisions
from copyassist.review.candidates import RowCandidates
from copyassist.review.checking import Checker, Flag
from copyassist.review.decisions import Change, flags_from
from copyassist.review.regenerate import regenerate_copy
from copyassist.review.snapshot import Snapshot
from copyassist.rules.text import fold

Decision = Literal["pending", "approved", "rejected"]
SORTS = {"row": "s.row_number", "status": "s.status", "flags": "s.flag_count", "title": "s.title"}
#: What approve-all-ok approves: copy valid on the first answer (from the store or not).
OK_STATUSES = ("ok",)


@dataclass(frozen=True)
class ReviewRow:
    row_number: int
    product: dict[str, str]  # "title", "image" (URL or ""), "id"
    current: dict[str, str]  # the feed's copy per output field; {} when the feed is gone (unknown)
    generated: dict[str, str]
    proposed: dict[str, str]  # what export would publish: the edit or regeneration if any, else generated
    status: str
    flags: list[Flag]
    decision: Decision
    edited: bool
    candidates: list[dict[str, str]]
    decided_by: str | None
    decided_at: str | None


@dataclass(frozen=True)
class Page:
    rows: list[ReviewRow]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class Facets:
    statuses: dict[str, int]
    rules: dict[str, int]  # rows with at least one flag of the rule
    fields: dict[str, int]  # rows with at least one flag on the field
    decisions: dict[str, int]


def last_batch_run(store: Store) -> RunInfo:
    for run in store.list_runs(limit=None):
        if run.feed:
            return store.get_run(run.id, failures_limit=0)
    raise InputError(f"no batch run in {store.path}: run 'copyassist batch' first")


_COLUMNS = (
    "s.row_number, s.status, s.decision, s.replaced, s.flags, s.decided_by, s.decided_at,"
    " r.title, r.image, r.product_id, r.current, r.generated"
)


class ReviewSession:
    """One run under review; see the module docstring."""

    def __init__(self, store: Store, run_id: int | None = None) -> None:
        self.store = store
        self.conn = store.connection
        self.run: RunInfo = (
            last_batch_run(store) if run_id is None else store.get_run(run_id, failures_limit=0)
        )
        try:
            self.checker: Checker | None = Checker(self.run)
        except CopyAssistError:  # the template or the channel is gone: review the copy as stored
            self.checker = None
        self.fields: list[str] = self._fields()
        self.channel: str | None = self.run.channel
        self.feed_available: bool = Snapshot(self.conn, self.run, self.fields).ensure()
        self._candidates = RowCandidates(self.conn, self.run.id)  # with variants: "use this one"

    def _fields(self) -> list[str]:
        if self.checker is not None:
            return output_columns(self.checker.settings)
        row = self.conn.execute(
            "SELECT r.fields FROM run_rows rr JOIN results r ON r.key = rr.key WHERE rr.run_id = ? LIMIT 1",
            (self.run.id,),
        ).fetchone()
        return list(json.loads(row[0])) if row else []

    # -- reading ---------------------------------------------------------------------------

    def _review_row(self, row: Any) -> ReviewRow:
        generated = json.loads(row["generated"])
        replaced = json.loads(row["replaced"] or "{}")
        proposed = {**generated, **replaced}
        return ReviewRow(
            row_number=row["row_number"],
            product={"title": row["title"], "image": row["image"], "id": row["product_id"]},
            current=json.loads(row["current"] or "{}"),
            generated=generated,
            proposed=proposed,
            status=row["status"],
            flags=flags_from(row["flags"]),
            decision=row["decision"],
            edited=proposed != generated,
            candidates=self._candidates.offered(row["row_number"], proposed),
            decided_by=row["decided_by"],
            decided_at=row["decided_at"],
        )

    def _where(self, status: str | None, rule: str | None, field: str | None, decision: str | None,
               search: str | None) -> tuple[str, list[Any]]:  # fmt: skip
        clauses: list[str] = ["s.run_id = ?"]
        values: list[Any] = [self.run.id]
        if status:
            clauses.append("s.status = ?")
            values.append(status)
        if decision:
            clauses.append("s.decision = ?")
            values.append(decision)
        for column, wanted in (("rule", rule), ("field", field)):
            if wanted:
                clauses.append(
                    f"s.row_number IN (SELECT row_number FROM review_flags WHERE run_id = ? AND {column} = ?)"
                )
                values.extend([self.run.id, wanted])
        if search and search.strip():
            escaped = fold(search.strip())
            escaped = escaped.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("s.haystack LIKE ? ESCAPE '\\'")
            values.append(f"%{escaped}%")
        return " AND ".join(clauses), values

    def page(self, *, status: str | None = None, rule: str | None = None, field: str | None = None,
             decision: str | None = None, search: str | None = None, sort: str = "row",
             descending: bool = False, offset: int = 0, limit: int = 50) -> Page:  # fmt: skip
        """One page of rows matching every filter given, sorted, from the store's indexes."""
        offset, limit = max(0, int(offset)), max(1, min(int(limit), 1000))
        count, select, values = self._queries(status, rule, field, decision, search, sort, descending)
        total = self.conn.execute(count, values).fetchone()[0]
        # the page's row numbers from the state's indexes alone (OFFSET skips index entries, not
        # rows joined with their copy), then those rows
        numbers = [n for (n,) in self.conn.execute(select, [*values, limit, offset])]
        self.precise(numbers)
        marks = ",".join("?" * len(numbers))
        found = {
            row["row_number"]: row
            for row in self.conn.execute(
                f"SELECT {_COLUMNS} FROM review_state s JOIN review_rows r ON r.run_id = s.run_id"
                f" AND r.row_number = s.row_number WHERE s.run_id = ? AND s.row_number IN ({marks})",
                [self.run.id, *numbers],
            )
        }
        return Page([self._review_row(found[n]) for n in numbers], total, offset, limit)

    def _queries(self, status: str | None, rule: str | None, field: str | None, decision: str | None,
                 search: str | None, sort: str, descending: bool) -> tuple[str, str, list[Any]]:  # fmt: skip
        """(count query, query of the page's row numbers ending in LIMIT ? OFFSET ?, their values)."""
        if sort not in SORTS:
            raise InputError(f"unknown sort {sort!r}; choose from {', '.join(SORTS)}")
        if decision and decision not in decisions.DECISIONS:
            raise InputError(f"unknown decision {decision!r}; choose from {', '.join(decisions.DECISIONS)}")
        where, values = self._where(status, rule, field, decision, search)
        direction = "DESC" if descending else "ASC"
        order = SORTS[sort] + f" {direction}" + ("" if sort == "row" else f", s.row_number {direction}")
        select = f"SELECT s.row_number FROM review_state s WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
        return f"SELECT count(*) FROM review_state s WHERE {where}", select, values

    def facets(self) -> Facets:
        run = (self.run.id,)

        def counted(sql: str) -> dict[str, int]:
            return {str(k): int(n) for k, n in self.conn.execute(sql, run)}

        return Facets(
            statuses=counted("SELECT status, count(*) FROM review_state WHERE run_id = ? GROUP BY status"),
            rules=counted(
                "SELECT rule, count(DISTINCT row_number) FROM review_flags WHERE run_id = ? GROUP BY rule"
            ),
            fields=counted(
                "SELECT field, count(DISTINCT row_number) FROM review_flags WHERE run_id = ? AND field != ''"
                " GROUP BY field"
            ),
            decisions=counted(
                "SELECT decision, count(*) FROM review_state WHERE run_id = ? GROUP BY decision"
            ),
        )

    def precise(self, row_numbers: Iterable[int]) -> None:
        """Re-check the run's copy of these rows where their flags were only read back from the
        run's lines, so that each flag has its field, severity and offending text; stored once."""
        wanted = list(row_numbers)
        if self.checker is None or not wanted:
            return
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(
            "SELECT r.row_number, r.product, r.language, r.output, r.generated, s.replaced FROM review_rows r"
            " JOIN review_state s ON s.run_id = r.run_id AND s.row_number = r.row_number"
            f" WHERE r.run_id = ? AND r.checked = 0 AND r.row_number IN ({marks})",
            (self.run.id, *wanted),
        ).fetchall()
        checked: list[tuple[int, list[Flag] | None, bool]] = []
        for row in rows:
            try:
                output = json.loads(row["output"]) if row["output"] else None
                flags = self.checker.check(json.loads(row["product"]), row["language"], output,
                                           json.loads(row["generated"]))  # fmt: skip
            except (CopyAssistError, ValueError):
                flags = None  # the lines read back stay; not tried again
            checked.append((row["row_number"], flags, row["replaced"] is None))
        with self.conn:
            for number, flags, unedited in checked:
                self.conn.execute(
                    "UPDATE review_rows SET flags = coalesce(?, flags), checked = 1"
                    " WHERE run_id = ? AND row_number = ?",
                    (None if flags is None else decisions.flags_json(flags), self.run.id, number),
                )
                if unedited and flags is not None:
                    decisions.set_flags(self.conn, self.run.id, number, flags)

    def _fetch(self, row_number: int) -> Any:
        self.precise([row_number])
        row = self.conn.execute(
            f"SELECT {_COLUMNS}, r.product, r.language, r.output, r.flags AS base_flags FROM review_state s"
            " JOIN review_rows r ON r.run_id = s.run_id AND r.row_number = s.row_number"
            " WHERE s.run_id = ? AND s.row_number = ?",
            (self.run.id, row_number),
        ).fetchone()
        if row is None:
            raise InputError(f"run {self.run.id} has no row {row_number} to review")
        return row

    def row(self, row_number: int) -> ReviewRow:
        return self._review_row(self._fetch(row_number))

    def history(self, row_number: int) -> list[dict[str, Any]]:
        self._fetch(row_number)
        return decisions.history(self.conn, self.run.id, row_number)

    # -- checking --------------------------------------------------------------------------

    def _checked(self, stored: Any, fields: Mapping[str, str]) -> list[Flag]:
        if self.checker is None:
            raise InputError(f"run {self.run.id}: its template or channel is gone; copy cannot be checked")
        product = json.loads(stored["product"])
        output = json.loads(stored["output"]) if stored["output"] else None
        return self.checker.check(product, stored["language"], output, fields)

    def _proposed(self, stored: Any, fields: Mapping[str, str]) -> dict[str, str]:
        unknown = [name for name in fields if name not in self.fields]
        if unknown:
            raise InputError(
                f"run {self.run.id} writes no field {', '.join(unknown)}; fields: {', '.join(self.fields)}"
            )
        current = self._review_row(stored).proposed
        return {**current, **{k: str(v) for k, v in fields.items()}}

    def check(self, row_number: int, fields: Mapping[str, str]) -> list[Flag]:
        """The flags the row would have with ``fields`` edited; nothing is stored."""
        stored = self._fetch(row_number)
        return self._checked(stored, self._proposed(stored, fields))

    # -- decisions -------------------------------------------------------------------------

    def _decide(self, row_numbers: Iterable[int], decision: Decision, action: str, who: str) -> int:
        wanted = list(dict.fromkeys(int(n) for n in row_numbers))
        current: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            current.update(self.conn.execute(
                f"SELECT row_number, decision FROM review_state WHERE run_id = ? AND row_number IN ({marks})",
                (self.run.id, *chunk)).fetchall())  # fmt: skip
        missing = [n for n in wanted if n not in current]
        if missing:
            raise InputError(f"run {self.run.id} has no row {missing[0]} to review")
        changed = {n: current[n] for n in wanted if current[n] != decision}
        return decisions.decide(self.conn, self.run.id, changed, decision, action, who)

    def approve(self, row_numbers: Iterable[int], who: str) -> int:
        return self._decide(row_numbers, "approved", "approve", who)

    def reject(self, row_numbers: Iterable[int], who: str) -> int:
        return self._decide(row_numbers, "rejected", "reject", who)

    def approve_all_ok(self, who: str) -> int:
        """Approve every pending row whose status is ok and whose copy has no error flag."""
        marks = ",".join("?" * len(OK_STATUSES))
        where = f"run_id = ? AND decision = 'pending' AND status IN ({marks}) AND error_count = 0"
        return decisions.decide_where(self.conn, self.run.id, where, (self.run.id, *OK_STATUSES),
                                      "approved", "approve", who)  # fmt: skip

    def _replace(self, stored: Any, proposed: Mapping[str, str], flags: list[Flag], action: str,
                 **extra: Any) -> Change:  # fmt: skip
        generated = json.loads(stored["generated"])
        replaced = {k: v for k, v in proposed.items() if generated.get(k) != v or action == "regenerate"}
        edited = [k for k, v in proposed.items() if generated.get(k, "") != v]
        return Change(
            stored["row_number"], action, before=self._review_row(stored).proposed, after=dict(proposed),
            replaced=replaced or None, clear_replaced=not replaced, edited=edited, flags=flags,
            search=decisions.haystack(stored["title"], dict(proposed)), **extra,
        )  # fmt: skip

    def edit(self, row_number: int, fields: Mapping[str, str], who: str) -> ReviewRow:
        """Store the reviewer's copy for ``fields`` (the other fields kept), re-checked; the
        previous copy stays in the history. An approved row whose edit breaks a rule at error level
        is pending again."""
        stored = self._fetch(row_number)
        proposed = self._proposed(stored, fields)
        flags = self._checked(stored, proposed)
        # An approval was given to other copy: an edit that breaks a rule is not published unseen.
        breaks = stored["decision"] == "approved" and any(flag.severity == "error" for flag in flags)
        change = self._replace(stored, proposed, flags, "edit", **({"decision": "pending"} if breaks else {}))
        decisions.apply(self.conn, self.run.id, [change], who)
        return self.row(row_number)

    def revert(self, row_number: int, who: str) -> ReviewRow:
        """Back to the copy the run generated, its flags and status; the decision is pending."""
        stored = self._fetch(row_number)
        generated = json.loads(stored["generated"])
        base = self.conn.execute(
            "SELECT status FROM review_rows WHERE run_id = ? AND row_number = ?", (self.run.id, row_number)
        ).fetchone()[0]
        change = Change(
            row_number, "revert",
            before={**self._review_row(stored).proposed, "decision": stored["decision"]},
            after={**generated, "decision": "pending"}, decision="pending", clear_replaced=True, edited=[],
            status=base, flags=flags_from(stored["base_flags"]),
            search=decisions.haystack(stored["title"], generated),
        )  # fmt: skip
        decisions.apply(self.conn, self.run.id, [change], who)
        return self.row(row_number)

    def regenerate(self, row_number: int, note: str, backend: Backend, who: str) -> ReviewRow:
        """One new generation for the row with the run's settings, ``note`` sent to the model as
        the reviewer's instruction; the new copy replaces the proposed one, pending review."""
        stored = self._fetch(row_number)
        product = json.loads(stored["product"])
        if self.checker is None or not product:
            raise InputError(f"run {self.run.id}, row {row_number}: the product data is gone (feed "
                             "moved or changed); put the feed back to regenerate")  # fmt: skip
        result = regenerate_copy(self.checker, product, stored["language"], note, backend)
        fields = (
            result.fields
            if isinstance(result, ListingResult)
            else output_fields(result.output, result.language)
        )
        change = self._replace(
            stored, fields, [Flag.of(v) for v in result.violations], "regenerate", decision="pending",
            status=result.status, note=note, input_tokens=result.usage.input_tokens,
            output_tokens=result.usage.output_tokens, cost=result.cost,
        )  # fmt: skip
        decisions.apply(self.conn, self.run.id, [change], who)
        return self.row(row_number)

    def close(self) -> None:
        """Nothing is pending (every write is committed); the store stays open for its owner."""
