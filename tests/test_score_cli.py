"""``copyassist score``, ``check --score`` and ``batch --score`` end to end against the fake
OpenAI-compatible server: it answers the grade schema (its grades are all 1, the schema's minimum)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.scoring.store import scores_for
from tests.helpers import assert_exited
from tests.test_score import FEED

runner = CliRunner()
Serve = Callable[..., tuple[str, Any]]


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.csv"
    path.write_text(FEED, encoding="utf-8")
    return path


def server_args(base_url: str, model: str = "fake-model") -> list[str]:
    return ["--base-url", base_url, "--model", model]


def test_score_grades_a_french_and_english_feed_into_csv_columns(
    feed: Path, tmp_path: Path, serve: Serve
) -> None:
    base_url, server = serve()
    out = tmp_path / "graded.csv"
    result = runner.invoke(app, ["score", str(feed), "--criteria", "clear,seo", "-o", str(out),
                                 *server_args(base_url)])  # fmt: skip
    assert_exited(result, 0)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "sku,title,description,brand,score_clear,reason_clear,score_seo,reason_seo"
    assert lines[1].startswith("A1,Lampe de bureau") and ",1," in lines[1]
    assert "2 rows graded on clear, seo: mean clear 1.00, seo 1.00" in result.output
    assert "worst rows: row 1 (A1) 1.0, row 2 (B2) 1.0" in result.output
    assert server.stats()["requests"] == 4

    as_json = runner.invoke(
        app, ["score", str(feed), "--criteria", "clear,seo", "--json", *server_args(base_url)]
    )
    assert_exited(as_json, 0)
    report = json.loads(as_json.stdout)
    assert [[s["language"] for s in r["scores"]] for r in report["rows"]] == [["fr", "fr"], ["en", "en"]]
    assert all(s["cached"] for r in report["rows"] for s in r["scores"])
    assert server.stats()["requests"] == 4  # the second run paid nothing


def test_an_unknown_criterion_is_one_line_listing_the_known_ones(feed: Path) -> None:
    result = runner.invoke(app, ["score", str(feed), "--criteria", "clear,funny"])
    assert_exited(result, 2)
    assert result.output.strip().splitlines() == [
        "copyassist: error: unknown criterion 'funny'; known criteria: clear, persona-fit, persuasive, seo "
        "(a criterion is a template named score-<criterion>.<lang>.j2) (option --criteria)"
    ]
    on_batch = runner.invoke(app, ["batch", str(feed), "-t", "product-title", "--score", "wit"])
    assert_exited(on_batch, 2)
    assert "unknown criterion 'wit'" in on_batch.output and "(option --score)" in on_batch.output
    on_check = runner.invoke(app, ["check", str(feed), "--score", "wit"])
    assert_exited(on_check, 2)


def test_persona_fit_needs_a_persona_before_any_call(feed: Path, serve: Serve) -> None:
    base_url, server = serve()
    result = runner.invoke(app, ["score", str(feed), "-c", "persona-fit", *server_args(base_url)])
    assert_exited(result, 2)
    assert "give persona=NAME (option --persona)" in result.output and server.stats()["requests"] == 0
    with_persona = runner.invoke(app, ["score", str(feed), "-c", "persona-fit", "--persona", "busy-parent",
                                       *server_args(base_url)])  # fmt: skip
    assert_exited(with_persona, 0)
    assert server.stats()["requests"] == 2


def test_grades_that_never_parse_are_reported_and_exit_1(feed: Path, serve: Serve) -> None:
    base_url, _ = serve(malformed_rate=1.0)
    result = runner.invoke(app, ["score", str(feed), "-c", "clear", *server_args(base_url)])
    assert_exited(result, 1)
    assert "the model gave no valid ListingGrade in 2 attempt(s)" in result.output
    assert "2 rows could not be read or fully graded" in result.output


def test_a_spending_cap_stops_grading_with_exit_3(feed: Path, serve: Serve) -> None:
    base_url, server = serve()
    result = runner.invoke(app, ["score", str(feed), "-c", "clear", "--max-cost", "0",
                                 *server_args(base_url, "gpt-4.1-mini")])  # fmt: skip
    assert_exited(result, 3)
    assert "stopped early: max_cost 0 reached" in result.output and server.stats()["requests"] == 0


def test_check_with_scores_keeps_the_rules_exit_code(feed: Path, tmp_path: Path, serve: Serve) -> None:
    base_url, _ = serve()
    clean = runner.invoke(app, ["check", str(feed), "--score", "clear", *server_args(base_url)])
    assert_exited(clean, 0)  # every grade is 1/5, and the listings break no rule
    assert "2 rows checked" in clean.stdout and "clear          1/5" in clean.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,title\nA1,Lampe de bureau LED TODO https://x.example.com\n", encoding="utf-8")
    broken = runner.invoke(
        app, ["check", str(bad), "--score", "clear", "--format", "json", *server_args(base_url)]
    )
    assert_exited(broken, 1)
    report = json.loads(broken.stdout)
    assert report["errors"] == 3 and report["scores"]["rows"][0]["scores"][0]["score"] == 1
    as_csv = runner.invoke(app, ["check", str(feed), "--score", "clear", "--format", "csv"])
    assert_exited(as_csv, 2)
    assert "--score writes no csv" in as_csv.output


def test_batch_score_stores_grades_with_the_row_and_reuses_them(
    feed: Path, tmp_path: Path, serve: Serve
) -> None:
    base_url, server = serve()
    db = tmp_path / "runs.sqlite3"
    args = ["batch", str(feed), "-t", "product-title", "--score", "clear,seo",
            "-o", str(tmp_path / "out.csv"), "--db", str(db), "-q", *server_args(base_url)]  # fmt: skip
    first = runner.invoke(app, args)
    assert_exited(first, 0)
    assert server.stats()["requests"] == 2 + 4  # two titles, each graded on two criteria
    assert "2 rows graded on clear, seo: mean clear 1.00, seo 1.00" in first.output
    with Store(db) as store:
        run = store.list_runs()[0]
        assert [(s.criterion, s.score, s.language) for s in scores_for(store, run.id, 1)] == [
            ("clear", 1, "fr"), ("seo", 1, "fr")]  # fmt: skip
        assert run.input_tokens > 0 and [s.language for s in scores_for(store, run.id, 2)] == ["en", "en"]
    again = runner.invoke(app, args)
    assert_exited(again, 0)
    assert server.stats()["requests"] == 6  # rows and grades from the store: no second call
    with Store(db) as store:
        rerun = store.list_runs()[0]
        assert rerun.id != run.id and [s.score for s in scores_for(store, rerun.id, 2)] == [1, 1]


def test_help_says_grades_never_replace_the_rules() -> None:
    for command in ("score", "check", "batch"):
        text = " ".join(runner.invoke(app, [command, "--help"], terminal_width=200).output.split())
        assert "--score" in text or command == "score"
        assert "exit code" in text and ("never" in text)


def test_a_batch_dry_run_says_grading_is_not_counted(feed: Path, serve: Serve) -> None:
    base_url, server = serve()
    result = runner.invoke(app, ["batch", str(feed), "-t", "product-title", "--score", "clear,seo",
                                 "--dry-run", *server_args(base_url)])  # fmt: skip
    assert_exited(result, 0)
    assert "not counted: grading (clear, seo), up to 4 calls per row written" in result.output
    assert server.stats()["requests"] == 0


def test_a_rubric_of_ones_own_is_a_criterion(feed: Path, tmp_path: Path, serve: Serve) -> None:
    base_url, server = serve()
    folder = tmp_path / "prompts"
    folder.mkdir()
    for language in ("fr", "en"):
        bundled = (Path(__file__).parent.parent / "prompts" / f"score-clear.{language}.j2").read_text("utf-8")
        mine = bundled.replace("name: score-clear", "name: score-warmth").replace('"clarté"', '"chaleur"')
        (folder / f"score-warmth.{language}.j2").write_text(mine.replace('"clarity"', '"warmth"'), "utf-8")
    result = runner.invoke(app, ["score", str(feed), "-c", "warmth", "--prompts-dir", str(folder), "--json",
                                 *server_args(base_url)])  # fmt: skip
    assert_exited(result, 0)
    assert json.loads(result.stdout)["means"] == {"warmth": 1.0} and server.stats()["requests"] == 2
