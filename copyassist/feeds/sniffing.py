"""How a feed file is laid out: CSV, TSV, JSONL or JSON from its name, and for CSV its encoding,
delimiter and line ending from its first bytes. Every reader and writer of feeds asks here, so
``check``, ``study`` and ``batch`` read a file the same way."""

from __future__ import annotations

import codecs
import csv
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from copyassist.errors import InputError

SAMPLE_BYTES = 64 * 1024
HEADER_LIMIT = 16 * 1024 * 1024  # a first line longer than this is not a header
DELIMITERS = ",;\t|"
#: File name ending -> layout; a file whose name has none of them is read as CSV.
SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "xml",
    ".rss": "xml",
    ".atom": "xml",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
LAYOUTS = ("csv", "tsv", "jsonl", "json")
#: Layouts read and written by ``copyassist.feeds.documents`` (Merchant XML, Excel workbooks).
DOCUMENT_LAYOUTS = ("xml", "xlsx")
COMMENT = re.compile(r"#[ \t]*")  # a line starting so is a comment (import templates' preambles)


class FeedNotice(UserWarning):
    """Something found in a feed that a seller should know about (comment lines, a header row
    below template rows); the run goes on."""


LENIENT = "copyassist-cp1252"  # codec error handler: bytes invalid in UTF-8 read as Windows-1252
#: What a file that is not text starts with, and what to call it.
MAGIC = {
    b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF",
    b"%PDF-": "PDF", b"PK\x03\x04": "ZIP", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "OLE", b"\x1f\x8b": "gzip",
    b"BZh": "bzip2", b"7z\xbc\xaf\x27\x1c": "7-Zip", b"SQLite format 3\x00": "SQLite",
    b"\x7fELF": "ELF", b"RIFF": "RIFF",
}  # fmt: skip
MAGIC_KINDS = {"ZIP": "an Excel .xlsx workbook or a .zip archive", "OLE": "an old Excel .xls workbook",
               "RIFF": "an image, sound or video"}  # fmt: skip
#: Bytes no text file holds (tab, line ends, form feed and ESC aside).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1a\x1b")
_LINE_END = re.compile(r"\r\n|\r|\n")


def _lenient(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in bad), exc.end


codecs.register_error(LENIENT, _lenient)


def layout_of(path: str | Path) -> str | None:
    """ "csv", "tsv", "jsonl" or "json" from the file's name; None when the name says none."""
    return SUFFIXES.get(Path(path).suffix.lower())


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written, to read it and to write it back alike."""

    encoding: str  # "utf-8", "utf-8-sig" (write the BOM back) or "cp1252"
    delimiter: str
    lineterminator: str  # "\r\n", "\n" or "\r", as the header line ends
    comments: int = 0  # leading "#" comment lines, the header's own line included when it is one
    comment_prefix: str = ""  # "# " before the header's first cell when the header is a comment


def sniff_csv(path: str | Path, *, delimiter: str | None = None, encoding: str | None = None) -> CsvDialect:
    """The dialect of a CSV/TSV file, from its first bytes (the whole first line, however long);
    a given delimiter or encoding is kept. A file that is no text is refused (``InputError``)."""
    file = Path(path)
    sample = read_sample(file)
    refuse_non_text(file, sample, layout_of(file) or "csv")
    encoding = encoding or detect_encoding(sample)
    if not _ascii_compatible(encoding):
        raise InputError(
            f"{file.name}: encoding {encoding!r} cannot be read line by line; save the file as CSV UTF-8"
        )
    text = sample.decode(encoding, LENIENT)
    comments = leading_comments(text)
    if delimiter is None and layout_of(file) == "tsv":
        delimiter = "\t"
    elif delimiter is None:
        lines = text.lstrip("\ufeff").splitlines(keepends=True)
        rest = "".join(lines[comments:])
        if comments:  # the last comment may be the header: it says the delimiter best
            last = lines[comments - 1]
            candidate = last[len(COMMENT.match(last).group()) :] + rest  # type: ignore[union-attr]
            rest = candidate if any(d in candidate.split("\n", 1)[0] for d in DELIMITERS) else rest
        delimiter = detect_delimiter(rest or text)
    prefix = comment_header_prefix(text, comments, delimiter)
    if comments:
        last = f"line {comments}" if prefix else f"line {comments + 1}"
        where = "1" if comments == 1 else f"1-{comments}"
        warnings.warn(
            f"{file.name}: line{'s' if comments > 1 else ''} {where} {'is a' if comments == 1 else 'are'} "
            f"comment{'s' if comments > 1 else ''} (#); the header is {last}"
            + (" (inside the comment)" if prefix else ""),
            FeedNotice,
            stacklevel=2,
        )
    return CsvDialect(encoding, delimiter, detect_line_ending(text), comments, prefix)


def leading_comments(text: str) -> int:
    """How many lines at the start of ``text`` are ``#`` comments."""
    count = 0
    for line in text.lstrip("\ufeff").splitlines():
        if not line.startswith("#"):
            break
        count += 1
    return count


def comment_header_prefix(text: str, comments: int, delimiter: str) -> str:
    """The ``# `` before the header when the last comment line is the header (it splits into as
    many cells as the first line after it, more than one), else ""."""
    if not comments:
        return ""
    lines = text.lstrip("\ufeff").splitlines()
    last = lines[comments - 1]
    prefix = COMMENT.match(last)
    assert prefix is not None
    cells = _cells(last[prefix.end() :], delimiter)
    following = next((line for line in lines[comments:] if line.strip()), None)
    if cells > 1 and (following is None or _cells(following, delimiter) == cells):
        return prefix.group()
    return ""


def _cells(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0


def comment_preamble(path: str | Path, dialect: CsvDialect) -> str:
    """The comment lines above the header as they are written, and the ``# `` before the header
    when it is one: what a writer puts back before the header line."""
    if not dialect.comments:
        return ""
    with Path(path).open(encoding=dialect.encoding, errors=LENIENT, newline="") as handle:
        lines = [handle.readline() for _ in range(dialect.comments - bool(dialect.comment_prefix))]
    return "".join(lines).lstrip("\ufeff") + dialect.comment_prefix


def header_from_comments(handle: TextIO, dialect: CsvDialect) -> list[str] | None:
    """Move ``handle`` past the comment lines; the header cells when the last of them holds it."""
    for _ in range(dialect.comments - bool(dialect.comment_prefix)):
        handle.readline()
    if not dialect.comment_prefix:
        return None
    line = handle.readline().lstrip("\ufeff")[len(dialect.comment_prefix) :]
    return next(csv.reader([line], delimiter=dialect.delimiter), [])


def read_sample(file: Path, *, whole_line: bool = True) -> bytes:
    """The first ``SAMPLE_BYTES`` of ``file``, and with ``whole_line`` on to the end of its first line
    when that is longer (a header of thousands of columns), up to ``HEADER_LIMIT`` bytes."""
    try:
        with file.open("rb") as raw:
            sample = raw.read(SAMPLE_BYTES)
            while whole_line and len(sample) < HEADER_LIMIT and b"\n" not in sample and b"\r" not in sample:
                more = raw.read(SAMPLE_BYTES)
                if not more:
                    break
                sample += more
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
    return sample


def refuse_non_text(file: Path, sample: bytes, layout: str) -> None:
    """An ``InputError`` when ``sample`` is not the start of a text file (a PNG renamed .csv...)."""
    kind = {"jsonl": "JSON Lines file", "json": "JSON file"}.get(layout, "CSV")
    what = "export the feed as CSV, JSONL or JSON"
    for magic, name in MAGIC.items():
        if sample.startswith(magic):
            likely = f" ({MAGIC_KINDS[name]})" if name in MAGIC_KINDS else ""
            raise InputError(f"{file.name} is not a {kind}: it starts with {name} bytes{likely}; {what}")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f'{file.name} is UTF-16 text (Excel\'s "Unicode text"): save it as CSV UTF-8')
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls * 100 >= len(sample):
        raise InputError(f"{file.name} is not a {kind}: it holds binary bytes (NUL, control codes); {what}")


def _ascii_compatible(encoding: str) -> bool:
    """Whether delimiters, quotes and line ends are the ASCII bytes in ``encoding`` (not UTF-16...)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    marks = ',;\t|\r\n"'
    return name == "utf-8-sig" or marks.encode(name, "replace") == marks.encode("ascii")


def detect_encoding(sample: bytes) -> str:
    """UTF-8 with a BOM; else, of the lines with non-ASCII bytes, Windows-1252 (as French Excel
    writes it) when more of them need it than read as UTF-8; else UTF-8. A file with a few pasted
    lines of the other stays the encoding of most: the lines are read each in their own."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    utf8 = other = 0
    lines = sample.splitlines()
    for number, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError as exc:
            cut = number == len(lines) - 1 and exc.start >= len(line) - 4  # by the sample's end
            other += not cut
    return "cp1252" if other > utf8 else "utf-8"


def detect_delimiter(text: str) -> str:
    """The delimiter the header line (the first of ``text``) holds most of outside quotes.

    A header with none is one column: the delimiter is one the text does not hold, so that
    values with commas are not split. On a tie, ``csv.Sniffer`` chooses among the tied ones
    from the first lines."""
    header = _LINE_END.split(text, maxsplit=1)[0]
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        quoted = quoted != (char == '"')
        if not quoted and char in counts:
            counts[char] += 1
    most = max(counts.values())
    if most == 0:
        return next((d for d in DELIMITERS if d not in text), ",")
    tied = "".join(d for d in DELIMITERS if counts[d] == most)
    if len(tied) == 1:
        return tied
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=tied).delimiter
    except csv.Error:
        return tied[0]


def detect_line_ending(text: str) -> str:
    """How the first line of ``text`` ends: "\\r\\n", "\\n" or "\\r" (old Mac); "\\n" when it does not."""
    found = _LINE_END.search(text)
    return found.group() if found else "\n"


@dataclass(frozen=True)
class RecordCount:
    """How many records a feed holds; ``exact`` False when it is an estimate ("about")."""

    records: int
    exact: bool = True


COUNT_BUDGET_BYTES = 32 * 1024 * 1024  # past this, records are counted in the first part and scaled
MAX_JSON_COUNT_BYTES = 64 * 1024 * 1024  # a bigger JSON array is not counted ahead (no total shown)
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def regular_file(path: str | Path) -> Path:
    """``path``, refused with one line when it is not a regular file: a FIFO or a device such as
    /dev/zero would be read forever (or wait for a writer), never as a feed."""
    file = Path(path)
    try:
        mode = file.stat().st_mode
    except OSError:
        return file  # missing or unreadable: the reader says so
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device"
        raise InputError(f"{file} is {kind}, not a regular file: save the feed to a file and give that")
    return file


def count_records(path: str | Path) -> RecordCount | None:
    """The data records of a CSV/TSV, JSONL or JSON feed, as the readers will yield them: a CSV
    cell holding line breaks is one record, blank lines are none, a JSON array's items are
    counted. A CSV larger than ``COUNT_BUDGET_BYTES`` is counted in its first part and scaled
    (``exact`` False). None when the file cannot be read, or is a JSON file too big to count
    ahead; a FIFO, a device or a folder is refused (InputError), never read."""
    file = regular_file(path)
    layout = layout_of(file) or "csv"
    try:
        if layout == "json":
            return _count_json(file)
        if layout == "jsonl":
            with file.open("rb") as handle:
                return RecordCount(sum(1 for line in handle if line.strip()))
        if layout in ("csv", "tsv"):
            return _count_csv(file, sniff_csv(file).delimiter if layout == "csv" else "\t")
    except (OSError, InputError):  # unreadable or not a feed: the reader says why; no total
        return None
    return None  # a layout counted by no one here: no total shown


def _count_csv(file: Path, delimiter: str) -> RecordCount:
    size = file.stat().st_size
    read = 0

    def budgeted(handle: Iterator[str]) -> Iterator[str]:
        nonlocal read
        for line in handle:
            read += len(line)
            yield line
            if read >= COUNT_BUDGET_BYTES:
                return

    records = blanks = 0
    # latin-1 maps each byte to one character: quotes, delimiters and line breaks stay put
    with file.open(encoding="latin-1", newline="") as handle:
        whole = size <= COUNT_BUDGET_BYTES
        reader = csv.reader(handle if whole else budgeted(handle), delimiter=delimiter)
        while True:
            try:
                for values in reader:
                    if "".join(values).strip():
                        records += 1
                    else:
                        blanks += 1
                break
            except csv.Error:  # the reader reports this row as unreadable: still a record
                records += 1
    records = max(0, records - 1)  # the header
    if not whole:  # counted in the first part only: scaled to the whole file
        return RecordCount(round(records * size / max(read, 1)), exact=False)
    return RecordCount(records, exact=blanks == 0)


def _count_json(file: Path) -> RecordCount | None:
    if file.stat().st_size > MAX_JSON_COUNT_BYTES:
        return None
    text = file.read_text(encoding="utf-8-sig", errors="replace").strip()
    if not text.startswith("["):
        return RecordCount(1 if text else 0)  # a lone object is one record
    depth = commas = 0
    for token in _JSON_TOKEN.finditer(text):  # strings are matched whole: their brackets do not count
        char = token.group()[0]
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 1:
            commas += 1
    return RecordCount(commas + 1 if text[1:].lstrip()[:1] not in ("]", "") else 0)
