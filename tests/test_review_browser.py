"""The review step in a real headless Chromium (Debian's ``chromium``, driven by Playwright with
``executable_path``: nothing is downloaded). Skipped where chromium or playwright is missing,
except under CI (the ``CI`` variable set), where that is a failure: CI must run them."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from copyassist.audit import check
from copyassist.cli import app
from copyassist.review.report import check_report_html
from tests import browser_support
from tests.helpers import assert_exited
from tests.review_example import TITLES, ExampleRun, example_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = browser_support.missing()
    if reason:
        browser_support.skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**browser_support.launch_options())
        yield launched
        launched.close()


@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_browser_skips_here_and_fails_under_ci(ci: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser_support, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("CI", ci)
    reason = browser_support.missing()
    assert reason and "chromium" in reason
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected):
        browser_support.skip_or_fail(reason)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def run(tmp_path: Path) -> ExampleRun:
    return example_run(tmp_path / "example")


def test_the_report_shows_its_charts_and_runs_no_copy(page: Any, tmp_path: Path) -> None:
    evil = "<script>window.pwned = 1</script>"
    image = "<img src=x onerror='window.pwned=2'>"
    rows = [{"sku": evil, "title": f"LAMPE {evil}", "description": f"Lampe {image}"}]
    report = check(rows, channel="generic", fields={"title": "title", "description": "description"})
    path = tmp_path / "report.html"
    path.write_text(check_report_html(report), encoding="utf-8")
    page.goto(path.as_uri())
    assert page.evaluate("window.pwned") is None
    assert page.inner_text("#worst .label") == evil  # shown as text
    bars = page.locator("#by-rule svg g.bar")
    assert bars.count() == len(report.summary())
    assert page.locator("#by-status svg rect").first.bounding_box()["width"] > 0


TOKEN = "browser-test-token"
BROKEN_TITLE = "Nordlys 15L Hiking Daypack LIVRAISON GRATUITE"  # promotional wording, in capitals


@pytest.fixture
def review_url(run: ExampleRun) -> Iterator[str]:
    """The review app of the example run, served by uvicorn on 127.0.0.1."""
    from copyassist.review.app import review_app

    asgi = review_app(run.store, run.run_id, token=TOKEN)
    with browser_support.serving(asgi) as base:
        yield base


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_review_filter_edit_approve_export(
    page: Any, review_url: str, run: ExampleRun, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{review_url}/?token={TOKEN}")
    rows = page.locator("tbody#rows > tr[data-row]")
    expect(rows).to_have_count(len(TITLES))

    page.select_option("#filter-status", "flagged")
    page.click("#filter-apply")
    expect(rows).to_have_count(1)
    row = page.locator("tr[data-row='4']")
    expect(row).to_have_attribute("data-status", "flagged")
    expect(row.locator("ul[data-role=flags] li[data-rule='claims.superlative']")).to_have_count(1)

    row.locator("summary[data-action=edit]").click()
    row.locator("textarea[name='f.title']").fill(BROKEN_TITLE)
    live = row.locator("[data-role=check] li[data-rule='title.promotional']")
    expect(live.first).to_be_visible()  # re-checked as it is typed, before saving
    row.locator("button[data-action=save]").click()
    row = page.locator("tr[data-row='4']")
    expect(row).to_have_attribute("data-edited", "1")
    saved = row.locator("section[data-field=title] ul[data-role=flags] li[data-rule='title.promotional']")
    expect(saved.first).to_be_visible()
    expect(row.locator("[data-role=proposed]").first).to_contain_text(BROKEN_TITLE)

    row.locator("button[data-action=approve]").click()
    expect(page.locator("tr[data-row='4']")).to_have_attribute("data-decision", "approved")

    exported = tmp_path / "exported.csv"
    result = CliRunner().invoke(
        app, ["export", str(run.run_id), "--db", str(run.store), "-o", str(exported), "--approved-only"]
    )
    assert_exited(result, 0)
    before, after = read_csv(run.output), read_csv(exported)
    assert len(after) == len(before) == len(TITLES)
    for number, (was, now) in enumerate(zip(before, after, strict=True), start=1):
        if number != 4:
            assert now == was, f"row {number} changed"
            continue
        assert now["title"] == now["copyassist_title"] == BROKEN_TITLE
        assert {k: v for k, v in now.items() if k not in ("title", "copyassist_title")} == {
            k: v for k, v in was.items() if k not in ("title", "copyassist_title")
        }


def test_report_links_open_the_rows_in_the_review_app(page: Any, run: ExampleRun) -> None:
    """The link scheme: served beside the review app, ``row_url`` points at its row pages."""
    from playwright.sync_api import expect
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse
    from starlette.routing import Mount, Route

    from copyassist.batch.store import Store
    from copyassist.review.app import review_app
    from copyassist.review.report import run_report_html
    from copyassist.review.session import ReviewSession

    def report(request: Request) -> HTMLResponse:
        with Store(run.store) as store:
            session = ReviewSession(store, run.run_id)
            html = run_report_html(session, row_url=lambda number: f"/rows/{number}")
            session.close()
        return HTMLResponse(html)

    outer = Starlette(
        routes=[Route("/report", report), Mount("", review_app(run.store, run.run_id, token=TOKEN))]
    )
    with browser_support.serving(outer) as base:
        page.goto(f"{base}/?token={TOKEN}")  # the address copyassist review prints: sets the cookie
        page.goto(f"{base}/report")
        expect(page.locator("#worst tr.row")).to_have_count(1)
        page.locator("#worst tr[data-row='4'] a").click()
        expect(page).to_have_url(f"{base}/rows/4")
        expect(page.locator("tr[data-row='4'] [data-role=proposed]").first).to_contain_text(TITLES[3])
