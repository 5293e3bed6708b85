"""Writing records to a feed file: the input's delimiter, encoding and line ending kept, the
layout chosen from the name, the ``.partial`` file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copyassist.feeds import FileWriter, output_layout, read_rows, sniff_csv


@pytest.mark.parametrize("ending", ["\r\n", "\n"])
def test_csv_rows_end_as_the_input_lines_did(tmp_path: Path, ending: str) -> None:
    out = tmp_path / "out.csv"
    with FileWriter(out, ["sku", "title"], layout="csv", delimiter=";", lineterminator=ending) as writer:
        writer.write({"sku": "A1", "title": "Bol"})
        writer.write({"sku": "A2", "title": "Deux\nlignes"})
    assert out.read_bytes() == f'sku;title{ending}A1;Bol{ending}A2;"Deux\nlignes"{ending}'.encode()
    assert sniff_csv(out).lineterminator == ending  # what a second run would read and keep


def test_the_switch_to_utf8_keeps_delimiter_and_line_ending(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with FileWriter(out, ["sku", "title"], layout="csv", delimiter=";", encoding="cp1252",
                    lineterminator="\n") as writer:  # fmt: skip
        writer.write({"sku": "A1", "title": "Théière"})
        writer.write({"sku": "A2", "title": "Thé 🍵"})  # no emoji in cp1252
    assert writer.encoding == "utf-8-sig"
    assert out.read_bytes() == "\ufeffsku;title\nA1;Théière\nA2;Thé 🍵\n".encode()
    assert [r.data["title"] for r in read_rows(out)] == ["Théière", "Thé 🍵"]


def test_json_lines_ignore_the_csv_dialect(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with FileWriter(out, ["sku"], layout="jsonl", encoding="cp1252", lineterminator="\r\n") as writer:
        writer.write({"sku": "=A1", "tags": ["a"]})
    assert out.read_bytes() == json.dumps({"sku": "=A1", "tags": ["a"]}).encode() + b"\n"
    assert writer.encoding == "utf-8"


def test_a_closed_writer_refuses_rows_and_an_aborted_one_publishes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.tsv"
    writer = FileWriter(out, ["sku"], layout="tsv")
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.write({"sku": "A1"})
    assert out.read_bytes() == b"sku\r\n"
    aborted = FileWriter(tmp_path / "other.csv", ["sku"], layout="csv")
    aborted.abort()
    assert not (tmp_path / "other.csv").exists() and (tmp_path / "other.csv.partial").exists()
    with pytest.raises(ValueError, match="output format 'xlsx'"):
        FileWriter(tmp_path / "x.xlsx", ["sku"], layout="xlsx")


@pytest.mark.parametrize(
    ("name", "requested", "source", "expected"),
    [
        ("out.csv", None, "shopify", "csv"),
        ("out.TSV", None, "csv", "tsv"),
        ("out.ndjson", None, "csv", "jsonl"),
        ("out.json", None, "jsonl", "json"),
        ("out", None, "jsonl", "jsonl"),  # no suffix: the input's layout
        ("out.dat", None, "merchant", "csv"),
        ("out.csv", "jsonl", "csv", "jsonl"),  # asked for: the name does not matter
        ("out.txt", "woocommerce", "json", "csv"),  # a platform's format is CSV
        ("out.xlsx", None, "csv", "xlsx"),  # a real workbook (copyassist.feeds.xlsx)
        ("out.xml", None, "merchant", "xml"),  # Merchant XML back (copyassist.feeds.merchant_xml)
    ],
)
def test_output_layout(name: str, requested: str | None, source: str, expected: str) -> None:
    assert output_layout(Path(name), requested, source) == expected


def test_an_unknown_output_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown output format 'ods'"):
        output_layout("out.ods", "ods", "csv")
