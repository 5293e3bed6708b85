"""``brand.misspelt``: copy that names the product's brand wrongly ("Lumina" for Lumio).

Small models often write a brand close to the right one; no figure or label is invented, so
the facts guard sees nothing, yet a marketplace's brand registry (and the buyer) does. A warning
(an ordinary word can sit that close to a brand: "Solid" and Solis), reported only when the
field does not name the brand correctly, for a capitalised word (or run of as many
words as the brand has) within a couple of letters of the brand and found nowhere in the
product data (a word of the product's own never counts) nor a known brand of another maker
(``Sony`` beside Sonéa is ``content.competitor_brand``).
"""

from __future__ import annotations

import re

from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import data_texts
from copyassist.rules.text import fold, visible_text
from copyassist.rules.wordlists import matcher, matcher_for

RULE_ID = "brand.misspelt"
_WORD = re.compile(r"[^\W_][\w'’&.-]*")


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b`` (insert, delete, substitute), or ``limit + 1`` once past it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _allowed_distance(brand: str) -> int:
    letters = len(brand.replace(" ", ""))
    return 0 if letters < 4 else 1 if letters < 5 else 2


def check_brand_spelling(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    brand = (context.brand or "").strip()
    limit = _allowed_distance(brand)
    plain = visible_text(text)
    if not limit or not plain or matcher((brand,)).find(plain):
        return []
    wanted = fold(brand)
    size = len(brand.split())
    data = " ".join(fold(piece) for piece in data_texts(context))
    tokens = _WORD.findall(plain)
    other_makers = matcher_for(("competitors.txt",))
    for start in range(len(tokens) - size + 1):
        run = tokens[start : start + size]
        if not run[0][:1].isupper():
            continue
        candidate = " ".join(run)
        folded = fold(candidate)
        if folded == wanted or folded[:1] != wanted[:1] or _distance(folded, wanted, limit) > limit:
            continue
        if re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", data):  # a word of the product's own
            continue
        if other_makers.find(candidate):  # another maker's: its own rule says so
            continue
        message = f"{candidate!r} looks like the brand {brand!r} misspelt: write it as the data gives it"
        return [Violation(RULE_ID, "warning", field, message, candidate)]
    return []
