"""The seller's own approved copy, shown to the model as few-shot examples of their style.

An ``Example`` is approved text (title, description, bullets, SEO fields...) and the facts of the
product it was written for. Examples come from a feed of the seller's listings
(``load_examples_csv``: the product columns give the product, the title and description columns
the approved text, a batch output's ``copyassist_<field>`` columns the approved copy written
from the row's data), or from a list of ``Example`` or dicts (a brand file).

For one product and one template, ``choose_examples`` keeps at most ``MAX_EXAMPLES`` examples (one
in a compact prompt) that have text for a field the template writes, the closest first (same
category, then same brand, then file order: deterministic), never the product itself.
``examples_context`` is what the template (``_partials/examples.<lang>.j2``) and the leak guard
(``rules.example_leak``) get.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from copyassist.assets import Rechecked, file_stamp
from copyassist.columns import column_key, copy_columns
from copyassist.compact import COMPACT_FOLDER
from copyassist.errors import InputError
from copyassist.feeds import open_feed
from copyassist.feeds.rows import feed_file
from copyassist.feeds.values import cell_text
from copyassist.i18n import language_code
from copyassist.product_language import detect_language
from copyassist.rules.text import fold, html_to_text
from copyassist.templates import Template

#: Examples shown per prompt at most: more costs tokens and teaches no more style.
MAX_EXAMPLES = 3
#: An approved text longer than this is cut (at a sentence end when one is near) in the prompt.
MAX_TEXT_CHARS = 1200
#: Every field an example can hold approved text for, in the order the prompt shows them.
COPY_FIELDS = (
    "title", "headline", "description", "call_to_action", "bullets", "seo_title", "meta_description",
    "text", "faq",
)  # fmt: skip
#: Product facts an example keeps (what it was written from), for choosing and for the leak guard.
FACT_FIELDS = ("title", "brand", "category", "features", "attributes", "sku", "gtin", "description")
#: A field the template writes -> the example fields that show its style, the closest first.
_STYLE_OF = {"text": ("text", "description"), "description": ("description", "text")}

ExamplesValue = str | Path | Sequence[Any] | None


@dataclass(frozen=True)
class Example:
    """One approved listing: ``copy`` (field -> approved text) and the ``product`` facts it was
    written for (title, brand, category, attributes, features, sku, gtin)."""

    copy: Mapping[str, str]
    product: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # where it was read ("approved.csv row 3"), for messages
    language: str | None = None  # as declared (a language column); else detected from the copy

    @cached_property
    def written_in(self) -> str | None:
        """The copy's language: the declared one, else detected (None when too short to tell)."""
        text = {"title": self.copy.get("title"), "description": self.copy.get("description")}
        return self.language or detect_language({k: v for k, v in text.items() if v})

    @cached_property
    def keys(self) -> dict[str, str]:
        """Its product's ids, title, category and brand, folded once (a file may hold thousands)."""
        return _keys(self.product, self.title)

    @property
    def title(self) -> str:
        """The product's name: its own title, else the approved title."""
        return str(self.product.get("title") or self.copy.get("title") or "")

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON), read back by ``Example.from_mapping``."""
        return {"copy": dict(self.copy), "product": dict(self.product), "source": self.source,
                "language": self.language}  # fmt: skip

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "example") -> Example:
        """An example from ``{"copy": {...}, "product": {...}}`` or a flat mapping: copy fields
        (``title``, ``description``...) next to ``product_title``, ``brand``, ``category``,
        ``attributes``, ``features``, ``sku``, ``gtin``. A flat ``title`` is both the approved
        title and the product's name."""
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: an example is a mapping of field -> approved text")
        nested = "copy" in data or "product" in data
        copy_part = data.get("copy") if nested else data
        product_part = data.get("product") if nested else _flat_product(data)
        if not isinstance(copy_part, Mapping) or not isinstance(product_part or {}, Mapping):
            raise InputError(f"{source}: 'copy' and 'product' of an example are mappings")
        copy = {name: text for name in COPY_FIELDS if (text := _text(copy_part.get(name)))}
        if not copy:
            raise InputError(
                f"{source}: no approved text; give one of {', '.join(COPY_FIELDS[:3])}..."
            ).with_hint("examples")
        product = {k: v for k, v in dict(product_part or {}).items() if k in FACT_FIELDS and v}
        where = str(data.get("source") or source) if nested else source
        return cls(copy, product, where, language_code(str(data.get("language") or "")) or None)


def _flat_product(data: Mapping[str, Any]) -> dict[str, Any]:
    product = {name: data.get(name) for name in FACT_FIELDS if name not in COPY_FIELDS}
    product["title"] = data.get("product_title")
    return product


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = "\n".join(cell_text(v) for v in value)
    return html_to_text(cell_text(value)).strip() if value is not None else ""


# -- reading ------------------------------------------------------------------------------------


def load_examples_csv(
    path: str | Path, *, mapping: Mapping[str, str] | None = None, format: str | None = None
) -> list[Example]:
    """The approved listings of a feed (any format ``open_feed`` reads), in file order.

    ``mapping``: original column -> product field, as for a batch (``{"Texte": "description"}``);
    ``copyassist_<field>`` columns (a batch's output) and SEO title / meta description columns
    are approved copy. Rows without any text (variants, blank rows) are left out; a file with
    none is an ``InputError``, like a missing file or a mapping naming an unknown column."""
    feed = open_feed(path, format=format, mapping=mapping)
    seo = {kind: col for kind, col in copy_columns(feed.columns).items() if kind.startswith(("seo", "meta"))}
    ours = {name: column for column in feed.columns if (name := _our_column(column))}
    examples = []
    for row in feed.rows():
        if row.skip or not row.product:
            continue
        data = dict(row.product)
        attributes = {k: v for k, v in (data.get("attributes") or {}).items() if k not in seo.values()}
        data["attributes"] = attributes
        copy: dict[str, Any] = {name: row.raw.get(column) for name, column in ours.items()}
        copy.update({kind: row.raw.get(column) for kind, column in seo.items() if kind not in copy})
        if not any(_text(v) for k, v in copy.items() if k in ("title", "description", "text")):
            data_copy = {"title": data.get("title"), "description": data.pop("description", None)}
            copy.update({k: v for k, v in data_copy.items() if v})  # the listing itself is the approved copy
        source = f"{feed.path.name} row {row.number}"
        try:
            fields = {"copy": copy, "product": data, "language": row.language}
            examples.append(Example.from_mapping(fields, source))
        except InputError:
            continue  # a row with no text is no example
    if not examples:
        raise InputError(
            f"{feed.path.name}: no usable example row (each needs an approved title or description)"
        ).with_hint("examples")
    return examples


def _our_column(column: str) -> str | None:
    """``copyassist_description`` -> ``description``: a batch output's copy columns."""
    key = column_key(column)
    name = key.removeprefix("copyassist ").replace(" ", "_")
    return name if key.startswith("copyassist ") and name in COPY_FIELDS else None


@lru_cache(maxsize=8)
def _cached(path: Path, stamp: tuple[int, int]) -> tuple[Example, ...]:
    return tuple(load_examples_csv(path))


#: The file an ``examples`` path names, checked and resolved at most once a second (a batch
#: asks for every row's key and prompt); its stamp is ``file_stamp``'s.
_example_file: Rechecked[str, Path] = Rechecked(lambda value: feed_file(value).resolve())


def resolve_examples(value: ExamplesValue) -> tuple[Example, ...]:
    """Examples from a file path (read again only when the file changed), a list of ``Example``
    or mappings, or nothing."""
    if value is None or (isinstance(value, str | Sequence) and not value):
        return ()
    if isinstance(value, str | Path):
        try:
            file = _example_file(str(value))
            return _cached(file, file_stamp(file))
        except InputError as exc:
            raise InputError(f"examples: {exc}").with_hint("examples") from None
        except OSError:
            raise InputError(f"examples: no such file: {value}").with_hint("examples") from None
    if not isinstance(value, Iterable):
        raise InputError("examples: a file path, or a list of examples").with_hint("examples")
    return tuple(
        item if isinstance(item, Example) else Example.from_mapping(item, f"examples[{index}]")
        for index, item in enumerate(value)
    )


def stored_examples(value: ExamplesValue) -> str | list[dict[str, Any]] | None:
    """``value`` as plain data for a batch's stored options: an absolute path, or the examples.
    Read now, so that a missing file or one with no usable row fails before any row."""
    examples = resolve_examples(value)
    if value is None or isinstance(value, str | Path):
        return str(Path(value).resolve()) if value else None
    return [example.as_dict() for example in examples]


# -- choosing -----------------------------------------------------------------------------------


def _key(value: Any) -> str:
    return fold(str(value)).strip() if value else ""


def _keys(facts: Mapping[str, Any], title: Any) -> dict[str, str]:
    """What products are compared on, folded: ids, title, category (and its top level), brand."""
    keys = {name: _key(facts.get(name)) for name in ("sku", "gtin", "category", "brand")}
    keys["title"] = _key(title)
    keys["top"] = keys["category"].split(">")[0].strip()
    return keys


def is_same_product(example: Example, product: Mapping[str, Any]) -> bool:
    """The example was written for ``product`` (same SKU, GTIN or title): showing it would hand
    the model the answer, and a rewrite of the seller's own catalogue would copy itself."""
    return _is_same(example.keys, _keys(product, product.get("title")))


def _is_same(example: Mapping[str, str], product: Mapping[str, str]) -> bool:
    return any(example[k] and example[k] == product[k] for k in ("sku", "gtin", "title"))


def _closeness(example: Mapping[str, str], product: Mapping[str, str]) -> int:
    if example["category"] and example["category"] == product["category"]:
        score = 4
    else:
        score = 2 if example["top"] and example["top"] == product["top"] else 0  # same top level
    return score + (1 if example["brand"] and example["brand"] == product["brand"] else 0)


def shown_fields(template: Template) -> tuple[str, ...]:
    """The copy fields ``template`` writes, whose examples it shows; none when it shows none."""
    declared = {*template.meta.inputs.optional, *template.meta.inputs.required}
    return template.output_model.columns if "examples" in declared else ()


def style_fields(written: Iterable[str]) -> tuple[str, ...]:
    """The example fields that show the style of the fields a template writes."""
    fields: list[str] = []
    for name in written:
        fields.extend(_STYLE_OF.get(name, (name,)))
    return tuple(f for f in dict.fromkeys(fields) if f in COPY_FIELDS)


def choose_examples(
    examples: Sequence[Example], written: Iterable[str], product: Mapping[str, Any] | None,
    limit: int = MAX_EXAMPLES, language: str | None = None,
) -> list[Example]:  # fmt: skip
    """At most ``limit`` examples with text for one of the ``written`` fields, the closest to
    ``product`` first (in ``language`` first, when given; then same category, top-level
    category, brand; then their order), never the product itself."""
    wanted = style_fields(written)
    product = product or {}
    keys = _keys(product, product.get("title"))
    relevant = [
        (index, e)
        for index, e in enumerate(examples)
        if any(name in e.copy for name in wanted) and not _is_same(e.keys, keys)
    ]

    def rank(pair: tuple[int, Example]) -> tuple[int, int, int]:
        written_in = pair[1].written_in if language else None
        other_language = bool(written_in) and written_in != language
        return (other_language, -_closeness(pair[1].keys, keys), pair[0])

    relevant.sort(key=rank)
    return [e for _, e in relevant[:limit]]


def _shortened(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind(".\n"), cut.rfind("! "))
    return cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0] + " …"


def examples_context(
    value: ExamplesValue, template: Template, product: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """What ``template`` renders and the leak guard reads: the examples chosen for ``product``,
    each with the product it was written for and only its text for the fields the template
    writes. A compact prompt (small models) shows one."""
    wanted = style_fields(shown_fields(template))
    limit = 1 if template.path.parent.name == COMPACT_FOLDER else MAX_EXAMPLES
    chosen = choose_examples(resolve_examples(value), wanted, product, limit, template.language)
    return [
        {
            "product": dict(e.product) | {"title": e.title},
            "approved": {name: _shortened(e.copy[name]) for name in wanted if name in e.copy},
            "source": e.source,
        }
        for e in chosen
    ]
