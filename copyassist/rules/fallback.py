"""A title built from the product's own data, offered when no model answer passes the rules.

It is labelled ``fallback`` wherever it appears and never passed off as model output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from copyassist.rules.text import fold

#: Attribute names (French and English) worth putting in a title, most telling first.
KEY_ATTRIBUTES = (
    "model", "modèle", "modele", "colour", "color", "couleur", "size", "taille", "pointure",
    "material", "matière", "matiere", "capacity", "contenance", "capacité", "volume",
    "weight", "poids", "dimensions", "quantity", "quantité", "lot",
)  # fmt: skip
DEFAULT_MAX_CHARS = 150


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip()) if w]


def fallback_title(product: Mapping[str, Any], max_chars: int | None = None) -> str | None:
    """Brand + product type + key attributes, each word once, cut at a word within the limit.

    ``None`` when the product has neither a title nor a category to build from.
    """
    limit = max_chars or DEFAULT_MAX_CHARS
    brand = str(product.get("brand") or "").strip()
    product_type = str(product.get("title") or product.get("category") or "").strip()
    if not product_type:
        return None
    attributes = {str(k).casefold(): str(v) for k, v in (product.get("attributes") or {}).items()}
    parts = [brand, product_type] + [attributes[k] for k in KEY_ATTRIBUTES if attributes.get(k)]
    seen: set[str] = set()
    words: list[str] = []
    for part in parts:
        for word in _words(part):
            key = fold(word.strip(",;:-–"))
            if key and key not in seen:
                seen.add(key)
                words.append(word)
    title = ""
    for word in words:
        candidate = f"{title} {word}".strip()
        if len(candidate) > limit:
            break
        title = candidate
    return title.rstrip(" ,;:-–") or None
