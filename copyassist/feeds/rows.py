"""Reading feed files row by row: CSV (delimiter and encoding from ``sniffing``), JSONL and JSON
arrays. Rows stream: memory does not grow with the number of rows, JSON arrays included.

Nothing is refused quietly and nothing is lost: a file that is not a feed (a PNG renamed .csv,
an empty file, a header with no row) is an ``InputError`` at once; a row that cannot be read is
a ``Row`` with an ``error`` that keeps its ``source``, the record as it came, for the writer to
give back; each line is decoded on its own (``records.LineDecoder``) and a repaired one, or a
cell that seems to hold rows merged by a quote left open, says so in ``notes``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from copyassist.errors import InputError
from copyassist.feeds.documents import Document, document_rows, open_document, sniff_document
from copyassist.feeds.records import FIELD_LIMIT, LINE_LIMIT, LineDecoder, SourceLine, csv_records
from copyassist.feeds.sniffing import (
    DOCUMENT_LAYOUTS,
    LENIENT,
    CsvDialect,
    layout_of,
    read_sample,
    refuse_non_text,
    regular_file,
    sniff_csv,
)

#: JSON Lines: a file none of whose first lines is an object is not one.
JSONL_PROBE = 100
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Row:
    """One record. ``number`` is 1-based and counts data rows, blank ones included (a CSV header is
    row 0)."""

    number: int
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # why the row could not be read; ``data`` is then empty
    source: SourceLine | None = None  # the record as read (CSV, JSON Lines), to write it back as it came
    notes: tuple[str, ...] = ()  # what was repaired or looks wrong, one line each

    @property
    def blank(self) -> bool:
        """A CSV line with no cell filled: kept in its place, nothing to read in it."""
        return self.source is not None and self.source.blank


@dataclass(frozen=True)
class Header:
    """A CSV file's column names (trimmed) and its header line as read."""

    columns: list[str]
    source: SourceLine


def read_rows(
    path: str | Path,
    *,
    layout: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    keep_blank: bool = False,
) -> Iterator[Row]:
    """The rows of a .csv/.tsv/.txt, .jsonl/.ndjson or .json file, in order.

    ``layout`` ("csv", "tsv", "jsonl" or "json") overrides the one the file's name gives (CSV for
    a name that gives none); a CSV's delimiter and encoding are detected unless given. Blank CSV
    lines are counted but not yielded unless ``keep_blank``."""
    file = feed_file(path)
    layout = layout or _sniffed(file, layout_of(file) or "csv")
    if layout in DOCUMENT_LAYOUTS:
        return document_records(open_document(file, layout))
    if layout in ("jsonl", "json"):
        refuse_non_text(file, read_sample(file, whole_line=False), layout)
        return _jsonl_rows(file) if layout == "jsonl" else _json_rows(file)
    if layout == "tsv":
        delimiter = delimiter or "\t"
    return _csv_rows(file, sniff_csv(file, delimiter=delimiter, encoding=encoding), keep_blank)


def feed_file(path: str | Path) -> Path:
    """``path`` when it is a regular file; an ``InputError`` that says what it is otherwise (a FIFO or
    a device is never read: it could have no end)."""
    file = regular_file(path)
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    return file


def _open(file: Path) -> BinaryIO:
    try:
        return file.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None


def read_header(path: str | Path, dialect: CsvDialect) -> Header:
    """The header of a CSV file; an ``InputError`` when the file is empty or holds no row."""
    file = feed_file(path)
    with _open(file) as handle:
        _skip_comments(handle, dialect)
        records = csv_records(handle, dialect.encoding, dialect.delimiter)
        header = _header(records, file, dialect)
        if not any(not source.blank for source, _ in records):
            raise InputError(f"{file.name} has a header line but no rows: nothing to read")
    return header


def _sniffed(file: Path, layout: str) -> str:
    """``layout``, or "xml" for XML saved under a text name (a feed.txt holding XML)."""
    return sniff_document(file) or layout if layout == "csv" else layout


def document_records(document: Document) -> Iterator[Row]:
    """The rows of a Merchant XML feed or a workbook."""
    return (Row(number, data, error) for number, data, error in document_rows(document))


def csv_header(path: str | Path, dialect: CsvDialect) -> list[str]:
    """The column names of a CSV file."""
    return read_header(path, dialect).columns


def _skip_comments(handle: BinaryIO, dialect: CsvDialect) -> None:
    """Move ``handle`` past the ``#`` comment lines above the header (they are written back as
    the feed's preamble); a header that is itself a comment stays to be read."""
    for _ in range(dialect.comments - bool(dialect.comment_prefix)):
        handle.readline(LINE_LIMIT)


def _header(records: Iterator[tuple[SourceLine, str | None]], file: Path, dialect: CsvDialect) -> Header:
    first = next(records, None)
    if first is None:
        raise InputError(f"{file.name} is empty: a feed starts with a header line")
    source, error = first
    if source.cells is None:
        raise InputError(f"{file}: cannot read the header line: {_reason(error)}")
    if source.blank:
        raise InputError(f"{file.name}: the first line is blank; a feed starts with its header line")
    prefix = dialect.comment_prefix
    if prefix and source.cells and source.text.lstrip("\ufeff").startswith(prefix):
        # "# Nom;Prix": the header sits in a comment; "# " goes back with the preamble
        text = source.text.lstrip("\ufeff")[len(prefix) :]
        line = source.content.lstrip("\ufeff")[len(prefix) :]  # parsed again: "# "Nom";"Prix"" has quotes
        cells = next(csv.reader([line], delimiter=source.delimiter or dialect.delimiter), [])
        source = replace(source, text=text, cells=cells)
    return Header([name.strip() for name in source.cells or []], source)


def _reason(error: str | None) -> str:
    if error and "field limit" in error:
        return f"a cell longer than {FIELD_LIMIT >> 20} MB characters"
    return error or "?"


def _csv_rows(file: Path, dialect: CsvDialect, keep_blank: bool) -> Iterator[Row]:
    with _open(file) as handle:
        _skip_comments(handle, dialect)
        records = csv_records(handle, dialect.encoding, dialect.delimiter)
        header = _header(records, file, dialect).columns
        number = filled = 0
        for source, error in records:
            number += 1
            row = _csv_row(number, header, source, error)
            if source.blank:
                if keep_blank:
                    yield row
                continue
            filled += 1
            yield row
        if not filled:
            raise InputError(f"{file.name} has a header line but no rows: nothing to read")


def _csv_row(number: int, header: list[str], source: SourceLine, error: str | None) -> Row:
    cells = source.cells
    if cells is None:
        return Row(number, error=f"unreadable line: {_reason(error)}", source=source, notes=source.notes)
    if len(cells) > len(header):
        if any(c.strip() for c in cells[len(header) :]):
            return Row(number, error=f"{len(cells)} cells for {len(header)} columns", source=source,
                       notes=source.notes)  # fmt: skip
        cells = cells[: len(header)]  # a trailing delimiter (PrestaShop): blank cells past the header
    notes = source.notes
    if source.lines > 1:
        merged = _merged_rows(cells, header, source.delimiter or ",")
        notes = (*notes, merged) if merged else notes
    values = [*cells, *[""] * (len(header) - len(cells))]
    return Row(number, dict(zip(header, values, strict=True)), source=source, notes=notes)


def _merged_rows(cells: list[str], header: list[str], delimiter: str) -> str | None:
    """A warning when a cell holds lines shaped like rows (as many delimiters as a row has): a quote
    left open swallows the lines after it, up to the next quote, into one cell."""
    width = len(header)
    if width < 3:
        return None
    for name, cell in zip(header, cells, strict=False):
        if "\n" not in cell and "\r" not in cell:
            continue
        shaped = sum(line.count(delimiter) == width - 1 for line in _LINE_BREAK.split(cell)[1:])
        if shaped:
            return (
                f"column {name!r} holds {shaped} line(s) shaped like rows: a quote left open may have "
                "merged them into this row; check its quotes"
            )
    return None


def _jsonl_rows(file: Path) -> Iterator[Row]:
    decoder = LineDecoder("utf-8-sig")
    with _open(file) as handle:
        number = objects = 0
        while line := handle.readline(LINE_LIMIT + 1):
            if len(line) > LINE_LIMIT:
                raise InputError(f"{file.name}: a line longer than {LINE_LIMIT >> 20} MB: not JSON Lines")
            text, note = decoder.decode(line)
            if not text.strip():
                continue
            number += 1
            row = _jsonl_row(number, text, (note,) if note else ())
            objects += row.error is None
            if not objects and number >= JSONL_PROBE:
                raise InputError(f"{file.name} is not JSON Lines: none of its first {number} lines is a "
                                 "JSON object; one object per line is expected")  # fmt: skip
            yield row
        if not number:
            raise InputError(f"{file.name} is empty: JSON Lines hold one JSON object per line")
        if not objects:
            raise InputError(f"{file.name} is not JSON Lines: no line is a JSON object")


def _jsonl_row(number: int, text: str, notes: tuple[str, ...]) -> Row:
    source = SourceLine(text, notes=notes)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Row(number, error=f"not valid JSON ({exc.msg})", source=source, notes=notes)
    except RecursionError:
        return Row(number, error="JSON nested too deeply", source=source, notes=notes)
    if isinstance(value, dict):
        return Row(number, value, source=source, notes=notes)
    return Row(number, error="a line must hold one JSON object", source=source, notes=notes)


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
                except RecursionError:
                    raise bad("nested too deeply") from None
                except json.JSONDecodeError as exc:
                    if eof or not more():  # more text may complete it; at the end, it is broken
                        raise bad(exc.msg) from None
                    continue
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
    source = SourceLine(json.dumps(value, ensure_ascii=False))
    return Row(number, error="an array item must be a JSON object", source=source)
