"""A listing run under review, exported and reported: every field shown, an edit re-checked by
its own field's template and rules, each field's status kept in the export."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

import copyassist
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.review import ReviewSession
from copyassist.review.report import write_run_report
from tests.helpers import FakeBackend

TITLE = {"title": "Lampe de bureau LED Lumio"}
DESCRIPTION = {
    "headline": "Une lumière qui suit votre journée",
    "description": "Trois températures de couleur pour travailler puis vous détendre, et un port USB-C "
    "pour recharger votre téléphone sans chercher de prise.",
    "call_to_action": "Découvrez la lampe Lumio.",
}


def feed(path: Path) -> Path:
    path.write_text(
        "sku,title,description,brand,features\n"
        "L-1,Lampe de bureau LED,,Lumio,Trois températures de couleur|Port USB-C\n",
        "utf-8",
    )
    return path


@pytest.fixture
def store(tmp_path: Path) -> Any:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


@pytest.fixture
def run_id(tmp_path: Path, store: Store) -> int:
    backend = FakeBackend([TITLE, DESCRIPTION])
    summary = run_batch(feed(tmp_path / "feed.csv"), tmp_path / "batch.csv", store=store, backend=backend,
                        template="product-title,product-description", language="fr",
                        concurrency=1)  # fmt: skip
    assert len(backend.calls) == 2
    return summary.run_id


def test_the_review_shows_every_field_and_rechecks_an_edit_by_its_own_rules(
    store: Store, run_id: int
) -> None:
    session = ReviewSession(store, run_id)
    assert session.fields == ["title", "headline", "description", "call_to_action"]
    row = session.row(1)
    assert row.generated["title"] == TITLE["title"] and row.generated["headline"] == DESCRIPTION["headline"]
    edited = session.edit(1, {"title": "Lampe de bureau LED Lumio https://lumio.example"}, "ana")
    assert {f.field for f in edited.flags if f.severity == "error"} == {"title"}  # the title's own rules
    edited = session.edit(1, {"title": TITLE["title"], "description": "Une lampe garantie 5 ans."}, "ana")
    assert any(f.field == "description" and f.rule.startswith("facts.") for f in edited.flags)


def test_export_keeps_every_field_and_its_status(tmp_path: Path, store: Store, run_id: int) -> None:
    session = ReviewSession(store, run_id)
    session.edit(1, {"headline": "Une lumière pour chaque moment"}, "ana")
    session.approve([1], "ana")
    copyassist.export(store, run_id, tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["copyassist_title"] == TITLE["title"] and row["title"] == TITLE["title"]
    assert row["copyassist_headline"] == "Une lumière pour chaque moment"
    assert row["copyassist_product-title_status"] and row["copyassist_product-description_status"]
    assert row["description"] == DESCRIPTION["description"]  # approved: the mapped target filled


def test_the_html_report_of_a_listing_run_shows_its_fields(tmp_path: Path, store: Store, run_id: int) -> None:
    path = write_run_report(store, run_id, review_command="copyassist review")
    html = Path(path).read_text("utf-8")
    assert "product-title, product-description" in html
