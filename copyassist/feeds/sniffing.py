"""How a feed file is laid out: CSV, TSV, JSONL or JSON from its name, and for CSV its encoding,
delimiter and line ending from its first bytes. Every reader and writer of feeds asks here, so
``check``, ``study`` and ``batch`` read a file the same way."""

from __future__ import annotations

import codecs
import csv
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

SAMPLE_BYTES = 64 * 1024
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
    lineterminator: str  # "\r\n" or "\n", as the header line ends
    comments: int = 0  # leading "#" comment lines, the header's own line included when it is one
    comment_prefix: str = ""  # "# " before the header's first cell when the header is a comment


def sniff_csv(path: str | Path, *, delimiter: str | None = None, encoding: str | None = None) -> CsvDialect:
    """The dialect of a CSV/TSV file, from its first bytes; a given delimiter or encoding is kept."""
    file = Path(path)
    with file.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    encoding = encoding or detect_encoding(sample)
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


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as French Excel writes it."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut by the sample's end
            return "cp1252"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    """The delimiter the header line (the first of ``text``) holds most of outside quotes.

    A header with none is one column: the delimiter is one the text does not hold, so that
    values with commas are not split. On a tie, ``csv.Sniffer`` chooses among the tied ones
    from the first lines."""
    header = text.split("\n", 1)[0]
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
    """ "\\r\\n" when the first line of ``text`` ends so, else "\\n"."""
    return "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"


def count_lines(path: str | Path) -> int | None:
    """Data rows in a CSV/JSONL file, counted by lines (a multi-line cell makes it an estimate);
    None when the file cannot be read."""
    if layout_of(path) in DOCUMENT_LAYOUTS:  # not counted by lines
        return None
    try:
        with open(path, "rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None
    return max(0, lines - (0 if layout_of(path) == "jsonl" else 1))
