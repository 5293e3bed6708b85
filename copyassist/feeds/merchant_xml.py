"""Google Merchant Center XML feeds: RSS 2.0 (``<item>``) and Atom (``<entry>``) with the ``g:``
namespace, read item by item and written back with the same structure.

* Safety. The file is parsed by ``defusedxml``: a DTD, entity declarations (billion laughs) and
  external entities (XXE) are refused before anything is expanded, and nothing is fetched.
* Streaming. Each item is dropped from the tree once handled, so memory does not grow with the
  number of items (the file is read twice: once for the columns, once for the rows).
* Columns. An item's child elements are its columns: ``g:price`` for Google's attributes, the
  plain name for RSS/Atom elements (``title``, ``link``: an empty element's ``href``), and
  ``copyassist_<name>`` for our own ``copyassist:`` elements. A repeated element is a list,
  an element with children (``g:shipping``) a mapping.
* Writing. The source is copied through as it is (channel, whitespace between elements); each
  item gets the columns whose value changed (targets) set in place and new columns
  (``copyassist_*``, ``g:structured_title``...) appended as elements. Comments and CDATA
  sections are not kept (CDATA text is written escaped, which reads the same).
* Other XML (WordPress WXR, any other document) is refused with what to export instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from copyassist.errors import InputError
from copyassist.feeds.platforms import STRUCTURED_TARGETS
from copyassist.feeds.writing import AtomicOutput, publish

G = "http://base.google.com/ns/1.0"
ATOM = "http://www.w3.org/2005/Atom"
OURS = "https://copyassist.invalid/ns/1"  # our own elements: never a web address to fetch
XML = "http://www.w3.org/XML/1998/namespace"
OURS_PREFIX, OUR_COLUMNS = "copyassist", "copyassist_"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0


def _refusal(file: Path, root: str, uris: Sequence[str]) -> InputError:
    if any(uri.startswith("http://wordpress.org/export/") for uri in uris):
        return InputError(
            f"{file.name} is a WordPress WXR export: export products as CSV from WooCommerce > "
            "Products > Export"
        )
    if root in ("rss", f"{{{ATOM}}}feed"):
        what = "an RSS" if root == "rss" else "an Atom"
        return InputError(
            f"{file.name} is {what} feed without Google's g: namespace ({G}): export the product "
            "feed from Merchant Center, or the catalogue as CSV"
        )
    return InputError(
        f"{file.name} is XML ({root.rpartition('}')[2]}), not a Google Merchant feed: export the "
        "catalogue as CSV, TSV or XLSX, or as a Merchant RSS/Atom feed"
    )


class MerchantXml:
    """One pass over a Merchant XML file: ``pieces()`` yields the text to copy through, with each
    item as an ``Element`` in its place; ``prefixes`` maps namespace URIs to the file's prefixes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.prefixes: dict[str, str] = {XML: "xml"}
        self.atom = False

    def pieces(self) -> Iterator[str | Element]:
        try:
            yield from self._pieces()
        except DefusedXmlException as exc:
            raise InputError(
                f"{self.path.name}: XML with a DTD or entity declarations is refused, nothing was "
                f"expanded ({type(exc).__name__}); a Merchant feed needs neither"
            ) from None
        except ParseError as exc:
            raise InputError(f"{self.path.name}: not well-formed XML ({exc})") from None

    def _pieces(self) -> Iterator[str | Element]:
        declared: list[tuple[str, str]] = []
        stack: list[Element] = []
        previous: dict[int, Element] = {}  # depth -> the last element done at that depth
        block = 0  # depth of the block (item, channel metadata) being read; 0 between blocks
        item_tag, root_tag, seen_g = "", "", False
        for event, node in iterparse(self.path, events=("start-ns", "start", "end"), forbid_dtd=True):
            if event == "start-ns":
                prefix, uri = node
                if not stack:
                    declared.append((prefix, uri))
                    self.prefixes.setdefault(uri, prefix)
                seen_g = seen_g or uri == G
                continue
            if event == "start":
                stack.append(node)
                depth = len(stack)
                if block:
                    continue
                if depth == 1:
                    root_tag, uris = node.tag, [uri for _, uri in declared]
                    wordpress = any("wordpress.org/export" in u for u in uris)
                    if node.tag not in ("rss", f"{{{ATOM}}}feed") or wordpress:
                        raise _refusal(self.path, node.tag, uris)
                    self.atom = node.tag != "rss"
                    item_tag = f"{{{ATOM}}}entry" if self.atom else "item"
                    for prefix, uri in (("g", G), (OURS_PREFIX, OURS)):
                        if uri not in self.prefixes:
                            declared.append((prefix, uri))
                            self.prefixes[uri] = prefix
                    spaces = "".join(f" xmlns{':' + p if p else ''}={quoteattr(u)}" for p, u in declared)
                    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<{self._qname(node.tag)}{spaces}'
                    yield f"{self._attributes(node)}>"
                    continue
                yield self._before(stack[-2], previous.pop(depth, None))
                if self.atom or depth > 2 or node.tag != "channel":  # only RSS's channel holds blocks
                    block = depth
                else:
                    yield f"<channel{self._attributes(node)}>"
                continue
            depth = len(stack)
            stack.pop()
            if block and depth > block:
                continue
            if depth == block:
                block = 0
                if node.tag == item_tag:
                    if not seen_g:
                        raise _refusal(self.path, root_tag, [])
                    yield node
                else:
                    yield self.serialise(node)
            else:  # the channel or the root ends
                yield self._before(node, previous.pop(depth + 1, None)) + f"</{self._qname(node.tag)}>"
                if depth == 1:
                    yield "\n"
            previous[depth] = node

    def _before(self, parent: Element, done: Element | None) -> str:
        """The text between the last block done under ``parent`` (dropped now) and what follows."""
        if done is None:  # the first element under ``parent``
            return escape(parent.text or "")
        text = escape(done.tail or "")
        parent.remove(done)
        return text

    def _qname(self, tag: str) -> str:
        if not tag.startswith("{"):
            return tag
        uri, local = tag[1:].split("}", 1)
        prefix = self.prefixes.get(uri)
        if prefix is None:  # declared on an inner element only: declare it on the root next time
            prefix = self.prefixes[uri] = f"ns{len(self.prefixes)}"
        return f"{prefix}:{local}" if prefix else local

    def _attributes(self, node: Element) -> str:
        return "".join(f" {self._qname(k)}={quoteattr(v)}" for k, v in node.attrib.items())

    def serialise(self, node: Element) -> str:
        """``node`` as XML text, with the file's prefixes, without its tail."""
        name = self._qname(node.tag)
        if not len(node) and not node.text:
            return f"<{name}{self._attributes(node)}/>"
        inner = "".join(self.serialise(c) + escape(c.tail or "") for c in node)
        return f"<{name}{self._attributes(node)}>{escape(node.text or '')}{inner}</{name}>"

    def column(self, tag: str) -> str:
        """An element's column name: ``g:price``, ``title``, ``copyassist_title``,
        ``structured_title``."""
        if not tag.startswith("{"):
            return tag
        uri, local = tag[1:].split("}", 1)
        if uri == G:  # structured_title as the CSV writer names it, so a rerun keeps it
            return local if local in STRUCTURED_TARGETS.values() else f"g:{local}"
        if uri == OURS:
            return OUR_COLUMNS + local
        prefix = "" if uri == ATOM else self.prefixes.get(uri, "")
        return f"{prefix}:{local}" if prefix else local

    def tag(self, column: str) -> str:
        """The element a column is written as (the reverse of ``column``)."""
        if column.startswith(OUR_COLUMNS):
            return f"{{{OURS}}}{column.removeprefix(OUR_COLUMNS)}"
        if column in STRUCTURED_TARGETS.values():
            return f"{{{G}}}{column}"
        prefix, _, local = column.rpartition(":")
        uris = {p: u for u, p in self.prefixes.items()} | {"g": G}
        if prefix in uris:
            return f"{{{uris[prefix]}}}{local}"
        return f"{{{ATOM}}}{column}" if self.atom else column

    def values(self, node: Element) -> dict[str, Any]:
        """The columns of an item (or of a nested element such as ``g:shipping``)."""
        values: dict[str, Any] = {}
        for child in node:
            name = self.column(child.tag)
            if len(child):
                value: Any = self.values(child)
            else:
                value = child.text or ""
                if not value.strip() and "href" in child.attrib:
                    value = child.attrib["href"]
            if name not in values:
                values[name] = value
            elif isinstance(values[name], list):
                values[name].append(value)
            else:
                values[name] = [values[name], value]
        return values


def xml_items(path: str | Path) -> Iterator[dict[str, Any]]:
    """The items of a Merchant XML feed, in order, as column -> value."""
    source = MerchantXml(path)
    for piece in source.pieces():
        if isinstance(piece, Element):
            yield source.values(piece)


def xml_columns(path: str | Path) -> list[str]:
    """Every column of the feed's items, in the order they first appear."""
    columns: dict[str, None] = {}
    for values in xml_items(path):
        columns.update(dict.fromkeys(values))
    return list(columns)


class MerchantXmlWriter(AtomicOutput):
    """Writes records (column -> value) as the items of ``source``, in order, through
    ``<path>.partial``. Items never given a record are copied as they were."""

    encoding = "utf-8"

    def __init__(self, path: str | Path, header: Sequence[str], *, source: str | Path) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.header = list(header)
        self.rows = 0
        self.closed = False
        self._source = MerchantXml(source)
        self._pieces = self._source.pieces()
        self._file = self.partial.open("w", encoding="utf-8", newline="")
        self._item = self._advance()

    def _advance(self) -> Element | None:
        for piece in self._pieces:
            if isinstance(piece, Element):
                return piece
            self._file.write(piece)
        return None

    def write(self, record: Mapping[str, Any]) -> None:
        if self.closed:
            raise ValueError("write to a closed MerchantXmlWriter")
        item = self._item
        if item is None:
            raise ValueError(f"more records than the items of {self._source.path.name}")
        original = self._source.values(item)
        for column in self.header:
            value = record.get(column, "")
            if value in (None, "") or value == original.get(column, "") or isinstance(value, list | dict):
                continue
            self._set(item, column, value)
        self._file.write(self._source.serialise(item))
        self.rows += 1
        self._item = self._advance()

    def _set(self, item: Element, column: str, value: Any) -> None:
        tag = self._source.tag(column)
        found = [child for child in item if child.tag == tag]
        if found:
            element = found[0]
            for child in list(element):
                element.remove(child)
        else:
            element = Element(tag)
            if len(item):  # the new element takes the closing indent, the last one the inner one
                last = item[-1]
                element.tail = last.tail
                last.tail = item[-2].tail if len(item) > 1 else item.text
            item.append(element)
        text = _CONTROL.sub("", "" if value is None else str(value))
        if column in STRUCTURED_TARGETS.values() and text.startswith("trained_algorithmic_media:"):
            content = text.partition(":")[2]
            if len(content) > 1 and content[0] == content[-1] == '"':
                content = content[1:-1].replace('""', '"')
            element.text = None
            for name, part in (("digital_source_type", "trained_algorithmic_media"), ("content", content)):
                sub = Element(f"{{{G}}}{name}")
                sub.text = part
                element.append(sub)
        else:
            element.text = text

    def close(self) -> None:
        if self.closed:
            return
        while self._item is not None:  # never lose an item the run did not reach
            self._file.write(self._source.serialise(self._item))
            self._item = self._advance()
        self.closed = True
        publish(self._file, self.partial, self.path)

    def abort(self) -> None:
        if not self.closed:
            self.closed = True
            self._file.close()
