"""``copyassist batch --via openai-batch`` and ``copyassist runs show``, end to end on the fake
Batch API: what a seller types, what it says at each step, and its exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copyassist.backends import Backend
from copyassist.cli import app
from copyassist.remote import flow
from tests.helpers import write_lamp_feed as write_feed
from tests.remote_fake import FakeBatchAPI, product_name

runner = CliRunner()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeBatchAPI:
    api = FakeBatchAPI(script=("validating", "in_progress", "completed"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

    def client(backend: Backend) -> object:
        return api.client()

    monkeypatch.setattr(flow, "_client", client)
    return api


def test_the_same_command_submits_then_follows_then_writes_the_output(
    tmp_path: Path, fake: FakeBatchAPI
) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    out, db = tmp_path / "out.csv", tmp_path / "store.sqlite3"
    command = ["batch", str(feed), "-t", "product-title", "-l", "fr", "-o", str(out), "--db", str(db),
               "--via", "openai-batch", "-q", "--no-report"]  # fmt: skip
    first = runner.invoke(app, command)
    assert first.exit_code == 3, first.output
    assert "submitted batch_1: 3 requests" in first.output and "run the same command again" in first.output
    run_id = int(first.output.split("run ")[1].split(":")[0])

    offline = runner.invoke(app, ["runs", "show", str(run_id), "--db", str(db), "--no-refresh"])
    assert offline.exit_code == 0 and "batch_1: validating, 0/3 done" in offline.output
    shown = runner.invoke(app, ["runs", "show", str(run_id), "--db", str(db)])  # asks the API
    assert shown.exit_code == 0 and "batch_1: in_progress, 1/3 done" in shown.output
    as_json = json.loads(runner.invoke(app, ["runs", "show", str(run_id), "--db", str(db), "--json"]).output)
    assert as_json["batches"][0]["batch_id"] == "batch_1" and as_json["batches"][0]["status"] == "completed"

    last = runner.invoke(app, command)
    assert last.exit_code == 0, last.output
    assert "3 settled now" in last.output and f"written {out}" in last.output  # collected by runs show
    with out.open(encoding="utf-8", newline="") as handle:
        assert {row["copyassist_status"] for row in csv.DictReader(handle)} == {"ok"}
    shown = runner.invoke(app, ["runs", "show", str(run_id), "--db", str(db)])
    assert "batch_1: completed, 3/3 done" in shown.output
    assert (fake.uploads, fake.creations) == (1, 1)


def test_the_dry_run_prices_a_batch_run_at_half(tmp_path: Path, fake: FakeBatchAPI) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    base = [
        "batch",
        str(feed),
        "-t",
        "product-title",
        "-l",
        "fr",
        "--db",
        str(tmp_path / "s.db"),
        "--dry-run",
    ]

    def cost(output: str) -> float:
        return float(output.split("at most $")[1].split()[0])

    live, batch = runner.invoke(app, base), runner.invoke(app, [*base, "--via", "openai-batch"])
    assert live.exit_code == batch.exit_code == 0
    assert cost(batch.output) == pytest.approx(cost(live.output) / 2, abs=0.0001)  # printed to 4 places
    assert fake.uploads == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--via", "openai-batch", "--no-cache"], "--no-cache does not apply"),
        (["--via", "carrier-pigeon"], "--via takes openai-batch"),
        (["--via", "openai-batch", "--score", "clear"], "--score does not run through a batch engine"),
    ],
)
def test_options_a_batch_engine_run_cannot_take_are_refused_in_one_line(
    tmp_path: Path, fake: FakeBatchAPI, extra: list[str], message: str
) -> None:
    feed = write_feed(tmp_path / "feed.csv", 1)
    result = runner.invoke(
        app, ["batch", str(feed), "-t", "product-title", "--db", str(tmp_path / "s.db"), *extra]
    )
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and fake.uploads == 0


def test_export_then_import_from_the_command_line(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.csv", 2)
    requests, results, out = tmp_path / "requests.jsonl", tmp_path / "results.jsonl", tmp_path / "out.csv"
    base = [
        "batch",
        str(feed),
        "-t",
        "product-title",
        "-l",
        "fr",
        "-o",
        str(out),
        "--db",
        str(tmp_path / "s.db"),
        "--provider",
        "compatible",
        "--model",
        "Qwen/Qwen2.5-7B-Instruct",
        "-q",
        "--no-report",
    ]
    first = runner.invoke(app, [*base, "--export-requests", str(requests)])
    assert first.exit_code == 3, first.output
    assert f"run_batch -i {requests} -o results.jsonl --model Qwen/Qwen2.5-7B-Instruct" in first.output
    lines = []
    for raw in requests.read_text("utf-8").splitlines():
        request = json.loads(raw)
        title = json.dumps({"title": product_name(request["body"])})
        body = {
            "model": request["body"]["model"],
            "usage": {"prompt_tokens": 90, "completion_tokens": 9},
            "choices": [{"message": {"role": "assistant", "content": title}, "finish_reason": "stop"}],
        }
        response = {"status_code": 200, "request_id": "r", "body": body}
        lines.append(
            json.dumps({"id": "x", "custom_id": request["custom_id"], "response": response, "error": None})
        )
    results.write_text("\n".join(lines) + "\n", "utf-8")
    last = runner.invoke(app, [*base, "--import-results", str(results)])
    assert last.exit_code == 0, last.output
    assert "imported 2 answers" in last.output and f"written {out}" in last.output
    with out.open(encoding="utf-8", newline="") as handle:
        assert [row["copyassist_status"] for row in csv.DictReader(handle)] == ["ok", "ok"]
