"""Feeds that are documents rather than text lines: Google Merchant XML (``merchant_xml``) and
Excel workbooks (``xlsx``). ``open_feed``, ``read_rows`` and the batch writer reach both through
here: a ``Document`` says where the rows are, ``document_rows`` reads them, ``document_writer``
writes a run back in the same shape."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from copyassist.errors import InputError
from copyassist.feeds.merchant_xml import MerchantXmlWriter, xml_columns, xml_items
from copyassist.feeds.sniffing import FeedNotice
from copyassist.feeds.xlsx import Record, XlsxWriter, locate, xlsx_rows

_XML_STARTS = (b"<?xml", b"<rss", b"<feed")


@dataclass(frozen=True)
class Document:
    """Where a document feed's rows are: the file, "xml" or "xlsx", its columns, and for a
    workbook the data sheet and its 1-based header row."""

    path: Path
    layout: str
    columns: tuple[str, ...]
    sheet: str = ""
    header_row: int = 1


def sniff_document(path: str | Path) -> str | None:
    """ "xml" when a file starts as XML does, else None."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return None
    return "xml" if start.startswith(_XML_STARTS) else None


def open_document(path: str | Path, layout: str, *, header_row: int | None = None) -> Document:
    """The ``Document`` of a Merchant XML feed or a workbook (refusing other XML)."""
    file = Path(path)
    if layout == "xml":
        return Document(file, "xml", tuple(xml_columns(file)))
    if header_row is not None and header_row < 1:
        raise InputError(f"header row {header_row}: rows are counted from 1")
    sheet, row, columns = locate(file, header_row)
    if row > 1:
        warnings.warn(
            f"{file.name}: sheet {sheet!r}, header on row {row}; "
            + ("row 1 above it is" if row == 2 else f"rows 1-{row - 1} above it are")
            + " kept unchanged",
            FeedNotice,
            stacklevel=2,
        )
    return Document(file, "xlsx", tuple(columns), sheet, row)


def document_rows(document: Document) -> Iterator[Record]:
    """(row number, column -> value, why unreadable or None) for each row, in order."""
    if document.layout == "xml":
        return ((number, values, None) for number, values in enumerate(xml_items(document.path), 1))
    return xlsx_rows(document.path, document.sheet, document.header_row, document.columns)


DocumentWriter = MerchantXmlWriter | XlsxWriter


def document_writer(path: str | Path, header: Sequence[str], *, layout: str,
                    source: Document | None) -> DocumentWriter:  # fmt: skip
    """The writer of a run's output as XML (from a Merchant XML input only) or as a workbook."""
    if layout == "xml":
        if source is None or source.layout != "xml":
            raise InputError(
                f"{Path(path).name}: XML is written back only for a Merchant XML input; "
                "write .csv, .tsv or .xlsx"
            )
        return MerchantXmlWriter(path, header, source=source.path)
    if source is not None and source.layout == "xlsx":
        return XlsxWriter(path, header, source=(source.path, source.sheet, source.header_row, source.columns))
    return XlsxWriter(path, header)
