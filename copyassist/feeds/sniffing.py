"""How a feed file is laid out: CSV, TSV, JSONL or JSON from its name, and for CSV its encoding,
delimiter and line ending from its first bytes. Every reader and writer of feeds asks here, so
``check``, ``study`` and ``batch`` read a file the same way."""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path

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
}
LAYOUTS = ("csv", "tsv", "jsonl", "json")
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
    if delimiter is None:
        delimiter = "\t" if layout_of(file) == "tsv" else detect_delimiter(text)
    return CsvDialect(encoding, delimiter, detect_line_ending(text))


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
        raise InputError(f"{file.name} is UTF-16 text (Excel's \"Unicode text\"): save it as CSV UTF-8")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls * 100 >= len(sample):
        raise InputError(f"{file.name} is not a {kind}: it holds binary bytes (NUL, control codes); {what}")


def _ascii_compatible(encoding: str) -> bool:
    """Whether delimiters, quotes and line ends are the ASCII bytes in ``encoding`` (not UTF-16...)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    marks = ",;\t|\r\n\""
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


def count_lines(path: str | Path) -> int | None:
    """Data rows in a CSV/JSONL file, counted by lines (a multi-line cell makes it an estimate);
    None when the file cannot be read."""
    try:
        with open(path, "rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None
    return max(0, lines - (0 if layout_of(path) == "jsonl" else 1))
