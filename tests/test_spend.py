"""Spend counted, caps honest: every call's tokens are counted (failed rows too), ``max_cost`` is
never crossed, the dry run's "at most" holds, and identical rows in flight share one call."""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from pathlib import Path

import httpx
import pytest
import respx
from typer.testing import CliRunner

from copyassist import errors
from copyassist.attempts import PROBLEMS_MAX_BYTES, reask_bound, run_attempts
from copyassist.backends import Completion, OpenAIBackend, OutputSpec, Prompt, Usage
from copyassist.backends.retry import RetryPolicy
from copyassist.batch.api import dry_run, run_batch
from copyassist.batch.limiter import RateLimiter
from copyassist.batch.pacing import PacedBackend
from copyassist.batch.store import Store
from copyassist.budget import CostCap
from copyassist.cli import app
from copyassist.drafts.study import estimate_study, study
from copyassist.pipeline import generate
from copyassist.prices import estimate_cost
from copyassist.rules.base import Violation
from copyassist.templates import load_template
from copyassist.tokens import count_message_tokens
from tests.helpers import FakeBackend

CHAT = "https://api.openai.com/v1/chat/completions"
MODEL = "gpt-4.1-mini"
PRODUCT = {"title": "Lampe de bureau LED", "brand": "Lumio", "category": "Luminaires"}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


def write_feed(path: Path, rows: int, same: bool = False) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "brand", "category"])
        for number in range(rows):
            name = "Lampe de bureau LED" if same else f"Lampe de bureau LED modèle {number}"
            writer.writerow([name, "Lumio", "Luminaires"])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Server:
    """A provider that bills honestly what it reports: the prompt it was sent, counted, and all
    of its max_tokens for an answer that never parses (the worst case of every call)."""

    def __init__(self) -> None:
        self.billed = 0.0
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.calls += 1
        prompt = count_message_tokens(body["messages"], MODEL).tokens
        completion = int(body.get("max_completion_tokens") or body.get("max_tokens"))
        self.billed += estimate_cost(MODEL, prompt, completion) or 0.0
        # no JSON, a different text each time: every row takes all its attempts
        content = f"Voici des puces ({self.calls}), " * 60
        return httpx.Response(200, json={
            "id": "c", "object": "chat.completion", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        })  # fmt: skip


def paced() -> PacedBackend:
    inner = OpenAIBackend(model=MODEL, api_key="sk-test-key-123")
    return PacedBackend(inner, RateLimiter(None, None), RetryPolicy(max_attempts=1))


# -- every call counted -------------------------------------------------------------------------


def test_an_output_error_carries_every_attempts_usage() -> None:
    backend = FakeBackend([f"not json at all ({n})" for n in range(3)])  # each call: Usage(100, 20)
    with pytest.raises(errors.OutputError) as raised:
        generate("bullets", PRODUCT, backend=backend, language="fr", max_attempts=3)
    assert len(backend.calls) == 3
    assert raised.value.usage == Usage(300, 60)


class AnswersThenFails(FakeBackend):
    """One answer that does not parse, then a server that fails."""

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        if self.calls:
            self.calls.append([])
            raise errors.ServerError("the model server failed (500: boom)", status_code=500)
        return super().complete(prompt)


def test_an_error_after_a_completed_answer_keeps_what_the_answer_cost() -> None:
    backend = AnswersThenFails(["not json"])
    with pytest.raises(errors.ServerError) as raised:
        generate("bullets", PRODUCT, backend=backend, language="fr", max_attempts=3)
    assert raised.value.usage == Usage(100, 20)


class Filtered(FakeBackend):
    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        self.calls.append([])
        raise errors.ContentFilterError("filtered", usage=Usage(50, 7))


def test_a_filtered_answer_is_counted() -> None:
    with pytest.raises(errors.ContentFilterError) as raised:
        generate("bullets", PRODUCT, backend=Filtered([]), language="fr")
    assert raised.value.usage == Usage(50, 7)


class Priced(FakeBackend):
    name = "openai"
    model = MODEL


def test_rows_whose_answers_never_parse_are_counted_in_row_run_and_store(
    tmp_path: Path, store: Store
) -> None:
    backend = Priced([f"not json ({n})" for n in range(6)])  # never the same: no repeat ends a row
    feed = write_feed(tmp_path / "feed.csv", 2)
    summary = run_batch(feed, tmp_path / "out.csv", template="bullets", backend=backend, store=store,
                        concurrency=1)  # fmt: skip
    assert summary.totals.counts["failed"] == 2 and len(backend.calls) == 6
    assert summary.totals.usage == Usage(600, 120)
    expected = estimate_cost(MODEL, 600, 120)
    assert expected and summary.totals.cost == pytest.approx(expected)
    run = store.get_run(summary.run_id)
    assert (run.input_tokens, run.output_tokens) == (600, 120)
    assert run.cost == pytest.approx(expected)
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute("SELECT input_tokens, output_tokens, cost FROM run_rows ORDER BY row_number")
        per_row = rows.fetchall()
    assert [r[:2] for r in per_row] == [(300, 60), (300, 60)] and all(r[2] for r in per_row)


def test_a_version_1_store_gets_the_spend_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE run_rows (run_id INTEGER NOT NULL, row_number INTEGER NOT NULL, key TEXT,"
            " status TEXT NOT NULL, error TEXT, PRIMARY KEY (run_id, row_number)) WITHOUT ROWID"
        )
        conn.execute("INSERT INTO run_rows VALUES (1, 1, 'k', 'ok', NULL)")
        conn.execute("PRAGMA user_version = 1")
    Store(path).close()
    with sqlite3.connect(path) as conn:
        spend = conn.execute("SELECT input_tokens, output_tokens, cost FROM run_rows").fetchall()
    assert spend == [(0, 0, None)]


# -- the cap holds, and so does the dry run -----------------------------------------------------


def test_a_capped_run_never_spends_over_the_cap(
    tmp_path: Path, store: Store, respx_mock: respx.MockRouter
) -> None:
    server = Server()
    respx_mock.post(CHAT).mock(side_effect=server)
    feed = write_feed(tmp_path / "feed.csv", 12)
    cap = 0.01
    summary = run_batch(feed, tmp_path / "out.csv", template="bullets", backend=paced(), store=store,
                        concurrency=4, max_cost=cap)  # fmt: skip
    assert server.calls > 0 and summary.totals.stopped and "max_cost" in summary.totals.stopped
    assert server.billed <= cap
    assert summary.totals.cost == pytest.approx(server.billed)  # what the run says it spent
    rows = read_csv(tmp_path / "out.csv")
    assert len(rows) == 12
    assert any("max_cost" in r["copyassist_error"] for r in rows)


def test_the_dry_run_is_at_least_what_the_run_spends(
    tmp_path: Path, store: Store, respx_mock: respx.MockRouter
) -> None:
    server = Server()
    respx_mock.post(CHAT).mock(side_effect=server)
    feed = write_feed(tmp_path / "feed.csv", 5)
    estimate = dry_run(feed, template="bullets", backend=paced().inner, store=store)
    assert server.calls == 0 and estimate.cost is not None
    summary = run_batch(feed, tmp_path / "out.csv", template="bullets", backend=paced(), store=store,
                        concurrency=2)  # fmt: skip
    assert server.calls == 15 and summary.totals.counts["failed"] == 5
    assert estimate.cost >= server.billed
    assert estimate.cost < 3 * server.billed  # an honest bound, not an alarm


def test_a_reask_lists_its_problems_within_a_bound() -> None:
    """The dry run's bound on a re-ask holds however many problems an answer has."""
    model = load_template("bullets", "fr").output_model
    messages = [{"role": "user", "content": "Écris"}]
    prompt = Prompt(messages, OutputSpec("Bullets", {}), {"max_tokens": 900}, "fr")
    many = [Violation("rule", "error", "bullets", "far too long " * 20, "é" * 200) for _ in range(50)]
    steps = run_attempts(prompt, model, "fr", max_attempts=2, validate=lambda output: many)
    next(steps)
    answer = Completion(json.dumps({"bullets": ["Pince solide"]}), MODEL, Usage(10, 5))
    reask = steps.send(answer)
    repair = reask.followups[-1]["content"]
    assert len(repair.encode("utf-8")) <= PROBLEMS_MAX_BYTES + 200 and repair.endswith("rien d'autre.")
    handed_back = len(reask.followups[0]["content"].encode("utf-8"))
    assert reask_bound("fr", 900) >= min(900, handed_back) + len(repair.encode("utf-8"))


# -- rows that share a key share the call -------------------------------------------------------


class Slow(Priced):
    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        await asyncio.sleep(0.02)
        return self.complete(prompt)


def test_twenty_identical_rows_pay_for_one(tmp_path: Path, store: Store) -> None:
    answer = {"bullets": ["Éclairage LED réglable", "Pince solide", "Faible consommation"]}
    backend = Slow([answer])
    feed = write_feed(tmp_path / "feed.csv", 20, same=True)
    summary = run_batch(feed, tmp_path / "out.csv", template="bullets", backend=backend, store=store)
    rows = read_csv(tmp_path / "out.csv")
    assert len(rows) == 20 and len({r["copyassist_bullets"] for r in rows}) == 1
    assert len(backend.calls) == 1, "one call for the first row, none for the 19 the same"
    assert summary.totals.cached == 19
    statuses = {r["copyassist_status"] for r in rows}
    assert len(statuses) == 1 and statuses != {"failed"}
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM run_rows").fetchone()[0] == 20


def test_twenty_identical_failing_rows_make_one_rows_calls(tmp_path: Path, store: Store) -> None:
    backend = Slow([f"not json ({n})" for n in range(3)])
    feed = write_feed(tmp_path / "feed.csv", 20, same=True)
    summary = run_batch(feed, tmp_path / "out.csv", template="bullets", backend=backend, store=store)
    assert len(backend.calls) == 3, "three attempts for the first row, none for the others"
    assert summary.totals.counts["failed"] == 20
    rows = read_csv(tmp_path / "out.csv")
    assert all("the same product as row 1" in r["copyassist_error"] for r in rows[1:])
    assert summary.totals.usage == Usage(300, 60)


def test_a_cap_with_nothing_in_flight_refuses_at_once() -> None:
    """Reservations are floats: their sum need not come back to 0; a refusal must not wait."""
    cap = CostCap(0.01)

    async def spend() -> None:
        for _ in range(7):
            await cap.areserve(0.0013)
            cap.settle(0.0013, 0.0001)
        with pytest.raises(errors.CostCapReached, match=r"max_cost 0\.01"):
            await asyncio.wait_for(cap.areserve(0.0095), timeout=1)

    asyncio.run(spend())
    assert cap.spent == pytest.approx(0.0007) and cap.in_flight == 0


# -- study: a dry run and a cap too -------------------------------------------------------------


class StudyServer(Server):
    """Valid sections (built from the request's schema), billed at all of their max_tokens."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        from tests.test_study import sample

        body = json.loads(request.content)
        self.calls += 1
        prompt = count_message_tokens(body["messages"], MODEL).tokens
        completion = int(body.get("max_completion_tokens") or body.get("max_tokens"))
        self.billed += estimate_cost(MODEL, prompt, completion) or 0.0
        schema = body["response_format"]["json_schema"]["schema"]
        content = json.dumps(sample(schema, schema.get("$defs", {})), ensure_ascii=False)
        return httpx.Response(200, json={
            "id": "c", "object": "chat.completion", "created": 1, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        })  # fmt: skip


STUDY_SECTIONS = ["trends", "behaviour", "demographics", "swot", "summary"]


def test_the_study_dry_run_calls_nothing_and_bounds_the_spend(respx_mock: respx.MockRouter) -> None:
    server = StudyServer()
    respx_mock.post(CHAT).mock(side_effect=server)
    backend = OpenAIBackend(model=MODEL, api_key="sk-test-key-123", retry=RetryPolicy(max_attempts=1))
    estimate = estimate_study("montres connectées", language="fr", sections=STUDY_SECTIONS, backend=backend)
    assert server.calls == 0 and estimate.sections == 5 and estimate.cost
    result = study("montres connectées", language="fr", sections=STUDY_SECTIONS, backend=backend)
    assert server.calls == 5 and all(s.output is not None for s in result.sections)
    assert estimate.cost >= server.billed
    assert result.cost == pytest.approx(server.billed)


def test_a_study_with_a_cap_never_spends_over_it(respx_mock: respx.MockRouter) -> None:
    server = StudyServer()
    respx_mock.post(CHAT).mock(side_effect=server)
    backend = OpenAIBackend(model=MODEL, api_key="sk-test-key-123", retry=RetryPolicy(max_attempts=1))
    result = study("montres connectées", language="fr", sections=STUDY_SECTIONS, backend=backend,
                   max_cost=0.01)  # fmt: skip
    written = [s for s in result.sections if s.output is not None]
    assert 1 <= len(written) < 5 and server.billed <= 0.01
    assert any("max_cost" in (s.error or "") for s in result.sections)


def test_cli_study_dry_run_and_max_cost(
    monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-key")
    server = StudyServer()
    respx_mock.post(CHAT).mock(side_effect=server)
    args = ["study", "--category", "montres connectées", "--sections", ",".join(STUDY_SECTIONS),
            "--lang", "fr", "--model", MODEL]  # fmt: skip
    dry = CliRunner().invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "5 sections to write" in dry.output and "at most $" in dry.output and server.calls == 0
    capped = CliRunner().invoke(app, [*args, "--max-cost", "0.01"])
    assert capped.exit_code == 3, capped.output
    assert "stopped early" in capped.output and server.billed <= 0.01


def test_cli_batch_dry_run_counts_the_attempts_asked_for(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    args = ["batch", str(feed), "-t", "bullets", "--dry-run", "--db", str(tmp_path / "s.db")]
    server = ["--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    with respx.mock:  # any call would fail: nothing is mocked
        one = CliRunner().invoke(app, [*args, *server, "--attempts", "1"])
        three = CliRunner().invoke(app, [*args, *server, "--attempts", "3"])
    assert one.exit_code == 0 and three.exit_code == 0, one.output + three.output

    def output_tokens(text: str) -> int:
        return int(text.split("output tokens at most: ")[1].split()[0])

    assert output_tokens(three.output) == 3 * output_tokens(one.output) == 3 * 3 * 900


def test_a_cap_on_a_model_with_no_known_price_is_refused_before_any_call(
    tmp_path: Path, store: Store, respx_mock: respx.MockRouter
) -> None:
    server = Server()
    respx_mock.post(CHAT).mock(side_effect=server)
    unpriced = OpenAIBackend(model="no-such-price", api_key="sk-test-key-123")
    with pytest.raises(errors.ConfigError, match="no-such-price"):
        run_batch(write_feed(tmp_path / "feed.csv", 2), tmp_path / "out.csv", template="bullets",
                  backend=unpriced, store=store, max_cost=0.0)  # fmt: skip
    assert server.calls == 0


def test_a_study_dry_run_for_openai_needs_no_key() -> None:
    args = ["study", "--category", "montres connectées", "--sections", ",".join(STUDY_SECTIONS),
            "--lang", "fr", "--provider", "openai", "--model", MODEL, "--dry-run"]  # fmt: skip
    with respx.mock:  # nothing is mocked: any call would fail
        dry = CliRunner().invoke(app, args)
    assert dry.exit_code == 0, dry.output
    assert "5 sections to write" in dry.output and "at most $" in dry.output
