"""CSV records as they came: each record's own text is kept beside its cells, so that a writer gives
the seller's cells back exactly as they were written (quotes, blank cells, trailing delimiter,
line ending) and changes only the cells it means to change.

* Lines. The file is read as bytes and cut at every line end, ``\\r\\n``, ``\\n`` or a lone
  ``\\r`` (old Mac files); ``csv`` joins the lines of a quoted multi-line cell back together.
* Encodings. Each line is decoded on its own: UTF-8 where it decodes, else Windows-1252 for the
  bytes that are not UTF-8. A line read otherwise than the file's own encoding is *repaired*
  and says so, so that a seller learns which rows to look at.
* Sizes. A cell may hold up to ``FIELD_LIMIT`` characters (``csv`` stops at 131,072: long HTML
  descriptions with inline images are longer); a line longer than ``LINE_LIMIT`` bytes is not
  a feed's and stops the reading with an ``InputError``.

Memory: a record's text lives only as long as the row that holds it.
"""

from __future__ import annotations

import codecs
import csv
import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from copyassist.errors import InputError
from copyassist.feeds.sniffing import LENIENT

FIELD_LIMIT = 16 * 1024 * 1024
LINE_LIMIT = 64 * 1024 * 1024
_CHUNK = 1 << 20
_EOL = re.compile(rb"\r\n|\r|\n")
_PIECE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_QUOTED = re.compile(r'"([^"]*(?:""[^"]*)*)(?:"(.*))?', re.DOTALL)
UTF8 = frozenset({"utf-8", "utf-8-sig"})

# The limit is per process, in csv; raising it changes nothing for files that stay under it.
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))


@dataclass(slots=True)
class SourceLine:
    """One record exactly as read: its text (line ending included) and the cells ``csv`` found in it.

    ``cells`` is None when the text could not be parsed; ``delimiter`` is None for a JSON line."""

    text: str
    cells: list[str] | None = None
    delimiter: str | None = None
    notes: tuple[str, ...] = field(default=())  # how the record was repaired while read
    lines: int = 1  # physical lines the record spans
    open_quote: bool = False  # the file ends inside this record's last cell: its quote never closed
    blank: bool = field(init=False)  # no cell filled

    def __post_init__(self) -> None:
        self.blank = self.cells is not None and not "".join(self.cells).strip()

    @property
    def ending(self) -> str:
        """The record's line ending: ``"\\r\\n"``, ``"\\n"``, ``"\\r"``, or "" at the end of a file."""
        text = self.text
        if self.open_quote:  # the line end is the cell's
            return ""
        if text.endswith("\n"):
            return "\r\n" if text.endswith("\r\n") else "\n"
        return "\r" if text.endswith("\r") else ""

    @property
    def content(self) -> str:
        """The record's text without its line ending."""
        return self.text[: len(self.text) - len(self.ending)]

    @property
    def closed(self) -> str:
        """``content``, its last quote closed when the file ended inside it, so that cells can follow."""
        return self.content + '"' if self.open_quote else self.content

    def spans(self) -> list[str] | None:
        """Each cell's own text, quotes included, in order; None when the text cannot be cut so
        that every piece reads back as the cell ``csv`` found (then cells are written anew)."""
        if self.cells is None or self.delimiter is None:
            return None
        if not self.cells:
            return []
        pieces = split_cells(self.closed, self.delimiter)
        if pieces is None or len(pieces) != len(self.cells):
            return None
        if pieces != self.cells and any(cell_value(p) != c for p, c in zip(pieces, self.cells, strict=True)):
            return None
        return pieces


@functools.cache
def _cell_pattern(delimiter: str) -> re.Pattern[str]:
    d = re.escape(delimiter)
    # csv's reading: a quote opens a quoted cell only as its first character; after the closing
    # quote, what follows up to the delimiter is part of the cell; elsewhere a quote is a quote.
    quoted = rf'"[^"]*(?:""[^"]*)*(?:"(?:[^"{d}\r\n][^{d}\r\n]*)?|\Z)'
    return re.compile(rf'{quoted}|(?:[^"{d}\r\n][^{d}\r\n]*)?', re.DOTALL)


def split_cells(content: str, delimiter: str) -> list[str] | None:
    """``content`` (one record, no line ending) cut into its cells' own texts; None when it holds
    a line end outside quotes."""
    pattern = _cell_pattern(delimiter)
    pieces: list[str] = []
    at, end = 0, len(content)
    while True:
        found = pattern.match(content, at)
        if found is None:  # cannot happen: the pattern matches the empty string
            return None
        pieces.append(found.group())
        at = found.end()
        if at == end:
            return pieces
        if content[at] != delimiter:
            return None
        at += 1


def cell_value(piece: str) -> str:
    """What ``csv`` reads from one cell's text."""
    if not piece.startswith('"'):
        return piece
    found = _QUOTED.fullmatch(piece)
    if found is None:
        return piece
    return found.group(1).replace('""', '"') + (found.group(2) or "")


def quote_cell(text: str, delimiter: str) -> str:
    """``text`` as one CSV cell: quoted when it holds the delimiter, a quote or a line end."""
    if delimiter in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


class LineDecoder:
    """Decodes lines one at a time and tells which ones needed another encoding than the file's.

    A file in UTF-8 or Windows-1252 gets both tried, UTF-8 first: a Windows-1252 line never
    reads as UTF-8 by chance in practice, and a UTF-8 line pasted into a Windows-1252 export
    would otherwise come out as mojibake. Any other encoding given is used for every line."""

    def __init__(self, encoding: str) -> None:
        self.encoding = codecs.lookup(encoding).name
        self.guess = self.encoding in UTF8 or self.encoding == "cp1252"
        self.first = True

    def decode(self, line: bytes) -> tuple[str, str | None]:
        """The text of ``line`` and, when it was read otherwise than the file's encoding, how."""
        if self.first:
            self.first = False
            line = line.removeprefix(codecs.BOM_UTF8) if self.encoding in UTF8 else line
        if not self.guess:
            return line.decode(self.encoding, LENIENT), None
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            if self.encoding == "cp1252":
                return line.decode("cp1252", LENIENT), None
            return line.decode("utf-8", LENIENT), "bytes that are not UTF-8 were read as Windows-1252"
        if self.encoding == "cp1252" and not line.isascii():
            return text, "a UTF-8 line in a Windows-1252 file was read as UTF-8"
        return text, None


def physical_lines(handle: BinaryIO, limit: int = LINE_LIMIT) -> Iterator[bytes]:
    """The lines of ``handle``, each with its own ending (``\\r\\n``, ``\\n`` or ``\\r``)."""
    while line := handle.readline(_CHUNK):
        if len(line) == _CHUNK and not line.endswith(b"\n"):  # lone CRs, or a long line: cut by hand
            yield from _cut(itertools.chain([line], iter(lambda: handle.read(_CHUNK), b"")), limit, handle)
            return
        returns = line.count(b"\r")
        if not returns or (returns == 1 and line.endswith(b"\r\n")):
            yield line
        else:
            yield from _PIECE.findall(line)


def _cut(chunks: Iterable[bytes], limit: int, handle: BinaryIO) -> Iterator[bytes]:
    pending: list[bytes] = []
    size = 0
    for chunk in chunks:
        start = 0
        if pending and pending[-1].endswith(b"\r"):  # a "\r\n" may be cut by the chunk's end
            if chunk.startswith(b"\n"):
                pending.append(b"\n")
                start = 1
            yield b"".join(pending)
            pending, size = [], 0
        for end_of_line in _EOL.finditer(chunk, start):
            end = end_of_line.end()
            if end == len(chunk) and chunk.endswith(b"\r"):
                break
            piece = chunk[start:end]
            if pending:
                piece = b"".join([*pending, piece])
                pending, size = [], 0
            yield piece
            start = end
        if start < len(chunk):
            pending.append(chunk[start:])
            size += len(chunk) - start
            if size > limit:
                raise InputError(
                    f"{getattr(handle, 'name', 'the file')}: a line longer than {limit >> 20} MB: "
                    "this is not a feed export (or its line ends are not \\n, \\r\\n or \\r)"
                )
    if pending:
        yield b"".join(pending)


def csv_records(handle: BinaryIO, encoding: str, delimiter: str) -> Iterator[tuple[SourceLine, str | None]]:
    """Every record of a CSV file, header first, with why it could not be parsed (else None)."""
    decoder = LineDecoder(encoding)
    consumed: list[str] = []
    notes: list[str] = []

    def lines() -> Iterator[str]:
        for line in physical_lines(handle):
            text, note = decoder.decode(line)
            consumed.append(text)
            if note and note not in notes:
                notes.append(note)
            yield text

    reader = csv.reader(lines(), delimiter=delimiter)
    previous: tuple[SourceLine, str | None] | None = None
    while True:
        cells: list[str] | None
        error = None
        try:
            cells = next(reader)
        except StopIteration:
            if previous is not None:  # the last record: only it can end inside a quote
                yield _closing(previous[0]), previous[1]
            return
        except csv.Error as exc:
            cells, error = None, str(exc)
        source = SourceLine("".join(consumed), cells, delimiter, tuple(notes), len(consumed))
        consumed.clear()
        notes.clear()
        if previous is not None:
            yield previous
        previous = source, error


def _closing(source: SourceLine) -> SourceLine:
    """The file's last record, marked when a quote in its last cell is never closed."""
    if source.cells is None or source.delimiter is None or '"' not in source.text:
        return source
    pieces = split_cells(source.text, source.delimiter)
    last = _QUOTED.fullmatch(pieces[-1]) if pieces and pieces[-1].startswith('"') else None
    if last is None or last.group(2) is not None:
        return source
    note = "a quote opened in its last cell is never closed: the rest of the file was read into it"
    source.open_quote, source.notes = True, (*source.notes, note)
    return source
