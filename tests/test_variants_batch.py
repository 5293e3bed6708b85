"""variants in a batch: every candidate stored and written to JSON/JSONL, the best the row's copy,
a rerun answered from the store; one variant keeps the keys it always had."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

import copyassist.review
from copyassist.batch.api import dry_run, run_batch
from copyassist.batch.candidates import CandidateStore, StoredCandidate
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.review import ReviewSession
from copyassist.review.routes import templates
from copyassist.review.views import row_view
from tests.helpers import write_lamp_feed as write_feed

SERVER = "http://127.0.0.1:8999/v1"
Serve = Callable[..., tuple[str, Any]]
REVIEW_HERE = Path(copyassist.review.__file__).parent
_TITLE = re.compile(r"Lampe de bureau LED modèle \d+")


class Server:
    """A compatible server answering n choices: the row's title shouted, plain, with an emoji."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        title = _TITLE.findall(json.dumps(body["messages"], ensure_ascii=False))[0]
        texts = [title.upper() + " LUMIO", f"{title} Lumio, lumière réglable", f"{title} 💡💡"]
        count = body.get("n", 1)
        texts = texts if count > 1 else texts[1:2]  # one answer asked for: the plain one
        choices = [
            {
                "index": i,
                "message": {"role": "assistant", "content": json.dumps({"title": t})},
                "finish_reason": "stop",
            }
            for i, t in enumerate(texts[:count])
        ]
        usage = {"prompt_tokens": 200, "completion_tokens": 15 * count}
        answer = {"id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini"}
        return httpx.Response(200, json={**answer, "choices": choices, "usage": usage})


def run(feed: Path, out: Path, store: Store, **options: Any) -> Any:
    return run_batch(feed, out, template="product-title", provider="compatible", base_url=SERVER,
                     model="gpt-4.1-mini", store=store, language="fr", concurrency=2, **options)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Any:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_candidates_are_stored_written_and_a_rerun_pays_nothing(tmp_path: Path, store: Store) -> None:
    feed, out = write_feed(tmp_path / "feed.csv"), tmp_path / "out.jsonl"
    server = Server()
    with respx.mock() as mock:
        mock.post(f"{SERVER}/chat/completions").mock(side_effect=server)
        summary = run(feed, out, store, variants=3)
        assert len(server.bodies) == 3 and all(b["n"] == 3 for b in server.bodies)  # one call per row
        rows = jsonl(out)
        for number, row in enumerate(rows):
            plain = f"Lampe de bureau LED modèle {number} Lumio, lumière réglable"
            assert row["copyassist_title"] == plain and row["copyassist_status"] == "ok"
            candidates = row["copyassist_candidates"]
            assert [c["number"] for c in candidates] == [1, 2, 3]
            assert [c["chosen"] for c in candidates] == [False, True, False]
            assert candidates[1]["fields"]["title"] == plain
            assert {c["status"] for c in candidates if not c["chosen"]} == {"flagged"}
            assert all(c["template"] == "product-title" for c in candidates)
            assert sum(c["input_tokens"] for c in candidates) == 200
        assert summary.totals.usage.output_tokens == 3 * 45
        assert sum(c["cost_usd"] for row in rows for c in row["copyassist_candidates"]) == pytest.approx(
            summary.totals.cost
        )
        kept = store.connection.execute("SELECT count(*), sum(chosen) FROM candidates").fetchone()
        assert tuple(kept) == (9, 3)

        again = tmp_path / "again.jsonl"
        rerun = run(feed, again, store, variants=3)
        assert len(server.bodies) == 3 and rerun.totals.cached == 3  # no call
        assert [r["copyassist_candidates"] for r in jsonl(again)] == [
            r["copyassist_candidates"] for r in rows
        ]


def test_one_variant_keeps_its_keys_and_a_csv_keeps_one_copy(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", rows=2)
    server = Server()
    with respx.mock() as mock:
        mock.post(f"{SERVER}/chat/completions").mock(side_effect=server)
        run(feed, tmp_path / "one.csv", store)
        assert len(server.bodies) == 2 and all("n" not in b for b in server.bodies)
        run(feed, tmp_path / "three.csv", store, variants=3)
        assert len(server.bodies) == 4  # other keys: candidates were never asked for
        run(feed, tmp_path / "one-again.csv", store, variants=1)
        assert len(server.bodies) == 4  # the one-variant keys are those of a run without variants
    with (tmp_path / "three.csv").open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert "copyassist_candidates" not in written[0]
    assert written[0]["copyassist_title"] == "Lampe de bureau LED modèle 0 Lumio, lumière réglable"


def test_a_listing_keeps_each_fields_candidates(tmp_path: Path, store: Store, serve: Serve) -> None:
    base_url, _server = serve()  # answers one choice whatever n: the backend makes up the rest
    feed, out = write_feed(tmp_path / "feed.csv", rows=2), tmp_path / "out.jsonl"
    run_batch(feed, out, template="product-title,seo", provider="compatible", base_url=base_url,
              model="fake-model", store=store, language="fr", variants=2)  # fmt: skip
    for row in jsonl(out):
        candidates = row["copyassist_candidates"]
        assert [(c["template"], c["number"]) for c in candidates] == [
            ("product-title", 1), ("product-title", 2), ("seo", 1), ("seo", 2),
        ]  # fmt: skip
        assert [c["chosen"] for c in candidates].count(True) == 2


def test_dry_run_counts_every_candidate(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", rows=2)
    common = {"template": "product-title", "provider": "compatible", "base_url": SERVER,
              "model": "gpt-4.1-mini", "store": store, "language": "fr", "max_attempts": 1}  # fmt: skip
    one, three = dry_run(feed, **common), dry_run(feed, variants=3, **common)
    assert three.output_tokens == 3 * one.output_tokens and three.input_tokens == 3 * one.input_tokens


def test_candidate_store_replaces_what_a_key_kept(tmp_path: Path) -> None:
    kept = CandidateStore(sqlite3.connect(tmp_path / "c.sqlite3"))
    kept.put("k", [StoredCandidate(1, True, "ok", {"title": "a"}), StoredCandidate(2, False, "flagged")])
    kept.put("k", [StoredCandidate(1, False, "flagged", {"title": "b"}, ("emoji: no",), '{"title": "b"}')])
    assert kept.get("k") == [
        StoredCandidate(1, False, "flagged", {"title": "b"}, ("emoji: no",), '{"title": "b"}')
    ]
    assert kept.get("other") == []


def test_review_offers_the_other_candidates_and_using_one_rechecks_it(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", rows=1)
    with respx.mock() as mock:
        mock.post(f"{SERVER}/chat/completions").mock(side_effect=Server())
        summary = run(feed, tmp_path / "out.csv", store, variants=3)
    session = ReviewSession(store, summary.run_id)
    row = session.row(1)
    plain = "Lampe de bureau LED modèle 0 Lumio, lumière réglable"
    shouted = "LAMPE DE BUREAU LED MODÈLE 0 LUMIO"
    assert row.proposed == {"title": plain} and row.flags == []
    assert row.candidates == [{"title": shouted}, {"title": "Lampe de bureau LED modèle 0 💡💡"}]
    html = _row_html(session, row)
    assert f'name="f.title" value="{shouted}"' in html and 'data-action="choose"' in html

    chosen = session.edit(1, row.candidates[0], "reviewer")  # what "use this one" posts
    assert chosen.proposed == {"title": shouted} and chosen.edited
    assert "title.all_caps" in {flag.rule for flag in chosen.flags}  # checked again, as an edit
    assert {"title": plain} in chosen.candidates and {"title": shouted} not in chosen.candidates
    assert session.history(1)[-1]["after"] == {"title": shouted}


def _row_html(session: ReviewSession, row: Any) -> str:
    view = row_view(row, session.fields)
    template = templates(REVIEW_HERE).get_template("_row.html")
    return template.render(base="", csrf="c", csrf_field="csrf", regenerate_off=None, here="/", view=view)


def test_cli_variants_out_of_range_is_one_line(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.csv", rows=1)
    result = CliRunner().invoke(app, ["batch", str(feed), "-t", "product-title", "--variants", "11"])
    assert result.exit_code != 0
    assert "variants must be a whole number from 1 to 10" in result.output
    assert "Traceback" not in result.output
