"""Excel workbooks: a marketplace template (instructions sheet, two template rows above the
header, a valid-values sheet) read, batched and written back as a real .xlsx, compared cell by
cell: every sheet and original cell back with its type, only the new and target cells differ."""

from __future__ import annotations

import warnings
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.errors import InputError
from copyassist.feeds import open_feed, read_rows
from copyassist.feeds.sniffing import FeedNotice
from copyassist.feeds.xlsx import XlsxWriter
from tests.helpers import FakeBackend, assert_exited

HEADER = ["SKU", "Nom", "Prix", "Date d'ajout", "Description", "Stock", "Total"]
COPY = {"title": "Bol Kintsugi en grès émaillé"}


def template(path: Path) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "Instructions"
    notes.append(["Remplissez la feuille Modèle"])
    notes.append(["Prix en euros", 3])
    sheet = book.create_sheet("Modèle")
    sheet.append(["TemplateType=fptcustom", "Version=2024.1"])
    sheet.append(["Référence du vendeur", "Nom du produit", "Prix TTC"])  # labels, not the header
    sheet.append(HEADER)
    sheet.append(["BOL-1", "", 24.9, datetime(2024, 3, 5), "Bol en grès émaillé, 12 cm.", 8, "=C4*F4"])
    sheet.append([None] * 7)  # a blank row between products
    sheet.append(["BOL-2", "Bol Raku", 19, datetime(2024, 3, 6, 14, 30), "Bol raku fait main.", 0, "=C6*F6"])
    sheet.append(["TASSE-3", "", 9.5, None, "=not a formula, a seller's text", 12, None])
    sheet["D4"].number_format = "DD/MM/YYYY"
    sheet["G7"].value = "=text"
    for cell in (sheet["E7"], sheet["G7"]):  # typed as text in Excel, though they start with "="
        cell.data_type = "s"
    values = book.create_sheet("Valeurs valides")
    values.append(["Couleur", "Taille"])
    values.append(["noir", 42])
    book.save(path)
    return path


def cells(path: Path) -> dict[str, list[list[Any]]]:
    book = load_workbook(path)
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def batch(source: Path, out: Path, **options: Any) -> None:
    """A French run (the fake answers in French, whatever language a row is detected in)."""
    with Store(source.parent / "store.sqlite3") as store:
        run_batch(source, out, template="product-title", backend=FakeBackend([COPY]), store=store,
                  use_cache=False, language="fr", **options)  # fmt: skip


def test_the_header_below_template_rows_is_found_and_said(tmp_path: Path) -> None:
    source = template(tmp_path / "modele.xlsx")
    said = r"sheet 'Modèle', header on row 3; rows 1-2 above it are kept unchanged$"
    with pytest.warns(FeedNotice, match=said):
        feed = open_feed(source)
    assert feed.columns == HEADER and feed.mapping["title"] == "Nom" and feed.mapping["sku"] == "SKU"
    rows = list(feed.rows())
    assert [r.number for r in rows] == [1, 2, 3]  # the blank row is passed over
    assert rows[0].raw["Prix"] == 24.9 and rows[0].raw["Stock"] == 8  # numbers stay numbers
    assert rows[0].raw["Date d'ajout"] == datetime(2024, 3, 5)  # dates stay dates
    assert (rows[0].product or {})["price"] == "24.9"
    with pytest.warns(FeedNotice):
        assert [r.data["SKU"] for r in read_rows(source)] == ["BOL-1", "BOL-2", "TASSE-3"]
    with pytest.warns(FeedNotice, match="header on row 2"):
        forced = open_feed(source, header_row=2)
    assert forced.columns == ["Référence du vendeur", "Nom du produit", "Prix TTC"]


def test_a_template_round_trips_cell_by_cell(tmp_path: Path) -> None:
    source = template(tmp_path / "modele.xlsx")
    out = tmp_path / "modele.copy.xlsx"
    with pytest.warns(FeedNotice):
        batch(source, out)
    before, after = cells(source), cells(out)
    assert list(after) == ["Instructions", "Modèle", "Valeurs valides"]  # every sheet, in order
    assert all(after[name] == before[name] for name in ("Instructions", "Valeurs valides"))
    old, new = before["Modèle"], after["Modèle"]
    assert len(new) == len(old)  # same rows: template rows, header, products, the blank row
    assert [row[:2] for row in new[:2]] == [row[:2] for row in old[:2]]
    assert new[2][: len(HEADER)] == HEADER and new[2][len(HEADER)] == "copyassist_title"
    target = HEADER.index("Nom")
    for was, now in zip(old[3:], new[3:], strict=True):
        for index, value in enumerate(was):
            if index != target:
                assert now[index] == value, (index, value)  # numbers, dates, formulas, text
    assert [row[target] for row in new[3:]] == [COPY["title"], None, "Bol Raku", COPY["title"]]
    assert [row[len(HEADER)] for row in new[3:]] == [COPY["title"], None, COPY["title"], COPY["title"]]
    sheet = load_workbook(out)["Modèle"]
    assert sheet["D4"].number_format == "DD/MM/YYYY" and sheet["D4"].is_date
    assert sheet["G4"].data_type == "f" and sheet["G4"].value == "=C4*F4"  # a formula stays one
    assert sheet["E7"].data_type == "s" and sheet["G7"].data_type == "s"  # text starting with = stays text
    assert isinstance(sheet["C4"].value, float) and isinstance(sheet["F4"].value, int)
    with pytest.warns(FeedNotice):
        again = open_feed(out)
    assert again.mapping["title"] == "Nom" and len(list(again.rows())) == 3


def test_csv_to_xlsx_writes_a_real_workbook(tmp_path: Path) -> None:
    source = tmp_path / "catalogue.csv"
    source.write_text("sku;title;description\nB-1;;Bol en grès\nB-2;Tasse;Tasse en grès\n", encoding="utf-8")
    out = tmp_path / "catalogue.xlsx"
    batch(source, out)
    assert zipfile.is_zipfile(out)
    (rows,) = cells(out).values()
    assert rows[0][:4] == ["sku", "title", "description", "copyassist_title"]
    assert [r[:3] for r in rows[1:]] == [
        ["B-1", COPY["title"], "Bol en grès"], ["B-2", "Tasse", "Tasse en grès"],
    ]  # fmt: skip


def test_new_cells_are_text_even_when_they_start_with_equals(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    with XlsxWriter(out, ["sku", "copyassist_title"]) as writer:
        writer.write({"sku": "A", "copyassist_title": '=HYPERLINK("http://evil.example")'})
    sheet = load_workbook(out).active
    assert sheet is not None and sheet["B2"].data_type == "s"
    aborted = XlsxWriter(tmp_path / "never.xlsx", ["sku"])
    aborted.abort()
    assert not (tmp_path / "never.xlsx").exists()


def test_a_broken_workbook_is_refused_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"broken.xlsx: not a readable .xlsx workbook"):
        open_feed(broken)
    source = template(tmp_path / "modele.xlsx")
    cut = tmp_path / "cut.xlsx"  # a part of the zip ends in the middle of a row
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(cut, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item, data[: data.index(b"BOL-2")] if b"BOL-2" in data else data)
    with warnings.catch_warnings(), pytest.raises(InputError, match=r"cut.xlsx: not a readable .xlsx"):
        warnings.simplefilter("ignore", FeedNotice)
        list(open_feed(cut).rows())


def test_a_workbook_written_as_csv_keeps_plain_values(tmp_path: Path) -> None:
    source = template(tmp_path / "modele.xlsx")
    out = tmp_path / "modele.csv"
    with pytest.warns(FeedNotice):
        batch(source, out)
    first = out.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert first[:4] == ["BOL-1", COPY["title"], "24.9", "2024-03-05 00:00:00"]


def test_the_cli_takes_a_header_row_and_says_which_it_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = template(tmp_path / "modele.xlsx")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")  # --dry-run calls nothing
    options = ["--dry-run", "--provider", "openai", "--model", "gpt-4.1-mini", "--header-row", "2"]
    result = CliRunner().invoke(app, ["batch", str(source), "-t", "product-title", *options])
    assert_exited(result, 0)
    note = "copyassist: note: modele.xlsx: sheet 'Modèle', header on row 2; row 1 above it is kept unchanged"
    assert note in result.output
    assert result.output.count("copyassist: note:") == 1


def test_an_amazon_flat_file_reads_its_attribute_names_row_as_the_header(tmp_path: Path) -> None:
    """Amazon's flat files: a template line, a row of labels, then the attribute names the upload
    reads; the labels row is no product and the names row is the header."""
    path = tmp_path / "amazon.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["TemplateType=fptcustom", "Version=2024.1"])
    sheet.append(["Product Name", "Product Description", "Price"])
    sheet.append(["item_name", "product_description", "standard_price"])
    sheet.append(["Lampe Lune", "Lampe en verre soufflé", 59])
    book.save(path)
    with pytest.warns(FeedNotice, match="header on row 3"):
        feed = open_feed(path)
    assert (feed.mapping["title"], feed.mapping["description"]) == ("item_name", "product_description")
    assert feed.mapping["price"] == "standard_price"
    assert [r.product["title"] for r in feed.rows() if r.product] == ["Lampe Lune"]


def test_a_workbook_with_no_title_or_description_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stock.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["sku", "qty"])
    sheet.append(["A1", 3])
    book.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputError, match="no column holds a title or a description"):
            open_feed(path, header_row=1)
