"""Feed files, read and written: the one place that knows CSV/TSV, JSONL and JSON files, Merchant
XML feeds and Excel workbooks, and the Shopify, WooCommerce and Merchant Center exports.

- ``sniffing``: layout from the file name, encoding, delimiter and line ending from the bytes;
- ``records``: CSV records with their text as read (``SourceLine``), lines decoded one by one;
- ``rows``: ``read_rows``, plain records (``check`` and ``study`` read these);
- ``feed``: ``open_feed``, records mapped to product fields (``batch`` reads these);
- ``plan``: which column feeds which product field (names from ``copyassist.columns``);
- ``platforms``: each platform's columns; ``values``: prices, HTML, list cells;
- ``writing``: ``FileWriter``, records written back in the input's layout and dialect;
- ``documents``: Merchant RSS/Atom XML (``merchant_xml``) and .xlsx workbooks (``xlsx``), read
  and written back in the same shape.
"""

from __future__ import annotations

from copyassist.feeds.feed import Feed, FeedRow, open_feed
from copyassist.feeds.platforms import CSV_FORMATS, FORMATS, detect_format
from copyassist.feeds.records import SourceLine
from copyassist.feeds.rows import Row, read_rows
from copyassist.feeds.sniffing import CsvDialect, RecordCount, count_records, layout_of, sniff_csv
from copyassist.feeds.values import split_price
from copyassist.feeds.writing import FileWriter, neutralise_cell, output_layout

__all__ = [
    "CSV_FORMATS",
    "CsvDialect",
    "FORMATS",
    "Feed",
    "FeedRow",
    "FileWriter",
    "RecordCount",
    "Row",
    "SourceLine",
    "count_records",
    "detect_format",
    "layout_of",
    "neutralise_cell",
    "open_feed",
    "output_layout",
    "read_rows",
    "sniff_csv",
    "split_price",
]
