"""The review data layer over a real batch run: snapshot, paging and filters, decisions kept in
the store (and seen by another connection), edits re-checked, revert, regenerate."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.errors import InputError
from copyassist.review import ReviewSession
from tests.helpers import FakeBackend

LONG = (
    "Lampe de bureau LED pliable Lumio 2 avec lumière chaude, idéale pour lire le soir au bureau ou au salon"
)
ROWS = 6


def write_feed(path: Path, rows: int = ROWS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "description", "brand", "image_link"])
        for n in range(rows):
            writer.writerow([f"SKU-{n}", "" if n % 2 else f"Lampe de bureau LED {n}",
                             f"Lampe de bureau LED pliable modèle {n}, lumière chaude", "Lumio",
                             f"https://img.example/{n}.jpg, https://img.example/{n}b.jpg"])  # fmt: skip
    return path


def answers(rows: int = ROWS) -> list[str | dict[str, str]]:
    found: list[str | dict[str, str]] = [
        {"title": f"Lampe de bureau LED pliable Lumio {n}"} for n in range(rows)
    ]
    found[2] = {"title": LONG}  # over Amazon's advised 80 characters: a warning, so flagged
    return found


def batch(tmp_path: Path, store: Store, **options: object) -> int:
    feed = write_feed(tmp_path / "feed.csv")
    summary = run_batch(feed, tmp_path / "out.csv", template="product-title", backend=FakeBackend(answers()),
                        store=store, language="fr", channel="amazon", concurrency=1, max_attempts=1,
                        **options)  # fmt: skip
    return summary.run_id


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


@pytest.fixture
def session(tmp_path: Path, store: Store) -> ReviewSession:
    batch(tmp_path, store)
    return ReviewSession(store)


def test_a_batch_run_records_what_reopening_and_rewriting_its_feed_needs(
    tmp_path: Path, store: Store
) -> None:
    run_id = batch(tmp_path, store, persona=None, tone="sobre", params={"temperature": 0.2}, overwrite=True)
    args = store.get_run(run_id).args
    assert args is not None
    assert args["template"] == "product-title" and args["template_path"].endswith("product-title.fr.j2")
    assert args["options"] == {"tone": "sobre"} and args["params"] == {"temperature": 0.2}
    assert args["channel"] == "amazon" and args["language"] == "fr" and args["max_attempts"] == 1
    assert args["overwrite"] is True and args["merchant_structured"] is False and args["in_place"] is False
    assert args["output"] == str(tmp_path / "out.csv") and args["output_format"] is None
    assert args["feed_format"] == "csv" and args["mapping"]["title"] == "title" and args["header_row"] is None
    size = (tmp_path / "feed.csv").stat().st_size
    assert args["feed_stamp"]["size"] == size


def test_rows_come_from_the_snapshot_with_product_current_and_generated_copy(session: ReviewSession) -> None:
    assert session.fields == ["title"] and session.channel == "amazon" and session.feed_available
    page = session.page(limit=4)
    assert page.total == ROWS and [r.row_number for r in page.rows] == [1, 2, 3, 4]
    first, second = page.rows[0], page.rows[1]
    assert first.product == {
        "title": "Lampe de bureau LED 0",
        "image": "https://img.example/0.jpg",
        "id": "SKU-0",
    }
    assert first.current == {"title": "Lampe de bureau LED 0"} and second.current == {"title": ""}
    assert first.generated == first.proposed == {"title": "Lampe de bureau LED pliable Lumio 0"}
    assert first.decision == "pending" and not first.edited and first.flags == []
    assert session.page(offset=4, limit=4).rows[-1].row_number == ROWS


def test_the_runs_violations_are_flags_with_their_field(session: ReviewSession) -> None:
    flagged = session.row(3)
    assert flagged.status == "flagged"
    assert [(f.rule, f.severity, f.field) for f in flagged.flags] == [
        ("length.advised_max_chars", "warning", "title")
    ]
    facets = session.facets()
    assert facets.statuses == {"ok": ROWS - 1, "flagged": 1}
    assert facets.rules == {"length.advised_max_chars": 1} and facets.fields == {"title": 1}
    assert facets.decisions == {"pending": ROWS}
    assert [r.row_number for r in session.page(rule="length.advised_max_chars").rows] == [3]
    assert session.page(field="title").total == 1 and session.page(field="description").total == 0
    assert session.page(status="flagged").total == 1 and session.page(status="ok").total == ROWS - 1


def test_approve_reject_and_the_decision_filter(session: ReviewSession) -> None:
    assert session.approve([1, 2, 2], "ana") == 2
    assert session.approve([1], "ana") == 0, "already approved: nothing changes"
    assert session.reject([3], "bo") == 1
    assert session.facets().decisions == {"approved": 2, "rejected": 1, "pending": ROWS - 3}
    assert [r.row_number for r in session.page(decision="approved").rows] == [1, 2]
    row = session.row(3)
    assert row.decision == "rejected" and row.decided_by == "bo" and row.decided_at
    assert [e["action"] for e in session.history(1)] == ["approve"]
    with pytest.raises(InputError, match="no row 99"):
        session.approve([99], "ana")


def test_an_edit_is_rechecked_and_its_flags_follow_it(session: ReviewSession) -> None:
    broken = session.edit(1, {"title": "LAMPE de bureau LED Lumio https://promo.example"}, "ana")
    assert broken.edited and broken.proposed == {"title": "LAMPE de bureau LED Lumio https://promo.example"}
    assert broken.generated == {"title": "Lampe de bureau LED pliable Lumio 0"}
    by_rule = {f.rule: f for f in broken.flags}
    assert by_rule["title.all_caps"].text == "LAMPE" and by_rule["url"].text == "https://promo.example"
    assert session.page(rule="url").total == 1 and session.facets().rules["title.all_caps"] == 1
    fixed = session.edit(1, {"title": "Lampe de bureau LED Lumio noire"}, "ana")
    assert fixed.flags == [] and fixed.edited
    assert session.page(rule="url").total == 0
    history = session.history(1)
    assert [e["action"] for e in history] == ["edit", "edit"]
    assert history[0]["before"] == {"title": "Lampe de bureau LED pliable Lumio 0"}
    assert history[1]["before"] == {"title": "LAMPE de bureau LED Lumio https://promo.example"}
    assert history[1]["after"] == {"title": "Lampe de bureau LED Lumio noire"} and history[1]["who"] == "ana"
    assert [r.row_number for r in session.page(search="lumio NOIRE").rows] == [1]


def test_an_approved_row_whose_edit_breaks_a_rule_is_pending_again(session: ReviewSession) -> None:
    session.approve([1, 2], "ana")
    clean = session.edit(1, {"title": "Lampe de bureau LED Lumio noire"}, "ana")
    assert clean.decision == "approved"  # a rule-abiding touch-up keeps the approval
    broken = session.edit(2, {"title": "LAMPE de bureau LED Lumio https://promo.example"}, "ana")
    assert broken.decision == "pending" and broken.edited  # not exported as approved unseen
    assert session.page(decision="approved").total == 1


def test_fixing_the_runs_flag_by_an_edit_removes_it(session: ReviewSession) -> None:
    assert session.row(3).flags
    assert session.edit(3, {"title": "Lampe de bureau LED pliable Lumio 2"}, "ana").flags == []
    assert session.facets().rules == {}


def test_check_rechecks_without_storing(session: ReviewSession) -> None:
    flags = session.check(2, {"title": "Lampe de bureau LED Lumio GRATUIT"})
    assert "title.all_caps" in {f.rule for f in flags}
    assert session.row(2).flags == [] and session.history(2) == []
    with pytest.raises(InputError, match="no field price"):
        session.check(2, {"price": "12"})


def test_revert_brings_back_the_generated_copy_and_its_flags(session: ReviewSession) -> None:
    session.edit(3, {"title": "Lampe de bureau LED pliable Lumio 2"}, "ana")
    session.approve([3], "ana")
    back = session.revert(3, "bo")
    assert back.proposed == back.generated == {"title": LONG} and not back.edited
    assert back.decision == "pending" and [f.rule for f in back.flags] == ["length.advised_max_chars"]
    assert [e["action"] for e in session.history(3)] == ["edit", "approve", "revert"]
    assert session.history(3)[-1]["before"]["title"] == "Lampe de bureau LED pliable Lumio 2"


def test_decisions_are_committed_for_another_connection(
    tmp_path: Path, store: Store, session: ReviewSession
) -> None:
    session.approve([2], "ana")
    session.edit(4, {"title": "Lampe de bureau LED Lumio blanche"}, "ana")
    with Store(store.path) as other:  # the first one still open, as after a crash mid-session
        again = ReviewSession(other)
        assert again.row(2).decision == "approved"
        assert again.row(4).proposed == {"title": "Lampe de bureau LED Lumio blanche"}
        assert [e["action"] for e in again.history(4)] == ["edit"]


def test_approve_all_ok_leaves_flagged_and_error_rows(session: ReviewSession) -> None:
    session.edit(1, {"title": "Lampe https://promo.example"}, "ana")  # an error flag now
    assert session.approve_all_ok("ana") == ROWS - 2
    assert session.row(1).decision == "pending" and session.row(3).decision == "pending"
    event = session.history(2)[-1]
    assert (event["action"], event["before"], event["after"], event["who"]) == (
        "approve", {"decision": "pending"}, {"decision": "approved"}, "ana")  # fmt: skip
    assert session.row(2).decided_by == "ana" and session.approve_all_ok("ana") == 0


def test_sort_and_paging(session: ReviewSession) -> None:
    by_flags = session.page(sort="flags", descending=True, limit=1)
    assert by_flags.rows[0].row_number == 3 and by_flags.total == ROWS
    titles = [r.product["title"] for r in session.page(sort="title").rows]
    assert titles == sorted(titles)
    assert session.page(sort="row", descending=True).rows[0].row_number == ROWS
    with pytest.raises(InputError, match="unknown sort"):
        session.page(sort="price")


def test_regenerate_sends_the_note_and_stores_the_new_copy(session: ReviewSession) -> None:
    backend = FakeBackend([{"title": "Lampe de bureau LED pliable Lumio 2 courte"}])
    row = session.regenerate(3, "plus court, sans « idéale »", backend, "ana")
    assert len(backend.calls) == 1
    sent = backend.calls[0]
    assert "plus court, sans « idéale »" in sent[-1]["content"]
    assert "relecteur" in sent[-1]["content"], "a French run gets the French instruction"
    assert row.proposed == {"title": "Lampe de bureau LED pliable Lumio 2 courte"} and row.edited
    assert row.status == "ok" and row.flags == [] and row.decision == "pending"
    event = session.history(3)[-1]
    assert event["action"] == "regenerate" and event["note"] == "plus court, sans « idéale »"
    assert event["input_tokens"] == 100 and event["output_tokens"] == 20 and event["cost"] is None
    assert event["before"] == {"title": LONG}


def test_a_changed_feed_rebuilds_the_snapshot_and_keeps_decisions(
    tmp_path: Path, store: Store, session: ReviewSession
) -> None:
    session.approve([1], "ana")
    feed = tmp_path / "feed.csv"
    feed.write_text(
        feed.read_text(encoding="utf-8").replace("Lampe de bureau LED 0", "Lampe LED 0 neuve"), "utf-8"
    )
    os.utime(feed, ns=(1, 1))
    again = ReviewSession(store)
    assert again.row(1).current == {"title": "Lampe LED 0 neuve"} and again.row(1).decision == "approved"


def test_a_feed_gone_still_reviews_with_current_copy_unknown(tmp_path: Path, store: Store) -> None:
    batch(tmp_path, store)
    (tmp_path / "feed.csv").unlink()
    session = ReviewSession(store)  # no snapshot yet, and no feed to build it from
    assert not session.feed_available and session.page().total == ROWS
    row = session.row(1)
    assert row.current == {} and row.generated == {"title": "Lampe de bureau LED pliable Lumio 0"}
    assert session.approve([1], "ana") == 1
    with pytest.raises(InputError, match="product data is gone"):
        session.regenerate(1, "", FakeBackend([{"title": "x"}]), "ana")


def test_a_snapshot_made_with_the_feed_outlives_it(
    tmp_path: Path, store: Store, session: ReviewSession
) -> None:
    (tmp_path / "feed.csv").unlink()
    again = ReviewSession(store)
    assert not again.feed_available
    assert again.row(1).current == {"title": "Lampe de bureau LED 0"}, "the snapshot keeps what it read"


def test_no_batch_run_is_a_clear_error(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.sqlite3") as empty, pytest.raises(InputError, match="no batch run"):
        ReviewSession(empty)


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "sqlite_autoindex_review_state_1"),
        ({"status": "flagged"}, "review_state_status"),
        ({"decision": "approved"}, "review_state_decision"),
        ({"sort": "title"}, "review_state_title"),
        ({"rule": "url"}, "review_flags_rule"),
        ({"field": "title"}, "review_flags_field"),
    ],
)
def test_paging_queries_use_indexes(session: ReviewSession, filters: dict[str, str], index: str) -> None:
    sort = filters.pop("sort", "row")
    count, select, values = session._queries(filters.get("status"), filters.get("rule"), filters.get("field"),
                                             filters.get("decision"), None, sort, False)  # fmt: skip
    for sql, bound in ((count, values), (select, [*values, 50, 0])):
        plan = " | ".join(row[-1] for row in session.conn.execute("EXPLAIN QUERY PLAN " + sql, bound))
        if sql is select or index.startswith("review_flags"):
            assert index in plan or (index.startswith("sqlite_autoindex") and "PRIMARY KEY" in plan), plan
        assert "USE TEMP B-TREE" not in plan, plan
        assert "SCAN r" not in plan and not re.search(r"SCAN s(?! USING)", plan), plan


def test_flags_read_back_from_the_run_are_rechecked_once_shown(session: ReviewSession) -> None:
    def checked() -> int:
        sql = "SELECT checked FROM review_rows WHERE run_id = ? AND row_number = 3"
        return int(session.conn.execute(sql, (session.run.id,)).fetchone()[0])

    assert checked() == 0, "the snapshot does not re-check a large run's flagged rows up front"
    assert session.facets().rules == {"length.advised_max_chars": 1}, "the run's own lines give the rule"
    page = session.page(status="flagged")
    assert checked() == 1 and page.rows[0].flags[0].message.endswith("80 advised")
    assert session.facets().fields == {"title": 1}


def test_the_note_is_sent_in_english_for_an_english_row() -> None:
    from copyassist.backends import OutputSpec, Prompt
    from copyassist.review.regenerate import NotedBackend

    inner = FakeBackend([{"title": "Desk lamp"}])
    noted = NotedBackend(inner, "  mention the warranty ", "en")
    prompt = Prompt([{"role": "user", "content": "Write a title"}], OutputSpec("ProductTitle", {}), {}, "en")
    noted.complete(prompt)
    last = inner.calls[0][-1]["content"]
    assert "A reviewer" in last and "mention the warranty\n" in last and "relecteur" not in last
    assert inner.calls[0][0]["content"].startswith("Write a title"), "the template's messages come first"
