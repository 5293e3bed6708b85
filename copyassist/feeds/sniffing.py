"""How a feed file is laid out: CSV, TSV, JSONL or JSON from its name, and for CSV its encoding,
delimiter and line ending from its first bytes. Every reader and writer of feeds asks here, so
``check``, ``study`` and ``batch`` read a file the same way."""

from __future__ import annotations

import codecs
import csv
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from copyassist.errors import InputError

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
    except OSError:
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
