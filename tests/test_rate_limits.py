"""A batch against a server that enforces a rate limit the run was not told: the fake server on
127.0.0.1, small limits and short windows. No row may fail for a 429, and the run must learn
the limit from the 429 answers themselves instead of sending into it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

import copyassist
from copyassist import errors
from copyassist.backends import retry
from copyassist.backends.retry import RetryPolicy, call_with_retries
from copyassist.batch.store import Store
from tests.helpers import write_lamp_feed as write_feed


@pytest.mark.parametrize(
    ("limit_headers", "rpm", "window", "rows"),
    [("429", 600, 0.1, 100), ("none", 3000, 0.2, 150)],
)
def test_a_limit_the_run_was_not_told_fails_no_row_and_is_rarely_hit(
    tmp_path: Path, serve: Any, limit_headers: str, rpm: int, window: float, rows: int
) -> None:
    """A per-minute limit enforced over short windows (600 RPM: one call in any 0.1 s); the
    server states its limits on its 429s only ("429"), or sends nothing but ``retry-after``."""
    base_url, server = serve(rpm=rpm, window=window, latency=0.01, limit_headers=limit_headers)
    with Store(tmp_path / "store.sqlite3") as store:
        summary = copyassist.run_batch(
            write_feed(tmp_path / "feed.csv", rows), tmp_path / "out.csv", template="product-title",
            language="fr", provider="compatible", base_url=base_url, model="fake-model", store=store,
            concurrency=4,
        )  # fmt: skip
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        statuses = [row["copyassist_status"] for row in csv.DictReader(handle)]
    stats = server.stats(prompts=False)
    assert statuses.count("failed") == 0 and len(statuses) == rows
    assert stats["rate_limited"] > 0  # the limit was reached: the run had to learn it
    assert stats["rate_limited"] / stats["requests"] < 0.05
    assert summary.rate_limited == stats["rate_limited"]


def test_with_no_limit_known_the_first_calls_ramp_up_instead_of_bursting(tmp_path: Path, serve: Any) -> None:
    """Told no limit and stated none, the run sends 1 call, then 2 at a time, then 4: a server
    whose limit is unknown never sees a concurrency's worth of calls before the run knows more."""
    base_url, server = serve(latency=0.05, limit_headers="none")
    with Store(tmp_path / "store.sqlite3") as store:
        copyassist.run_batch(
            write_feed(tmp_path / "feed.csv", 7), tmp_path / "out.csv", template="product-title",
            language="fr", provider="compatible", base_url=base_url, model="fake-model", store=store,
            concurrency=8,
        )  # fmt: skip
    stats = server.stats(prompts=False)
    assert stats["ok"] == stats["requests"] == 7
    assert stats["max_in_flight"] <= 4  # 1 + 2 + 4 calls; a burst after the first would be 6


def test_429s_are_waited_out_beyond_max_attempts_within_the_patience() -> None:
    calls = {"n": 0}

    def call() -> str:
        calls["n"] += 1
        if calls["n"] <= 10:
            raise errors.RateLimitError("slow down", retry_after=0.0)
        return "answer"

    patient = RetryPolicy(max_attempts=2, base_delay=0, max_delay=0, rate_limit_patience=60.0)
    assert call_with_retries(call, patient, sleep=lambda _: None) == "answer"
    assert calls["n"] == 11
    calls["n"] = 0
    with pytest.raises(errors.RateLimitError):  # without patience a 429 is an attempt like any
        call_with_retries(call, RetryPolicy(max_attempts=2, base_delay=0, max_delay=0), sleep=lambda _: None)
    assert calls["n"] == 2


def test_other_failures_still_count_while_429s_are_waited_out() -> None:
    calls = {"n": 0}

    def call() -> str:
        calls["n"] += 1
        if calls["n"] % 2:
            raise errors.RateLimitError("slow down")
        raise errors.ServerError("down", status_code=500)

    patient = RetryPolicy(max_attempts=3, base_delay=0, max_delay=0, rate_limit_patience=60.0)
    with pytest.raises(errors.ServerError):
        call_with_retries(call, patient, sleep=lambda _: None)
    assert calls["n"] == 6  # three 500s, the 429s between them not counted


def test_patience_runs_out() -> None:
    now = {"t": 0.0}
    policy = RetryPolicy(max_attempts=1, rate_limit_patience=25.0, limiter_waits=True)
    tries = retry._Tries(policy, lambda: now["t"])
    waits = []
    while (wait := tries.wait_after(errors.RateLimitError("slow down"))) is not None:
        waits.append(wait)
        now["t"] += 10.0
    assert waits == [0.0, 0.0, 0.0]  # 0, 10, 20 s into the 429s; at 30 s the call gives up
