"""Writing records to a feed file: CSV/TSV as the input was written, JSONL, or a JSON array.

Rows stream out in the order ``write`` is called.

* Dialect. CSV keeps the input's delimiter and line ending (a seller re-imports the file) and
  its encoding. When a cell cannot be encoded in it (a French Excel export is cp1252, which has
  no U+202F narrow no-break space, no "≥", no emoji), the part already written is transcoded
  and the whole file becomes UTF-8 with a BOM, which Excel opens correctly too. Nothing is ever
  replaced by "?". ``FileWriter.encoding`` tells what the file was finally written in. JSON and
  JSONL are always UTF-8.
* The seller's cells. The first ``original_columns`` of the header are the input's own. A row
  written with its ``source`` (the record as read) gives each of them back exactly as it came,
  quotes, blank cells, trailing delimiter and line ending included; only the columns named in
  ``changed`` and the new columns after them are written anew. A blank line comes back as it was.
* Formula cells. In CSV/TSV, a new cell starting with ``= + - @``, tab or carriage return gets a
  leading ``'`` (OWASP "CSV injection"): it holds untrusted model output. The seller's own cells
  are never rewritten (a description starting with "- " is a bullet list, not a formula), unless
  ``neutralise_all``. Plain numbers (``-12.50``, ``+3``, ``-12,50``) are left alone: no
  spreadsheet runs them, and a quote would turn a price into text. Importers (Shopify...) keep
  the quote: pass ``neutralise=False`` for a file that goes straight to an importer rather than
  through a spreadsheet.
* Atomicity. Rows go to ``<path>.partial``, renamed to ``<path>`` by ``close``; a run that dies
  or raises inside the ``with`` block leaves only the ``.partial`` file.
* Targets. ``check_output_path`` refuses, before anything is written, a target the rename would
  destroy or could not reach: a missing or read-only folder, a folder, a device, FIFO or socket
  (``/dev/full`` would become a regular file), a symbolic link (the rename replaces the link
  itself, and following it silently writes outside the folder named), the input itself unless
  ``in_place``. A disk that fills up is a ``StorageError`` naming the file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import io
import json
import os
import re
import shutil
import stat
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from datetime import date, time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from copyassist.errors import InputError, StorageError
from copyassist.feeds.platforms import CSV_FORMATS
from copyassist.feeds.records import SourceLine, quote_cell
from copyassist.feeds.sniffing import DOCUMENT_LAYOUTS, LAYOUTS, layout_of

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def output_layout(path: str | Path, requested: str | None, source_format: str) -> str:
    """The layout ("csv", "tsv", "jsonl", "json", "xml", "xlsx") to write ``path`` in: ``requested`` (a feed
    format such as "shopify" is CSV), else the one the name gives, else the source's."""
    if requested is None:
        return layout_of(path) or (source_format if source_format in ("jsonl", "json") else "csv")
    if requested in CSV_FORMATS:
        return "csv"
    if requested not in (*LAYOUTS, *DOCUMENT_LAYOUTS):
        raise ValueError(f"unknown output format {requested!r}")
    return requested


def publish(handle: IO[Any], partial: Path, path: Path) -> None:
    """Flush ``handle`` to disk, close it, and move the ``partial`` file it wrote to ``path``."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    check_output_path(path)  # it may have become a link or a folder during the run
    os.replace(partial, path)


def check_output_path(path: str | Path, *, source: str | Path | None = None, in_place: bool = False) -> Path:
    """``path`` when a file can be published there by a rename; else an ``InputError`` saying why.

    ``source`` is the file being read: writing over it needs ``in_place``."""
    target = Path(path)
    folder = target.parent
    if target.is_symlink():
        raise InputError(
            f"{target} is a symbolic link (to {os.readlink(target)}); writing would replace the link: "
            f"give the file it points to, {target.resolve()}, to write there"
        )
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(f"{target} is a folder; give a file name to write, e.g. {target / 'out.csv'}")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError(f"{target} is not a regular file (a device, FIFO or socket); give a file name")
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {target}: the folder {folder} is not writable")
    if source is not None and info is not None and _same_file(target, Path(source)) and not in_place:
        raise InputError(
            f"the output {target} is the input file; choose another output, or write in place "
            "(the original is kept as .bak)"
        ).with_hint("output", "in_place")
    return target


def check_report_path(path: str | Path, *, source: str | Path) -> Path:
    """``path``, unless it is ``source`` itself: a report on a feed (check, score) written there
    would replace the feed."""
    target = Path(path)
    if _same_file(target, Path(source)):
        raise InputError(
            f"the output {target} is the feed being read; the report would replace it: "
            "choose another file name for the report"
        )
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def keep_backup(path: str | Path) -> Path:
    """Copy ``path`` to ``<path>.bak``, never half written. An older backup is never replaced
    (it may be the seller's only original): the next ones are ``.bak2``, ``.bak3``..."""
    original = Path(path)
    backup = original.with_name(original.name + ".bak")
    number = 1
    while backup.exists():
        number += 1
        backup = original.with_name(f"{original.name}.bak{number}")
    partial = backup.with_name(backup.name + ".partial")
    try:
        shutil.copy2(original, partial)
        os.replace(partial, backup)
    except OSError as exc:
        raise StorageError(f"cannot keep a copy of {original} as {backup}: {exc.strerror}") from None
    return backup


def _storage_error(path: Path, exc: OSError) -> StorageError:
    hint = "; free some space and run the same command again" if exc.errno == errno.ENOSPC else ""
    return StorageError(f"cannot write {path}: {exc.strerror or exc}{hint}")


class AtomicOutput(ABC):
    """A ``with`` block publishes the file when it ends (``close``) and, when it raises, leaves
    only the ``.partial`` file (``abort``)."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def abort(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class FileWriter(AtomicOutput):
    """Writes records to ``path`` in ``layout`` through ``<path>.partial``, renamed on success.

    CSV/TSV rows hold the ``header`` columns, in order, after ``preamble`` (comment lines kept
    as they came); JSON records are written whole. The first ``original_columns`` header
    columns are the input's (``header_source`` is its header line as read): see the module's
    notes for how they are written back."""

    def __init__(
        self,
        path: str | Path,
        header: Sequence[str],
        *,
        layout: str,
        delimiter: str = ",",
        encoding: str = "utf-8",
        lineterminator: str = "\r\n",
        neutralise: bool = True,
        preamble: str = "",
        original_columns: int = 0,
        neutralise_all: bool = False,
        header_source: SourceLine | None = None,
    ) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown output format {layout!r}")
        self.path = check_output_path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.layout = layout
        self.header = list(header)
        self.delimiter = "\t" if layout == "tsv" else delimiter
        self.lineterminator = lineterminator
        self.neutralise = neutralise
        self.original_columns = original_columns
        self.neutralise_all = neutralise_all
        self.rows = 0
        self.closed = False
        self.encoding, self._encoder = self._choose_encoding(encoding)
        try:
            self._file = self.partial.open("wb")
        except OSError as exc:
            raise _storage_error(self.partial, exc) from None
        if self.layout in ("csv", "tsv"):
            self._emit(preamble + self._csv_record(self.header, header_source, ()))  # preamble: comments
        elif self.layout == "json":
            self._emit("[")

    def _choose_encoding(self, encoding: str) -> tuple[str, codecs.IncrementalEncoder]:
        if self.layout in ("jsonl", "json"):
            return "utf-8", codecs.getincrementalencoder("utf-8")("replace")
        name = codecs.lookup(encoding).name
        # UTF-8/16/32 hold every character; "replace" only concerns lone surrogates.
        return name, codecs.getincrementalencoder(name)("replace" if name.startswith("utf") else "strict")

    def write(
        self, record: Mapping[str, Any], *, source: SourceLine | None = None, changed: Collection[str] = ()
    ) -> None:
        """Write ``record`` now, after the ones written before it. ``source`` is its input record as
        read; ``changed`` the original columns whose cells ``record`` replaces (CSV/TSV only)."""
        if self.closed:
            raise ValueError("write to a closed FileWriter")
        if self.layout in ("csv", "tsv"):
            self._emit(self._csv_record([_cell(record.get(c)) for c in self.header], source, changed))
        else:
            text = json.dumps(record, ensure_ascii=False, default=str)
            if self.layout == "jsonl":
                self._emit(text + "\n")
            else:
                self._emit(("\n" if self.rows == 0 else ",\n") + text)
        self.rows += 1

    def _new(self, text: str) -> str:
        return neutralise_cell(text) if self.neutralise else text

    def _original(self, text: str) -> str:
        return neutralise_cell(text) if self.neutralise_all else text

    def _csv_record(self, values: Sequence[str], source: SourceLine | None, changed: Collection[str]) -> str:
        """One CSV line: ``values`` (a cell per header column), the original ones as ``source`` holds them."""
        count = self.original_columns
        if source is None or count == 0 or source.delimiter is None:
            return self._csv_line(values, changed)
        if source.cells is None:  # unreadable: its text as it came, then the new cells
            return self._joined([source.closed], values[count:], source.ending)
        same = source.delimiter == self.delimiter
        if same and source.blank and not changed:
            return source.text
        names = self.header[:count]
        cells = source.cells
        cut = not same or len(cells) != count or any(n in changed for n in names) or (
            self.neutralise_all and any(neutralise_cell(c) != c for c in cells)
        )  # fmt: skip
        if not cut:
            return self._joined([source.closed], values[count:], source.ending)
        spans = source.spans() if same else None
        pieces: list[str] = []
        for index, name in enumerate(names):
            if name in changed:
                pieces.append(quote_cell(self._new(values[index]), self.delimiter))
            elif index >= len(cells):
                pieces.append("")
            elif spans is None or self._original(cells[index]) != cells[index]:
                pieces.append(quote_cell(self._original(cells[index]), self.delimiter))
            else:
                pieces.append(spans[index])
        beyond = spans[count:] if spans else [quote_cell(c, self.delimiter) for c in cells[count:]]
        # cells past the header (a trailing delimiter) stay last, after the new columns
        return self._joined(pieces, values[count:], self.delimiter.join(["", *beyond]) + source.ending)

    def _joined(self, pieces: list[str], new: Sequence[str], end: str) -> str:
        cells = [*pieces, *(quote_cell(self._new(v), self.delimiter) for v in new)]
        return self.delimiter.join(cells) + end

    def _csv_line(self, values: Sequence[str], changed: Collection[str] = ()) -> str:
        count = self.original_columns
        originals = zip(self.header[:count], values[:count], strict=False)
        cells = [*(self._new(v) if n in changed else self._original(v) for n, v in originals),
                 *map(self._new, values[count:])]  # fmt: skip
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.lineterminator).writerow(cells)
        return buffer.getvalue()

    def _emit(self, text: str) -> None:
        try:
            data = self._encoder.encode(text)
        except UnicodeEncodeError:
            self._switch_to_utf8()
            data = self._encoder.encode(text)
        try:
            self._file.write(data)
        except OSError as exc:
            raise _storage_error(self.path, exc) from None

    def _switch_to_utf8(self) -> None:
        """Transcode what is written so far to UTF-8 with a BOM and go on in UTF-8."""
        self._file.close()
        moved = self.partial.with_name(self.partial.name + ".utf8")
        with self.partial.open(encoding=self.encoding, newline="") as old, moved.open("wb") as new:
            new.write(codecs.BOM_UTF8)
            while chunk := old.read(1 << 20):
                new.write(chunk.encode("utf-8", "replace"))
        os.replace(moved, self.partial)
        self._file = self.partial.open("ab")
        self.encoding, self._encoder = "utf-8-sig", codecs.getincrementalencoder("utf-8")("replace")

    def close(self) -> None:
        """Finish the file and move it to ``path``. Calling it again does nothing."""
        if self.closed:
            return
        if self.layout == "json":
            self._emit("\n]\n")
        try:
            self._file.write(self._encoder.encode("", final=True))
            self.closed = True
            publish(self._file, self.partial, self.path)
        except OSError as exc:
            self.abort()
            raise _storage_error(self.path, exc) from None

    def abort(self) -> None:
        """Stop without publishing: ``path`` is left as it was, the ``.partial`` file stays."""
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):  # a full disk refuses the buffered rest too
                self._file.close()


def _cell(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, int | float | date | time) and not isinstance(value, bool):
        return str(value)  # a workbook's dates as 2024-03-05 00:00:00, not JSON-quoted
    return json.dumps(value, ensure_ascii=False, default=str)
