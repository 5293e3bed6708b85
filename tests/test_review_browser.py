"""The review step in a real headless Chromium (Debian's ``chromium``, driven by Playwright with
``executable_path``: nothing is downloaded). Skipped where chromium or playwright is missing,
except under CI (the ``CI`` variable set), where that is a failure: CI must run them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from copyassist.audit import check
from copyassist.review.report import check_report_html
from tests import browser_support
from tests.review_example import ExampleRun, example_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = browser_support.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**browser_support.launch_options())
        yield launched
        launched.close()


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
