"""The seller's data comes back as it came: a batch writes every original record, header and rows,
blank ones included, byte for byte (in the file's own encoding); only the new columns, and with
``overwrite`` the target cells, change. Each fixture is written as its records, so that the
output can be compared with them without the reader under test."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from copyassist.batch.api import BatchSummary, run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.feeds import read_rows
from tests.helpers import FakeBackend, assert_exited

TITLE = "Bougie parfumée à la cire de soja"
runner = CliRunner()


def batch(tmp_path: Path, records: list[str], name: str = "feed.csv", encoding: str = "utf-8",
          **options: Any) -> tuple[str, BatchSummary]:  # fmt: skip
    """Run a batch on the file made of ``records``; the output's text."""
    source, out = tmp_path / name, tmp_path / f"out-{name}"
    source.write_bytes("".join(records).encode(encoding))
    with Store(tmp_path / "store.sqlite3") as store:
        summary = run_batch(source, out, template="product-title", backend=FakeBackend([{"title": TITLE}]),
                            store=store, **options)  # fmt: skip
    return out.read_bytes().decode(encoding), summary


def ending_of(record: str) -> str:
    return next((e for e in ("\r\n", "\n", "\r") if record.endswith(e)), "")


def assert_each_record_kept(records: list[str], text: str, *, changed: dict[int, str] | None = None) -> None:
    """Each record comes back in its place, its own text first, then the new cells and its own line
    ending; a blank line comes back as it was. ``changed``: record index -> what the kept text is."""
    at = 0
    for index, record in enumerate(records):
        ending = ending_of(record)
        kept = (changed or {}).get(index, record[: len(record) - len(ending)])
        if not record.strip(";,\r\n"):
            assert text.startswith(record, at), (index, text[at : at + 80])
            at += len(record)
            continue
        assert text.startswith(kept, at), (index, kept, text[at : at + len(kept) + 40])
        at = text.index(ending, at + len(kept)) + len(ending) if ending else len(text)
        if ending == "\n":
            assert text[at - 2] != "\r", index  # LF did not become CRLF
    assert at == len(text)  # no row added, none lost


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


# -- PrestaShop: ";", a trailing delimiter on every row, a blank header cell ------------------------

PRESTASHOP = [
    "Product ID;Active (0/1);Name *;  ;Description\n",
    '1;1;Bougie parfumée;;"- cire de soja\n- 40 heures";\n',
    "2;0;;x;=SUM(A1:A2) n'est pas une formule ici;\n",
    "3;1;Lampe;;Une lampe;\n",
]


def test_prestashop_trailing_delimiter_and_blank_header_come_back_as_they_came(tmp_path: Path) -> None:
    text, summary = batch(tmp_path, PRESTASHOP)
    assert not summary.totals.failures  # one cell more than the header, blank: a trailing ";"
    # "Name *" is PrestaShop's title column: row 2's empty one is filled, every other cell kept
    assert_each_record_kept(
        PRESTASHOP, text, changed={2: f"2;0;{TITLE};x;=SUM(A1:A2) n'est pas une formule ici;"}
    )
    header, *rows = csv_rows(text, ";")
    assert header[:5] == ["Product ID", "Active (0/1)", "Name *", "  ", "Description"]  # not trimmed
    assert all(row[-1] == "" and len(row) == len(header) + 1 for row in rows)  # the ";" is still last
    assert rows[0][4] == "- cire de soja\n- 40 heures"  # a bullet list, no quote put before it
    assert rows[1][4].startswith("=SUM")  # the seller's own cell is not rewritten


# -- a French catalogue: Windows-1252, CRLF, blank rows, multi-line cells ---------------------------

FRENCH = [
    "Référence;Désignation;Description;Prix TTC\r\n",
    'TH-01;Théière « Lune »;"Fonte émaillée\r\n1,2 l";49,90\r\n',
    "\r\n",
    ";;;\r\n",
    'TH-02;;"Bol en grès\nlavable";"12,00"\r\n',
    "\r\n",
    "TH-03;Plat;;-5\r\n",
]


def test_a_french_catalogue_keeps_its_encoding_blank_rows_and_cells(tmp_path: Path) -> None:
    text, summary = batch(tmp_path, FRENCH, encoding="cp1252")
    assert summary.totals.rows == 6 and not summary.totals.failures
    filled = f'TH-02;{TITLE};"Bol en grès\nlavable";"12,00"'  # the empty title: the only change
    assert_each_record_kept(FRENCH, text, changed={4: filled})
    rows = csv_rows(text, ";")
    assert len(rows) == len(FRENCH) and rows[2] == [] and rows[3] == ["", "", "", ""]


def test_blank_rows_are_kept_266_in_266_out(tmp_path: Path) -> None:
    records = ["sku,title\n"] + [f"S{n},Produit {n}\n" if n % 4 == 0 else "\n" for n in range(266)]
    text, summary = batch(tmp_path, records)
    assert summary.totals.rows == 266
    assert len(csv_rows(text, ",")) == 267
    assert_each_record_kept(records, text)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_endings_are_kept(tmp_path: Path, ending: str) -> None:
    records = [f"sku;title{ending}", f"A1;Lampe{ending}", f'A2;"Bol\ndeux lignes"{ending}', "A3;Sac"]
    text, _ = batch(tmp_path, records)
    assert_each_record_kept(records, text)
    assert text.count(ending) == 3 + (ending == "\n")  # the LF inside the quoted cell stays an LF


def test_quoting_blank_cells_and_spaces_are_kept(tmp_path: Path) -> None:
    records = ['"sku","title","note"\n', '"A1","Lampe",""\n', ' A2 , Sac ,"a ""b"" c"\n', 'A3,"",\n']
    text, _ = batch(tmp_path, records)
    assert_each_record_kept(records, text)


def test_shopify_overwrite_changes_only_the_target_cells(tmp_path: Path) -> None:
    records = [
        "Handle,Title,Body (HTML),Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price\n",
        'bougie,Ancien titre,"<p>Cire</p>",Lumio,Parfum,Figue,"B-1",12.00\n',
        "bougie,,,,,Vanille,B-2,12.00\n",
        "\n",
        "lampe,,<p>Lampe</p>,Lumio,Title,Default Title,L-1,9.90\n",
    ]
    text, _ = batch(tmp_path, records, overwrite=True)
    lampe = f"lampe,{TITLE},<p>Lampe</p>,Lumio,Title,Default Title,L-1,9.90"
    assert_each_record_kept(records, text, changed={4: lampe})
    bougie = csv_rows(text, ",")[1]
    assert bougie[8:10] == ["Lumio Ancien titre", "fallback"]  # a fallback never replaces existing copy
    assert bougie[1] == "Ancien titre"


# -- rows that cannot be read come back as they came, flagged --------------------------------------


def test_an_unreadable_row_is_written_back_byte_for_byte_and_flagged(tmp_path: Path) -> None:
    records = ["sku;title;price\n", "A1;Lampe;12\n", 'A2;"Sac";12;x\n', "A3;Bol;3\n"]
    text, summary = batch(tmp_path, records)
    assert [n for n, _ in summary.totals.failures] == [2]
    assert_each_record_kept(records, text, changed={2: 'A2;"Sac";12'})
    assert text.splitlines()[2].endswith(";x")  # the cell past the header stays last
    header, _, bad, _ = csv_rows(text, ";")
    assert bad[:3] == ["A2", "Sac", "12"] and bad[-1] == "x"
    assert bad[header.index("copyassist_status")] == "skipped"
    assert bad[header.index("copyassist_error")] == "unreadable row: 4 cells for 3 columns"


def test_a_row_too_long_to_read_is_written_back_byte_for_byte(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    records = ["sku,description\n", 'A1,"' + "x" * 300 + '"\n', "A2,court\n"]
    csv.field_size_limit(100)  # stands in for the 16 MB limit
    try:
        text, summary = batch(tmp_path, records)
    finally:
        csv.field_size_limit(limit)
    assert [n for n, _ in summary.totals.failures] == [1]
    assert_each_record_kept(records, text)
    assert text.splitlines()[1].endswith("unreadable line: a cell longer than 16 MB characters")


def test_a_long_html_description_is_read_and_kept(tmp_path: Path) -> None:
    image = "<img src='data:image/png;base64," + "iVBORw0KGgo" * 15_000 + "'>"  # 165,000 characters
    records = ["sku,title,description\n", f'A1,Lampe,"<p>Lampe</p>{image}"\n']
    text, summary = batch(tmp_path, records)
    assert not summary.totals.failures and summary.totals.counts["skipped"] == 0
    assert_each_record_kept(records, text)


def test_jsonl_lines_that_cannot_be_read_keep_their_text(tmp_path: Path) -> None:
    source, out = tmp_path / "feed.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"title": "Lampe"}\n["une liste"]\n{pas du json\n', encoding="utf-8")
    with Store(tmp_path / "store.sqlite3") as store:
        summary = run_batch(source, out, template="product-title", backend=FakeBackend([{"title": TITLE}]),
                            store=store)  # fmt: skip
    assert [n for n, _ in summary.totals.failures] == [2, 3]
    written = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r.get("copyassist_original") for r in written] == [None, '["une liste"]', "{pas du json"]
    assert written[1]["copyassist_status"] == "skipped"


# -- the exit code says when a row went wrong ---------------------------------------------------------


def test_batch_exits_1_when_a_row_is_unreadable_or_skipped_with_an_error(
    tmp_path: Path, serve: Callable[..., tuple[str, Any]]
) -> None:
    base_url, _ = serve()
    feed = tmp_path / "feed.csv"
    args = ["batch", str(feed), "-t", "product-title", "--provider", "compatible", "--base-url", base_url,
            "--model", "fake-model", "--db", str(tmp_path / "store.sqlite3"), "-q"]  # fmt: skip
    feed.write_text("sku;title\nA1;Lampe de bureau LED\nA2;Sac à dos\n", encoding="utf-8")
    assert_exited(runner.invoke(app, args), 0)
    feed.write_text("sku;title\nA1;Lampe de bureau LED\nA2;Sac;à dos\n", encoding="utf-8")
    result = runner.invoke(app, args)
    assert_exited(result, 1)
    assert "row 2: unreadable row: 3 cells for 2 columns" in result.output
    feed.write_text("sku;title\nA1;Lampe de bureau LED\nA2;\n", encoding="utf-8")
    result = runner.invoke(app, args)
    assert_exited(result, 1)
    assert "row 2: no title and no description" in result.output
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("sku;title\nA1;Théière en fonte\n".encode() + "A2;Café crème\n".encode("cp1252"))
    result = runner.invoke(app, [*args[:1], str(mixed), *args[2:]])
    assert_exited(result, 0)
    assert "warning: row 2: bytes that are not UTF-8 were read as Windows-1252" in result.output


def test_a_quote_never_closed_is_closed_so_the_new_cells_stay_in_their_columns(tmp_path: Path) -> None:
    records = ["sku;title;description\n", "A1;Lampe;Douce\n", 'A2;Sac;"Grand\nsac\n']  # open to the end
    text, summary = batch(tmp_path, records)
    ((row, note),) = summary.totals.warnings
    assert row == 2 and note.startswith("a quote opened in its last cell is never closed")
    assert 'A2;Sac;"Grand\nsac\n";' in text  # its text as it came, the quote closed after it
    header, _, last = csv_rows(text, ";")
    assert last[:3] == ["A2", "Sac", "Grand\nsac\n"] and len(last) == len(header)
    assert last[header.index("copyassist_model")] == "fake-model"  # the new cells in their columns


@pytest.mark.parametrize(
    ("name", "records", "out_name"),
    [
        ("feed.csv", ["sku;title\n", "A1;Lampe de bureau\n", "A2;Sac;à dos\n"], "out.xlsx"),
        ("feed.jsonl", ['{"sku": "A1", "title": "Lampe de bureau"}\n', "[1, 2]\n"], "out.csv"),
    ],
    ids=["csv-to-xlsx", "jsonl-to-csv"],
)
def test_an_unreadable_row_keeps_its_text_in_another_format(
    name: str, records: list[str], out_name: str, tmp_path: Path
) -> None:
    source, out = tmp_path / name, tmp_path / out_name
    source.write_text("".join(records), encoding="utf-8")
    with Store(tmp_path / "store.sqlite3") as store:
        run_batch(source, out, template="product-title", backend=FakeBackend([{"title": TITLE}]),
                  store=store, language="fr")  # fmt: skip
    written = [row.data for row in read_rows(out)]
    assert len(written) == 2
    assert written[1]["copyassist_original"] == records[-1].rstrip("\n")  # never blanked
