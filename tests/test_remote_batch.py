"""``--via openai-batch``: rows through the OpenAI Batch API (a fake of /v1/files and /v1/batches
driven by the real SDK), followed, collected, repaired, resumed after a kill, and written."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from copyassist.backends import OpenAIBackend
from copyassist.batch.store import Store
from copyassist.remote import RemoteReport, remote_batch
from tests.remote_fake import DEFAULT_SCRIPT, Fail, FakeBatchAPI, echo_title, product_name

MODEL = "gpt-4.1-mini"


def write_feed(path: Path, names: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "category"])
        for number, name in enumerate(names):
            writer.writerow([f"SKU-{number}", name, "Lumio", "Luminaires"])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


NAMES = [f"Lampe de bureau LED modèle {n}" for n in range(5)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


def step(tmp_path: Path, store: Store, fake: FakeBatchAPI, feed: Path, **options: Any) -> RemoteReport:
    backend = OpenAIBackend(name="openai", model=MODEL, api_key="sk-test")
    return remote_batch(
        feed,
        tmp_path / "out.csv",
        template="product-title",
        via="openai-batch",
        client=fake.client(),
        backend=backend,
        store=store,
        language="fr",
        **options,
    )


def test_a_batch_walks_to_completed_and_its_rows_are_written_failed_lines_failing(
    tmp_path: Path, store: Store
) -> None:
    def answer(body: dict[str, Any]) -> str | Fail:
        name = product_name(body)
        return Fail("the model is overloaded") if name.endswith("3") else echo_title(body)

    fake = FakeBatchAPI(answer=answer)
    feed = write_feed(tmp_path / "feed.csv", [*NAMES, NAMES[0]])  # the last row: the same as the first

    first = step(tmp_path, store, fake, feed)
    assert first.summary is None and first.counts.wanted == 5
    assert [b.status for b in first.submitted] == ["validating"] and first.submitted[0].request_count == 5
    uploaded = fake.requests_of(first.submitted[0].file_id or "")
    assert {line["url"] for line in uploaded} == {"/v1/chat/completions"}
    assert {line["body"]["model"] for line in uploaded} == {MODEL}
    assert not (tmp_path / "out.csv").exists()

    seen = [step(tmp_path, store, fake, feed).open_batches[0].status for _ in range(2)]
    assert seen == ["in_progress", "finalizing"]
    assert (fake.uploads, fake.creations) == (1, 1)  # followed, never sent again

    last = step(tmp_path, store, fake, feed)
    assert last.summary is not None
    rows = read_csv(tmp_path / "out.csv")
    assert [r["copyassist_status"] for r in rows] == ["ok", "ok", "ok", "failed", "ok", "ok"]
    assert rows[5]["copyassist_title"] == NAMES[0]
    assert "overloaded" in rows[3]["copyassist_error"]
    assert last.summary.totals.failures[0][0] == 4  # row numbers count the header
    assert (fake.uploads, fake.creations) == (1, 1)
    stored = [store.get(k) for (k,) in store.connection.execute("SELECT key FROM results")]
    assert (
        len(stored) == 5
    )  # six keys (the skus differ), one failed; the sixth row shared the first's request
    assert all(
        s is not None and s.cost == pytest.approx((100 * 0.2 + 10 * 0.8) / 1e6) for s in stored
    )  # batch price


def test_an_expired_batch_sends_its_unfinished_requests_again(tmp_path: Path, store: Store) -> None:
    fake = FakeBatchAPI(script=("validating", "expired"))
    feed = write_feed(tmp_path / "feed.csv", NAMES)
    step(tmp_path, store, fake, feed)
    fake.script = DEFAULT_SCRIPT  # the batch sent again runs to the end
    again = step(tmp_path, store, fake, feed)
    assert again.collected[0].status == "expired"
    assert sum(again.counts.settled.values()) == 3  # the half the expired batch ran
    assert [b.request_count for b in again.submitted] == [2]
    for _ in range(3):
        last = step(tmp_path, store, fake, feed)
    assert last.summary is not None and {r["copyassist_status"] for r in read_csv(tmp_path / "out.csv")} == {
        "ok"
    }
    assert fake.creations == 2


def test_a_refused_batch_is_sent_again_and_its_request_file_kept_until_collected(
    tmp_path: Path, store: Store
) -> None:
    fake = FakeBatchAPI(script=("validating", "failed"))
    feed = write_feed(tmp_path / "feed.csv", NAMES)
    first = step(tmp_path, store, fake, feed)
    request_file = Path(first.submitted[0].path or "")
    assert request_file.is_file()
    fake.script = ("validating", "completed")
    again = step(tmp_path, store, fake, feed)
    assert again.collected[0].status == "failed" and "token_limit_exceeded" in (again.collected[0].note or "")
    assert [b.request_count for b in again.submitted] == [5] and not request_file.exists()
    last = step(tmp_path, store, fake, feed)
    assert last.summary is not None and fake.creations == 2


def test_killed_between_submit_and_collect_a_second_run_sends_nothing_again(tmp_path: Path) -> None:
    fake = FakeBatchAPI()
    feed = write_feed(tmp_path / "feed.csv", NAMES)
    with Store(tmp_path / "store.sqlite3") as first:
        step(tmp_path, first, fake, feed)
    for _ in range(3):  # another process: its own store connection and SDK client
        with Store(tmp_path / "store.sqlite3") as later:
            report = step(tmp_path, later, fake, feed)
    assert report.summary is not None and len(read_csv(tmp_path / "out.csv")) == 5
    assert (fake.uploads, fake.creations) == (1, 1)


@pytest.mark.parametrize("route", ["upload", "create"])
def test_killed_inside_an_upload_or_a_creation_the_next_run_finds_it(
    tmp_path: Path, store: Store, route: str
) -> None:
    fake = FakeBatchAPI(crash={route: KeyboardInterrupt()})  # the engine did it; the run died before hearing
    feed = write_feed(tmp_path / "feed.csv", NAMES)
    with pytest.raises(KeyboardInterrupt):
        step(tmp_path, store, fake, feed)
    resumed = step(tmp_path, store, fake, feed)
    assert resumed.submitted and resumed.submitted[0].batch_id == "batch_1"
    assert (fake.uploads, fake.creations) == (1, 1)


def malformed_first(body: dict[str, Any]) -> str:
    """A cut JSON object on the first ask; a good answer on a re-ask (it follows an answer)."""
    if any(m["role"] == "assistant" for m in body["messages"]):
        return echo_title(body)
    return '{"title": "Lampe'


def test_answers_that_do_not_validate_are_asked_again_in_a_second_round(tmp_path: Path, store: Store) -> None:
    fake = FakeBatchAPI(answer=malformed_first, script=("validating", "completed"))
    feed = write_feed(tmp_path / "feed.csv", NAMES)
    step(tmp_path, store, fake, feed)
    second = step(tmp_path, store, fake, feed)
    assert second.summary is None and [b.request_count for b in second.submitted] == [5]
    assert all(
        any(m["role"] == "assistant" for m in r["body"]["messages"])
        for r in fake.requests_of(second.submitted[0].file_id or "")
    )
    last = step(tmp_path, store, fake, feed)
    assert last.summary is not None
    assert {r["copyassist_status"] for r in read_csv(tmp_path / "out.csv")} == {"repaired"}
    assert fake.creations == 2


def worst_costs(store: Store) -> list[float]:
    return [
        row[0]
        for row in store.connection.execute("SELECT worst_cost FROM remote_requests WHERE state = 'sent'")
    ]


def test_max_cost_sends_only_the_requests_whose_worst_case_fits(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", NAMES)
    with Store(tmp_path / "other.sqlite3") as other:
        step(tmp_path, other, FakeBatchAPI(), feed, max_cost=100.0)
        worst = max(worst_costs(other))
    assert 0 < worst < 0.01  # at batch prices: the prompt and max_tokens, at half the rates
    fake = FakeBatchAPI()
    report = step(tmp_path, store, fake, feed, max_cost=worst * 2.5)
    assert [b.request_count for b in report.submitted] == [2] and report.held_back == 3
    assert sum(worst_costs(store)) <= worst * 2.5


def test_a_store_that_never_ran_a_remote_batch_has_no_remote_tables(tmp_path: Path) -> None:
    with Store(tmp_path / "plain.sqlite3") as plain:
        tables = {row[0] for row in plain.connection.execute("SELECT name FROM sqlite_master")}
    assert not any(name.startswith("remote_") for name in tables)


def test_the_request_lines_are_the_bodies_a_live_call_sends(tmp_path: Path, store: Store) -> None:
    fake = FakeBatchAPI()
    feed = write_feed(tmp_path / "feed.csv", NAMES[:1])
    report = step(tmp_path, store, fake, feed)
    line = fake.requests_of(report.submitted[0].file_id or "")[0]
    body = line["body"]
    assert body["response_format"]["type"] == "json_schema" and "max_completion_tokens" in body
    assert json.loads(fake.files[report.submitted[0].file_id or ""]["content"].splitlines()[0]) == line
