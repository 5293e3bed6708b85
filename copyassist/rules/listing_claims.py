"""One listing, one claim set: a field must not contradict the fields written before it.

A listing's fields are checked one by one as they are written (``CheckContext.listing`` holds
the ones already written). Against the product data each field is checked by the facts guard as
ever, and an earlier field's text never supports a claim: a figure the description repeats from
a title that invented it is flagged in the description too. What the data cannot catch is two
fields each quoting the data but not the same thing for a property a product has once (the
data of a range may list IP67 and IP68): ``facts.listing_conflict`` (error) flags a claim whose
kind is single-valued (energy class, protection rating, price) and whose value differs from the
one an earlier field of the listing gave.
"""

from __future__ import annotations

from copyassist.rules import fact_claims
from copyassist.rules.base import CheckContext, FieldRules, Violation

RULE = "facts.listing_conflict"
#: Kinds of claim a product holds one value of.
_SINGLE = frozenset({"energy_class", "rating", "price"})
_NAMES = {"energy_class": "energy class", "rating": "protection rating", "price": "price"}


def _dimension(claim: fact_claims.Claim) -> str:
    """What the claim is a value of: ``energy``, ``rating``, ``quantity:price-EUR``."""
    return claim.keys[0].rpartition(":")[0] if claim.keys else claim.kind


def check_listing_claims(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A ``Check``: one ``facts.listing_conflict`` per claim an earlier field of the listing gives
    another value of."""
    if not context.listing:
        return []
    earlier: dict[str, tuple[str, set[tuple[str, ...]]]] = {}  # dimension -> (field, values given)
    for name, written in context.listing.items():
        for claim in fact_claims.extract_claims(written, context.language):
            if claim.kind in _SINGLE:
                earlier.setdefault(_dimension(claim), (name, set()))[1].add(claim.keys)
    found: list[Violation] = []
    for claim in fact_claims.extract_claims(text, context.language):
        given = earlier.get(_dimension(claim)) if claim.kind in _SINGLE else None
        if given is not None and claim.keys not in given[1]:
            message = f"{_NAMES[claim.kind]} {claim.text!r} differs from the listing's {given[0]}"
            found.append(Violation(RULE, "error", field, message, claim.text))
    return found
