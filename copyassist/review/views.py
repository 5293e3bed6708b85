"""What the templates are given: a row with its fields diffed and marked, the filters of the
list page and the links of its pager, all built from the data layer's values."""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from copyassist.review.checking import Flag
from copyassist.review.marking import FieldView, field_view
from copyassist.review.session import Page, ReviewRow, ReviewSession
from copyassist.scoring.model import Score
from copyassist.scoring.store import ScoreStore

SORTS = ("row", "status", "flags", "title")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
FILTERS = ("status", "rule", "field", "decision", "q")


@dataclass(frozen=True)
class RowView:
    row: ReviewRow
    fields: list[FieldView]
    other_flags: list[Flag]  # flags on no field the run writes (a whole-row problem)
    candidates: list[dict[str, str]]
    scores: list[Score] = field(default_factory=list)  # model grades (batch --score), if any

    @property
    def number(self) -> int:
        return self.row.row_number


def row_view(
    row: ReviewRow, fields: Sequence[str], feed_available: bool = True, scores: Sequence[Score] = ()
) -> RowView:
    """``row`` for the templates; with the feed gone its current copy is unknown, not empty."""
    names = list(fields) or sorted(set(row.proposed) | set(row.current))
    views = [
        field_view(
            name, row.current.get(name, "") if feed_available else None, row.proposed.get(name, ""), row.flags
        )
        for name in names
    ]
    return RowView(
        row=row,
        fields=views,
        other_flags=[flag for flag in row.flags if flag.field not in names],
        candidates=[dict(candidate) for candidate in row.candidates],
        scores=list(scores),
    )


#: One grade reader per session: opening one sets up its tables, once is enough.
_GRADES: weakref.WeakKeyDictionary[ReviewSession, ScoreStore] = weakref.WeakKeyDictionary()


def view_of(session: ReviewSession, row: ReviewRow) -> RowView:
    """``row`` of ``session`` for the templates, with the grades its run gave it."""
    grades = _GRADES.get(session)
    if grades is None:
        grades = _GRADES[session] = ScoreStore(session.store)
    scores = grades.for_run(session.run.id, row.row_number).get(row.row_number, [])
    return row_view(row, session.fields, session.feed_available, scores)


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(number, low), high)


@dataclass(frozen=True)
class ListQuery:
    """The list page's filters, sort and window, as read from its URL (bad values: defaults)."""

    status: str | None = None
    rule: str | None = None
    field: str | None = None
    decision: str | None = None
    q: str | None = None
    sort: str = "row"
    desc: bool = False
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListQuery:
        def text(name: str) -> str | None:
            value = (params.get(name) or "").strip()
            return value or None

        sort = params.get("sort", "row")
        return cls(
            status=text("status"),
            rule=text("rule"),
            field=text("field"),
            decision=text("decision"),
            q=text("q"),
            sort=sort if sort in SORTS else "row",
            desc=params.get("desc") in ("1", "on", "true"),
            offset=_int(params.get("offset"), 0, 0, 10**9),
            limit=_int(params.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
        )

    def page(self, session: ReviewSession) -> Page:
        """This page of the run, read by ``session``."""
        return session.page(
            status=self.status,
            rule=self.rule,
            field=self.field,
            decision=self.decision,
            search=self.q,
            sort=self.sort,
            descending=self.desc,
            offset=self.offset,
            limit=self.limit,
        )

    def url(self, base: str, **changes: object) -> str:
        """The list page with these settings (and ``changes``); defaults left out."""
        values: dict[str, object] = {
            name: getattr(self, name) for name in (*FILTERS, "sort", "desc", "offset", "limit")
        }
        values.update(changes)
        params: dict[str, object] = {}
        for name, value in values.items():
            if value in (None, "", False) or (name == "sort" and value == "row"):
                continue
            if (name == "offset" and value == 0) or (name == "limit" and value == DEFAULT_LIMIT):
                continue
            params[name] = 1 if value is True else value
        return f"{base}/" + (f"?{urlencode(params)}" if params else "")


@dataclass(frozen=True)
class Pager:
    first: int  # 1-based number of the first row shown (0 when none)
    last: int
    total: int
    previous: str | None
    next: str | None


def pager(query: ListQuery, total: int, shown: int, base: str) -> Pager:
    previous = None
    if query.offset > 0:
        previous = query.url(base, offset=max(query.offset - query.limit, 0))
    following = query.url(base, offset=query.offset + query.limit) if query.offset + shown < total else None
    first = query.offset + 1 if shown else 0
    return Pager(first=first, last=query.offset + shown, total=total, previous=previous, next=following)
