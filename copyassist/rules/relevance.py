"""A title must name the product: at least one word of what the product is, besides the brand.

Small models, and hurried sellers, write titles that pass every length and wording rule yet say
nothing of the product ("Atelier Lanvéoc", "Baby Food Products" for a porridge, an invented
name). This check compares the title with the words of the product's own name and category.
A title in another language than the product data (German copy from a French product, see
``copyassist.languages``) shares none of its words by nature: it is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from copyassist.i18n import language_code
from copyassist.product_language import declared_language, detect_language
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.text import fold
from copyassist.rules.wordlists import words

RULE = "content.off_product"
STEM = 5  # "montres"/"montre", "lamps"/"lamp": compare the first letters only
_WORD = re.compile(r"[^\W\d_]{3,}")


def _stems(text: str, ignored: set[str]) -> set[str]:
    return {w[:STEM] for w in _WORD.findall(fold(text)) if w not in ignored and w[:STEM] not in ignored}


def product_stems(values: Iterable[str], brand: str | None) -> set[str]:
    """The stems of the words that say what the product is (brand and filler words left out)."""
    ignored = set(words("stopwords.txt"))
    ignored |= {w for w in _WORD.findall(fold(brand or ""))} | {
        w[:STEM] for w in _WORD.findall(fold(brand or ""))
    }
    stems: set[str] = set()
    for value in values:
        stems |= _stems(value, ignored)
    return stems


def _data_in_another_language(product: Mapping[str, Any], language: str | None) -> bool:
    """Whether the product data says, or clearly is, in another language than the copy's."""
    code = language_code(language)
    if code is None or not product:
        return False
    seen = declared_language(product) or detect_language(product, (code,))
    return seen is not None and seen != code


def check_on_product(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``content.off_product`` (error): a title sharing no word with the product's name or category."""
    product = context.product or {}
    named = [str(product.get(key) or "") for key in ("title", "category")]
    wanted = product_stems(named, context.brand or str(product.get("brand") or ""))
    if not wanted or _stems(text, set()) & wanted or _data_in_another_language(product, context.language):
        return []
    return [
        Violation(
            RULE,
            "error",
            field,
            "the title does not say what the product is: use a word of its name or category",
            text,
        )
    ]
