"""Kill ``copyassist batch`` with SIGKILL mid-run, run the same command again: every row comes
out once and no finished row is paid for twice. The model is the fake OpenAI-compatible server
on 127.0.0.1, which counts the calls it gets for each prompt."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from copyassist.backends import build_request
from copyassist.batch.api import run_batch
from copyassist.feeds import open_feed
from copyassist.pipeline import prepare
from copyassist.product import Product
from tests.helpers import fake
from tests.helpers import write_lamp_feed as write_feed

ROWS = 48


def stored_rows(db: Path) -> set[int]:
    """Row numbers whose result is committed in the store (any run)."""
    if not db.exists():
        return set()
    with sqlite3.connect(db, timeout=30) as connection:
        try:
            found = connection.execute(
                "SELECT row_number FROM run_rows JOIN results ON results.key = run_rows.key"
            ).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return set()
    return {number for (number,) in found}


def first_prompt_of(feed: Path) -> dict[int, Any]:
    """The messages of the first call for each row, as the batch renders them for a server with
    strict JSON schema support (the compatible backend's default)."""
    return {
        row.number: build_request(
            prepare("product-title", Product.from_mapping(row.product or {}), language="fr").prompt,
            "json_schema",
        ).messages
        for row in open_feed(feed).rows()
    }


def test_sigkill_mid_run_then_rerun_loses_nothing_and_pays_nothing_twice(
    tmp_path: Path, serve: Callable[..., tuple[str, Any]]
) -> None:
    base_url, server = serve(latency=0.15, jitter=0.05)
    feed = write_feed(tmp_path / "feed.csv", ROWS)
    out, db = tmp_path / "out.csv", tmp_path / "store.sqlite3"
    command = [
        sys.executable, "-m", "copyassist", "batch", str(feed), "-t", "product-title", "-o", str(out),
        "--provider", "compatible", "--base-url", base_url, "--model", "fake-model",
        "--db", str(db), "--concurrency", "4", "--lang", "fr",
    ]  # fmt: skip
    env = {**os.environ, "OPENAI_API_KEY": "", "COPYASSIST_PROVIDER": ""}
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(stored_rows(db)) < ROWS // 3 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL, first.stderr.read().decode() if first.stderr else ""
    done_before = stored_rows(db)
    assert ROWS // 3 <= len(done_before) < ROWS  # killed mid-run, with work committed
    assert not out.exists()  # only the .partial file, never half an output under the real name

    server.reset()
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr

    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["sku"] for r in rows] == [f"SKU-{n}" for n in range(ROWS)]  # every row, once, in order
    assert all(r["copyassist_status"] in {"ok", "repaired"} and r["copyassist_title"] for r in rows)

    prompts = first_prompt_of(feed)
    assert sum(server.calls_for(prompts[number]) for number in done_before) == 0
    assert all(server.calls_for(prompts[n]) >= 1 for n in prompts if n not in done_before)
    assert server.stats()["requests"] >= ROWS - len(done_before)


def test_fake_server_counts_prompts_as_the_batch_renders_them(
    tmp_path: Path, serve: Callable[..., tuple[str, Any]]
) -> None:
    """The duplicate-call count above is only meaningful if prompts hash the same on both sides."""
    base_url, server = serve()
    feed = write_feed(tmp_path / "feed.csv", ROWS)
    run_batch(feed, tmp_path / "o.csv", template="product-title", provider="compatible", base_url=base_url,
              model="fake-model", concurrency=2)  # fmt: skip
    prompts = first_prompt_of(feed)
    assert [server.calls_for(prompts[n]) for n in sorted(prompts)] == [1] * ROWS
    assert fake.prompt_hash(prompts[1]) != fake.prompt_hash(prompts[2])
