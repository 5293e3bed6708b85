"""Catalogue exports read as ``FeedRow``s: generic CSV/TSV, Shopify and WooCommerce product exports,
Google Merchant Center feeds, JSONL and JSON. The format is detected from the header, columns map
to product fields on their own, ``mapping`` overrides. Rows stream (JSON arrays aside)."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyassist.columns import ColumnMapping, find_column
from copyassist.errors import InputError
from copyassist.feeds.documents import Document, open_document, sniff_document
from copyassist.feeds.plan import (
    LIST_FIELDS,
    ColumnPlan,
    no_copy_source,
    place_column,
    plan_columns,
)
from copyassist.feeds.platforms import FORMATS, LANGUAGE_NAMES, detect_format
from copyassist.feeds.records import SourceLine
from copyassist.feeds.rows import Row, document_records, feed_file, read_header, read_rows
from copyassist.feeds.sniffing import (
    DOCUMENT_LAYOUTS,
    CsvDialect,
    comment_preamble,
    layout_of,
    sniff_csv,
)
from copyassist.feeds.values import NUMBER, cell_text, split_list, split_price
from copyassist.rules.text import html_to_text

MAX_GROUP = 5000  # rows of one Shopify handle held at once
MAX_HANDLES = 50_000  # Shopify handles remembered, to tell a late variant row from a new product
_WOO_NEWLINE = re.compile(r"\\\\n|\\n")


@dataclass
class FeedRow:
    """One input row. ``number`` is 1-based over data rows (a CSV header is row 0)."""

    number: int
    raw: dict[str, Any]  # every original column, in the input's order, values as read
    product: dict[str, Any] | None = None  # mapped product fields (Product.from_mapping input)
    language: str | None = None  # from a language column, when the feed has one
    skip: str | None = None  # why no copy is written (variant row, unreadable line...)
    error: bool = False  # True when ``skip`` is a problem to report, not a normal pass-through
    group: str | None = None  # rows of one product (Shopify Handle, WooCommerce parent)
    source: SourceLine | None = None  # the record as read, for the writer to give it back as it came
    notes: tuple[str, ...] = ()  # warnings from the reading: repaired bytes, rows merged by a quote

    @property
    def unreadable(self) -> bool:
        """The reader could not make the row's cells out (the writer then copies its text)."""
        return self.error and self.source is not None and (self.skip or "").startswith("unreadable")


@dataclass
class Feed:
    """An opened feed: how it is written (to write it back alike) and where product data comes from."""

    path: Path
    format: str  # one of FORMATS
    columns: list[str]  # the header, in order (JSON: the first record's keys)
    delimiter: str  # "," for JSON feeds
    encoding: str  # "utf-8", "utf-8-sig" (write the BOM back) or "cp1252"
    mapping: dict[str, str]  # product field -> the column it is read from (the first, when several)
    language_column: str | None = None
    attribute_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    lineterminator: str = "\r\n"
    document: Document | None = None  # a Merchant XML feed or a workbook: where its rows are
    preamble: str = ""  # CSV: the "#" comment lines above the header, written back before it
    header_source: SourceLine | None = None  # a CSV's header line as read, to write it back as it came
    _plan: ColumnPlan = field(default_factory=ColumnPlan, repr=False)

    def mapping_report(self) -> ColumnMapping:
        """Which column feeds which field, and which are unused: ``str()`` of it is one line
        (``title <- Nom Produit, price <- Prix Boutique; unmapped: Image``), printed before a run."""
        return self._plan.mapping_report()

    def rows(self) -> Iterator[FeedRow]:
        """Every row of the file, in order, read as it is consumed."""
        layout = self.format if self.format in ("jsonl", "json") else "csv"
        if self.document is not None:
            source = document_records(self.document)
        else:
            source = read_rows(self.path, layout=layout, delimiter=self.delimiter, encoding=self.encoding,
                               keep_blank=True)  # fmt: skip
        if self.format == "shopify":
            yield from self._shopify(source)
        else:
            yield from map(self._convert, source)

    def _convert(self, row: Row) -> FeedRow:
        if row.error is not None:
            return _unreadable(row)
        if row.blank:
            return _passed(row, skip="blank row")
        data, plan = row.data, self._plan
        for key in data if self.format in ("jsonl", "json") else ():
            if key not in plan.known:  # JSON records need not share their keys
                place_column(plan, "csv", key)
        group = (cell_text(data.get(plan.group)) or None) if plan.group else None
        if self.format == "woocommerce":
            kinds = {k.strip().lower() for k in cell_text(_get(data, plan.special["type"])).split(",")}
            parent = cell_text(_get(data, plan.special["parent"]))
            if "variation" in kinds or (plan.special["type"] is None and parent):  # no Type: Parent says
                return _passed(row, language=self._language(data), skip=f"variation row of {parent or '?'}",
                               group=parent or None)  # fmt: skip
            if "variable" in kinds:  # its variations' Parent: the SKU, or id:<ID>
                sku = cell_text(_get(data, plan.special["sku"]))
                group = sku or f"id:{cell_text(_get(data, plan.special['id']))}"
        return self._finish(row, self._product([data], data), group)

    def _shopify(self, source: Iterator[Row]) -> Iterator[FeedRow]:
        """Rows of one Handle are read together: the first with a title gets the product."""
        column = find_column(self.columns, "handle", "url handle")
        done: OrderedDict[str, None] = OrderedDict()
        group: list[Row] = []
        for row in source:
            handle = cell_text(_get(row.data, column))
            if group and (row.error or row.blank or not handle or len(group) >= MAX_GROUP
                          or handle != cell_text(_get(group[0].data, column))):  # fmt: skip
                yield from self._shopify_group(group, cell_text(_get(group[0].data, column)) or None, done)
                group = []
            if row.error is not None:
                yield _unreadable(row)
            elif row.blank:
                yield _passed(row, skip="blank row")
            else:
                group.append(row)
        if group:
            yield from self._shopify_group(group, cell_text(_get(group[0].data, column)) or None, done)

    def _shopify_group(self, group: list[Row], handle: str | None,
                       done: OrderedDict[str, None]) -> Iterator[FeedRow]:  # fmt: skip
        lead = None
        if handle is None or handle not in done:
            first = self._first
            lead = next(
                (r for r in group if first(r.data, "title") or first(r.data, "description")), group[0]
            )
        for row in group:
            if row is lead:
                product = self._product([r.data for r in group], row.data)
                yield self._finish(row, product, handle)
            else:
                yield _passed(row, language=self._language(row.data), skip=f"variant row of {handle}",
                              group=handle)  # fmt: skip
        if handle is not None:
            done[handle] = None
            done.move_to_end(handle)
            if len(done) > MAX_HANDLES:
                done.popitem(last=False)

    def _language(self, data: Mapping[str, Any]) -> str | None:
        text = cell_text(_get(data, self._plan.language)).lower()
        return (LANGUAGE_NAMES.get(text) or re.split(r"[-_]", text, maxsplit=1)[0]) if text else None

    def _first(self, data: Mapping[str, Any], name: str) -> str:
        for column in self._plan.fields.get(name, ()):
            value = cell_text(data.get(column))
            if value and not (name == "category" and value.isdigit()):  # a taxonomy id, not a name
                return value
        return ""

    def _product(self, rows: Sequence[Mapping[str, Any]], data: Mapping[str, Any]) -> dict[str, Any]:
        """The product fields of ``data``, with option values gathered from all ``rows``."""
        product: dict[str, Any] = {}
        for name, columns in self._plan.fields.items():
            if name in LIST_FIELDS:
                items = [part for column in columns for part in split_list(data.get(column))]
                if items:
                    product[name] = list(dict.fromkeys(items))
            elif value := self._first(data, name):
                product[name] = value
        attributes: dict[str, str] = {}
        for column, label in self._plan.attributes.items():
            if isinstance(cell := data.get(column), Mapping):  # a JSON "attributes" object
                attributes.update({str(k): t for k, v in cell.items() if (t := cell_text(v))})
            elif text := cell_text(cell):
                attributes[label] = text
        for name_column, value_column in self._plan.pairs.values():
            label = next((t for r in rows if (t := cell_text(r.get(name_column)))), "")
            cells = dict.fromkeys(cell_text(r.get(value_column)) for r in rows)
            values = [v.replace("\\,", ",") for v in cells if v]
            if label and values and values != ["Default Title"]:  # Shopify's product without options
                attributes["variants" if label.lower() == "title" else label] = ", ".join(values)
        if "description" in product:
            text = product["description"]
            if self.format == "woocommerce":  # its exporter writes line breaks as \n
                text = _WOO_NEWLINE.sub(lambda m: "\\n" if len(m.group()) == 3 else "\n", text)
            product["description"] = html_to_text(text)
        if "price" in product:
            product["price"], currency = split_price(product["price"])
            if currency and "currency" not in product:
                product["currency"] = currency
            others = rows if len(rows) > 1 else ()  # the variants of a Shopify product
            prices = {split_price(p)[0] for r in others if (p := self._first(r, "price"))}
            if len(prices) > 1 and all(NUMBER.fullmatch(p) for p in prices):
                attributes["price range"] = f"{min(prices, key=float)} - {max(prices, key=float)}"
        if attributes:
            product["attributes"] = attributes
        return product

    def _finish(self, row: Row, product: dict[str, Any], group: str | None) -> FeedRow:
        language = self._language(row.data)
        if product.get("title") or product.get("description"):
            return _passed(row, product=product, language=language, group=group)
        looked = [c for name in ("title", "description") for c in self._plan.fields.get(name, ())]
        where = f"(looked in: {', '.join(looked)})" if looked else "(no such column: map a column to title)"
        return _passed(row, language=language, skip=f"no title and no description {where}", error=True,
                       group=group)  # fmt: skip


def open_feed(
    path: str | Path,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
) -> Feed:
    """Open ``path``: CSV/TSV (Shopify, WooCommerce, Merchant Center or any), JSONL or JSON.

    ``format`` is detected when None. ``mapping`` is original column -> product field
    (``{"Nom du produit": "title"}``) over the automatic one; "language", "attributes" (keep the
    column as an attribute) and "ignore" are targets too. ``header_row`` (1-based) is a workbook's
    header row when not the one detected."""
    file = feed_file(path)  # a FIFO or a device is refused, never read
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown feed format {format!r}; formats: {', '.join(FORMATS)}")
    layout = format if format in ("jsonl", "json") else layout_of(file) or "csv"
    layout = sniff_document(file) or layout if layout == "csv" else layout  # XML saved as .csv/.txt
    document = None
    header_source = None
    if header_row is not None and layout != "xlsx":
        raise InputError(
            f"{file.name}: a header row is chosen for workbooks (.xlsx) only; a {layout.upper()} "
            "feed's header is its first line"
        ).with_hint("header_row")
    if layout in DOCUMENT_LAYOUTS:
        document = open_document(file, layout, header_row=header_row)
        columns = list(document.columns)
        chosen, dialect = (
            format or ("merchant" if layout == "xml" else detect_format(columns)),
            CsvDialect("utf-8", ",", "\r\n"),
        )
        if layout == "xml" and chosen != "merchant":
            raise InputError(f"{file}: an XML feed is a Merchant Center feed, not {chosen!r}").with_hint(
                "feed_format"
            )
    elif layout in ("csv", "tsv"):
        dialect = sniff_csv(file, delimiter=delimiter, encoding=encoding)
        header = read_header(file, dialect)
        columns, header_source = header.columns, header.source
        chosen = format or detect_format(columns)
    else:
        if format not in (None, layout):
            raise InputError(
                f"{file}: format {format!r} reads CSV/TSV files, not {layout.upper()}"
            ).with_hint("feed_format")
        first = next((r for r in read_rows(file, layout=layout) if r.error is None), None)
        if first is None:
            raise InputError(f"{file.name} holds no JSON object: a feed has one per product")
        columns = [str(key) for key in first.data]
        chosen, dialect = layout, CsvDialect("utf-8", delimiter or ",", "\r\n")
    if chosen == "shopify" and find_column(columns, "handle", "url handle") is None:
        raise InputError(f"{file}: a Shopify export has a Handle column; columns: {', '.join(columns)}")
    sample: Iterator[Row] = iter(())
    if chosen == "woocommerce":  # its first rows tell which column is the Type when unnamed
        sample = read_rows(file, layout="csv", delimiter=dialect.delimiter, encoding=dialect.encoding)
    plan = plan_columns(chosen, columns, mapping or {}, file, sample)
    # a CSV, a workbook or an XML feed has one set of columns; JSON records need not share keys
    fixed_columns = layout in ("csv", "tsv") or layout in DOCUMENT_LAYOUTS
    if fixed_columns and not (plan.fields.get("title") or plan.fields.get("description")):
        raise no_copy_source(file, columns)
    return Feed(file, chosen, columns, dialect.delimiter, dialect.encoding,
                mapping={name: cols[0] for name, cols in plan.fields.items()}, language_column=plan.language,
                attribute_columns=list(plan.attributes), ignored_columns=plan.ignored,
                lineterminator=dialect.lineterminator, document=document, header_source=header_source,
                preamble=comment_preamble(file, dialect), _plan=plan)  # fmt: skip


def _passed(row: Row, **fields: Any) -> FeedRow:
    """The ``FeedRow`` of ``row``, its record as read kept for the writer."""
    return FeedRow(row.number, row.data, source=row.source, notes=row.notes, **fields)


def _unreadable(row: Row) -> FeedRow:
    reason = row.error or "?"
    skip = reason if reason.startswith("unreadable") else f"unreadable row: {reason}"
    return FeedRow(row.number, dict(row.data), skip=skip, error=True, source=row.source, notes=row.notes)


def _get(data: Mapping[str, Any], column: str | None) -> Any:
    return None if column is None else data.get(column)
