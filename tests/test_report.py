"""The HTML report: counts and charts reflect the run, worst rows first, all copy escaped,
``check --format html`` keeps its exit code, ``batch`` writes the report (``--no-report`` not)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copyassist.audit import check
from copyassist.backends.base import Completion, Prompt
from copyassist.backends.retry import RetryPolicy
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.errors import ContentFilterError
from copyassist.review.report import (
    Bar,
    ReportData,
    ReportRow,
    bar_chart,
    check_report_data,
    check_report_html,
    render_report,
    report_path,
    worst_first,
    write_run_report,
)
from copyassist.rules.base import Violation
from tests.helpers import ROOT, FakeBackend, assert_exited
from tests.review_example import CHANNEL, FEED, TITLES, example_run

LISTINGS = ROOT / "examples" / "listings.csv"
CDISCOUNT = ["--channel", "cdiscount", "-f", "title=titre", "-f", "description=description"]


class Page(HTMLParser):
    """What a test reads back from a report: chart bars, script elements, worst-table rows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.bars: dict[str, dict[str, int]] = {}  # chart id -> label -> value
        self.scripts = 0
        self.row_order: list[int] = []
        self.links: list[str] = []
        self._section: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "div" and found.get("id") in ("by-status", "by-rule"):
            self._section = found["id"]
        if tag == "g" and found.get("class") == "bar" and self._section:
            self.bars.setdefault(self._section, {})[found["data-label"] or ""] = int(found["data-value"] or 0)
        if tag == "tr" and found.get("class") == "row":
            self.row_order.append(int(found["data-row"] or 0))
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")


def violation(rule: str, severity: str = "error", text: str = "") -> Violation:
    return Violation(rule, severity, "title", f"{rule} broken", text)  # type: ignore[arg-type]


def test_the_check_charts_count_every_status_and_rule() -> None:
    report = check(LISTINGS, channel="cdiscount", fields={"title": "titre", "description": "description"})
    page = Page(check_report_html(report))
    statuses: dict[str, int] = {}
    for row in report.rows:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    assert page.bars["by-status"] == statuses
    assert page.bars["by-rule"] == {rule: rows for rule, _, _, rows in report.summary()}
    shown = check_report_data(report).rules
    assert sum(r.count or 0 for r in shown) == report.error_count + report.warning_count


def test_bars_are_drawn_to_scale() -> None:
    svg = str(bar_chart([Bar("a", 10, "#000"), Bar("b", 5, "#000"), Bar("none", 0, "#000")], title="t"))
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert len(widths) == 2  # a zero bar is not drawn
    assert widths[0] == 2 * widths[1]
    assert bar_chart([], title="t") == ""


def test_worst_rows_come_first_errors_then_warnings() -> None:
    rows = [
        ReportRow(1, "clean", "ok"),
        ReportRow(2, "one warning", "flagged", (violation("w", "warning"),)),
        ReportRow(3, "two errors", "flagged", (violation("e"), violation("e"))),
        ReportRow(4, "error+warnings", "flagged", (violation("e"), *[violation("w", "warning")] * 2)),
        ReportRow(5, "one error", "failed", error="the call failed"),
        ReportRow(6, "two warnings", "flagged", (violation("w", "warning"), violation("w", "warning"))),
    ]
    assert [r.row for r in worst_first(rows)] == [3, 4, 5, 6, 2]
    assert [r.row for r in worst_first(rows, limit=2)] == [3, 4]
    data = ReportData("t", [], {"ok": 1}, [], rows=worst_first(rows), total_rows=6)
    assert Page(render_report(data)).row_order == [3, 4, 5, 6, 2]


def test_the_check_report_lists_its_worst_row_first() -> None:
    report = check(LISTINGS, channel="cdiscount", fields={"title": "titre", "description": "description"})
    data = check_report_data(report)
    order = Page(render_report(data)).row_order
    errors = {r.row: sum(v.severity == "error" for v in r.violations) for r in report.rows}
    assert order[0] == max(errors, key=lambda n: errors[n])
    assert [errors[n] for n in order] == sorted((errors[n] for n in order), reverse=True)
    assert set(order) == {r.row for r in report.rows if r.violations}


def test_copy_is_escaped_everywhere() -> None:
    evil = '<script>alert("x")</script>'
    rows = [
        {"title": evil, "description": f"Lampe {evil} <img src=x onerror=alert(1)>", "sku": evil},
        {"title": "Lampe LED", "description": "Une lampe.", "sku": "B"},
    ]
    report = check(rows, channel="generic", fields={"title": "title", "description": "description"})
    html = check_report_html(report, source=evil)
    page = Page(html)
    assert page.scripts == 0
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert page.row_order[0] == 1


def test_an_svg_label_cannot_break_out() -> None:
    svg = str(bar_chart([Bar('"><script>x</script>', 3, '"red')], title="<t>"))
    assert "<script>" not in svg and "&lt;t&gt;" in svg


def test_rows_link_into_the_review_app_when_served_by_it() -> None:
    rows = [ReportRow(7, "x", "flagged", (violation("e"),))]
    command = "copyassist review 3"
    data = ReportData("t", [], {"flagged": 1}, [], rows=rows, total_rows=1, review_command=command)
    served = Page(render_report(data, row_url=lambda n: f"/rows/{n}?token=abc"))
    assert served.links == ["/rows/7?token=abc"]
    on_disk = render_report(data)
    assert Page(on_disk).links == []
    assert "copyassist review 3" in on_disk


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "html"])
def test_check_exit_code_is_the_same_in_every_format(fmt: str, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / f"report.{fmt}"
    failing = runner.invoke(app, ["check", str(LISTINGS), *CDISCOUNT, "--format", fmt, "-o", str(out)])
    assert_exited(failing, 1)
    clean = tmp_path / "clean.csv"
    clean.write_text("title,description\nLampe de bureau LED,Une lampe de bureau.\n", encoding="utf-8")
    passing = runner.invoke(app, ["check", str(clean), "--format", fmt, "-o", str(tmp_path / "ok")])
    assert_exited(passing, 0)


def test_check_format_html_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["check", str(LISTINGS), *CDISCOUNT, "--format", "html", "-o", str(out)])
    assert_exited(result, 1)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert Page(html).bars["by-status"] == {"ok": 1, "errors": 5}
    printed = CliRunner().invoke(app, ["check", str(LISTINGS), *CDISCOUNT, "--format", "html"])
    assert "<!DOCTYPE html>" in printed.stdout


def batch_args(tmp_path: Path, *extra: str) -> list[str]:
    output, db = str(tmp_path / "out.csv"), str(tmp_path / "s.db")
    return ["batch", str(FEED), "-t", "product-title", "--channel", CHANNEL, "-o", output, "--db", db,
            "--concurrency", "1", "--attempts", "1", "-q", *extra]  # fmt: skip


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    backend = FakeBackend([{"title": title} for title in TITLES])  # one call per row, in row order
    monkeypatch.setattr("copyassist.batch.api.get_backend", lambda *a, **k: backend)
    return backend


def test_batch_writes_the_report_next_to_its_output(tmp_path: Path, fake: FakeBackend) -> None:
    result = CliRunner().invoke(app, batch_args(tmp_path))
    assert_exited(result, 0)
    report = tmp_path / "out.csv.report.html"
    assert f"report {report}" in result.stdout
    assert f"copyassist review 1 --db {tmp_path / 's.db'}" in result.stdout
    page = Page(report.read_text(encoding="utf-8"))
    with Store(tmp_path / "s.db") as store:
        counts = {status: n for status, n in store.get_run(1).counts.items() if n}
    assert page.bars["by-status"] == counts
    assert counts == {"ok": 4, "flagged": 1, "fallback": 1}
    assert page.bars["by-rule"] == {"claims.superlative": 1}
    assert page.row_order == [4]  # the one row still breaking a rule
    assert page.scripts == 0


def test_no_report_writes_none(tmp_path: Path, fake: FakeBackend) -> None:
    result = CliRunner().invoke(app, batch_args(tmp_path, "--no-report"))
    assert_exited(result, 0)
    assert (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob("*.html"))
    assert "report " not in result.stdout


def test_a_report_that_cannot_be_written_leaves_the_run_alone(
    tmp_path: Path, fake: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("copyassist.cli.batch.write_run_report", refuse)
    result = CliRunner().invoke(app, batch_args(tmp_path))
    assert_exited(result, 0)
    assert "no report written: disk full" in result.output
    assert (tmp_path / "out.csv").exists()


def test_the_run_report_follows_the_review(tmp_path: Path) -> None:
    """Counts and rows are the review's: an edit that breaks a rule shows in the next report."""
    run = example_run(tmp_path / "run")
    from copyassist.review.session import ReviewSession

    with Store(run.store) as store:
        session = ReviewSession(store, run.run_id)
        session.edit(1, {"title": "MONTRE <script>alert(1)</script> -50%"}, who="test")
        session.close()
    html = write_run_report(run.store, run.run_id).read_text(encoding="utf-8")
    page = Page(html)
    assert page.row_order == [1, 4]  # the edit's errors first, then the warning
    assert {"title.all_caps", "title.promotional", "claims.superlative"} <= set(page.bars["by-rule"])
    assert page.scripts == 0 and "&lt;script&gt;" in html


def test_a_run_without_output_reports_into_the_copyassist_folder(isolated_home: Path) -> None:
    assert report_path(7, None) == isolated_home / "reports" / "run-7.report.html"
    assert report_path(7, "/x/feed.out.csv") == Path("/x/feed.out.csv.report.html")


class FailsThirdCall(FakeBackend):
    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        completion = self.complete(prompt)
        if len(self.calls) == 3:
            raise ContentFilterError("the content filter stopped it")
        return completion


def test_a_failed_row_is_listed_first_with_its_error(tmp_path: Path) -> None:
    backend = FailsThirdCall([{"title": title} for title in TITLES])
    with Store(tmp_path / "s.db") as store:
        summary = run_batch(FEED, tmp_path / "out.csv", template="product-title", channel=CHANNEL,
                            backend=backend, store=store, concurrency=1, max_attempts=1)  # fmt: skip
        html = write_run_report(store, summary.run_id).read_text(encoding="utf-8")
    page = Page(html)
    assert page.bars["by-status"]["failed"] == 1
    assert page.row_order == [3, 4]
    assert "the content filter stopped it" in html
