"""The SEO output's keywords, which no channel rule reads: each must be a search phrase, once.

Rules, errors both (a keyword list goes into a shop's SEO settings as is):

- ``keywords.invalid``: an empty keyword; a whole sentence (:data:`MAX_WORDS` words or more,
  a clause of :data:`CLAUSE_WORDS` words with a verb or a pronoun, or final punctuation); a
  filler or label (``keyword``, ``N/A``, ``mots-clés``); a placeholder (``[produit]``,
  ``{keyword}``, ``XXX``);
- ``keywords.duplicate``: the same keyword twice, case, accents, punctuation and simple plurals
  aside (``montre connectée`` and ``Montres connectées``).

A keyword naming another maker's brand is ``content.competitor_brand``
(:mod:`copyassist.rules.competitors`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.competitors import RULE_ID as COMPETITOR
from copyassist.rules.competitors import competitor_brands
from copyassist.rules.filler import FILLER_WORDS
from copyassist.rules.leftovers import check_placeholders
from copyassist.rules.repetition import later_repeats
from copyassist.rules.text import fold

INVALID = "keywords.invalid"
DUPLICATE = "keywords.duplicate"
#: A keyword of this many words is a sentence, not a search phrase; so is one of
#: :data:`CLAUSE_WORDS` words with a verb or a pronoun a search never holds.
MAX_WORDS = 10
CLAUSE_WORDS = 6
_CLAUSE = frozenset(
    "est sont sera vous nous votre vos notre nos decouvrez offrez profitez "  # noqa: SIM905
    "is are will can you your we our discover".split()
)
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?…]\s*$|[.!?]\s+\S")


def _key(keyword: str) -> tuple[str, ...]:
    """``Montres connectées`` -> ``("montre", "connectee")``: the words, singular and folded."""
    words = _WORD.findall(fold(keyword))
    return tuple(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words)


def _invalid(keyword: str) -> str | None:
    """Why ``keyword`` is no keyword, or None."""
    text = keyword.strip()
    if not _WORD.search(text):
        return "is empty"
    words = _WORD.findall(fold(text))
    clause = len(words) >= CLAUSE_WORDS and not _CLAUSE.isdisjoint(words)
    if len(words) >= MAX_WORDS or clause or _SENTENCE_END.search(text):
        return "is a sentence, not a search phrase"
    if " ".join(words) in FILLER_WORDS or fold(text) in FILLER_WORDS:
        return "is a label or filler"
    if check_placeholders("keywords", text, FieldRules(), CheckContext()):
        return "is a placeholder"
    return None


def check_keyword_list(field: str, keywords: Sequence[str], context: CheckContext) -> list[Violation]:
    """The violations of a list of keywords; ``field`` is its place (``keywords``)."""
    found: list[Violation] = []
    keys: list[tuple[str, ...] | None] = []
    for index, keyword in enumerate(keywords):
        place = f"{field}[{index}]"
        problem = _invalid(keyword)
        brands = competitor_brands(keyword, context) if problem is None else []
        if brands:
            message = f"the keyword {keyword!r} names another maker's brand {brands[0]!r}"
            found.append(Violation(COMPETITOR, "error", place, message, keyword))
        elif problem is not None:
            found.append(Violation(INVALID, "error", place, f"the keyword {keyword!r} {problem}", keyword))
        keys.append(None if problem else _key(keyword))
    for index, first in later_repeats(keys):
        message = f"the keyword {keywords[index]!r} repeats {field}[{first}]"
        found.append(Violation(DUPLICATE, "error", f"{field}[{index}]", message, keywords[index]))
    return found


def split_keywords(cell: str) -> list[str]:
    """A spreadsheet cell of keywords as a list: one a line, or separated by ``;`` or ``,``."""
    separator = "\n" if "\n" in cell.strip() else (";" if ";" in cell else ",")
    parts = [part.strip() for part in cell.strip().split(separator)]
    return parts[:-1] if len(parts) > 1 and not parts[-1] else parts  # "a, b," ends on no keyword
