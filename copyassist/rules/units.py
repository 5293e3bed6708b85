"""The facts guard, with units: a figure whose unit was changed from the product data's.

``check_facts`` (a ``Check``) reports what :func:`copyassist.rules.facts.unsupported_claims`
finds, each claim once, as one of two rules (errors both):

- ``facts.unit_changed``: the data gives the same quantity in another unit: the same figure with
  another unit (``50 cm`` for ``50 mm``, ``2 mois`` for ``2 ans``, ``4,2 kg`` for ``4,2 l``), or the
  figure converted across kinds of unit (``50 m`` for ``5 ATM``, ``39,6 cm`` for ``15,6"``,
  ``68 °F`` for ``20 °C``, ``1 lb`` for ``454 g``, ``50 miles`` for ``80 km``): the seller's
  unit is the one to keep, and water resistance in metres is no depth rating. A conversion
  within one metric scale (``0,5 L`` for ``500 ml``) is the same figure, no violation at all.
- ``facts.unsupported``: any other claim the data does not support.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from copyassist.rules import fact_claims, facts, facts_languages
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import product_texts

UNIT_CHANGED = "facts.unit_changed"
#: How close a converted figure must be to the data's to be the same quantity (rounding aside).
TOLERANCE = Decimal("0.03")


def _to_celsius(value: Decimal) -> Decimal:
    return (value - 32) * 5 / 9


#: (dimension, dimension it converts to, base value -> the other dimension's base value)
_CONVERSIONS: tuple[tuple[str, str, Callable[[Decimal], Decimal]], ...] = (
    ("atm", "length", lambda atm: atm * 10_000),  # 1 atm of water resistance is sold as 10 m
    ("bar", "length", lambda bar: bar * 10_000),
    ("atm", "bar", lambda atm: atm),
    ("inch", "length", lambda inch: inch * Decimal("25.4")),
    ("mile", "length", lambda mile: mile * Decimal("1609344")),
    ("pound", "mass", lambda lb: lb * Decimal("453592")),
    ("ounce", "mass", lambda oz: oz * Decimal("28350")),
    ("fahrenheit", "celsius", _to_celsius),
)


def _quantity(claim: fact_claims.Claim) -> tuple[str, Decimal] | None:
    """(dimension, value in its base unit) of a single-figure quantity claim."""
    if claim.kind != "quantity" or len(claim.keys) != 1:
        return None
    _, dimension, value = claim.keys[0].split(":")
    return dimension, Decimal(value)


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), Decimal(1))


def _converted(copy: tuple[str, Decimal], data: tuple[str, Decimal]) -> bool:
    for source, target, convert in _CONVERSIONS:
        for (a_dim, a), (b_dim, b) in ((copy, data), (data, copy)):
            if a_dim == source and b_dim == target and _close(convert(a), b):
                return True
    return False


def converts(copy: tuple[str, Decimal], data: tuple[str, Decimal]) -> bool:
    """True when ``copy`` (dimension, value in its base unit) is ``data`` converted across kinds
    of unit (inches and cm, pounds and kg, °F and °C...), rounding aside."""
    return _converted(copy, data)


def changed_from(claim: fact_claims.Claim, data_claims: list[fact_claims.Claim]) -> fact_claims.Claim | None:
    """The data's claim that ``claim`` (unsupported) restates in another unit, if any."""
    mine = _quantity(claim)
    if mine is None:
        return None
    for other in data_claims:
        theirs = _quantity(other)
        if theirs is None or theirs == mine:
            continue
        same_figure = claim.values[:1] == other.values[:1]  # 4.2 kg for 4.2 l: a unit changed too
        if same_figure or _converted(mine, theirs):
            return other
    return None


def _without(product: Mapping[str, Any], copy: str) -> Mapping[str, Any]:
    """The product data less the copy itself (``copyassist check`` reads a listing as its own
    data); ``product`` itself when the copy is none of its values."""
    copy = copy.strip()
    if not any(isinstance(v, str) and v.strip() == copy for v in product.values()):
        return product
    return {k: v for k, v in product.items() if not (isinstance(v, str) and v.strip() == copy)}


def _context_claims(context: CheckContext) -> list[fact_claims.Claim]:
    return data_claims(context.product or {})


def data_claims(product: Mapping[str, Any]) -> list[fact_claims.Claim]:
    """The quantity claims of the product data, read the French and the English way."""
    return list(_quantities("\n".join(product_texts(product))))


@lru_cache(maxsize=64)
def _quantities(data: str) -> tuple[fact_claims.Claim, ...]:
    """Cached: every field of an output is compared with the same data."""
    readings = facts_languages.DATA_READINGS
    return tuple(
        c for lang in readings for c in fact_claims.extract_claims(data, lang) if c.kind == "quantity"
    )


def unit_changes(
    text: str, product: Mapping[str, Any], language: str | None, context: CheckContext | None = None
) -> list[tuple[fact_claims.Claim, fact_claims.Claim]]:
    """(claim of the copy, claim of the data) for each figure of ``text`` that restates the data
    in another unit, unless the copy also gives the data's own figure (``5 ATM (50 m)``).
    ``context``: the one whose product ``product`` is, to read the data once for all its texts."""
    data = _without(product, text)
    whole = context is not None and data is context.product
    support = facts.context_support(context) if context is not None and whole else None
    unsupported = facts.unsupported_claims(text, data, language, support)
    if not unsupported:
        return []
    known = context.derived("units.data_claims", _context_claims) if context and whole else data_claims(data)
    said = {key for claim in fact_claims.extract_claims(text, language) for key in claim.keys}
    changes = []
    for claim in unsupported:
        source = changed_from(claim, known)
        if source is not None and not set(source.keys) <= said:
            changes.append((claim, source))
    return changes


def check_facts(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A ``Check``: ``facts.unit_changed`` for each figure restated in another unit, and
    ``facts.unsupported`` for the other claims the data does not support."""
    if context.product is None:
        return []
    changes = unit_changes(text, context.product, context.language, context)
    changed = {claim.text for claim, _ in changes}
    found = [
        Violation(
            UNIT_CHANGED,
            "error",
            field,
            f"{claim.text!r} changes the unit of {source.text!r} in the product data",
            claim.text,
        )
        for claim, source in changes
    ]
    return found + [v for v in facts.check_facts(field, text, rules, context) if v.text not in changed]
