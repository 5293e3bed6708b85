"""Where a feed's product data comes from: each column of a header placed as a product field, an
attribute shown to the model, an option pair, the language, or ignored, as the feed's platform
and ``copyassist.columns`` name it, a ``mapping`` over it. ``feed`` reads rows through the plan."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from copyassist.columns import (
    LANGUAGE_KEYS,
    TECHNICAL,
    ColumnMapping,
    column_key,
    field_for,
    find_column,
    rank_of,
)
from copyassist.errors import InputError
from copyassist.feeds.platforms import (
    FIELDS,
    IGNORE,
    SHOPIFY_KEPT,
    SHOPIFY_METAFIELD,
    SHOPIFY_OPTION,
    WOO_ATTRIBUTE,
    WOO_TYPES,
    merchant_key,
)
from copyassist.feeds.rows import Row
from copyassist.feeds.values import cell_text
from copyassist.product import Product

PRODUCT_FIELDS = tuple(name for name in Product.model_fields if name != "extra")
LIST_FIELDS = ("features", "keywords")
WOO_SAMPLE_ROWS = 200  # rows looked at to find the Type column of an export that left its name blank


@dataclass
class ColumnPlan:
    """Where a row's product fields, attributes, language and group come from."""

    fields: dict[str, list[str]] = field(default_factory=dict)  # product field -> columns, first filled wins
    attributes: dict[str, str] = field(default_factory=dict)  # column -> attribute name
    pairs: dict[str, list[str]] = field(default_factory=dict)  # n -> [name column, value column]
    language: str | None = None
    group: str | None = None  # Merchant item_group_id
    ignored: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    forced: dict[str, str] = field(default_factory=dict)  # mapping: column -> target
    ranks: dict[str, int] = field(default_factory=dict)  # column -> preference among a field's columns
    special: dict[str, str | None] = field(default_factory=dict)  # WooCommerce: type, parent, sku, id

    def mapping_report(self) -> ColumnMapping:
        """The plan said as ``ColumnMapping``: fields, attributes, unused columns, roles."""
        roles = {role: c for role, c in self.special.items() if role in ("type", "parent") and c is not None}
        paired = [c for pair in self.pairs.values() for c in pair if c]
        return ColumnMapping(
            fields={name: tuple(self.fields[name]) for name in PRODUCT_FIELDS if self.fields.get(name)},
            attributes=(*self.attributes, *paired),
            unmapped=tuple(c for c in self.ignored if c not in roles.values()),
            language=self.language,
            extra=roles,
        )


def plan_columns(fmt: str, columns: Sequence[str], mapping: Mapping[str, str], file: Path,
                 sample: Iterator[Row]) -> ColumnPlan:  # fmt: skip
    """The plan of a ``fmt`` feed with ``columns``; ``sample``: its first rows (WooCommerce's Type)."""
    plan = ColumnPlan(forced=forced_targets(mapping, columns, file))
    for column in columns:
        place_column(plan, fmt, column)
    if fmt == "woocommerce":
        _woo_roles(plan, columns, sample)
    return plan


def no_copy_source(file: Path, columns: Sequence[str]) -> InputError:
    if not columns:
        return InputError(f"{file.name}: no header line, so no column to read products from")
    example = next((c for c in columns if c.strip()), columns[0])
    return InputError(
        f"{file.name}: no column holds a title or a description, so nothing can be written "
        f'(columns: {", ".join(columns)}); map the one holding the product\'s name, e.g. "{example}=title"'
    ).with_hint("mapping")


def forced_targets(mapping: Mapping[str, str], columns: Sequence[str], file: Path) -> dict[str, str]:
    """``mapping`` pairs checked: each column exists, each target is a field (or alias) we know."""
    forced: dict[str, str] = {}
    choices = (*PRODUCT_FIELDS, "language", "ignore")
    for wanted, target in mapping.items():
        column = wanted if wanted in columns else find_column(columns, wanted)
        if column is None:
            raise InputError(
                f"mapping: no column {wanted!r} in {file.name}; columns: {', '.join(columns)}"
            ).with_hint("mapping")
        name = target.strip().lower()
        name = {"attribute": "attributes", "-": "ignore"}.get(name) or (
            name if name in choices else field_for(name) or ("language" if column_key(name) in LANGUAGE_KEYS
                                                              else name)
        )  # fmt: skip
        if name not in choices:
            raise InputError(
                f"mapping {wanted}={target}: no field {target!r}; fields: {', '.join(choices)}"
            ).with_hint("mapping")
        forced[column] = name
    return forced


def _target_of(plan: ColumnPlan, fmt: str, column: str, key: str) -> str | None:
    """The product field (or "language", "attributes", "ignore") ``column`` goes to, if any."""
    if name := plan.forced.get(column) or ("ignore" if key.startswith("copyassist ") else None):  # our own
        plan.ranks[column] = -1
        return name
    plan.ranks[column] = len(plan.known)
    name = None
    for candidate, keys in FIELDS.get(fmt, {}).items():
        if key in keys:
            name, plan.ranks[column] = candidate, keys.index(key)
    if name is None and fmt in ("csv", "jsonl", "json"):
        name = key if key in PRODUCT_FIELDS else field_for(key)
        if name is not None:
            plan.ranks[column] = rank_of(name, key)
    if name is None and key in LANGUAGE_KEYS:
        name = "language"
    if name in plan.forced.values() and name not in LIST_FIELDS:  # the mapping chose another column
        return "ignore" if name == "language" else "attributes"
    if name is None and fmt in ("csv", "jsonl", "json") and TECHNICAL.fullmatch(key):
        return "ignore"
    return name


def place_column(plan: ColumnPlan, fmt: str, column: str) -> None:
    """Put one column in ``plan``: a product field, an attribute, an option pair, or ignored."""
    plan.known.add(column)
    key = merchant_key(column) if fmt == "merchant" else column_key(column)
    name = _target_of(plan, fmt, column, key)
    if name == "language" and plan.language is None:
        plan.language = column
    elif name == "ignore" or name == "language":
        plan.ignored.append(column)
    elif name == "attributes":
        plan.attributes[column] = column
    elif name is not None:
        plan.fields.setdefault(name, []).append(column)
        plan.fields[name].sort(key=plan.ranks.__getitem__)
    elif fmt == "merchant" and key == "item group id":
        plan.group = column
        plan.ignored.append(column)
    elif fmt == "shopify" and (option := SHOPIFY_OPTION.fullmatch(key)):
        plan.pairs.setdefault(option.group(1), ["", ""])[option.group(2) == "value"] = column
    elif fmt == "woocommerce" and (found := WOO_ATTRIBUTE.fullmatch(key)) and not IGNORE[fmt].fullmatch(key):
        role = any(word in key for word in ("value", "valeur", "wert"))
        plan.pairs.setdefault(found.group(1), ["", ""])[role] = column
    elif fmt == "shopify" and key in SHOPIFY_KEPT:
        plan.attributes[column] = column.split("/", 1)[1].strip()
    elif fmt in IGNORE and IGNORE[fmt].fullmatch(key):
        plan.ignored.append(column)
    else:
        plan.attributes[column] = SHOPIFY_METAFIELD.sub("", column) or column


def _woo_roles(plan: ColumnPlan, columns: Sequence[str], rows: Iterator[Row]) -> None:
    """The WooCommerce columns that tell products from variations: Type, Parent, SKU, ID. A Type
    column without a name is found by its values (simple, variable, variation...)."""
    keys = {"type": ("type",), "parent": ("parent",), "sku": ("sku", "ugs"), "id": ("id",)}
    plan.special = {name: find_column(columns, *names) for name, names in keys.items()}
    if plan.special["type"] is not None:
        return
    candidates = [c for c in columns if c in plan.attributes and not column_key(c)] or [
        c for c in columns if c in plan.attributes
    ]
    seen: dict[str, int] = dict.fromkeys(candidates, 0)
    for row in itertools.islice(rows, WOO_SAMPLE_ROWS):
        for column in list(seen):
            value = cell_text(row.data.get(column))
            kinds = {k.strip().lower() for k in value.split(",")} if value else set()
            if kinds and not kinds <= WOO_TYPES:
                del seen[column]
            elif kinds:
                seen[column] += 1
    found = next((c for c, hits in seen.items() if hits), None)
    if found is not None:
        plan.special["type"] = found
        del plan.attributes[found]
        plan.ignored.append(found)
