"""The facts guard: every figure, label and model name in the copy must come from the product data.

``extract_claims`` finds the checkable claims in a text; ``check_facts`` (a ``Check``) reports each
one the product data does not support as ``facts.unsupported`` (error). The data is every value of
``context.product`` (strings, numbers, lists, attribute values; not keys), read by the same
extractor, so data and copy are parsed alike. Without product data nothing is checked.

Claims and how text is normalised before they are matched: ``copyassist.rules.fact_claims``.

Blind spots: qualifiers (``plus de``, ``jusqu'à``, ``moins de 150 €``) are not read; no
arithmetic (``2 x 200 g`` does not support ``400 g``); spelled-out numbers without a unit
(``trois modes``) and negations (``sans GOTS``) are not checked; dimension sides may come in any
order; unlisted labels and digit-less codes (``USB-C``) are not claims; ``CO2`` reads as a code;
``CE`` is skipped in mostly-capital text; copy with no language is read the French way; a code
counts as supported when each hyphen-part is a data code or a data word (``Kairos-S2``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from copyassist.rules import facts_languages
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.fact_claims import (
    AFTER_NUMBER,
    NUMBER,
    UNITS,
    Claim,
    claim_key,
    extract_claims,
    parse_number,
    scan,
)
from copyassist.rules.facts_text import prepare as _prepare

__all__ = ["RULE_ID", "check_facts", "unsupported_claims"]

RULE_ID = "facts.unsupported"
_I = re.IGNORECASE
_KIND_NAMES = {"rating": "protection rating", "label": "certification/label", "code": "model name/code"}
_KIND_NAMES |= {"energy_class": "energy class", "dimension": "dimensions", "quantity": "figure"}


def _flatten(value: Any) -> Iterator[str]:
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, Iterable):
        for item in value:
            yield from _flatten(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


@lru_cache(maxsize=64)
def _support(data: str) -> tuple[frozenset[str], str]:
    """What ``data`` (the flattened product, one value a line) supports, and its normalised text."""
    normalised = _prepare(data)[1]
    keys: set[str] = set()
    for language in facts_languages.DATA_READINGS:
        for kind, start, end, claim_keys, values in scan(normalised, language):
            keys.update(claim_keys)
            keys.update(claim_key("number", value) for value in values)
            if kind == "code":  # KRS-S2-BLK supports S2, KRS-S2, S2-BLK...
                parts = normalised[start:end].lower().split("-")
                for i in range(len(parts)):
                    keys.update("code:" + "".join(parts[i:j]) for j in range(i + 1, len(parts) + 1))
    return frozenset(keys), normalised


def _price_keys(product: Mapping[str, Any]) -> set[str]:
    """The product's own price, in its currency (in every currency when it names none we know)."""
    price = re.search(NUMBER, str(product.get("price") or ""))
    if price is None:
        return set()
    currency = str(product.get("currency") or "")
    currencies = [dim for pattern, dim, _ in UNITS if dim.startswith("price-")]
    named = [dim for pattern, dim, _ in UNITS if dim in currencies and re.fullmatch(pattern, currency, _I)]
    values = {parse_number(price.group(), language) for language in facts_languages.DATA_READINGS}
    return {claim_key(f"quantity:{dim}", value) for dim in named or currencies for value in values}


def _part_supported(part: str, support: frozenset[str], data: str) -> bool:
    if f"code:{part.lower()}" in support:
        return True
    return not any(char.isdigit() for char in part) and bool(re.search(rf"\b{re.escape(part)}\b", data, _I))


def product_support(product: Mapping[str, Any]) -> tuple[frozenset[str], str]:
    """What ``product`` supports (claim keys, its own price too) and its normalised data text."""
    support, data = _support("\n".join(_flatten(product)))
    return support | _price_keys(product), data


def context_support(context: CheckContext) -> tuple[frozenset[str], str]:
    """:func:`product_support` of the context's product, worked out once per context."""
    return context.derived("facts.support", lambda c: product_support(c.product or {}))


def unsupported_claims(
    text: str,
    product: Mapping[str, Any],
    language: str | None = None,
    support: tuple[frozenset[str], str] | None = None,
) -> list[Claim]:
    """The claims of ``text`` that ``product`` does not support, each distinct claim once.
    ``support``: ``product_support(product)`` when the caller has it already."""
    support_keys, data = support or product_support(product)
    result: list[Claim] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for claim in extract_claims(text, language):
        if (claim.kind, claim.keys) in seen or all(key in support_keys for key in claim.keys):
            continue
        if claim.kind == "code" and all(
            _part_supported(part, support_keys, data) for part in claim.text.split("-")
        ):
            continue  # Kairos-S2: a word and a code of the data
        written = re.escape(_prepare(claim.text)[1])
        if re.search(rf"(?<![\w.,]){written}{AFTER_NUMBER}", data):
            continue  # written the same way (same case too) in the data, however it parses
        seen.add((claim.kind, claim.keys))
        result.append(claim)
    return result


def check_facts(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A ``Check``: one ``facts.unsupported`` error per claim the product data does not support."""
    if context.product is None:
        return []
    return [
        Violation(
            RULE_ID,
            "error",
            field,
            f"{_KIND_NAMES.get(claim.kind, claim.kind)} {claim.text!r} is not in the product data",
            claim.text,
        )
        for claim in unsupported_claims(text, context.product, context.language, context_support(context))
    ]
