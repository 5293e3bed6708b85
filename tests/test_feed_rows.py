"""Reading feed files as plain rows, and how a file's layout, encoding, delimiter and line ending
are found: the one reading ``check``, ``study`` and ``batch`` share."""

from __future__ import annotations

import csv
import json
import os
import re
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from copyassist.errors import InputError
from copyassist.feeds import RecordCount, count_records, layout_of, open_feed, read_rows, records, sniff_csv
from copyassist.feeds import rows as feed_rows
from copyassist.feeds.sniffing import detect_delimiter, detect_encoding

# -- delimiter, encoding, line ending ------------------------------------------------------------

TITLES = ["Lampe de bureau, LED, 3 modes", "Sac à dos, 20 L, imperméable", "Gourde inox, 750 ml"]


def test_a_one_column_csv_of_titles_with_commas_is_one_column(tmp_path: Path) -> None:
    source = tmp_path / "titles.csv"
    source.write_text("title\n" + "\n".join(TITLES) + "\n", encoding="utf-8")
    found = list(read_rows(source))
    assert [r.error for r in found] == [None, None, None]
    assert [r.data for r in found] == [{"title": t} for t in TITLES]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title;price\nLampe, LED;12,50\n", ";"),  # the header decides, not the commas in values
        ('"Nom, court";Prix\n"Bol, grès";12\n', ";"),  # a quoted comma is no delimiter
        ("id\ttitle\tprice\n1\tLampe, LED\t12\n", "\t"),
        ("title\nLampe, LED; 3 modes\n", "\t"),  # one column: a delimiter no value holds
        ("title\nLampe, LED; 3 modes | 12\tcm\n", ","),  # all taken: the comma, as before
        ("sku;titre,court\nA1;Bol, grès\nA2;Tasse\nA3;Verre\n", ";"),  # a tie: the lines below decide
        ("", ","),
    ],
)
def test_detect_delimiter(text: str, expected: str) -> None:
    assert detect_delimiter(text) == expected


def test_detect_encoding() -> None:
    assert detect_encoding("Théière".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("Théière, crème".encode("cp1252")) == "cp1252"
    assert detect_encoding("Théière".encode()) == "utf-8"
    assert detect_encoding("Théière".encode()[:2]) == "utf-8"  # a character cut by the sample's end


@pytest.mark.parametrize("ending", ["\r\n", "\n"])
def test_the_line_ending_is_the_header_lines(tmp_path: Path, ending: str) -> None:
    source = tmp_path / "feed.csv"
    source.write_bytes(f'title;description{ending}Bol;"deux{chr(10)}lignes"{ending}'.encode())
    assert sniff_csv(source).lineterminator == ending


def test_given_delimiter_and_encoding_are_kept(tmp_path: Path) -> None:
    source = tmp_path / "feed.txt"
    source.write_bytes(b"a,b;c\n1,2;3\n")
    dialect = sniff_csv(source, delimiter=";", encoding="cp1252")
    assert (dialect.delimiter, dialect.encoding) == (";", "cp1252")
    assert [r.data for r in read_rows(source, delimiter=";")] == [{"a,b": "1,2", "c": "3"}]


def test_the_layout_comes_from_the_name_and_can_be_given(tmp_path: Path) -> None:
    suffixes = (".CSV", ".txt", ".tsv", ".jsonl", ".ndjson", ".json", ".xlsx", "")
    expected = ["csv", "csv", "tsv", "jsonl", "jsonl", "json", "xlsx", None]
    assert [layout_of(f"feed{s}") for s in suffixes] == expected
    tsv = tmp_path / "feed.tsv"
    tsv.write_text("title,x\tprice\nLampe, LED\t12\n", encoding="utf-8")  # .tsv: tab, whatever the header
    assert [r.data for r in read_rows(tsv)] == [{"title,x": "Lampe, LED", "price": "12"}]
    lines = tmp_path / "export.txt"
    lines.write_text('{"title": "Lampe"}\n', encoding="utf-8")
    assert [r.data for r in read_rows(lines, layout="jsonl")] == [{"title": "Lampe"}]
    with pytest.raises(InputError, match="no such file"):
        read_rows(tmp_path / "missing.csv")


def test_count_records(tmp_path: Path) -> None:
    csv_file, jsonl = tmp_path / "a.csv", tmp_path / "a.jsonl"
    csv_file.write_text("title\nA\nB\n", encoding="utf-8")
    jsonl.write_text('{"a": 1}\n{"a": 2}\n', encoding="utf-8")
    counts = (count_records(csv_file), count_records(jsonl), count_records(tmp_path / "none.csv"))
    assert counts == (RecordCount(2), RecordCount(2), None)


# -- bytes that are not UTF-8 ---------------------------------------------------------------------


def test_windows_1252_bytes_far_into_a_utf8_csv_lose_no_row(tmp_path: Path) -> None:
    source = tmp_path / "mixed.csv"
    lines = ["title,description"] + [f"Produit {i},Déjà très bien" for i in range(3000)]
    source.write_bytes("\n".join(lines).encode() + "\nCafé crème,Collé depuis Excel\n".encode("cp1252"))
    found = list(read_rows(source))  # the sample says UTF-8; the last line is Windows-1252
    assert len(found) == 3001 and not any(r.error for r in found)
    assert found[-1].data == {"title": "Café crème", "description": "Collé depuis Excel"}


def test_windows_1252_bytes_in_jsonl_and_json_are_read(tmp_path: Path) -> None:
    lines, array = tmp_path / "a.jsonl", tmp_path / "a.json"
    lines.write_bytes('{"title": "Café crème"}\n'.encode("cp1252"))
    array.write_bytes('[{"title": "Café crème"}]'.encode("cp1252"))
    assert [r.data for r in read_rows(lines)] == [{"title": "Café crème"}]
    assert [r.data for r in read_rows(array)] == [{"title": "Café crème"}]


# -- JSON arrays ------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_json_arrays_stream_items_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(feed_rows, "_JSON_CHUNK", chunk)
    items = [{"title": f"Lampe {n}", "price": 12345.5 + n, "tags": ["a", "b"], "ok": n % 2 == 0}
             for n in range(30)]  # fmt: skip
    source = tmp_path / "feed.json"
    body = ",\n  ".join(json.dumps(i, ensure_ascii=False) for i in items)
    source.write_text(" [\n" + body + "\n] \n", "utf-8")
    found = list(read_rows(source))
    assert [r.data for r in found] == items and [r.number for r in found] == list(range(1, 31))


@pytest.mark.parametrize(
    ("text", "rows", "error"),
    [
        ("[]", [], None),
        ('{"title": "Lampe"}', [{"title": "Lampe"}], None),
        ('[{"title": "Lampe"}, 3]', [{"title": "Lampe"}, "an array item must be a JSON object"], None),
        ("", [], "Expecting value, line 1"),
        ('[{"title": "Lampe"},\n {"title": ', [{"title": "Lampe"}], "line 2"),
        ('[{"title": "Lampe"} {"title": "Sac"}]', [{"title": "Lampe"}], "Expecting ','"),
        ('[{"title": "Lampe"}] x', [{"title": "Lampe"}], "Extra data"),
    ],
)
def test_json_array_edge_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, rows: list[Any], error: str | None
) -> None:
    monkeypatch.setattr(feed_rows, "_JSON_CHUNK", 5)
    source = tmp_path / "feed.json"
    source.write_text(text, "utf-8")
    seen: list[Any] = []
    if error is None:
        seen = [r.data or r.error for r in read_rows(source)]
    else:
        with pytest.raises(InputError, match=error):
            seen.extend(r.data or r.error for r in read_rows(source))
    assert seen == rows


def test_a_json_array_streams_in_flat_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_rows, "_JSON_CHUNK", 64 * 1024)
    source = tmp_path / "big.json"  # about 4 MB
    with source.open("w", encoding="utf-8") as handle:
        handle.write("[")
        handle.write(",".join(json.dumps({"sku": f"S{i}", "title": f"Produit numéro {i}", "price": i})
                              for i in range(60_000)))  # fmt: skip
        handle.write("]")
    tracemalloc.start()
    try:
        count = sum(1 for row in read_rows(source) if row.data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {source.stat().st_size / 1e6:.1f} MB file"


# -- every input answered: refused at once, or read -------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("image.csv", PNG, "image.csv is not a CSV: it starts with PNG bytes"),
        ("image.jsonl", PNG, "image.jsonl is not a JSON Lines file: it starts with PNG bytes"),
        ("photo.json", b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.json is not a JSON file: it starts with JPEG"),
        ("catalogue.csv", b"PK\x03\x04\x14\x00\x06\x00", "starts with ZIP bytes (an Excel .xlsx"),
        ("unicode.txt", "title\tprice\n".encode("utf-16"), "UTF-16 text"),
        ("dump.csv", bytes(range(256)) * 4, "holds binary bytes"),
        ("empty.csv", b"", "empty.csv is empty"),
        ("header.csv", b"title;price\r\n", "header.csv has a header line but no rows"),
        ("blank.csv", b"title;price\n\n;\n\n", "blank.csv has a header line but no rows"),
        ("blank-first.csv", b"\ntitle\nLampe\n", "the first line is blank"),
        ("empty.jsonl", b"\n\n", "empty.jsonl is empty"),
        ("list.jsonl", b'["Lampe", 12]\n"Sac"\n', "list.jsonl is not JSON Lines: no line is a JSON object"),
        ("empty.json", b" [ ] ", "empty.json holds no JSON object"),
        ("list.json", b'["Lampe", 12]', "list.json holds no JSON object"),
        ("deep.json", b"[" * 100_000, "nested too deep"),
    ],
)
def test_a_file_that_is_not_a_feed_is_refused_at_once(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(data)
    if not name.endswith(".json"):  # read_rows gives a JSON array's items as they are, [] included
        with pytest.raises(InputError, match=re.escape(message)):
            list(read_rows(source))
    with pytest.raises(InputError, match=re.escape(message)):
        open_feed(source)  # before a run starts, not once it has


def test_a_jsonl_file_of_no_objects_is_refused_within_its_first_lines(tmp_path: Path) -> None:
    source = tmp_path / "array.jsonl"
    source.write_text("[\n" + ",\n".join(f'  "item {i}"' for i in range(5000)) + "\n]\n", encoding="utf-8")
    with pytest.raises(InputError, match="none of its first 100 lines is a JSON object"):
        open_feed(source)


def test_jsonl_lines_that_are_not_objects_are_reported_with_their_text(tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_text('{"title": "Lampe"}\n["a list"]\n{not json\n' + "[" * 100_000 + "\n", encoding="utf-8")
    rows = list(read_rows(source))
    assert [r.error for r in rows] == [None, "a line must hold one JSON object", "not valid JSON "
                                       "(Expecting property name enclosed in double quotes)",
                                       "JSON nested too deeply"]  # fmt: skip
    assert [r.source.text for r in rows[1:3] if r.source] == ['["a list"]\n', "{not json\n"]


def test_a_field_longer_than_csvs_own_limit_is_read(tmp_path: Path) -> None:
    description = "<p>" + "Très long texte, avec une image en ligne. " * 5000 + "</p>"  # 210,000 characters
    assert len(description) > 131_072
    source = tmp_path / "long.csv"
    source.write_text(f'sku,description\nA1,"{description}"\nA2,court\n', encoding="utf-8")
    first, second = read_rows(source)
    assert first.error is None and first.data["description"] == description
    assert second.data == {"sku": "A2", "description": "court"}


def test_a_row_too_long_to_read_keeps_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = csv.field_size_limit()
    source = tmp_path / "long.csv"
    source.write_text('sku,description\nA1,"' + "x" * 500 + '"\nA2,court\n', encoding="utf-8")
    csv.field_size_limit(100)  # the limit is 16 MB: a smaller one stands in for it
    try:
        first, second = read_rows(source)
    finally:
        csv.field_size_limit(limit)
    assert first.error is not None and first.error.startswith("unreadable line")
    assert first.source is not None and first.source.text == 'A1,"' + "x" * 500 + '"\n'
    assert second.data == {"sku": "A2", "description": "court"}


def test_a_quote_left_open_is_reported_with_the_row_number(tmp_path: Path) -> None:
    source = tmp_path / "quote.csv"
    source.write_text(
        'sku;title;price;brand\nA1;Bol 12";9;Lumio\nA2;"Tasse;12;Lumio\nA3;Verre;3;Lumio\nA4;Pot";4;Lumio\n'
        'A5;Plat;"Servir\nchaud";Lumio\n',
        encoding="utf-8",
    )
    rows = list(read_rows(source))
    assert [r.number for r in rows] == [1, 2, 3]  # A3 and A4 were swallowed by row 2's open quote
    assert rows[0].notes == () and rows[2].notes == ()  # a real multi-line cell is no warning
    (note,) = rows[1].notes
    assert "column 'title' holds 1 line(s) shaped like rows" in note and "quote" in note


def test_mixed_encodings_are_decoded_line_by_line(tmp_path: Path) -> None:
    source = tmp_path / "mixed.csv"
    lines = [
        b"title;description",
        "Théière;Fonte émaillée".encode(),
        "Café crème;Collé depuis Excel".encode("cp1252"),  # one Windows-1252 line, in the sample
        "Crème brûlée;Déjà très bien".encode(),
        "Bol;Grès".encode(),
    ]
    source.write_bytes(b"\n".join(lines) + b"\n")
    assert sniff_csv(source).encoding == "utf-8"  # most lines are UTF-8: the file is
    rows = list(read_rows(source))
    assert [r.data["title"] for r in rows] == ["Théière", "Café crème", "Crème brûlée", "Bol"]  # no mojibake
    assert [r.number for r in rows if r.notes] == [2]
    assert rows[1].notes == ("bytes that are not UTF-8 were read as Windows-1252",)
    cp1252 = tmp_path / "excel.csv"
    cp1252.write_bytes("title\nCafé\nThé\n".encode("cp1252") + "Crème\n".encode())
    assert sniff_csv(cp1252).encoding == "cp1252"
    assert [(r.data["title"], bool(r.notes)) for r in read_rows(cp1252)] == [
        ("Café", False), ("Thé", False), ("Crème", True)]  # fmt: skip


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_a_header_longer_than_the_sample_keeps_every_column_and_its_line_ending(
    tmp_path: Path, ending: str
) -> None:
    columns = ["sku", "title", *(f"attribute {n:05d} (valeur, unité)" for n in range(3000))]  # ~100 KB
    source = tmp_path / "wide.csv"
    header = ";".join(columns)
    assert len(header) > 64 * 1024
    source.write_bytes(ending.join([header, "A1;Lampe" + ";x" * 3000, ""]).encode())
    dialect = sniff_csv(source)
    assert (dialect.delimiter, dialect.lineterminator) == (";", ending)
    (row,) = read_rows(source)
    assert list(row.data) == columns and row.data["title"] == "Lampe"


def test_old_mac_line_endings_are_read(tmp_path: Path) -> None:
    source = tmp_path / "mac.csv"
    source.write_bytes(b'title;description\rLampe;"deux\rlignes"\rSac;3\r')
    assert sniff_csv(source).lineterminator == "\r"
    assert [r.data for r in read_rows(source)] == [
        {"title": "Lampe", "description": "deux\rlignes"}, {"title": "Sac", "description": "3"}]  # fmt: skip


def test_blank_rows_are_numbered_and_kept_on_request(tmp_path: Path) -> None:
    source = tmp_path / "blank.csv"
    source.write_text("title;price\nLampe;1\n\n;\nSac;2\n", encoding="utf-8")
    assert [(r.number, r.data["title"]) for r in read_rows(source)] == [(1, "Lampe"), (4, "Sac")]
    kept = list(read_rows(source, keep_blank=True))
    assert [(r.number, r.blank) for r in kept] == [(1, False), (2, True), (3, True), (4, False)]
    assert [r.source.text for r in kept if r.source] == ["Lampe;1\n", "\n", ";\n", "Sac;2\n"]


def test_a_trailing_delimiter_is_no_extra_column(tmp_path: Path) -> None:
    source = tmp_path / "presta.csv"
    source.write_text("ID;Name *;Price\n1;Bougie;12;\n2;Lampe;9;;\n3;Sac;4;x\n", encoding="utf-8")
    one, two, three = read_rows(source)
    assert one.data == {"ID": "1", "Name *": "Bougie", "Price": "12"} and one.error is None
    assert two.error is None
    assert three.error == "4 cells for 3 columns" and three.source is not None


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_lines_are_cut_at_every_line_end_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(records, "_CHUNK", chunk)
    lines = [b"a;b\r\n", b"1;2\r", b"\n", b"3;4\r", b"5;6\n", b"\r\n", b"7;8\r", b"9;10"]
    source = tmp_path / "endings.csv"
    source.write_bytes(b"".join(lines))
    with source.open("rb") as handle:
        found = list(records.physical_lines(handle))
    assert b"".join(found) == b"".join(lines)
    assert found == [b"a;b\r\n", b"1;2\r\n", b"3;4\r", b"5;6\n", b"\r\n", b"7;8\r", b"9;10"]


def test_a_line_longer_than_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "_CHUNK", 16)
    source = tmp_path / "one-line.csv"
    source.write_bytes(b"title\n" + b"x" * 200)
    with source.open("rb") as handle, pytest.raises(InputError, match="a line longer than"):
        list(records.physical_lines(handle, limit=100))


@pytest.mark.parametrize(
    "line",
    [
        "a;b;c",
        ";;",
        '"a;b";"c""d""";e',
        ' "a;b";c',
        'x"y;"ab"c"d;"a""b"',
        '"un\nbloc";"deux\r\nlignes"',
        '"";"""";""""""',
        "\"ouvert;jusqu'au bout",
        "é;€;\t",
        '"a"b"c";d',
    ],
)
def test_cells_are_cut_as_csv_reads_them(line: str) -> None:
    (cells,) = csv.reader([line], delimiter=";")
    source = records.SourceLine(line + "\n", cells, ";")
    spans = source.spans()
    assert spans is not None and ";".join(spans) == line
    assert [records.cell_value(s) for s in spans] == cells
    assert next(csv.reader([";".join(records.quote_cell(c, ";") for c in cells)], delimiter=";")) == cells


def test_a_long_quoted_cell_is_cut_quickly() -> None:
    cell = '"' + 'du texte, des ""guillemets"";' * 40_000 + '"'  # 1.2 MB
    (cells,) = csv.reader([f"A1;{cell};x"], delimiter=";")
    spans = records.SourceLine(f"A1;{cell};x", cells, ";").spans()
    assert spans == ["A1", cell, "x"]


def test_a_path_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    for read in (read_rows, open_feed):
        with pytest.raises(InputError, match="not a regular file"):
            read(fifo)
        with pytest.raises(InputError, match="not a regular file"):
            read(tmp_path)
