"""Another maker's brand in the copy: ``content.competitor_brand`` (error).

"Aussi précise qu'une Garmin", "a lighter alternative to the Suunto Vertical", "Lululemon
quality": comparative copy leans on another's trademark, and marketplaces refuse it. The
brands are data, ``wordlists/competitors.txt`` (a user's file of the same name adds to it). A
brand is not reported when it is the product's own (``context.brand``, a known word) or when
the product data names it (a case "for iPhone 15", a refill "compatible Nespresso").
"""

from __future__ import annotations

from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import data_text_without
from copyassist.rules.text import fold
from copyassist.rules.wordlists import matcher, matcher_for

RULE_ID = "content.competitor_brand"


def competitor_brands(text: str, context: CheckContext) -> list[str]:
    """The listed brands in ``text`` that are neither the product's own nor in its data."""
    hits = matcher_for(("competitors.txt",)).find(text)
    if not hits:
        return []
    own = [name for name in (context.brand, *context.known_words) if name and name.strip()]
    data = data_text_without(context, text)
    found: dict[str, str] = {}
    for hit in hits:
        if any(matcher((name,)).find(hit.phrase) or matcher((hit.phrase,)).find(name) for name in own):
            continue
        if matcher((hit.phrase,)).find(data):
            continue
        found.setdefault(fold(hit.phrase), hit.phrase)
    return list(found.values())


def check_competitors(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``content.competitor_brand``: another maker's brand named in the copy."""
    return [
        Violation(RULE_ID, "error", field, f"{brand!r} is another maker's brand", brand)
        for brand in competitor_brands(text, context)
    ]
