"""Bugs found reviewing the review step, export and scoring: each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import copyassist
from copyassist.attempts import parse_output
from copyassist.backends.local import has_system_role
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.errors import InputError
from copyassist.outputs.copywriting import ProductTitle
from copyassist.review import ReviewSession
from tests.helpers import ROOT, FakeBackend, assert_exited
from tests.test_export import batch, csv_feed, read
from tests.test_review_app import client_for, make_run, post

FEED = ROOT / "examples" / "feed.csv"


def test_rows_the_run_wrote_after_the_snapshot_are_reviewed_and_not_leaked_by_approved_only(
    tmp_path: Path,
) -> None:
    """A review opened while the batch was still running saw only its first rows; the rows
    written after it were never added (the feed had not changed), so the app did not show them
    and export --approved-only filled their empty titles with copy nobody reviewed."""
    with Store(tmp_path / "store.sqlite3") as store:
        run_id = batch(csv_feed(tmp_path / "feed.csv"), store, tmp_path / "batch.csv")
        conn = store.connection
        late = conn.execute(
            "SELECT * FROM run_rows WHERE run_id = ? AND row_number = 4", (run_id,)
        ).fetchone()
        with conn:
            conn.execute("DELETE FROM run_rows WHERE run_id = ? AND row_number = 4", (run_id,))
        ReviewSession(store, run_id).close()  # the snapshot, as the run stood then
        with conn:
            conn.execute(f"INSERT INTO run_rows VALUES ({', '.join('?' * len(late))})", tuple(late))
        assert ReviewSession(store, run_id).page().total == 4
        copyassist.export(store, run_id, tmp_path / "out.csv", approved_only=True)
    assert read(tmp_path / "out.csv")[3]["title"] == ""  # V-4's title was empty and nobody approved it


@pytest.mark.parametrize(
    "command",
    [
        ["score", "--criteria", "clear", "--provider", "compatible", "--model", "m",
         "--base-url", "http://127.0.0.1:9/v1"],
        ["check", "--format", "html"],
        ["check", "--format", "csv"],
    ],
)  # fmt: skip
def test_a_report_written_over_its_own_feed_is_refused(tmp_path: Path, command: list[str]) -> None:
    """``score feed.csv -o feed.csv`` replaced the seller's feed with the grades (``check`` with its
    report), after paying for the grading."""
    feed = tmp_path / "feed.csv"
    feed.write_bytes(FEED.read_bytes())
    result = CliRunner().invoke(app, [command[0], str(feed), *command[1:], "-o", str(feed)])
    assert_exited(result, 2)
    assert "is the feed being read" in result.output
    assert feed.read_bytes() == FEED.read_bytes()


@pytest.mark.parametrize(
    "answer",
    [
        # an example in a fence, then the answer: which one is meant is not clear
        'For example ```{"title": "Example title"}``` and mine: {"title": "Montre Kairos S2"}',
        # the same key twice with two values
        '{"title": "Montre Kairos S2", "title": "Montre Kairos S2 noire"}',
    ],
)
def test_lenient_parsing_refuses_an_ambiguous_answer(answer: str) -> None:
    """Lenient reading picked the fenced example over the answer after it, and the last of two
    titles; each is sent back instead, as before lenient parsing."""
    with pytest.raises(ValueError):
        parse_output(answer, ProductTitle)


@pytest.mark.parametrize(
    ("answer", "title"),
    [
        ('```json\n{"title": "Montre ``` Kairos"}\n```', "Montre ``` Kairos"),  # a fence mark in the copy
        ('```json\n{"title": "Montre Kairos",}\n```\nI used {brand} as asked.', "Montre Kairos"),
        ('{"title": "Montre Kairos", "title": "Montre Kairos"}', "Montre Kairos"),  # said twice alike
    ],
)
def test_lenient_parsing_still_reads_an_unambiguous_answer(answer: str, title: str) -> None:
    output = parse_output(answer, ProductTitle)
    assert isinstance(output, ProductTitle)
    assert output.title == title


def test_a_row_number_past_what_sqlite_holds_is_not_found_not_a_crash(tmp_path: Path) -> None:
    """/rows/99999999999999999999 (and a bulk action on it, or on '²', which isdigit() calls a
    digit) raised OverflowError/ValueError: a bare 500 and a traceback in the terminal."""
    client = client_for(make_run(tmp_path))
    huge = "99999999999999999999"
    assert client.get(f"/rows/{huge}").status_code == 404
    assert post(client, f"/rows/{huge}/approve").status_code == 404
    for rows in (huge, "²"):
        answer = post(client, "/bulk", {"rows": rows, "action": "approve"})
        assert answer.status_code == 400 and "no row selected" in answer.json()["error"]
    answer = post(client, "/bulk", {"rows": "1 ²", "action": "approve"})
    assert answer.json()["count"] == 1  # row 1 approved, '²' no row


def test_approved_only_adds_no_key_a_json_product_did_not_have(tmp_path: Path) -> None:
    """A JSONL product with no 'title' key (its name in 'name') came back from export
    --approved-only with "title": "" added: a cell the seller never had, blank."""
    feed = tmp_path / "feed.jsonl"
    products = [
        {"sku": "A", "title": "Bol", "description": "Bol en grès émaillé", "brand": "Atelier"},
        {"sku": "B", "name": "Tasse", "description": "Tasse en grès", "brand": "Atelier"},
    ]
    feed.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in products), encoding="utf-8")
    with Store(tmp_path / "store.sqlite3") as store:
        titles = [{"title": "Bol en grès émaillé Atelier"}, {"title": "Tasse en grès Atelier"}]
        summary = run_batch(feed, tmp_path / "batch.jsonl", template="product-title",
                            backend=FakeBackend(titles), store=store, language="fr")  # fmt: skip
        run_id = summary.run_id
        ReviewSession(store, run_id).reject([1], "ana")
        copyassist.export(store, run_id, tmp_path / "out.jsonl", approved_only=True)
    written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    for product, record in zip(products, written, strict=True):
        assert {k: v for k, v in record.items() if not k.startswith("copyassist_")} == product


def test_a_run_written_in_place_exports_from_the_sellers_original(tmp_path: Path) -> None:
    """After 'batch --in-place' the feed holds the run's copy; export read it as the seller's,
    so rejected and unreviewed rows kept the machine titles under --approved-only. The run now
    records its backup, and export (and the review's current copy) read the original there."""
    feed = csv_feed(tmp_path / "feed.csv")
    original = read(feed)
    with Store(tmp_path / "store.sqlite3") as store:
        run_id = batch(feed, store, feed, in_place=True)
        session = ReviewSession(store, run_id)
        assert session.row(2).current == {"title": ""}  # the seller's empty title, not the run's
        session.approve([1], "ana")
        session.reject([2], "ana")
        copyassist.export(store, run_id, tmp_path / "out.csv", approved_only=True)
        written = read(tmp_path / "out.csv")
        assert [r["title"] for r in written] == ["Lampe Lune en verre soufflé Lumio", "", "Tasse", ""]
        assert [{k: r[k] for k in original[0]} for r in written[1:]] == original[1:]
        copyassist.export(store, run_id, None, in_place=True)  # into the feed, not its backup
    assert read(feed)[0]["title"] == "Lampe Lune en verre soufflé Lumio"
    assert read(tmp_path / "feed.csv.bak") == original


def test_the_review_page_says_when_the_feed_changed_since_the_run(tmp_path: Path) -> None:
    """A feed edited after its run was reviewed with no word of it: rows paired with another
    row's copy were approved, and only export said the run could not be written."""
    store = make_run(tmp_path)
    client = client_for(store)
    assert 'id="feed-changed"' not in client.get("/").text
    feed = tmp_path / "feed.csv"
    feed.write_text(
        feed.read_text(encoding="utf-8") + "X-9,Nouveau,Maison,Nouveau produit.,\n", encoding="utf-8"
    )
    page = client.get("/").text
    assert 'id="feed-changed"' in page and "export refuses this run" in page


def test_review_app_on_a_store_path_that_does_not_exist_creates_no_store(tmp_path: Path) -> None:
    """review_app('typo.sqlite3') made an empty store at the typo before saying there was no run."""
    missing = tmp_path / "typo.sqlite3"
    with pytest.raises(InputError, match="no batch store"):
        copyassist.review_app(missing)
    assert not missing.exists()


GEMMA2_TEMPLATE = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
    "{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}<start_of_turn>{{ message['role'] }}\n{{ message['content'] }}"
    "<end_of_turn>\n{% endfor %}"
)


@pytest.mark.parametrize(
    ("template", "has_system"),
    [
        (GEMMA2_TEMPLATE, False),  # names the role only to refuse it
        ("{% if messages[0]['role'] == 'system' %}{{ messages[0]['content'] }}{% endif %}", True),
        (
            "{% if messages[0]['role'] == 'system' %}{{ messages[0]['content'] }}{% endif %}"
            "{% if messages[-1]['role'] == 'tool' %}"
            "{{ raise_exception('Tools are not supported') }}{% endif %}",
            True,
        ),
    ],
)
def test_a_gguf_template_that_refuses_the_system_role_gets_it_folded(template: str, has_system: bool) -> None:
    """Gemma 2's own template raises 'System role not supported'; as it says 'system', the
    system message was sent and every call failed in the template."""

    llama = SimpleNamespace(
        chat_format="chat_template.default", metadata={"tokenizer.chat_template": template}
    )
    assert has_system_role(llama) is has_system
