"""Model-graded scores, the library side: the grading requests (mocked with respx on the real
openai SDK path), repairs, the store that keeps grades, and the batch hook."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import copyassist
from copyassist import errors
from copyassist.backends import OpenAIBackend
from copyassist.backends.retry import RetryPolicy
from copyassist.batch.model import RowOutcome
from copyassist.batch.settings import BatchTotals
from copyassist.batch.store import Store
from copyassist.feeds import FeedRow
from copyassist.scoring.criteria import known_criteria, listing_text, parse_criteria
from copyassist.scoring.rows import RowGrader
from copyassist.scoring.store import ScoreStore, scores_for
from copyassist.status import Status
from tests.helpers import FakeBackend

API = "https://api.openai.com/v1/chat/completions"
FEED = (
    "sku,title,description,brand\n"
    "A1,Lampe de bureau LED à intensité réglable,Une lampe de bureau pratique avec trois niveaux de "
    "lumière et un bras orientable pour travailler le soir.,Lumo\n"
    "B2,Stainless steel water bottle 750 ml,A double-walled bottle that keeps drinks cold for a full "
    "day and fits in every bike holder.,Hydra\n"
)


def chat(content: str, prompt_tokens: int = 300, completion_tokens: int = 20) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }  # fmt: skip


def grade(score: int, reason: str = "Clear and precise.") -> str:
    return json.dumps({"score": score, "reason": reason})


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.csv"
    path.write_text(FEED, encoding="utf-8")
    return path


@pytest.fixture
def backend() -> OpenAIBackend:
    return OpenAIBackend(name="openai", model="gpt-4.1-mini", api_key="sk-test",
                         retry=RetryPolicy(max_attempts=1, base_delay=0.0, max_delay=0.0))  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def sent(route: respx.Route) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


def test_the_bundled_criteria_have_a_rubric_in_french_and_english() -> None:
    assert known_criteria() == ["clear", "persona-fit", "persuasive", "seo"]
    for criterion in known_criteria():
        assert copyassist.load_template(f"score-{criterion}", "fr").meta.output == "ListingGrade"
        assert copyassist.load_template(f"score-{criterion}", "en").meta.output == "ListingGrade"


def test_criteria_are_parsed_in_order_once_and_unknown_ones_list_the_known() -> None:
    assert parse_criteria("seo, clear,seo") == ("seo", "clear")
    assert parse_criteria(["persuasive,clear", "seo"]) == ("persuasive", "clear", "seo")
    with pytest.raises(
        errors.InputError, match="unknown criterion 'wit'; known criteria: clear, persona-fit"
    ):
        parse_criteria("clear,wit")
    with pytest.raises(errors.InputError, match="no criterion given"):
        parse_criteria(" , ")


def test_a_user_rubric_in_a_prompts_folder_is_a_criterion(tmp_path: Path) -> None:
    bundled = copyassist.load_template("score-clear", "en").path.read_text(encoding="utf-8")
    (tmp_path / "score-warmth.en.j2").write_text(
        bundled.replace("name: score-clear", "name: score-warmth"), "utf-8"
    )
    assert "warmth" in known_criteria([tmp_path])
    assert parse_criteria("warmth", [tmp_path]) == ("warmth",)


def test_the_listing_is_labelled_in_the_grading_language() -> None:
    listing = {"title": "Lampe LED", "bullets": "Léger\nPliable", "custom": "x"}
    assert listing_text(listing, "fr") == "Titre :\nLampe LED\n\nPoints clés :\nLéger\nPliable\n\ncustom :\nx"
    assert listing_text(listing, "en").startswith("Title:\nLampe LED\n\nBullet points:")


@respx.mock(assert_all_called=True)
def test_each_listing_is_graded_in_its_own_language_with_the_grade_schema(
    feed: Path, backend: OpenAIBackend, store: Store, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat(grade(4))))
    report = copyassist.score(feed, criteria="clear,seo", backend=backend, store=store)
    assert [(s.criterion, s.score, s.language) for r in report.rows for s in r.scores] == [
        ("clear", 4, "fr"), ("seo", 4, "fr"), ("clear", 4, "en"), ("seo", 4, "en"),
    ]  # fmt: skip
    bodies = sent(route)
    assert len(bodies) == 4
    assert all(b["response_format"]["json_schema"]["name"] == "ListingGrade" for b in bodies)
    schema = bodies[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["score"]["minimum"] == 1 and schema["properties"]["score"]["maximum"] == 5
    french = [b for b in bodies if "Lampe de bureau" in b["messages"][-1]["content"]]
    english = [b for b in bodies if "water bottle" in b["messages"][-1]["content"]]
    assert {"Critère : clarté.", "Critère : référencement (SEO)."} == {
        b["messages"][-1]["content"].splitlines()[0] for b in french
    }
    assert all(b["messages"][-1]["content"].startswith("Criterion:") for b in english)
    # the copy columns are the listing, the other columns its product data
    assert "Marque : Lumo" in french[0]["messages"][-1]["content"]
    assert report.usage.input_tokens == 4 * 300 and report.cost > 0
    assert report.means() == {"clear": 4.0, "seo": 4.0}


@respx.mock
def test_a_malformed_grade_is_sent_back_and_repaired(
    feed: Path, backend: OpenAIBackend, store: Store, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(200, json=chat("Je donnerais 4 sur 5.")),
            httpx.Response(200, json=chat(grade(4, "Titre précis."))),
        ]
    )
    report = copyassist.score([{"title": "Lampe de bureau LED réglable en hauteur"}], criteria="clear",
                              backend=backend, store=store)  # fmt: skip
    (only,) = report.rows[0].scores
    assert (only.score, only.reason, only.error) == (4, "Titre précis.", None)
    assert route.call_count == 2 and only.input_tokens == 600  # both calls paid and counted
    repair = sent(route)[1]["messages"][-1]["content"]
    assert repair.startswith("Ta réponse ne convient pas")


@respx.mock
def test_a_grade_that_never_comes_out_is_reported_and_not_stored(
    feed: Path, backend: OpenAIBackend, store: Store, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat(grade(7))))
    listing = [{"title": "Stainless steel water bottle 750 ml"}]
    report = copyassist.score(listing, criteria="clear", backend=backend, store=store)
    (failed,) = report.rows[0].scores
    assert failed.score is None and "ListingGrade" in (failed.error or "")
    assert "less than or equal to 5" in (failed.error or "") and failed.input_tokens == 600
    assert report.failed_count == 1 and route.call_count == 2
    copyassist.score(listing, criteria="clear", backend=backend, store=store)
    assert route.call_count == 4  # not kept: tried again


@respx.mock
def test_grades_are_kept_and_a_second_run_pays_nothing(
    feed: Path, backend: OpenAIBackend, store: Store, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat(grade(3))))
    copyassist.score(feed, criteria="persuasive", backend=backend, store=store)
    assert route.call_count == 2
    again = copyassist.score(feed, criteria="persuasive", backend=backend, store=store)
    assert route.call_count == 2 and again.cached_count == 2 and again.usage.input_tokens == 0
    assert [s.score for r in again.rows for s in r.scores] == [3, 3]
    copyassist.score(feed, criteria="persuasive", backend=backend, store=store, use_cache=False)
    assert route.call_count == 4
    edited = FEED.replace("pratique", "solide")
    feed.write_text(edited, encoding="utf-8")
    copyassist.score(feed, criteria="persuasive", backend=backend, store=store)
    assert route.call_count == 5  # only the listing that changed


@respx.mock
def test_the_same_listing_twice_is_graded_once(
    backend: OpenAIBackend, store: Store, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat(grade(2))))
    rows = [{"title": "Stainless steel water bottle 750 ml"}] * 3
    report = copyassist.score(rows, criteria="clear", backend=backend, store=store, concurrency=4)
    assert route.call_count == 1 and [s.score for r in report.rows for s in r.scores] == [2, 2, 2]


@respx.mock
def test_persona_fit_shows_the_persona_sheet(
    backend: OpenAIBackend, store: Store, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat(grade(5))))
    rows = [{"title": "Gourde isotherme enfant 350 ml sans BPA", "language": "fr"}]
    with pytest.raises(errors.InputError, match="'persona-fit' grades against a persona"):
        copyassist.score(rows, criteria="persona-fit", backend=backend, store=store)
    assert route.call_count == 0
    copyassist.score(rows, criteria="persona-fit", persona="busy-parent", backend=backend, store=store)
    prompt = sent(route)[0]["messages"][-1]["content"]
    assert "Acheteur visé : Sophie" in prompt and "Ses objections" in prompt


@respx.mock
def test_a_refused_key_stops_grading_and_a_spending_cap_holds(
    feed: Path, backend: OpenAIBackend, store: Store, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(API).mock(return_value=httpx.Response(401, json={"error": {"message": "bad key"}}))
    report = copyassist.score(feed, criteria="clear", backend=backend, store=store, concurrency=1)
    assert report.stopped and "not graded" in (report.rows[1].error or "")

    respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat(grade(4))))
    capped = copyassist.score(feed, criteria="clear", backend=backend, store=store, max_cost=0.0)
    assert (capped.stopped or "").startswith("max_cost 0 reached") and capped.usage.input_tokens == 0
    assert all(s.score is None for r in capped.rows for s in r.scores) and capped.failed_count == 2


def test_scores_and_reasons_become_csv_columns_safe_for_spreadsheets(store: Store) -> None:
    backend = FakeBackend([grade(2, "=HYPERLINK('x') is no reason")])
    rows = [{"sku": "A", "title": "Stainless steel water bottle 750 ml"}]
    report = copyassist.score(rows, criteria="clear", backend=backend, store=store)
    lines = report.to_csv().splitlines()
    assert lines[0] == "sku,title,score_clear,reason_clear"
    assert lines[1] == "A,Stainless steel water bottle 750 ml,2,'=HYPERLINK('x') is no reason"
    data = json.loads(report.to_json())
    assert data["means"] == {"clear": 2.0} and data["rows"][0]["scores"][0]["reason"].startswith("=HYPER")


def test_worst_rows_come_lowest_mean_first(store: Store) -> None:
    answers = [grade(5), grade(1), grade(3)]
    backend = FakeBackend(answers)
    rows = [
        {"title": t} for t in ("Water bottle steel 750 ml", "Desk lamp LED white", "Kids bike helmet blue")
    ]
    report = copyassist.score(rows, criteria="clear", backend=backend, store=store, concurrency=1)
    assert [r.row for r in report.worst()] == [2, 3, 1]
    assert report.means() == {"clear": 3.0}


# -- the batch hook -----------------------------------------------------------------------


def _outcome(status: str = Status.OK) -> RowOutcome:
    row = FeedRow(number=1, raw={}, product={"title": "Desk lamp LED", "brand": "Lumo"})
    return RowOutcome(row, fields={"title": "Lumo LED desk lamp, dimmable"}, status=status)


def test_the_batch_hook_stores_grades_against_the_run_row(store: Store) -> None:
    backend = FakeBackend([grade(4, "Clear title.")])
    run = store.start_run()
    totals = BatchTotals()
    hook = RowGrader(("clear", "seo"), backend, store, run, totals)
    outcome = _outcome()
    asyncio.run(hook.grade(outcome, "key-1", "en"))
    assert [(s.criterion, s.score) for s in outcome.scores] == [("clear", 4), ("seo", 4)]
    assert outcome.status == Status.OK and totals.usage.input_tokens == 200
    stored = [(s.criterion, s.reason) for s in scores_for(store, run, 1)]
    assert stored == [("clear", "Clear title."), ("seo", "Clear title.")]
    assert scores_for(store, run, 2) == [] and scores_for(store, run + 1, 1) == []

    rerun = store.start_run()
    again = _outcome()
    asyncio.run(RowGrader(("clear", "seo"), backend, store, rerun, BatchTotals()).grade(again, "key-1", "en"))
    assert len(backend.calls) == 2 and all(s.cached for s in again.scores)
    assert [s.score for s in scores_for(store, rerun, 1)] == [4, 4]


def test_the_batch_hook_grades_no_failed_row_and_never_changes_a_status(store: Store) -> None:
    backend = FakeBackend(["not json at all"])
    hook = RowGrader(("clear",), backend, store, store.start_run(), BatchTotals())
    failed = _outcome(Status.FAILED)
    asyncio.run(hook.grade(failed, "k", "en"))
    assert backend.calls == [] and failed.scores == []
    flagged = _outcome(Status.FLAGGED)
    asyncio.run(hook.grade(flagged, "k", "en"))
    assert flagged.status == Status.FLAGGED and flagged.scores[0].score is None
    assert ScoreStore(store).for_run(1) == {}


class _Capped(FakeBackend):
    async def acomplete(self, prompt: Any, *, retry: Any = None) -> Any:
        raise errors.CostCapReached("the next call could cross max_cost ($0.01)", limit=0.01)


def test_a_spending_cap_reached_while_grading_stops_the_run(store: Store) -> None:
    totals = BatchTotals()
    hook = RowGrader(("clear",), _Capped([]), store, store.start_run(), totals)
    outcome = _outcome()
    asyncio.run(hook.grade(outcome, "k", "en"))
    assert totals.stopped and "max_cost" in totals.stopped and outcome.status == Status.OK


def test_ascore_is_the_async_face_of_score(store: Store) -> None:
    backend = FakeBackend([grade(3)])
    rows = [{"title": "Desk lamp LED white with dimmer"}]
    report = asyncio.run(copyassist.ascore(rows, criteria=["clear"], backend=backend, store=store))
    assert [s.score for s in report.rows[0].scores] == [3] and len(backend.calls) == 1
    with pytest.raises(errors.InputError, match="no rows to grade"):
        asyncio.run(copyassist.ascore([], criteria="clear", backend=backend, store=store))


def test_a_one_word_reason_is_sent_back_for_a_sentence(store: Store) -> None:
    backend = FakeBackend([grade(3, "text"), grade(3, "Short, precise title.")])
    report = copyassist.score(
        [{"title": "Desk lamp LED white"}], criteria="clear", backend=backend, store=store
    )
    assert [(s.score, s.reason) for s in report.rows[0].scores] == [(3, "Short, precise title.")]
    assert len(backend.calls) == 2 and "not a single word" in backend.calls[1][-1]["content"]
