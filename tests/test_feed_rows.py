"""Reading feed files as plain rows, and how a file's layout, encoding, delimiter and line ending
are found: the one reading ``check``, ``study`` and ``batch`` share."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from copyassist.errors import InputError
from copyassist.feeds import RecordCount, count_records, layout_of, read_rows, sniff_csv
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
