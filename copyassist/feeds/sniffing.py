"""How a feed file is laid out: CSV, TSV, JSONL or JSON from its name, and for CSV its encoding,
delimiter and line ending from its first bytes. Every reader and writer of feeds asks here, so
``check``, ``study`` and ``batch`` read a file the same way."""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

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
}
LAYOUTS = ("csv", "tsv", "jsonl", "json")
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


def sniff_csv(path: str | Path, *, delimiter: str | None = None, encoding: str | None = None) -> CsvDialect:
    """The dialect of a CSV/TSV file, from its first bytes; a given delimiter or encoding is kept."""
    file = Path(path)
    with file.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    encoding = encoding or detect_encoding(sample)
    text = sample.decode(encoding, LENIENT)
    if delimiter is None:
        delimiter = "\t" if layout_of(file) == "tsv" else detect_delimiter(text)
    return CsvDialect(encoding, delimiter, detect_line_ending(text))


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
    try:
        with open(path, "rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None
    return max(0, lines - (0 if layout_of(path) == "jsonl" else 1))
