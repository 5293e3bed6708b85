"""A title built from the product's own data, offered when no model answer passes the rules.

It is labelled ``fallback`` wherever it appears and never passed off as model output. Only
title-worthy data goes in: the brand, the product's name, a key attribute (model, material,
capacity) and, for the channels that list each variant as its own offer, its colour and size.
Stock, weight, prices, codes and the other columns of an export never do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from copyassist.columns import column_key, keys_of
from copyassist.rules.text import fold
from copyassist.rules.truncation import ends_dangling

#: Attribute names (French and English) worth putting in any title, most telling first.
KEY_ATTRIBUTES = keys_of((
    "model", "modèle", "material", "materials", "matière", "matières", "matériau", "capacity", "capacité",
    "contenance", "volume",
))  # fmt: skip
#: A variant's own colour and size: in the title where each variant is an offer of its own.
VARIANT_ATTRIBUTES = keys_of(("colour", "color", "couleur", "size", "taille", "pointure"))
#: Channels whose listings are one per variant: Amazon and Merchant Center ask for colour and
#: size in the title; the French marketplaces list each variant as an offer. A shop page
#: (Shopify, the generic channel, meta tags) names the product across its variants.
VARIANT_CHANNELS = frozenset({"amazon", "google-shopping", "cdiscount", "rakuten-fr"})
DEFAULT_MAX_CHARS = 150
MAX_ATTRIBUTE_CHARS = 40  # longer is a sentence, not a title word
#: A value listing several options ("Noir, Rouge", "S|M", "coton,lin"): not one variant's own.
_SEVERAL = re.compile(r"\s*[;|]\s*|,\s+|(?<=[^\W\d]),(?=[^\W\d])")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip()) if w]


def _has_phrase(words: list[str], part: str) -> bool:
    """Whether ``part``'s words stand together, in order, among ``words`` (case and accents aside)."""
    wanted = [fold(w.strip(",;:-–")) for w in _words(part)]
    have = [fold(w.strip(",;:-–")) for w in words]
    return any(have[i : i + len(wanted)] == wanted for i in range(len(have) - len(wanted) + 1))


def _title_worthy(value: Any) -> str | None:
    """``value`` when it reads as one attribute value; None for lists, bare numbers, long text."""
    text = " ".join(str(value or "").split())
    if not text or len(text) > MAX_ATTRIBUTE_CHARS or _SEVERAL.search(text):
        return None
    if re.fullmatch(r"[\d\s.,]+", text):  # a figure with no unit: a stock count, an id
        return None
    return text


def fallback_title(
    product: Mapping[str, Any], max_chars: int | None = None, channel: str | None = None
) -> str | None:
    """Brand + product name + key attributes, each word once (a figure with its unit once), cut at
    a word within the limit.

    Colour and size join for the ``VARIANT_CHANNELS``. ``None`` when the product has no name
    to build from (a category or a code is no title)."""
    limit = max_chars or DEFAULT_MAX_CHARS
    brand = str(product.get("brand") or "").strip()
    name = str(product.get("title") or "").strip()
    if not name:
        return None
    wanted = KEY_ATTRIBUTES + (VARIANT_ATTRIBUTES if channel in VARIANT_CHANNELS else ())
    attributes: dict[str, str] = {}
    for key, value in (product.get("attributes") or {}).items():
        if (text := _title_worthy(value)) is not None:
            attributes.setdefault(column_key(key), text)
    parts = [brand, name] + [attributes[k] for k in wanted if k in attributes]
    seen: set[str] = set()
    words: list[str] = []
    for index, part in enumerate(parts):
        if index > 1 and any(c.isdigit() for c in part) and _has_phrase(words, part):
            continue  # an attribute the name already gives ("15 L" in "Sac à dos 15 L")
        after_figure = False
        for word in _words(part):
            key = fold(word.strip(",;:-–"))
            figure = any(c.isdigit() for c in word)
            # figures and the unit after them may repeat: "SPF 50 ... 50 ml" keeps "50 ml"
            if key and (key not in seen or figure or (after_figure and len(key) <= 3)):
                seen.add(key)
                words.append(word)
            after_figure = figure
    title = ""
    for word in words:
        candidate = f"{title} {word}".strip()
        if len(candidate) > limit:
            break
        title = candidate
    title = title.rstrip(" ,;:-–")
    while " " in title and ends_dangling(title):  # cut at "Sac à dos de": no title ends on "de"
        title = title.rsplit(" ", 1)[0].rstrip(" ,;:-–")
    return title or None
