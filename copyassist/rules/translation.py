"""The facts guard of a translation: the translated listing against the listing it translates.

A translation (``CheckContext.source_listing``, field -> text) may change every word but no
fact. Its facts guard, in place of the product-data one (``copyassist.rules.units``), reads the
claims of each translated field with ``copyassist.rules.facts`` (so decimal commas and points,
thousands, unit spellings and metric scales compare alike: ``1,5 kg`` is ``1.5 kg``, ``0,5 l``
is ``500 ml``) and reports each one the source listing does not support:

- ``translation.new_number`` (error): a figure, quantity, dimension or price the source does
  not give (a price in another currency included);
- ``translation.new_claim`` (error): an energy class, protection rating, label or model code
  the source does not give;
- ``translation.unit_changed`` (error): the source's figure with another unit (``50 mm`` for
  ``50 cm``);
- ``translation.untranslated`` (error): a field left in the source's language (most of its
  words the source's, and read as that language).

A figure converted to the target market's units is the same fact: ``19.7 in`` for ``50 cm``,
``3.3 lb`` for ``1.5 kg``, ``68 °F`` for ``20 °C``, ``15,6 pouces`` for ``39,6 cm`` (within
``units.TOLERANCE``), also as a dimension ``11.8 x 7.9 in``; so is the inch written ``in``,
which the facts extractor leaves as a bare number.

Over the whole output (:func:`check_translated_listing`):

- ``translation.brand_changed`` (error): the brand, or a term the source marks ``™`` or ``®``,
  is in a source field but not written verbatim (same spelling and capitals) in its translation;
- ``translation.field_missing`` (error): a field of the source left out of the translation;
- ``translation.field_added`` (warning): a field the source does not have, written anyway;
- ``translation.dropped_fact`` (warning): a figure or label of the source found nowhere in the
  translation, in its own or a converted unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from copyassist.i18n import language_code
from copyassist.rules import fact_claims, facts, units
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.language import clean_text, detect_language

NEW_NUMBER = "translation.new_number"
NEW_CLAIM = "translation.new_claim"
UNIT_CHANGED = "translation.unit_changed"
BRAND_CHANGED = "translation.brand_changed"
FIELD_MISSING = "translation.field_missing"
FIELD_ADDED = "translation.field_added"
DROPPED_FACT = "translation.dropped_fact"
UNTRANSLATED = "translation.untranslated"
#: A field of this many words or more, this share of them the source's, is the source left as it was.
_MIN_WORDS = 3
_SHARED = 0.5
_WORDS = re.compile(r"[^\W\d_]+")

_FIGURES = frozenset({"quantity", "number", "price", "dimension"})
_NAMES = {"rating": "protection rating", "label": "certification/label", "code": "model name/code"}
_NAMES |= {"energy_class": "energy class", "dimension": "dimensions", "quantity": "figure"}

#: Imperial units the facts extractor does not read as units (``in`` is too common a word):
#: pattern -> (dimension of the metric base unit, base units in one of them).
_IMPERIAL: dict[str, tuple[str, Decimal]] = {
    r"in\.?|inch(?:es)?": ("length", Decimal("25.4")),
    r"ft|feet|foot": ("length", Decimal("304.8")),
    r"fl\.? ?oz": ("volume", Decimal("29.5735")),
    r"gal(?:lons?)?": ("volume", Decimal("3785.41")),
}
_NUMBER = r"\d+(?:[.,]\d+)?"
_IMPERIAL_RUN = re.compile(
    rf"(?<![\w.,])(?P<figures>{_NUMBER}(?:\s?[x×]\s?{_NUMBER})*)\s?"
    rf"(?P<unit>{'|'.join(f'(?:{p})' for p in _IMPERIAL)})(?![\w])",
    re.IGNORECASE,
)
_COUNTED = re.compile(r"(\d+(?:[.,]\d+)?)-[^\W\d_]+")
_MARKED = re.compile(r"([^\W\d_][\w'’&.-]*)\s?[™®]")


def _source_text(source: Mapping[str, str]) -> str:
    return "\n".join(str(text) for text in source.values() if text)


def _base_values(claim: fact_claims.Claim) -> list[tuple[str, Decimal]]:
    """(dimension, value in its base unit) of each figure of a quantity or dimension claim."""
    found = []
    for key in claim.keys:
        kind, _, rest = key.partition(":")
        dimension, _, value = rest.partition(":")
        if kind == "quantity" and value:
            found.append((dimension, Decimal(value)))
    return found


def _source_quantities(source: Mapping[str, str]) -> list[tuple[str, Decimal]]:
    claims = [c for lang in ("fr", "en") for c in fact_claims.extract_claims(_source_text(source), lang)]
    return [value for claim in claims for value in _base_values(claim)]


def _same_quantity(mine: tuple[str, Decimal], known: Iterable[tuple[str, Decimal]]) -> bool:
    """True when ``mine`` is one of ``known``, or one of them converted (inches, pounds, °F...)."""
    return any(other == mine or units.converts(mine, other) for other in known)


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= units.TOLERANCE * max(abs(a), abs(b), Decimal(1))


def _imperial(match: re.Match[str]) -> list[tuple[str, Decimal]]:
    """(dimension, value in its metric base unit) of each figure of an ``_IMPERIAL_RUN`` match."""
    dimension, factor = next(v for p, v in _IMPERIAL.items() if re.fullmatch(p, match["unit"], re.I))
    values = []
    for raw in re.split(r"\s?[x×]\s?", match["figures"]):
        try:
            values.append((dimension, Decimal(raw.replace(",", ".")) * factor))
        except InvalidOperation:
            continue
    return values


def _imperial_values(text: str) -> list[tuple[str, Decimal]]:
    return [value for match in _IMPERIAL_RUN.finditer(text) for value in _imperial(match)]


def _converted_spans(text: str, known: list[tuple[str, Decimal]]) -> list[tuple[int, int]]:
    """Where ``text`` gives source figures in an imperial unit the extractor does not read."""
    spans = []
    for match in _IMPERIAL_RUN.finditer(text):
        values = _imperial(match)
        if values and all(any(d == dim and _close(v, w) for d, w in known) for dim, v in values):
            spans.append((match.start(), match.end()))
    return spans


def _violation(claim: fact_claims.Claim, field: str) -> Violation:
    name = _NAMES.get(claim.kind, claim.kind)
    rule = NEW_NUMBER if claim.kind in _FIGURES else NEW_CLAIM
    return Violation(rule, "error", field, f"{name} {claim.text!r} is not in the source listing", claim.text)


def check_translation_facts(
    field: str, text: str, rules: FieldRules, context: CheckContext
) -> list[Violation]:
    """A ``Check``: each claim of a translated field that its source listing does not support."""
    source = context.source_listing
    if not source:
        return []
    known = _source_quantities(source)
    converted = _converted_spans(text, known)
    source_claims = units.data_claims({"source": _source_text(source)})
    found: list[Violation] = []
    for claim in facts.unsupported_claims(text, {"source": _source_text(source)}, context.language):
        if any(start <= claim.start and claim.end <= end for start, end in converted):
            continue
        counted = _COUNTED.fullmatch(claim.text) if claim.kind == "code" else None
        if counted and not facts.unsupported_claims(counted[1], {"source": _source_text(source)}):
            continue  # "2-Person" for "2 places": the source's number, not a model code
        values = _base_values(claim)
        if values and claim.kind != "price" and all(_same_quantity(v, known) for v in values):
            continue  # the source's figure in the target market's unit
        changed = units.changed_from(claim, source_claims)
        if changed is not None and claim.values[:1] == changed.values[:1]:
            message = f"{claim.text!r} changes the unit of {changed.text!r} in the source listing"
            found.append(Violation(UNIT_CHANGED, "error", field, message, claim.text))
            continue
        found.append(_violation(claim, field))
    return found


def check_untranslated(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A ``Check``: ``translation.untranslated`` (error) for a field still in the source's
    language: most of its words are the source listing's and it reads as the source language.
    (The language check cannot tell: words of the product data speak for a short field.)"""
    source, language = context.source_listing, context.source_language
    if not source or not language:
        return []
    ignore = tuple(n for n in (context.brand, *context.known_words) if n)
    words = [w for w in _WORDS.findall(clean_text(text, ignore).casefold()) if len(w) > 2]
    if len(words) < _MIN_WORDS:
        return []
    vocabulary = set(_WORDS.findall(_source_text(source).casefold()))
    shared = sum(word in vocabulary for word in words)
    if shared < _SHARED * len(words):
        return []
    found = detect_language(text, language_code(context.language) or "", ignore)
    if found is None or found.best != language:
        return []
    message = f"still in {language}, the source's language: {shared} of {len(words)} words are the source's"
    return [Violation(UNTRANSLATED, "error", field, message, text[:80])]


def check_translation(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A ``Check``: the facts guard of a translated field, and whether it was translated at all."""
    found = check_untranslated(field, text, rules, context)
    return found + check_translation_facts(field, text, rules, context)


def _field_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value) if value is not None else ""


def _protected_terms(brand: str | None, source: str) -> list[str]:
    terms = [brand.strip()] if brand and brand.strip() else []
    terms += [term for term in _MARKED.findall(source) if term not in terms]
    return terms


def _brand_changes(
    written: Mapping[str, str], source: Mapping[str, str], brand: str | None
) -> list[Violation]:
    found = []
    for term in _protected_terms(brand, _source_text(source)):
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
        exact = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
        for name, text in source.items():
            translated = written.get(name, "")
            if pattern.search(text) and translated and not exact.search(translated):
                seen = pattern.search(translated)
                how = f"written {seen.group()!r}" if seen else "missing"
                message = f"the brand term {term!r} of the source {name} is {how} in the translation"
                found.append(Violation(BRAND_CHANGED, "error", name, message, term))
    return found


#: Small numbers as words, which the facts extractor reads only before a unit.
_SPELT = {
    1: ("one", "un", "une"), 2: ("two", "deux"), 3: ("three", "trois"), 4: ("four", "quatre"),
    5: ("five", "cinq"), 6: ("six",), 7: ("seven", "sept"), 8: ("eight", "huit"), 9: ("nine", "neuf"),
    10: ("ten", "dix"), 12: ("twelve", "douze"),
}  # fmt: skip


def _spelt(claim: fact_claims.Claim, text: str) -> bool:
    """True when ``text`` spells the bare number ``claim`` out (``three`` for ``3``)."""
    words = _SPELT.get(int(claim.values[0])) if claim.values and claim.values[0] % 1 == 0 else None
    return bool(words) and any(re.search(rf"(?<!\w){w}(?!\w)", text, re.I) for w in words or ())


def _dropped_facts(
    written: Mapping[str, str], source: Mapping[str, str], context: CheckContext
) -> list[Violation]:
    """Source claims the whole translation gives nowhere, in their unit or a converted one; a
    fact may move from one field to another."""
    translation = "\n".join(text for text in written.values() if text)
    mine = [v for c in fact_claims.extract_claims(translation, context.language) for v in _base_values(c)]
    mine += _imperial_values(translation)
    found, seen = [], set()
    for name, text in source.items():
        for claim in facts.unsupported_claims(text, {"translation": translation}, context.source_language):
            values = _base_values(claim)
            if claim.keys in seen or (values and all(_same_quantity(v, mine) for v in values)):
                continue
            if claim.kind == "number" and _spelt(claim, translation):
                continue
            seen.add(claim.keys)
            what = _NAMES.get(claim.kind, claim.kind)
            message = f"{what} {claim.text!r} of the source {name} is not in the translation"
            found.append(Violation(DROPPED_FACT, "warning", name, message, claim.text))
    return found


def check_translated_listing(output: BaseModel, context: CheckContext) -> list[Violation]:
    """The whole-output checks of a translation (brand terms, fields, dropped facts); none
    without a source listing."""
    source = {name: text for name, text in (context.source_listing or {}).items() if text}
    if not source:
        return []
    fields = type(output).model_fields
    written = {name: _field_text(getattr(output, name)) for name in fields if name != "keywords"}
    found = _brand_changes(written, source, context.brand)
    for name in source:
        if name in fields and not written.get(name, "").strip():
            message = f"the source listing has a {name} but the translation leaves it out"
            found.append(Violation(FIELD_MISSING, "error", name, message))
    for name, text in written.items():
        if text.strip() and name not in source and name != "title":
            message = f"the source listing has no {name}: a translation adds none"
            found.append(Violation(FIELD_ADDED, "warning", name, message))
    return found + _dropped_facts(written, source, context)
