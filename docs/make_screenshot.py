"""Take docs/review.png: the review page of the example feed's run, in Debian's headless chromium.

    python3 docs/make_screenshot.py [--out docs/review.png]

The run is the one the browser tests review (tests/review_example.py: examples/feed.csv for
Google Shopping, written by an in-process fake model, so no key and no network); the page is
served by uvicorn on 127.0.0.1 and opened by Playwright with ``executable_path`` (no browser
download). Needs the dev extra and the ``chromium`` package.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from copyassist.review.app import review_app  # noqa: E402
from tests import browser_support  # noqa: E402
from tests.review_example import example_run  # noqa: E402

TOKEN = "screenshot"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "review.png")
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args()
    reason = browser_support.missing()
    if reason:
        print(f"make_screenshot: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        os.environ["COPYASSIST_HOME"] = str(Path(folder) / "home")  # nothing of the user's is read
        os.chdir(ROOT)  # the page shows the feed as the README names it: examples/feed.csv
        run = example_run(Path(folder) / "run", feed=Path("examples") / "feed.csv")
        app = review_app(run.store, run.run_id, token=TOKEN)
        with browser_support.serving(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(**browser_support.launch_options())
            page = browser.new_page(viewport={"width": args.width, "height": 900}, device_scale_factor=1)
            page.goto(f"{base}/?token={TOKEN}")
            page.wait_for_selector("tbody#rows > tr[data-row]")
            # the flagged row's edit box open, as a reviewer sees it while fixing the copy
            page.locator("tr[data-row='4'] summary[data-action=edit]").click()
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
