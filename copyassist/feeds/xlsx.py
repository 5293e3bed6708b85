"""Excel workbooks (.xlsx), read and written with openpyxl's streaming modes (read-only and
write-only), so memory stays flat whatever the number of rows.

* The data sheet and its header row. Marketplace templates (Amazon flat files, Cdiscount,
  Rakuten) put template rows above the real header and instructions in other sheets: the data
  sheet is the first whose first ``SCAN_ROWS`` rows hold a row naming a title- or
  description-like column, and that row is the header; of several such rows one after the other,
  the last (Amazon puts a row of labels above the row of attribute names). ``header_row`` forces it.
* Cell types. Rows are read as openpyxl gives them: numbers stay numbers, dates ``datetime``,
  formulas their ``=...`` text (written back as formulas when the cell did not change).
* Writing back. Every sheet is copied in order, the rows above the header as they were, then the
  header with the new columns after it, then each data row: its original cells, except the
  target cells the record changed, and the new cells. Kept: values, cell types, number formats
  (so dates still show as dates), formulas, sheet names and order. Not kept, since write-only mode
  cannot copy them cheaply: fonts, fills, borders, column widths, merged cells, data validation
  (drop-down lists), images and charts.
* Formula cells. A new cell is always written as text, so copy starting with ``=`` never runs;
  the text itself is not altered.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from copyassist.columns import COPY_NAMES, FIELD_NAMES, column_key, field_for, keys_of
from copyassist.errors import InputError
from copyassist.feeds.platforms import FIELDS, merchant_key
from copyassist.feeds.writing import AtomicOutput, publish

SCAN_ROWS = 30
#: (1-based row number, column -> value, why the row cannot be read or None)
Record = tuple[int, dict[str, Any], str | None]
_COPY_FIELDS = ("title", "description")
#: Column keys that name a title or a description, in any platform's or seller's words.
COPY_KEYS = frozenset(
    {*keys_of(("item_name", "product_description")), *COPY_NAMES["title"], *COPY_NAMES["description"]}
    | {key for name in _COPY_FIELDS for key in FIELD_NAMES.get(name, ())}
    | {key for table in FIELDS.values() for name in _COPY_FIELDS for key in table.get(name, ())}
)


def names_copy_column(cells: Sequence[Any]) -> bool:
    """True when one of ``cells`` is a title- or description-like column name."""
    keys = {column_key(c) for c in cells if isinstance(c, str) and c.strip()}
    return bool(keys & COPY_KEYS or {merchant_key(k) for k in keys} & COPY_KEYS)


def header_score(cells: Sequence[Any]) -> int:
    """How many of ``cells`` name a known product field; 0 for a row that holds anything but
    text (numbers and dates are data), so a product row whose copy happens to read like a
    column name ("product-title") is never taken for the header."""
    filled = [c for c in cells if c is not None and not (isinstance(c, str) and not c.strip())]
    if not filled or not all(isinstance(c, str) for c in filled) or not names_copy_column(filled):
        return 0
    return sum(1 for c in filled if field_for(c) or merchant_key(column_key(c)) in COPY_KEYS)


#: What openpyxl raises on a damaged workbook (a bad zip, a sheet's XML cut short...), with
#: its own InvalidFileException (:func:`broken_errors`).
_BROKEN = (BadZipFile, zlib.error, SyntaxError, OSError, KeyError, ValueError,
           TypeError, IndexError, AttributeError, EOFError)  # fmt: skip


def broken_errors() -> tuple[type[Exception], ...]:
    """What a damaged workbook raises. openpyxl (and numpy under it) loads with the first
    workbook, not with every feed reader."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (InvalidFileException, *_BROKEN)


def _broken(path: Path, exc: Exception) -> InputError:
    return InputError(f"{path.name}: not a readable .xlsx workbook ({exc}); save it again as .xlsx or as CSV")


def _open(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=False)
    except broken_errors() as exc:
        raise _broken(path, exc) from None


def locate(path: str | Path, header_row: int | None = None) -> tuple[str, int, list[str]]:
    """(data sheet, 1-based header row, header names) of a workbook."""
    file = Path(path)
    book = _open(file)
    try:
        return _locate(file, book, header_row)
    except broken_errors() as exc:
        raise _broken(file, exc) from None
    finally:
        book.close()


def _locate(file: Path, book: Any, header_row: int | None) -> tuple[str, int, list[str]]:
    found: tuple[str, int, list[str]] | None = None
    best = 0
    for sheet in book.worksheets:
        rows = sheet.iter_rows(min_row=1, max_row=header_row or SCAN_ROWS, values_only=True)
        for number, cells in enumerate(rows, 1):
            if header_row is not None:
                if number == header_row and names_copy_column(cells):
                    found = (sheet.title, number, _names(cells))
                continue
            score = header_score(cells)
            if score and score >= best:  # of header-like rows in a row, the last as telling wins
                found, best = (sheet.title, number, _names(cells)), score
            elif found:
                break
        if found:
            break
    if found is None:
        if not book.worksheets:
            raise InputError(f"{file.name}: the workbook has no worksheet with rows (charts only?)")
        sheet = book.worksheets[0]
        number = header_row or 1
        cells = next(sheet.iter_rows(min_row=number, max_row=number, values_only=True), ())
        found = (sheet.title, number, _names(cells))
    return found


def _names(cells: Sequence[Any]) -> list[str]:
    names = ["" if c is None else str(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    return names


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def xlsx_rows(path: str | Path, sheet: str, header_row: int, columns: Sequence[str]) -> Iterator[Record]:
    """The data rows below the header, in order (blank rows are passed over, as in a CSV)."""
    file = Path(path)
    book = _open(file)
    try:
        number = 0
        for cells in book[sheet].iter_rows(min_row=header_row + 1, values_only=True):
            if _blank(cells):
                continue
            number += 1
            if not _blank(cells[len(columns) :]):
                yield number, {}, f"{len(_names(cells))} cells for {len(columns)} columns"
                continue
            padded = [*cells[: len(columns)], *[None] * (len(columns) - len(cells))]
            yield number, dict(zip(columns, padded, strict=True)), None
    except broken_errors() as exc:
        raise _broken(file, exc) from None
    finally:
        book.close()


class XlsxWriter(AtomicOutput):
    """Writes records as the rows of a workbook through ``<path>.partial``: the source workbook's
    sheets and rows around them when ``source`` (path, data sheet, header row, columns) is given,
    else one sheet with ``header``."""

    encoding = "utf-8"

    def __init__(self, path: str | Path, header: Sequence[str], *,
                 source: tuple[Path, str, int, Sequence[str]] | None = None) -> None:  # fmt: skip
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.header = list(header)
        self.rows = 0
        self.closed = False
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        self._cell_type = WriteOnlyCell
        self._book = Workbook(write_only=True)
        self._source = source
        self._after: list[Any] = []  # source sheets after the data sheet, copied at the end
        self._rest: Iterator[Any] = iter(())
        if source is None:
            self._sheet = self._book.create_sheet(self.path.stem[:31] or "Sheet1")
            self._sheet.append([self._new(name) for name in self.header])
            return
        file, data, header_row, columns = source
        self._columns = list(columns)
        self._input = _open(file)
        sheets = self._input.worksheets
        for sheet in sheets:
            out = self._book.create_sheet(sheet.title)
            if sheet.title == data:
                self._sheet = out
                rows = sheet.iter_rows()
                for _ in range(header_row - 1):
                    out.append(self._copied(next(rows, ())))
                extra = [self._new(name) for name in self.header[len(columns) :]]
                out.append(self._merged(list(next(rows, ())), extra))
                self._rest = rows
            elif hasattr(self, "_sheet"):
                self._after.append((sheet, out))
            else:
                self._copy_sheet(sheet, out)

    def _new(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, list | dict | tuple | bool) or not isinstance(value, str | int | float):
            value = value if hasattr(value, "year") else json.dumps(value, ensure_ascii=False, default=str)
        cell = self._cell_type(self._sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "="
        return cell

    def _copied(self, cells: Sequence[Any]) -> list[Any]:
        return [self._copy(cell) for cell in cells]

    def _copy(self, cell: Any) -> Any:
        if cell.value is None:
            return None
        new = self._cell_type(self._sheet, value=cell.value)
        if cell.data_type == "s" and isinstance(cell.value, str):
            new.data_type = "s"
        if cell.number_format and cell.number_format != "General":
            new.number_format = cell.number_format
        return new

    def _merged(self, cells: list[Any], extra: list[Any]) -> list[Any]:
        width = len(self._columns)
        copied = self._copied(cells[:width])
        return [*copied, *[None] * (width - len(copied)), *extra, *self._copied(cells[width:])]

    def _copy_sheet(self, sheet: Any, out: Any) -> None:
        self._sheet, saved = out, getattr(self, "_sheet", None)
        for cells in sheet.iter_rows():
            out.append(self._copied(cells))
        if saved is not None:
            self._sheet = saved

    def write(self, record: Mapping[str, Any]) -> None:
        if self.closed:
            raise ValueError("write to a closed XlsxWriter")
        if self._source is None:
            self._sheet.append([self._new(record.get(name)) for name in self.header])
        else:
            cells = self._next_source_row()
            width = len(self._columns)
            values = [c.value for c in cells[:width]]
            original = dict(zip(self._columns, [*values, *[None] * (width - len(values))], strict=True))
            row = self._merged(cells, [self._new(record.get(n)) for n in self.header[width:]])
            for index, name in enumerate(self._columns):
                value = record.get(name)
                if value not in (None, "") and value != original.get(name):  # never blanks a cell
                    row[index] = self._new(value)
            self._sheet.append(row)
        self.rows += 1

    def _next_source_row(self) -> list[Any]:
        for cells in self._rest:
            values = [c.value for c in cells]
            if not _blank(values):
                return list(cells)
            self._sheet.append(self._copied(cells))  # a blank row the reader passed over
        return []

    def close(self) -> None:
        if self.closed:
            return
        if self._source is not None:
            for cells in self._rest:  # rows the run did not reach are kept as they were
                self._sheet.append(self._copied(cells))
            for sheet, out in self._after:
                self._copy_sheet(sheet, out)
            self._input.close()
        handle = self.partial.open("wb")
        self._book.save(handle)
        self.closed = True
        publish(handle, self.partial, self.path)

    def abort(self) -> None:
        if not self.closed:
            self.closed = True
            for sheet in self._book.worksheets:  # else openpyxl complains when they are collected
                if not sheet.closed:
                    sheet.close()
            if self._source is not None:
                self._input.close()
