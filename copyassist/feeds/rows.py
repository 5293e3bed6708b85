"""Reading feed files row by row: CSV (delimiter and encoding from ``sniffing``), JSONL and JSON
arrays. Rows stream: memory does not grow with the number of rows, JSON arrays included. Bytes
that are not UTF-8 are read as Windows-1252, never refused.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyassist.errors import InputError
from copyassist.feeds.documents import Document, document_rows, open_document, sniff_document
from copyassist.feeds.sniffing import (
    DOCUMENT_LAYOUTS,
    LENIENT,
    CsvDialect,
    header_from_comments,
    layout_of,
    sniff_csv,
)


@dataclass(frozen=True)
class Row:
    """One record. ``number`` is 1-based and counts data rows (a CSV header is row 0)."""

    number: int
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # why the row could not be read; ``data`` is then empty


def read_rows(
    path: str | Path,
    *,
    layout: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Iterator[Row]:
    """The rows of a .csv/.tsv/.txt, .jsonl/.ndjson or .json file, in order.

    ``layout`` ("csv", "tsv", "jsonl" or "json") overrides the one the file's name gives (CSV for
    a name that gives none); a CSV's delimiter and encoding are detected unless given."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    layout = layout or _sniffed(file, layout_of(file) or "csv")
    if layout in DOCUMENT_LAYOUTS:
        return document_records(open_document(file, layout))
    if layout == "jsonl":
        return _jsonl_rows(file)
    if layout == "json":
        return _json_rows(file)
    if layout == "tsv":
        delimiter = delimiter or "\t"
    return _csv_rows(file, sniff_csv(file, delimiter=delimiter, encoding=encoding))


def _sniffed(file: Path, layout: str) -> str:
    """``layout``, or "xml" for XML saved under a text name (a feed.txt holding XML)."""
    return sniff_document(file) or layout if layout == "csv" else layout


def document_records(document: Document) -> Iterator[Row]:
    """The rows of a Merchant XML feed or a workbook."""
    return (Row(number, data, error) for number, data, error in document_rows(document))


def csv_header(path: str | Path, dialect: CsvDialect) -> list[str]:
    """The column names of a CSV file (none for an empty file)."""
    file = Path(path)
    with file.open(encoding=dialect.encoding, errors=LENIENT, newline="") as handle:
        commented = header_from_comments(handle, dialect)
        return commented or _header(csv.reader(handle, delimiter=dialect.delimiter), file) or []


def _header(reader: Iterator[list[str]], file: Path) -> list[str] | None:
    try:
        return [name.strip() for name in next(reader)]
    except StopIteration:
        return None
    except csv.Error as exc:
        raise InputError(f"{file}: cannot read the header line: {exc}") from None


def _csv_rows(file: Path, dialect: CsvDialect) -> Iterator[Row]:
    with file.open(encoding=dialect.encoding, errors=LENIENT, newline="") as handle:
        commented = header_from_comments(handle, dialect)
        reader = csv.reader(handle, delimiter=dialect.delimiter)
        header = commented or _header(reader, file)
        if header is None:
            return
        number = 0
        while True:
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Row(number, error=f"unreadable line: {exc}")
                continue
            if not any(v.strip() for v in values):
                number -= 1
                continue
            if len(values) > len(header):
                yield Row(number, error=f"{len(values)} cells for {len(header)} columns")
                continue
            yield Row(number, dict(zip(header, [*values, *[""] * (len(header) - len(values))], strict=True)))


def _jsonl_rows(file: Path) -> Iterator[Row]:
    with file.open(encoding="utf-8-sig", errors=LENIENT) as handle:
        number = 0
        for line in handle:
            if not line.strip():
                continue
            number += 1
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Row(number, error=f"not valid JSON ({exc.msg})")
                continue
            except RecursionError:
                yield Row(number, error="not valid JSON (nested too deeply)")
                continue
            if isinstance(value, dict):
                yield Row(number, value)
            else:
                yield Row(number, error="a line must hold one JSON object")


_JSON_CHUNK = 1 << 20
_SPACE = frozenset(" \t\r\n")


def _json_rows(file: Path) -> Iterator[Row]:
    """The items of a top-level JSON array, decoded one at a time as the file is read (a lone
    top-level object is one row)."""
    decoder = json.JSONDecoder()
    with file.open(encoding="utf-8-sig", errors=LENIENT) as handle:
        buffer, at, lines, eof = "", 0, 1, False

        def more() -> bool:
            nonlocal buffer, at, lines, eof
            chunk = handle.read(_JSON_CHUNK)
            eof = not chunk
            lines += buffer.count("\n", 0, at)
            buffer, at = buffer[at:] + chunk, 0
            return not eof

        def skip_space() -> str:
            """The next significant character ("" at the end of the file)."""
            nonlocal at
            while True:
                while at < len(buffer) and buffer[at] in _SPACE:
                    at += 1
                if at < len(buffer) or not more():
                    return buffer[at] if at < len(buffer) else ""

        def bad(message: str) -> InputError:
            line = lines + buffer.count("\n", 0, at)
            return InputError(f"{file}: not valid JSON ({message}, line {line})")

        def item() -> Any:
            nonlocal at
            while True:
                try:
                    value, end = decoder.raw_decode(buffer, at)
                except json.JSONDecodeError as exc:
                    if eof or not more():  # more text may complete it; at the end, it is broken
                        raise bad(exc.msg) from None
                    continue
                except RecursionError:
                    raise bad("nested too deeply") from None
                if end == len(buffer) and not eof and more():
                    continue  # a number cut by the chunk end would decode short: read on
                at = end
                return value

        first = skip_space()
        if first != "[":  # a lone object (or nothing, or a scalar)
            if not first:
                raise bad("Expecting value")
            value = item()
            if skip_space():
                raise bad("Extra data")
            yield _json_row(1, value)
            return
        at += 1
        number = 0
        if skip_space() == "]":
            at += 1
        else:
            while True:
                skip_space()
                value = item()
                number += 1
                yield _json_row(number, value)
                following = skip_space()
                if following == ",":
                    at += 1
                    continue
                if following != "]":
                    raise bad("Expecting ',' delimiter" if following else "unterminated array")
                at += 1
                break
        if skip_space():
            raise bad("Extra data")


def _json_row(number: int, value: Any) -> Row:
    if isinstance(value, dict):
        return Row(number, value)
    return Row(number, error="an array item must be a JSON object")
