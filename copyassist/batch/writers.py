"""Writing a feed back: the seller's file with every original column, in order, and the new copy.

Rows stream out in the order ``write`` is called. New copy always goes to ``copyassist_<field>``
columns beside the original ones, with the run's status, template, persona and model on every row.
It also fills the row's *target* cell (Shopify ``Title``, the mapped description column...) when
that cell is empty, or whatever it holds with ``overwrite=True``; only ok, repaired and fallback
copy fills a target (``FILL_STATUSES``): flagged copy stays in its review column.

Decisions:

* Encoding. JSON and JSONL are always UTF-8. CSV keeps the input's encoding; when a cell cannot
  be encoded in it (a French Excel export is cp1252, which has no U+202F narrow no-break space, no
  "≥", no emoji), the part already written is transcoded and the whole file becomes UTF-8 with a
  BOM, which Excel opens correctly too. Nothing is ever replaced by "?". ``FeedWriter.encoding``
  tells what the file was finally written in.
* Formula cells. In CSV/TSV, a cell starting with ``= + - @``, tab or carriage return gets a
  leading ``'`` (OWASP "CSV injection"), header and original cells included. Plain numbers
  (``-12.50``, ``+3``, ``-12,50``) are left alone: no spreadsheet runs them, and a quote would turn
  a price into text. Importers (Shopify...) keep the quote: pass ``neutralise=False`` for a file
  that goes straight to an importer rather than through a spreadsheet.
* Merchant Center, ``merchant_structured=True``: AI copy goes to ``structured_title`` and
  ``structured_description`` (``merchant_structured_value``), added after the original columns;
  rule-built "fallback" titles are not AI-written and go to ``title`` as usual.
* Atomicity. Rows go to ``<path>.partial``, renamed to ``<path>`` by ``close``; a run that dies
  or raises inside the ``with`` block leaves only the ``.partial`` file.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from copyassist.batch.fields import OUTPUT_FIELDS
from copyassist.batch.model import RowOutcome
from copyassist.status import FILL_STATUSES

CSV_FORMATS = ("csv", "shopify", "woocommerce", "merchant")
SOURCE_FORMATS = (*CSV_FORMATS, "jsonl", "json")
OUTPUT_FORMATS = ("csv", "tsv", "jsonl", "json")
SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
PREFIX = "copyassist_"
META_COLUMNS = ("status", "template", "template_version", "persona", "model", "violations", "error")
#: Where each platform keeps the copy an output field replaces (used when the column exists).
KNOWN_TARGETS: dict[str, dict[str, str]] = {
    "shopify": {
        "title": "Title",
        "description": "Body (HTML)",
        "seo_title": "SEO Title",
        "meta_description": "SEO Description",
    },
    "woocommerce": {"title": "Name", "description": "Description"},
    "merchant": {"title": "title", "description": "description"},
}
#: Output fields that go to the column ``mapping`` gives for them (generic CSV, JSON, fallback).
MAPPED_TARGETS = ("title", "description")
#: Merchant Center: copy written by generative AI goes to these attributes, not title/description.
STRUCTURED_TARGETS = {"title": "structured_title", "description": "structured_description"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_HTML_TAG = re.compile(r"</?(?:p|br|ul|ol|li|strong|em|b|i|h[1-6]|div|span|a)\b[^>]*>", re.IGNORECASE)


def neutralise_cell(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula."""
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def merchant_structured_value(content: str) -> str:
    """A ``structured_title``/``structured_description`` value for text feeds, AI-generated.

    Google Merchant Center Help, "Title [title] and structured title [structured_title]"
    (https://support.google.com/merchants/answer/6324415) and "Description [description] and
    structured description [structured_description]" (https://support.google.com/merchants/answer/6324468):
    digital_source_type ``trained_algorithmic_media`` and the content, separated by a colon, the
    content in double quotes when it holds a colon or a double quote, e.g.
    ``trained_algorithmic_media:"Stride & Conquer: Original Google Men's Blue & Orange Power Shoes"``.
    A double quote inside is doubled, as in Google's quoted attributes for text feeds
    (https://support.google.com/merchants/answer/14998273).
    """
    if ":" in content or '"' in content:
        content = '"' + content.replace('"', '""') + '"'
    return f"trained_algorithmic_media:{content}"


def as_shopify_html(text: str) -> str:
    """Plain-text paragraphs as ``<p>`` blocks for Shopify's Body (HTML); HTML is kept as it is."""
    if _HTML_TAG.search(text):
        return text
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join("<p>" + html.escape(b, quote=False).replace("\n", "<br>") + "</p>" for b in blocks)


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


class FeedWriter:
    """Writes ``RowOutcome``s to ``path`` (through ``<path>.partial``, renamed on success).

    ``fields`` are the OUTPUT_FIELDS the run produces. ``output_format`` ("csv", "tsv", "jsonl",
    "json") defaults from ``path``'s extension: .csv/.txt the input's format back, .tsv
    tab-separated, .jsonl, .json.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        source_format: str,
        columns: Sequence[str],
        mapping: Mapping[str, str],
        fields: Sequence[str],
        delimiter: str = ",",
        encoding: str = "utf-8",
        output_format: str | None = None,
        overwrite: bool = False,
        neutralise: bool = True,
        merchant_structured: bool = False,
    ) -> None:
        if source_format not in SOURCE_FORMATS:
            raise ValueError(f"unknown feed format {source_format!r}")
        unknown = [f for f in fields if f not in OUTPUT_FIELDS]
        if unknown:
            raise ValueError(f"unknown output field(s): {', '.join(unknown)}")
        if merchant_structured and source_format != "merchant":
            raise ValueError("merchant_structured is for Merchant Center feeds only")
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.source_format = source_format
        self.columns = list(columns)
        self.fields = list(dict.fromkeys(fields))
        self.overwrite = overwrite
        self.neutralise = neutralise
        self.output_format = self._output_format(output_format)
        self.delimiter = "\t" if self.output_format == "tsv" else delimiter
        self.targets = self._targets(mapping)
        self.structured = {
            f: STRUCTURED_TARGETS[f] for f in self.fields if merchant_structured and f in STRUCTURED_TARGETS
        }
        ours = [
            *self.structured.values(),
            *(PREFIX + f for f in self.fields),
            *(PREFIX + m for m in META_COLUMNS),
        ]
        self.header = [*self.columns, *(c for c in ours if c not in self.columns)]
        self.rows = 0
        self._closed = False
        self.encoding, self._encoder = self._choose_encoding(encoding)
        self._file = self.partial.open("wb")
        if self.output_format in ("csv", "tsv"):
            self._emit(self._csv_line(self.header))
        elif self.output_format == "json":
            self._emit("[")

    def _output_format(self, requested: str | None) -> str:
        if requested is None:
            fallback = self.source_format if self.source_format in ("jsonl", "json") else "csv"
            return SUFFIXES.get(self.path.suffix.lower(), fallback)
        if requested in CSV_FORMATS:
            return "csv"
        if requested not in OUTPUT_FORMATS:
            raise ValueError(f"unknown output format {requested!r}")
        return requested

    def _targets(self, mapping: Mapping[str, str]) -> dict[str, str]:
        """Output field -> the original column it fills, for the columns this feed really has."""
        known = KNOWN_TARGETS.get(self.source_format, {})
        targets: dict[str, str] = {}
        for name in self.fields:
            column = known.get(name)
            if column not in self.columns and name in MAPPED_TARGETS:
                column = mapping.get(name)
            if column is not None and column in self.columns:
                targets[name] = column
        return targets

    def _choose_encoding(self, encoding: str) -> tuple[str, codecs.IncrementalEncoder]:
        if self.output_format in ("jsonl", "json"):
            return "utf-8", codecs.getincrementalencoder("utf-8")("replace")
        name = codecs.lookup(encoding).name
        # UTF-8/16/32 hold every character; "replace" only concerns lone surrogates.
        return name, codecs.getincrementalencoder(name)("replace" if name.startswith("utf") else "strict")

    def write(self, outcome: RowOutcome) -> None:
        """Write the output row for ``outcome`` now, after the rows written before it."""
        if self._closed:
            raise ValueError("write to a closed FeedWriter")
        record = self._record(outcome)
        if self.output_format in ("csv", "tsv"):
            self._emit(self._csv_line([self._cell(record.get(c)) for c in self.header]))
        else:
            text = json.dumps(record, ensure_ascii=False, default=str)
            if self.output_format == "jsonl":
                self._emit(text + "\n")
            else:
                self._emit(("\n" if self.rows == 0 else ",\n") + text)
        self.rows += 1

    def _record(self, outcome: RowOutcome) -> dict[str, Any]:
        row = outcome.row
        if self.source_format in CSV_FORMATS:
            record: dict[str, Any] = {c: row.raw.get(c, "") for c in self.columns}
        else:
            record = dict(row.raw)
        skipped = row.skip is not None or outcome.status == "skipped"
        if not skipped and outcome.status in FILL_STATUSES:
            for name in self.fields:
                text = outcome.fields.get(name, "")
                if text.strip():
                    self._fill(record, name, text, ai=outcome.status != "fallback")
        for name in self.fields:
            record[PREFIX + name] = outcome.fields.get(name, "")
        meta: dict[str, Any] = {
            "status": "skipped" if skipped else outcome.status,
            "template": outcome.template,
            "template_version": outcome.template_version,
            "persona": outcome.persona,
            "model": outcome.model,
            "violations": " | ".join(outcome.violations),
            "error": outcome.error or row.skip or "",
        }
        for key, value in meta.items():
            record[PREFIX + key] = value
        return record

    def _fill(self, record: dict[str, Any], name: str, text: str, *, ai: bool) -> None:
        plain = self.targets.get(name)
        structured = self.structured.get(name)
        if structured is not None and ai:
            if not self.overwrite and any(_filled(record.get(c)) for c in (plain, structured) if c):
                return
            record[structured] = merchant_structured_value(text)
            if plain is not None:
                # Google uses title/description over the structured attribute when both are set.
                record[plain] = ""
            return
        if plain is None or (_filled(record.get(plain)) and not self.overwrite):
            return
        record[plain] = as_shopify_html(text) if plain == "Body (HTML)" else text

    @staticmethod
    def _cell(value: Any) -> str:
        if value is None or isinstance(value, str):
            return value or ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return json.dumps(value, ensure_ascii=False, default=str)

    def _csv_line(self, cells: Sequence[str]) -> str:
        buffer = io.StringIO()
        values = [neutralise_cell(c) for c in cells] if self.neutralise else list(cells)
        csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n").writerow(values)
        return buffer.getvalue()

    def _emit(self, text: str) -> None:
        try:
            data = self._encoder.encode(text)
        except UnicodeEncodeError:
            self._switch_to_utf8()
            data = self._encoder.encode(text)
        self._file.write(data)

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
        if self._closed:
            return
        if self.output_format == "json":
            self._emit("\n]\n")
        self._file.write(self._encoder.encode("", final=True))
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._closed = True
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        """Stop without publishing: ``path`` is left as it was, the ``.partial`` file stays."""
        if not self._closed:
            self._closed = True
            self._file.close()

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


#: ``with open_writer(path, ...) as writer``: the writer is its own context manager.
open_writer = FeedWriter
