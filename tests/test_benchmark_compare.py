"""The comparison benchmark's machinery on a tiny size (no speed asserted: the figures must all be
there, as numbers), and the Cookbook-style contender's behaviour on 429s and budgets."""

from __future__ import annotations

import asyncio
import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import compare
import compare_runs
import cookbook_style

BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "- Name: Lampe Lumio\n"}]}


def test_compare_prints_every_figure_as_a_number_with_a_verdict_where_there_is_a_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--rows", "6", "--small-rows", "2", "--concurrency", "3", "--latency", "0.01", "--reps", "1",
            "--limit-rows", "8", "--limit-rpm", "6000"]  # fmt: skip
    report = compare.measure(compare.options(argv))
    names = [f.name for f in report.figures]
    expected = [
        "rows/s: copyassist / bare SDK loop",
        "rows/s: copyassist / Cookbook-style",
        "CPU per row: copyassist / bare SDK loop",
        "CPU per row: copyassist / Cookbook-style",
        "CPU per row, marginal: copyassist / Cookbook-style",
        'time to first request: copyassist batch / python -c "import openai"',
        "rate limit --rpm 6000 told: achieved / limit",
        "rate limit 6000 RPM enforced, not told: achieved / limit",
        "rate limit 6000 RPM enforced, not told: rows failed or missing",
        "control: a sender paced at 0.95 of the limit, achieved / limit",
    ]
    assert set(expected) <= set(names)
    for start, end in (
        ("rate limit --tpm ", " told: achieved / limit"),
        ("rate limit ", " TPM enforced, not told: achieved / limit"),
    ):
        assert any(n.startswith(start) and n.endswith(end) for n in names), (start, end)
    for figure in report.figures:
        assert math.isfinite(figure.value), figure
        assert (figure.passed is None) == (figure.target == ""), figure
    for name in (compare.TOOL, compare.BARE, compare.COOKBOOK):
        row = report.medians[name]
        assert row["requests / row"] == 1.0  # every contender made exactly one call per row
        assert row["rows failed or missing"] == 0
        assert row["time to first request, ms"] > 0 and row["CPU ms per row"] > 0
    assert "prompts the tool sent vs the JSONL the others send: the same" in report.notes
    assert len(report.load_start) == len(report.load_end) == 3

    text = compare.render(report)
    for name in expected:
        assert name in text
    assert "load average at start" in text and "load average at end" in text
    assert ("PASS" in text) or ("FAIL" in text)


def test_the_cookbook_style_processor_pauses_the_whole_loop_after_a_429(tmp_path: Path, serve: Any) -> None:
    base_url, server = serve(reject_first=1)
    out = tmp_path / "out.jsonl"
    bodies = [BODY, {**BODY, "messages": [{"role": "user", "content": "- Name: Cocotte Vidal\n"}]}]
    status = asyncio.run(
        cookbook_style.process(bodies, out, base_url=base_url, max_in_flight=1, pause_after_429=0.6)
    )
    times = server.stats(prompts=False, times=True)["request_times"]
    assert status.rate_limited == 1 and status.ok == 2 and status.failed == 0 and status.pauses >= 1
    assert len(times) == 3  # the refused one, its retry, the other row
    assert times[1] - times[0] >= 0.6  # nothing was sent during the pause
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r[0]["messages"][0]["content"] for r in records) == sorted(
        b["messages"][0]["content"] for b in bodies
    )


def test_the_cookbook_style_processor_gives_up_on_a_row_after_its_attempts(
    tmp_path: Path, serve: Any
) -> None:
    base_url, _ = serve(reject_first=10)
    out = tmp_path / "out.jsonl"
    status = asyncio.run(
        cookbook_style.process([BODY], out, base_url=base_url, max_attempts=2, pause_after_429=0.0)
    )
    assert (status.ok, status.failed, status.rate_limited) == (0, 1, 2)
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(record[1]) == 2  # both errors kept with the failed request


def test_the_token_bucket_refills_at_its_rate_and_holds_a_minute_at_most() -> None:
    bucket = cookbook_style.TokenBucket(120, now=0.0)
    assert bucket.has(120) and not bucket.has(121)
    bucket.take(120)
    bucket.refill(now=1.0)  # 120 a minute: 2 a second
    assert bucket.has(2) and not bucket.has(2.01)
    bucket.refill(now=600.0)
    assert bucket.level == 120


def test_the_steady_rate_leaves_out_the_ramp_and_the_tail() -> None:
    times = [0.0, 0.01, 0.02] + [1.0 + i * 0.5 for i in range(17)] + [30.0, 40.0]  # 2 a second between
    assert compare_runs.steady_rate(times, trim=0.15) == pytest.approx(120.0)
    assert compare_runs.steady_rate([1.0, 2.0]) is None
    tokens = [1000] * 3 + [50] * 17 + [1000] * 2  # only the steady part's tokens count
    assert compare_runs.steady_rate(times, tokens, trim=0.15) == pytest.approx(50 * 120.0)


def test_the_fake_server_stamps_every_request_and_only_the_admitted_ones_as_admitted(serve: Any) -> None:
    import urllib.error
    import urllib.request

    base_url, server = serve(rpm=60, window=1.0)  # one request in any second
    statuses = []
    for _ in range(3):
        request = urllib.request.Request(
            base_url + "/chat/completions", data=json.dumps(BODY).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as refused:
            statuses.append(refused.code)
    stats = server.stats(prompts=False, times=True)
    assert statuses == [200, 429, 429]
    assert len(stats["request_times"]) == 3 and len(stats["admitted_times"]) == 1
    assert stats["first_request_at"] == stats["request_times"][0] <= stats["admitted_times"][0]
    assert stats["last_ok_at"] >= stats["first_request_at"]
    server.reset()
    assert server.stats(times=True)["first_request_at"] is None
