"""The leak guard of few-shot examples: nothing of another product's approved copy in this one's.

The prompt shows the seller's approved copy of other products as examples of style
(``copyassist.examples``); a model may copy their facts instead. ``examples.leak`` (error) flags
copy that holds, from an example shown (``CheckContext.examples``: its approved text, its
product's name, brand and attributes) and not supported by this product's data:

- a figure with a unit, dimensions, a model name or code, a label or rating (what the facts
  guard reads as a claim; bare numbers are left to it);
- a name: the example's brand, or a capitalised word of its product's name (``Kairos``) that its
  own text never writes in lower case (a name, not a common word), found as written;
- a phrase: :data:`PHRASE_WORDS` words or more in a row from an example, with at least
  :data:`CONTENT_WORDS` content words (not stop words), one of which is not in this product's
  data ("pour vos pauses café" is a way of saying, "émaillé à la main à Limoges" a fact). A
  phrase two examples share is the seller's voice (a signature line), not a fact: not flagged.

Each finding says which example it comes from, so a re-ask can ask for this product's own data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from copyassist.rules import fact_claims, facts
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import product_texts
from copyassist.rules.text import fold, fold_with_map
from copyassist.rules.wordlists import words

RULE = "examples.leak"
#: A run of this many words shared with an example is its wording.
PHRASE_WORDS = 4
#: ... holding this many content words, at least.
CONTENT_WORDS = 3
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")
_NAME = re.compile(r"(?<![\w-])[A-ZÀ-Ý][\w-]{2,}")
#: Claim kinds that are facts of a product; a bare number is too common to tie to an example.
_KINDS = frozenset({"energy_class", "rating", "label", "price", "dimension", "quantity", "code"})
_MORE_STOPWORDS = frozenset(
    "avec pour dans sans sur par une des les aux est son ses vos votre nos notre leur plus tout "  # noqa: SIM905
    "toute tous très bien and the for with your our from this that into are its you all".split()
)
_Profile = tuple[frozenset[str], str, frozenset[tuple[str, ...]]]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(fold(w) for w in words("stopwords.txt")) | _MORE_STOPWORDS


def _is_content(word: str) -> bool:
    return len(word) >= 3 and not word.isdigit() and word not in _stopwords()


def _example_texts(example: Mapping[str, Any]) -> list[str]:
    """What the prompt showed of an example: its approved text and its product's facts."""
    product = example.get("product") or {}
    shown = {k: v for k, v in product.items() if k in ("title", "brand", "attributes", "features")}
    return [*(example.get("approved") or {}).values(), *product_texts(shown)]


def _title(example: Mapping[str, Any]) -> str:
    product = example.get("product") or {}
    return str(product.get("title") or example.get("source") or "an example")


def _grams(text: str) -> set[tuple[str, ...]]:
    found = _WORD.findall(fold(text))
    return {tuple(found[i : i + PHRASE_WORDS]) for i in range(len(found) - PHRASE_WORDS + 1)}


@lru_cache(maxsize=64)
def _example_profile(texts: tuple[str, ...], language: str | None) -> _Profile:
    """An example's claim keys, its text folded (one value a line) and its phrases."""
    keys = {
        key for text in texts for claim in fact_claims.extract_claims(text, language) for key in claim.keys
    }
    grams = set().union(*(_grams(text) for text in texts)) if texts else set()
    return frozenset(keys), "\n".join(fold(t) for t in texts), frozenset(grams)


def _names(example: Mapping[str, Any]) -> set[str]:
    """The example's brand, and the capitalised words of its product's name that its text never
    writes in lower case."""
    product = example.get("product") or {}
    names = {str(product["brand"]).strip()} if product.get("brand") else set()
    title = str(product.get("title") or "")
    lower = " ".join(_example_texts(example))
    for match in _NAME.finditer(title):
        word = match.group()
        common = fold(word) in _stopwords() or re.search(rf"\b{re.escape(word.lower())}\b", lower)
        if match.start() == 0 or common:
            continue
        names.add(word)
    return {name for name in names if name}


def _spans(copy: Sequence[str], grams: frozenset[tuple[str, ...]]) -> Iterator[tuple[int, int]]:
    """Word ranges [start, end) of ``copy`` made of runs found in ``grams``, merged."""
    start = end = -1
    for i in range(len(copy) - PHRASE_WORDS + 1):
        if tuple(copy[i : i + PHRASE_WORDS]) in grams:
            if i > end:
                if end > start:
                    yield start, end
                start = i
            end = i + PHRASE_WORDS
    if end > start >= 0:
        yield start, end


def check_example_leak(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A ``Check``: one ``examples.leak`` error per fact, name or phrase of an example shown in
    the prompt that the copy holds and this product's data does not support."""
    if not context.examples:
        return []
    product = dict(context.product or {})
    data_text = "\n".join(fold(t) for t in product_texts(product))
    vocabulary = set(_WORD.findall(data_text))
    plain = _TAG.sub(lambda m: " " * len(m.group()), text)
    folded, index = fold_with_map(plain)
    matches = list(_WORD.finditer(folded))
    copy_words = [m.group() for m in matches]
    profiles = [_example_profile(tuple(_example_texts(e)), context.language) for e in context.examples]
    found: dict[str, Violation] = {}

    def flag(part: str, message: str) -> None:
        found.setdefault(fold(part), Violation(RULE, "error", field, message, part))

    unsupported = [c for c in facts.unsupported_claims(plain, product, context.language) if c.kind in _KINDS]
    for example, (keys, example_text, _) in zip(context.examples, profiles, strict=True):
        for claim in unsupported:
            written = re.escape(fold(claim.text))
            if all(key in keys for key in claim.keys) or re.search(rf"(?<!\w){written}(?!\w)", example_text):
                flag(claim.text, f"{claim.text!r} comes from an example ({_title(example)}), not from this "
                                 "product's data: leave it out, or give this product's own")  # fmt: skip
        for name in _names(example):
            if fold(name) in data_text or fold(name) == fold(context.brand or ""):
                continue
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", plain):
                flag(name, f"{name!r} names an example's product ({_title(example)}), not this one: "
                           "leave it out")  # fmt: skip
    for position, (example, (_, _, grams)) in enumerate(zip(context.examples, profiles, strict=True)):
        others = frozenset().union(*(p[2] for i, p in enumerate(profiles) if i != position))
        for start, end in _spans(copy_words, grams - others):
            phrase = copy_words[start:end]
            content = [w for w in phrase if _is_content(w)]
            if len(content) < CONTENT_WORDS or all(w in vocabulary for w in content):
                continue
            written = plain[index[matches[start].start()] : index[matches[end - 1].end() - 1] + 1]
            flag(written, f"reuses the wording of an example ({_title(example)}) that this product's data "
                          "does not support: write it from this product's own data")  # fmt: skip
    return list(found.values())
