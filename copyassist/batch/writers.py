"""Writing a batch back: the seller's file with every original column, in order, and the new copy.

New copy always goes to ``copyassist_<field>`` columns beside the original ones, with the run's
status, template, persona and model on every row. It also fills the row's *target* cell (Shopify
``Title``, the mapped description column...) when that cell is empty, or whatever it holds with
``overwrite=True``; only ok, repaired and fallback copy fills a target (``FILL_STATUSES``):
flagged copy stays in its review column. A rule-built fallback never replaces existing copy, even
with ``overwrite``, and an empty value never blanks a filled cell.

Every other cell of the seller's comes back as it came: a CSV row is written from its record as
read (``FeedRow.source``), a row the reader could not make out included, and only the target
cells and the new columns change. In a JSON output, such a row keeps its text in
``copyassist_original``.

With ``variants``, a JSON or JSONL output has every candidate of a row's fields in
``copyassist_candidates`` (the chosen one marked); a CSV has the chosen copy only.

A listing (several templates, ``listing``: their names): every field's columns, each filling its
targets by its own status, a ``copyassist_<template>_status`` column per field beside the row's
``copyassist_status`` (its worst field's), and in a JSON or JSONL output a ``copyassist_fields``
object per row: template -> its status, copy, violations and error.

Merchant Center, ``merchant_structured=True``: AI copy goes to ``structured_title`` and
``structured_description`` (``merchant_structured_value``), added after the original columns,
and the seller's ``title`` and ``description`` stay; rule-built "fallback" titles are not
AI-written and go to ``title`` as usual.

The file itself (encoding, delimiter and line ending kept, formula cells, the ``.partial`` file)
is ``copyassist.feeds.writing.FileWriter``'s job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from copyassist.batch.fields import OUTPUT_FIELDS
from copyassist.batch.model import RowOutcome
from copyassist.feeds.documents import Document, DocumentWriter, document_writer
from copyassist.feeds.platforms import CSV_FORMATS, FORMATS, KNOWN_TARGETS, STRUCTURED_TARGETS
from copyassist.feeds.records import SourceLine
from copyassist.feeds.sniffing import DOCUMENT_LAYOUTS
from copyassist.feeds.values import as_shopify_html, merchant_structured_value
from copyassist.feeds.writing import AtomicOutput, FileWriter, output_layout
from copyassist.status import FILL_STATUSES

PREFIX = "copyassist_"
META_COLUMNS = ("status", "template", "template_version", "persona", "model", "violations", "error")
#: Output fields that go to the column ``mapping`` gives for them (generic CSV, JSON, fallback).
MAPPED_TARGETS = ("title", "description")


def candidates_of(outcome: RowOutcome) -> list[dict[str, Any]]:
    """Every candidate of the row (``variants``), each naming its template, in field order."""
    parts = outcome.field_outcomes or [outcome]
    return [c.as_dict(part.template) for part in parts for c in part.candidates]


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def target_columns(
    source_format: str, columns: Sequence[str], mapping: Mapping[str, str], fields: Sequence[str]
) -> dict[str, str]:
    """Output field -> the original column it fills, for the columns this feed really has."""
    known = KNOWN_TARGETS.get(source_format, {})
    targets: dict[str, str] = {}
    for name in fields:
        column = known.get(name)
        if column not in columns and name in MAPPED_TARGETS:
            column = mapping.get(name)
        if column is not None and column in columns:
            targets[name] = column
    return targets


class FeedWriter(AtomicOutput):
    """Writes ``RowOutcome``s to ``path`` (through ``<path>.partial``, renamed on success).

    ``fields`` are the OUTPUT_FIELDS the run produces. ``output_format`` ("csv", "tsv", "jsonl",
    "json") defaults from ``path``'s extension: .csv/.txt the input's format back, .tsv
    tab-separated, .jsonl, .json. ``delimiter``, ``encoding`` and ``lineterminator`` are the
    input's (``Feed``'s), and ``header_source`` its header line as read (``Feed.header_source``),
    so that a CSV comes back as it was written. ``neutralise`` puts a quote before new cells a
    spreadsheet would run as formulas; ``neutralise_all`` before the seller's own cells too.
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
        lineterminator: str = "\r\n",
        output_format: str | None = None,
        overwrite: bool = False,
        neutralise: bool = True,
        neutralise_all: bool = False,
        merchant_structured: bool = False,
        document: Document | None = None,
        preamble: str = "",
        header_source: SourceLine | None = None,
        listing: Sequence[str] = (),
    ) -> None:
        if source_format not in FORMATS:
            raise ValueError(f"unknown feed format {source_format!r}")
        unknown = [f for f in fields if f not in OUTPUT_FIELDS]
        if unknown:
            raise ValueError(f"unknown output field(s): {', '.join(unknown)}")
        if merchant_structured and source_format != "merchant":
            raise ValueError("merchant_structured is for Merchant Center feeds only")
        self.path = Path(path)
        self.source_format = source_format
        self.columns = list(columns)
        self.fields = list(dict.fromkeys(fields))
        self.listing = list(listing)
        self.overwrite = overwrite
        self.output_format = output_layout(self.path, output_format, source_format)
        self.targets = self._targets(mapping)
        self.structured = {
            f: STRUCTURED_TARGETS[f] for f in self.fields if merchant_structured and f in STRUCTURED_TARGETS
        }
        # A row that could not be read is copied back as its text where the output is the input's
        # own CSV; any other output keeps that text in a column of its own, never blanks it.
        self.keeps_text = (
            self.output_format in ("csv", "tsv") and source_format in CSV_FORMATS and document is None
        )
        original = [] if self.keeps_text or document is not None else [PREFIX + "original"]
        ours = [
            *self.structured.values(),
            *(PREFIX + f for f in self.fields),
            *(PREFIX + f"{name}_status" for name in self.listing),
            *(PREFIX + m for m in META_COLUMNS),
            *original,
        ]
        self.header = [*self.columns, *(c for c in ours if c not in self.columns)]
        self._file: FileWriter | DocumentWriter
        if self.output_format in DOCUMENT_LAYOUTS:  # the input's Document, to write it back alike
            self._file = document_writer(self.path, self.header, layout=self.output_format, source=document)
        else:
            self._file = FileWriter(
                self.path, self.header, layout=self.output_format, delimiter=delimiter, encoding=encoding,
                lineterminator=lineterminator, neutralise=neutralise, preamble=preamble,
                original_columns=len(self.columns), neutralise_all=neutralise_all,
                header_source=header_source,
            )  # fmt: skip

    @property
    def partial(self) -> Path:
        return self._file.partial

    @property
    def encoding(self) -> str:
        """What the file is written in: the input's encoding, or "utf-8-sig" once it had to change."""
        return self._file.encoding

    @property
    def rows(self) -> int:
        return self._file.rows

    def _targets(self, mapping: Mapping[str, str]) -> dict[str, str]:
        return target_columns(self.source_format, self.columns, mapping, self.fields)

    def write(self, outcome: RowOutcome) -> None:
        """Write the output row for ``outcome`` now, after the rows written before it."""
        row = outcome.row
        record = self._record(outcome)
        if row.unreadable and row.source is not None and not self.keeps_text:
            record[PREFIX + "original"] = row.source.content
        if not isinstance(self._file, FileWriter):  # a workbook or an XML feed: cells by value
            self._file.write(record)
            return
        source = row.source if row.source is not None and row.source.delimiter is not None else None
        changed = [c for c in self.columns if record.get(c, "") != row.raw.get(c, "")]
        self._file.write(record, source=source, changed=changed)

    def _record(self, outcome: RowOutcome) -> dict[str, Any]:
        row = outcome.row
        if self.source_format in CSV_FORMATS:
            record: dict[str, Any] = {c: row.raw.get(c, "") for c in self.columns}
        else:
            record = dict(row.raw)
        skipped = row.skip is not None or outcome.status == "skipped"
        # a listing's fields fill their targets each by its own status
        for part in outcome.field_outcomes or ([] if skipped else [outcome]):
            if part.status in FILL_STATUSES:
                for name, text in part.fields.items():
                    if name in self.fields and text.strip():
                        self._fill(record, name, text, ai=part.status != "fallback")
        if self.listing:
            self._listing_columns(record, outcome)
        candidates = candidates_of(outcome)
        if candidates and self.output_format in ("json", "jsonl"):  # a CSV keeps one copy per field
            record[PREFIX + "candidates"] = candidates
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

    def _listing_columns(self, record: dict[str, Any], outcome: RowOutcome) -> None:
        parts = {part.template: part for part in outcome.field_outcomes}
        for name in self.listing:
            part = parts.get(name)
            record[f"{PREFIX}{name}_status"] = part.status if part is not None else ""
        if self.output_format in ("json", "jsonl"):
            record[PREFIX + "fields"] = {
                part.template: {"status": part.status, "fields": dict(part.fields), "error": part.error,
                                "violations": list(part.violations), "cached": part.cached}
                for part in outcome.field_outcomes
            }  # fmt: skip

    def _seller_column(self, record: Mapping[str, Any], column: str | None) -> str | None:
        """Merchant Center: ``title`` and ``g:title`` are one attribute; the one this item holds."""
        if column is None or self.source_format != "merchant":
            return column
        twin = column[2:] if column.startswith("g:") else "g:" + column
        return next((c for c in (column, twin) if _filled(record.get(c))), column)

    def _fill(self, record: dict[str, Any], name: str, text: str, *, ai: bool) -> None:
        plain = self._seller_column(record, self.targets.get(name))
        structured = self.structured.get(name)
        if structured is not None and ai:
            if not self.overwrite and any(_filled(record.get(c)) for c in (plain, structured) if c):
                return
            record[structured] = merchant_structured_value(text)  # the seller's title/description stay
            return
        if plain is None or (_filled(record.get(plain)) and not (self.overwrite and ai)):
            return
        record[plain] = as_shopify_html(text) if plain == "Body (HTML)" else text

    def close(self) -> None:
        """Finish the file and move it to ``path``. Calling it again does nothing."""
        self._file.close()

    def abort(self) -> None:
        """Stop without publishing: ``path`` is left as it was, the ``.partial`` file stays."""
        self._file.abort()


#: ``with open_writer(path, ...) as writer``: the writer is its own context manager.
open_writer = FeedWriter
