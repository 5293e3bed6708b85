"""Promises the product data does not make: ``offer.promise`` (error).

A warranty length (``garantie 2 ans``, ``2-year warranty``), a delivery time (``livré en 24 h``,
``next-day delivery``), free shipping or free returns, "satisfait ou remboursé" or a money-back
guarantee bind the seller: copy may repeat them only when the product data gives them. A
promise is supported when the data (the copy itself aside) speaks of the same thing: a warranty
for a warranty, delivery or shipping for a delivery time or free shipping, returns or refunds
for free returns and money back. The figures themselves are the facts guard's (``2 ans`` must
be in the data), so a supported promise with another length is still flagged there.

Every channel, every field: Cdiscount and Amazon also forbid offer data outright
(``offer.data``); this rule is about copy saying what the seller never said.
"""

from __future__ import annotations

import re
from functools import lru_cache

from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import data_texts
from copyassist.rules.text import find_folded, fold, visible_text

RULE_ID = "offer.promise"

_DURATION = (
    r"(?:\d+|un|une|deux|trois|cinq|dix|one|two|three|five|ten)[\s-]*(?:ans?|annees?|mois|years?|months?)"
)
_TIME = r"(?:\d+\s*(?:h|heures?|hours?|jours?|j|days?)|le\s+lendemain|next[\s-]day|same[\s-]day|24/24)"
#: kind -> (the promise, in folded text; what in the data supports it)
_PROMISES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "warranty": (
        re.compile(
            rf"(?<!\w)(?:garantie?s?|warrant(?:y|ies)|guarantee[sd]?)\W+(?:\w+\W+){{0,2}}?"
            rf"(?:{_DURATION}|a\s+vie|for\s+life|lifetime)(?!\w)"
            rf"|(?<!\w){_DURATION}\W+(?:\w+\W+){{0,1}}?(?:de\s+)?(?:garantie|warranty|guarantee)(?!\w)"
            r"|(?<!\w)lifetime\s+(?:warranty|guarantee)(?!\w)"
        ),
        re.compile(r"(?<!\w)(?:garanti|warrant|guarantee)"),
    ),
    "delivery": (
        re.compile(
            rf"(?<!\w)(?:livr\w*|expedi\w*|envoy\w*|deliver\w*|ship\w*|dispatch\w*)\W+(?:\w+\W+){{0,2}}?"
            rf"(?:en\s+|sous\s+|sous\s+\d+\s*|within\s+|in\s+)?{_TIME}(?!\w)"
            rf"|(?<!\w)(?:next|same)[\s-]day\s+(?:delivery|shipping|dispatch)(?!\w)"
            r"|(?<!\w)(?:livraison|expedition)\s+(?:express|rapide|immediate|en\s+24\s*h|en\s+48\s*h)(?!\w)"
        ),
        re.compile(r"(?<!\w)(?:livr|expedi|deliver|ship|dispatch|envoi)"),
    ),
    "free shipping": (
        re.compile(
            r"(?<!\w)(?:livraison|expedition|port|frais\s+de\s+port|frais\s+d'envoi)\s+(?:gratuite?s?|offerte?s?)(?!\w)"
            r"|(?<!\w)free\s+(?:shipping|delivery|postage)(?!\w)|(?<!\w)ships\s+free(?!\w)"
        ),
        re.compile(r"(?<!\w)(?:livr|expedi|port|deliver|ship|postage)"),
    ),
    "returns": (
        re.compile(
            r"(?<!\w)(?:retours?|renvois?)\s+(?:gratuite?s?|offerte?s?)(?!\w)|(?<!\w)free\s+returns?(?!\w)"
            r"|(?<!\w)satisfaite?s?\s+ou\s+rembourse(?:e|s|es)?(?!\w)|(?<!\w)money[\s-]back(?!\w)"
            r"|(?<!\w)satisfaction\s+(?:garantie|guaranteed)(?!\w)|(?<!\w)rembourse(?:e|s|es)?\s+integralement(?!\w)"
            r"|(?<!\w)\d+\s*jours\s+pour\s+changer\s+d'avis(?!\w)|(?<!\w)\d+[\s-]*days?\s+(?:free\s+)?returns?(?!\w)"
        ),
        re.compile(r"(?<!\w)(?:retour|rembours|return|refund|money[\s-]back|satisf)"),
    ),
}


@lru_cache(maxsize=8)
def _folded(data: str) -> str:
    """Cached: every field of an output is compared with the same data (fold's own cache is
    taken over by the many short texts in between)."""
    return fold(data)


def _supported(context: CheckContext, copy: str | None) -> frozenset[str]:
    """The kinds of promise the product data (less the texts that are ``copy``) makes."""
    texts = [t for t in data_texts(context) if copy is None or t.strip() != copy]
    data = _folded("\n".join([*texts, *map(str, context.product or {})]))  # a "garantie" column too
    return frozenset(kind for kind, (_promise, support) in _PROMISES.items() if support.search(data))


def check_promises(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``offer.promise``: a warranty, delivery, free shipping or returns promise the data lacks."""
    plain = visible_text(text)
    copy = text.strip()
    if any(t.strip() == copy for t in data_texts(context)):
        supported = _supported(context, copy)
    else:  # the same data for every field: read once
        supported = context.derived("promises.supported", lambda c: _supported(c, None))
    found: list[Violation] = []
    for kind, (promise, _support) in _PROMISES.items():
        if kind in supported:
            continue
        for hit in dict.fromkeys(h.phrase for h in find_folded(promise, plain)):
            found.append(
                Violation(RULE_ID, "error", field, f"{kind} promise {hit!r} is not in the product data", hit)
            )
    return found
