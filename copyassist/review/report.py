"""A one-page HTML report of a check or a batch run, for a person to look at.

Counts by status and by rule are drawn as inline SVG bar charts (made here, no script, nothing
fetched), then the worst rows come first (most errors, then most warnings) with their
violations. Every piece of copy is untrusted text: the template autoescapes it all, so a
``<script>`` in a title shows as text. Rows link into the review app when the page is served
by it (``row_url``); a report written to a file names the ``copyassist review RUN`` command that
opens the same rows instead.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup, escape

from copyassist.assets import user_home
from copyassist.audit import CheckReport
from copyassist.batch.store import Store, default_path
from copyassist.status import Status

if TYPE_CHECKING:
    import jinja2

    from copyassist.review.session import ReviewSession

RowUrl = Callable[[int], str]
#: Inline styles, no script, nothing fetched: the page is safe to open from disk or the review app.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
WORST_ROWS = 100  # rows listed in full; the charts count every row
# A run's rows with the most violations, ranked again errors first; a row with fewer violations
# but more errors than the 1,000th can only be missed in a run where 1,000 rows have more.
_CANDIDATES = 1000

# A colour per status (batch statuses, then check's); unknown statuses get the neutral one.
STATUS_COLOURS: Mapping[str, str] = {
    "ok": "#2e7d32",
    "repaired": "#558b2f",
    "flagged": "#ef6c00",
    "fallback": "#6d4c41",
    "failed": "#c62828",
    "skipped": "#9e9e9e",
    "warnings": "#ef6c00",
    "errors": "#c62828",
    "unreadable": "#6a1b9a",
}
SEVERITY_COLOURS: Mapping[str, str] = {"error": "#c62828", "warning": "#ef6c00"}
NEUTRAL = "#546e7a"


class Issue(Protocol):
    """A violation as both ``rules.base.Violation`` and the review session's ``Flag`` carry it."""

    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class ReportRow:
    row: int
    label: str  # the product's id or title, "" when it has neither
    status: str
    issues: tuple[Issue, ...] = ()
    error: str | None = None  # the row could not be read or written

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues) + (self.error is not None)

    @property
    def warnings(self) -> int:
        return sum(i.severity == "warning" for i in self.issues)


@dataclass(frozen=True)
class RuleCount:
    rule: str
    severity: str  # "error", "warning", or "" when the source does not say
    count: int | None  # violations (None: not counted, a run's facets count rows)
    rows: int  # rows with at least one


@dataclass
class ReportData:
    """Everything the page shows; ``statuses`` and ``rules`` count every row, ``rows`` holds the
    worst ones."""

    heading: str
    facts: list[tuple[str, str]]  # (label, value) lines under the heading
    statuses: dict[str, int]
    rules: list[RuleCount]
    rows: list[ReportRow] = field(default_factory=list)
    total_rows: int = 0
    review_command: str | None = None  # how to open these rows in the review app


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str


def bar_chart(bars: Iterable[Bar], *, title: str, width: int = 560) -> Markup:
    """A horizontal bar chart as inline SVG; labels are escaped, values drawn to scale."""
    items = [b for b in bars if b.value > 0]
    if not items:
        return Markup("")
    label_w, value_w, bar_h, gap = 200, 60, 20, 6
    scale_w = width - label_w - value_w
    top = max(b.value for b in items)
    height = len(items) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for n, bar in enumerate(items):
        y = gap + n * (bar_h + gap)
        length = max(1, round(scale_w * bar.value / top))
        label = bar.label if len(bar.label) <= 28 else bar.label[:27] + "…"
        parts.append(
            f'<g class="bar" data-label="{escape(bar.label)}" data-value="{bar.value}">'
            f'<text x="{label_w - 8}" y="{y + bar_h - 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length}" height="{bar_h}" fill="{escape(bar.colour)}">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
            f'<text x="{label_w + length + 6}" y="{y + bar_h - 5}">{bar.value}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def worst_first(rows: Iterable[ReportRow], limit: int | None = WORST_ROWS) -> list[ReportRow]:
    """Rows with something to look at, most errors first, then most warnings, then row order."""
    ranked = sorted(
        (r for r in rows if r.errors or r.warnings), key=lambda r: (-r.errors, -r.warnings, r.row)
    )
    return ranked if limit is None else ranked[:limit]


@functools.cache
def _environment() -> jinja2.Environment:
    """The report templates' environment, made when a report is first written."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # every value is escaped unless it is Markup made here (the charts)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(data: ReportData, *, row_url: RowUrl | None = None) -> str:
    """The page for ``data``; with ``row_url`` each row links to it (the review app's row page)."""
    status_chart = bar_chart(
        (Bar(s, n, STATUS_COLOURS.get(s, NEUTRAL)) for s, n in data.statuses.items()), title="Rows by status"
    )
    rule_chart = bar_chart(
        (Bar(r.rule, r.rows, SEVERITY_COLOURS.get(r.severity, NEUTRAL)) for r in data.rules),
        title="Rows by rule",
    )
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            data=data,
            status_chart=status_chart,
            rule_chart=rule_chart,
            row_url=row_url,
            csp=REPORT_CSP,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


def check_report_data(report: CheckReport, *, source: str | None = None) -> ReportData:
    """What ``copyassist check`` found, as report data (an unreadable row counts as an error)."""
    rows = [ReportRow(r.row, r.id or "", r.status, tuple(r.violations), r.error) for r in report.rows]
    statuses = Counter(r.status for r in rows)
    rules = [RuleCount(rule, sev, n, affected) for rule, sev, n, affected in report.summary()]
    if report.unreadable_count:
        rules.append(RuleCount("row.unreadable", "error", report.unreadable_count, report.unreadable_count))
    checked = ", ".join(f"{kind}={column}" for kind, column in report.fields.items())
    facts = [("channel", report.channel), ("checked", checked or "nothing")]
    if source:
        facts.insert(0, ("file", source))
    facts.append(("found", f"{report.error_count} errors, {report.warning_count} warnings"))
    order = ("ok", "warnings", "errors", "unreadable")
    return ReportData(
        heading="copyassist check",
        facts=facts,
        statuses={s: statuses[s] for s in order if statuses[s]},
        rules=rules,
        rows=worst_first(rows),
        total_rows=len(rows),
    )


def check_report_html(report: CheckReport, *, source: str | None = None) -> str:
    """The report of a check as one HTML page (what ``copyassist check`` writes in html format)."""
    return render_report(check_report_data(report, source=source))


def is_default_store(path: Path) -> bool:
    return path.expanduser().resolve() == default_path().expanduser().resolve()


def run_report_data(
    session: ReviewSession, *, worst: int = WORST_ROWS, review_command: str | None = None
) -> ReportData:
    """A batch run under review (its copy as it stands: edits re-checked), as report data.
    ``review_command``: how to open the run in the review app (default: said only for the
    default store, the one ``copyassist review RUN`` opens)."""
    run = session.run
    facets = session.facets()
    failures = session.store.get_run(run.id, failures_limit=_CANDIDATES).failures
    errors = {failure.row_number: failure.error for failure in failures}
    fetched = session.page(sort="flags", descending=True, limit=_CANDIDATES).rows
    if errors:
        fetched += session.page(status=Status.FAILED, limit=_CANDIDATES).rows
    rows = {
        r.row_number: ReportRow(
            r.row_number, r.product.get("id") or r.product.get("title") or "", r.status, tuple(r.flags),
            errors.get(r.row_number) or ("no copy was written" if r.status == Status.FAILED else None),
        )
        for r in fetched
    }  # fmt: skip
    for number, error in errors.items():  # a row no copy came back for may have no review row
        rows.setdefault(number, ReportRow(number, "", Status.FAILED, (), error or "failed"))
    shown = worst_first(rows.values(), worst)
    severity = {issue.rule: issue.severity for row in rows.values() for issue in row.issues}
    rules = sorted(facets.rules.items(), key=lambda item: (-item[1], item[0]))
    order: dict[str, int] = {str(status): n for n, status in enumerate(Status)}
    statuses = dict(sorted(facets.statuses.items(), key=lambda item: (order.get(item[0], 99), item[0])))
    facts = [
        ("run", str(run.id)),
        ("feed", run.feed or ""),
        ("output", run.output or ""),
        ("template", ", ".join((run.args or {}).get("templates") or []) or run.template or ""),
        ("channel", run.channel or "generic"),
        ("model", run.model or ""),
        ("started", run.started_at),
    ]
    decided = {d: n for d, n in facets.decisions.items() if n and d != "pending"}
    if decided:
        facts.append(("reviewed", ", ".join(f"{n} {d}" for d, n in sorted(decided.items()))))
    return ReportData(
        heading=f"copyassist batch run {run.id}",
        facts=[(label, value) for label, value in facts if value],
        statuses=statuses,
        rules=[RuleCount(rule, severity.get(rule, ""), None, n) for rule, n in rules],
        rows=shown,
        total_rows=sum(facets.statuses.values()),
        review_command=review_command
        or (f"copyassist review {run.id}" if is_default_store(session.store.path) else None),
    )


def run_report_html(
    session: ReviewSession, *, row_url: RowUrl | None = None, review_command: str | None = None
) -> str:
    """The report of the run ``session`` reviews; ``row_url`` links each row into the review app."""
    return render_report(run_report_data(session, review_command=review_command), row_url=row_url)


def report_path(run_id: int, output: str | Path | None) -> Path:
    """Where a run's report goes: ``<output>.report.html``, else the copyassist folder."""
    if output:
        target = Path(output)
        return target.with_name(f"{target.name}.report.html")
    return user_home() / "reports" / f"run-{run_id}.report.html"


def write_run_report(
    store: Store | str | Path | None,
    run_id: int,
    path: Path | None = None,
    *,
    review_command: str | None = None,
) -> Path:
    """Write the HTML report of batch run ``run_id`` (``report_path`` unless ``path``); its path."""
    from copyassist.review.session import ReviewSession

    opened = store if isinstance(store, Store) else Store(store)
    try:
        session = ReviewSession(opened, run_id)
        try:
            html = run_report_html(session, review_command=review_command)
            target = path or report_path(run_id, session.run.output)
        finally:
            session.close()
    finally:
        if opened is not store:
            opened.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target
