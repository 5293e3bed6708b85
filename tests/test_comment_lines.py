"""Import templates whose first lines are ``#`` comments, the header among them or after them:
read with the right delimiter and header, and said out loud."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.feeds import open_feed, read_rows, sniff_csv
from copyassist.feeds.sniffing import FeedNotice
from tests.helpers import FakeBackend, assert_exited

PREAMBLE = "# Modèle d'import produits\n# Séparateur : point-virgule\n"


def test_a_header_inside_the_last_comment_line_is_the_header(tmp_path: Path) -> None:
    feed = tmp_path / "modele.csv"
    body = "# Nom;Prix;Description\nBol;9,90;Bol en grès\nTasse;4,50;\n"
    feed.write_text(PREAMBLE + body, encoding="utf-8")
    with pytest.warns(FeedNotice, match=r"lines 1-3 are comments \(#\); the header is line 3 \(inside"):
        dialect = sniff_csv(feed)
    assert (dialect.delimiter, dialect.comments, dialect.comment_prefix) == (";", 3, "# ")
    with pytest.warns(FeedNotice):
        opened = open_feed(feed)
    assert opened.columns == ["Nom", "Prix", "Description"]
    with pytest.warns(FeedNotice):
        rows = list(opened.rows())
    assert [r.product and r.product["title"] for r in rows] == ["Bol", "Tasse"]
    assert rows[0].raw == {"Nom": "Bol", "Prix": "9,90", "Description": "Bol en grès"}


def test_a_header_after_the_comment_lines_is_the_header(tmp_path: Path) -> None:
    feed = tmp_path / "modele.csv"
    feed.write_text(PREAMBLE + "Nom;Prix\nBol;9,90\n", encoding="utf-8")
    with pytest.warns(FeedNotice, match=r"lines 1-2 are comments \(#\); the header is line 3$"):
        rows = list(read_rows(feed))
    assert [r.data for r in rows] == [{"Nom": "Bol", "Prix": "9,90"}]


def test_a_lone_commented_header_and_a_file_without_comments(tmp_path: Path) -> None:
    feed = tmp_path / "one.csv"
    feed.write_text("#Nom;Prix\r\nBol;9,90\r\n", encoding="utf-8")
    with pytest.warns(FeedNotice, match="line 1 is a comment"):
        assert [r.data for r in read_rows(feed)] == [{"Nom": "Bol", "Prix": "9,90"}]
    plain = tmp_path / "plain.csv"
    plain.write_text("Nom;Prix\nBol;9,90\n", encoding="utf-8")
    assert sniff_csv(plain).comments == 0


def test_a_batch_writes_the_comment_lines_back_and_reads_back_alike(tmp_path: Path) -> None:
    feed = tmp_path / "modele.csv"
    body = "# Nom;Prix;Description\nBol;9,90;Bol en grès\n;4,50;Tasse en grès\n"
    feed.write_bytes((PREAMBLE + body).encode())
    out = tmp_path / "modele.copy.csv"
    with pytest.warns(FeedNotice), Store(tmp_path / "store.sqlite3") as store:
        backend = FakeBackend([{"title": "Tasse en grès émaillé"}])
        run_batch(feed, out, template="product-title", backend=backend, store=store)
    text = out.read_text(encoding="utf-8")
    assert text.startswith(PREAMBLE + "# Nom;Prix;Description;copyassist_title;")
    with pytest.warns(FeedNotice, match="lines 1-3 are comments"):
        before, after = list(read_rows(feed)), list(read_rows(out))
    assert len(before) == len(after) == 2
    for old, new in zip(before, after, strict=True):
        assert all(new.data[k] == v for k, v in old.data.items() if k != "Nom")  # only the target changed
    assert [r.data["Nom"] for r in after] == ["Bol", "Tasse en grès émaillé"]


def test_the_cli_says_what_it_found_once(tmp_path: Path) -> None:
    feed = tmp_path / "modele.csv"
    feed.write_text(PREAMBLE + "# Nom;Prix;Description\nBol;9,90;Bol en grès émaillé.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(feed)])
    assert_exited(result, result.exit_code)
    note = "copyassist: note: modele.csv: "
    note += "lines 1-3 are comments (#); the header is line 3 (inside the comment)"
    assert result.output.count(note) == 1, result.output


def test_a_quoted_header_inside_a_comment_loses_its_quotes(tmp_path: Path) -> None:
    feed = tmp_path / "modele.csv"
    feed.write_text('# "Nom";"Prix";"Description"\nBol;9,90;Bol en grès\n', encoding="utf-8")
    with pytest.warns(FeedNotice):
        opened = open_feed(feed)
    assert opened.columns == ["Nom", "Prix", "Description"]
