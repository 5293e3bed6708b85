"""Request files: cut to the Batch API's limits, exported for vLLM's ``run_batch`` and its results
imported back (validated, repaired in a second round or live, stored and written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from copyassist import errors
from copyassist.backends import Completion, OpenAIBackend, Prompt, Usage, build_request
from copyassist.backends.base import StructuredMode
from copyassist.backends.retry import RetryPolicy
from copyassist.batch.store import Store
from copyassist.remote import FileLimits, RemoteReport, remote_batch
from copyassist.remote.answers import from_output_line
from copyassist.remote.requests import custom_id, request_line, split_lines
from tests.helpers import write_lamp_feed as write_feed
from tests.remote_fake import FakeBatchAPI, echo_title, product_name

MODEL = "Qwen/Qwen2.5-7B-Instruct"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


# -- the splitter ---------------------------------------------------------------------------


def test_a_120000_request_plan_goes_out_in_three_files_of_at_most_50000() -> None:
    lines = ((f"id{n}", b'{"custom_id":"id%d"}\n' % n) for n in range(120_000))
    files = list(split_lines(lines))
    assert [len(f) for f in files] == [50_000, 50_000, 20_000]
    assert [c for f in files for c, _ in f] == [f"id{n}" for n in range(120_000)]  # order kept, none lost


def test_a_file_is_cut_before_it_would_pass_the_byte_limit() -> None:
    lines = [(f"id{n}", b"x" * 99 + b"\n") for n in range(10)]  # 100 bytes each
    files = list(split_lines(lines, FileLimits(requests=50_000, bytes=350)))
    assert [len(f) for f in files] == [3, 3, 3, 1]
    assert all(sum(len(line) for _, line in f) <= 350 for f in files)
    with pytest.raises(ValueError, match="more than a whole file"):
        list(split_lines([("big", b"x" * 400)], FileLimits(bytes=350)))


def test_the_real_planner_path_splits_a_feed_into_files_at_the_limit(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", 1_200)
    fake = FakeBatchAPI()
    backend = OpenAIBackend(name="openai", model="gpt-4.1-mini", api_key="sk-test")
    report = remote_batch(
        feed,
        tmp_path / "out.csv",
        template="product-title",
        via="openai-batch",
        client=fake.client(),
        backend=backend,
        store=store,
        language="fr",
        limits=FileLimits(requests=500),
    )
    assert [b.request_count for b in report.submitted] == [500, 500, 200]
    sent = [line["custom_id"] for b in report.submitted for line in fake.requests_of(b.file_id or "")]
    assert len(sent) == len(set(sent)) == 1_200


# -- export and import ----------------------------------------------------------------------


def vllm_results(requests: Path, answer: Any = echo_title) -> list[str]:
    """What vLLM's run_batch writes for a request file: one BatchRequestOutput per line."""
    out = []
    for number, raw in enumerate(requests.read_text("utf-8").splitlines()):
        request = json.loads(raw)
        body = {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": 1,
            "model": request["body"]["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer(request["body"])},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132},
        }
        out.append(
            json.dumps(
                {
                    "id": f"vllm-{number}",
                    "custom_id": request["custom_id"],
                    "response": {"status_code": 200, "request_id": f"vllm-batch-{number}", "body": body},
                    "error": None,
                }
            )
        )
    return out


def exported(tmp_path: Path, store: Store, feed: Path, **options: Any) -> RemoteReport:
    return remote_batch(
        feed,
        tmp_path / "out.csv",
        template="product-title",
        model=MODEL,
        provider="compatible",
        store=store,
        language="fr",
        **options,
    )


def test_export_then_import_writes_the_output_and_makes_no_call(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", 4)
    requests = tmp_path / "requests.jsonl"
    first = exported(tmp_path, store, feed, export_requests=requests)
    assert first.exported == 4 and first.summary is None and not (tmp_path / "out.csv").exists()
    lines = [json.loads(raw) for raw in requests.read_text("utf-8").splitlines()]
    assert {(r["method"], r["url"], r["body"]["model"]) for r in lines} == {
        ("POST", "/v1/chat/completions", MODEL)
    }
    assert all(r["custom_id"] == custom_id(r["body"]) for r in lines)
    assert "max_tokens" in lines[0]["body"] and lines[0]["body"]["response_format"]["type"] == "json_schema"

    again = exported(tmp_path, store, feed, export_requests=tmp_path / "again.jsonl")  # lost, written again
    assert again.exported == 4 and (tmp_path / "again.jsonl").read_bytes() == requests.read_bytes()

    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(vllm_results(requests)) + "\n", "utf-8")
    done = exported(tmp_path, store, feed, import_results=results)
    assert done.imported == 4 and done.summary is not None
    rows = read_csv(tmp_path / "out.csv")
    assert [r["copyassist_title"] for r in rows] == [r["title"] for r in rows]
    assert {r["copyassist_status"] for r in rows} == {"ok"}


def test_an_imported_answer_that_does_not_validate_is_exported_again_as_a_reask(
    tmp_path: Path, store: Store
) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    round1, round2 = tmp_path / "round1.jsonl", tmp_path / "round2.jsonl"
    exported(tmp_path, store, feed, export_requests=round1)

    def first_bad(body: dict[str, Any]) -> str:
        return '{"title": ""}' if product_name(body).endswith("1") else echo_title(body)

    results1 = tmp_path / "results1.jsonl"
    results1.write_text("\n".join(vllm_results(round1, first_bad)) + "\n", "utf-8")
    second = exported(tmp_path, store, feed, import_results=results1, export_requests=round2)
    assert second.exported == 1 and second.summary is None
    reask = json.loads(round2.read_text("utf-8"))
    assert [m["role"] for m in reask["body"]["messages"]][-2:] == ["assistant", "user"]

    results2 = tmp_path / "results2.jsonl"
    results2.write_text("\n".join(vllm_results(round2)) + "\n", "utf-8")
    last = exported(tmp_path, store, feed, import_results=results2)
    assert last.summary is not None
    assert [r["copyassist_status"] for r in read_csv(tmp_path / "out.csv")] == ["ok", "repaired", "ok"]


class LiveEcho:
    """A live backend for the re-asks: answers with the product's name, counts its calls."""

    name = "compatible"
    model = MODEL

    def __init__(self) -> None:
        self.calls = 0

    @property
    def structured_mode(self) -> StructuredMode:
        return "json_schema"

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        self.calls += 1
        body = build_request(prompt, self.structured_mode).body(self.model)
        return Completion(echo_title(body), self.model, Usage(150, 12), "stop")

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return self.complete(prompt)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def test_repair_live_makes_the_reasks_at_once_and_keeps_their_answers(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    requests = tmp_path / "requests.jsonl"
    live = LiveEcho()
    remote_batch(
        feed,
        tmp_path / "out.csv",
        template="product-title",
        backend=live,
        store=store,
        language="fr",
        export_requests=requests,
    )
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(vllm_results(requests, lambda body: '{"title": "Lampe')) + "\n", "utf-8")
    report = remote_batch(
        feed,
        tmp_path / "out.csv",
        template="product-title",
        backend=live,
        store=store,
        language="fr",
        import_results=results,
        repair_live=True,
    )
    assert report.summary is not None and report.repaired_live == 3 and live.calls == 3
    assert {r["copyassist_status"] for r in read_csv(tmp_path / "out.csv")} == {"repaired"}
    again = remote_batch(
        feed,
        tmp_path / "again.csv",
        template="product-title",
        backend=live,
        store=store,
        language="fr",
        import_results=results,
        repair_live=True,
    )
    assert again.summary is not None and live.calls == 3  # answered from the store: no call


def test_a_results_file_that_is_not_one_is_refused_whole(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", 2)
    requests = tmp_path / "requests.jsonl"
    exported(tmp_path, store, feed, export_requests=requests)
    results = tmp_path / "results.jsonl"
    results.write_text(vllm_results(requests)[0] + "\nnot json\n", "utf-8")
    with pytest.raises(errors.InputError, match="line 2 is not JSON"):
        exported(tmp_path, store, feed, import_results=results)
    assert (
        store.connection.execute("SELECT count(*) FROM remote_requests WHERE state = 'answered'").fetchone()[
            0
        ]
        == 0
    )


def test_output_lines_read_like_live_responses() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    cut = {
        "custom_id": "a",
        "response": {
            "status_code": 200,
            "body": {
                "model": "m",
                "choices": [{"message": {"content": '{"ti'}, "finish_reason": "length"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 7},
            },
        },
        "error": None,
    }
    assert from_output_line(cut)[1] == {
        "kind": "truncated",
        "text": '{"ti',
        "model": "m",
        "finish_reason": "length",
        "input_tokens": 5,
        "output_tokens": 7,
    }
    expired = {"custom_id": "b", "response": None, "error": {"code": "batch_expired", "message": "late"}}
    assert from_output_line(expired) == ("b", None)
    refused = {
        "custom_id": "c",
        "response": {"status_code": 400, "body": {"error": {"message": "bad model"}}},
    }
    assert from_output_line(refused)[1] == {"kind": "failed", "error": "status 400: bad model"}
    assert request_line(body).endswith(b"\n") and json.loads(request_line(body))["custom_id"] == custom_id(
        body
    )
