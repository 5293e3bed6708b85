"""The brand file's rules (:mod:`copyassist.brand`), checked on the copy after generation.

- ``brand.avoided``: a word, phrase or claim the brand avoids is in the copy (an error, so the
  model is asked again, as for a channel's word lists);
- ``brand.spelling``: a spelling the brand does not use; :func:`fix_spelling` puts it right
  without a model call (the generation is then ``repaired``);
- ``brand.untranslated``: a name to keep as it is, written otherwise (``lumio`` for Lumio), or
  left out of a title when the product's title has it (translated, most often);
- ``brand.mention_missing``: a mandatory mention absent from a field it is required in;
- ``brand.register``: French copy that says "vous" for a brand that says "tu", or the reverse.

Words match as in the word lists (:mod:`copyassist.rules.wordlists`): whole words, whatever the
case and the accents; ``avoid`` entries take the same syntax (``meilleur(e)``, ``!exception``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from copyassist.i18n import language_code
from copyassist.outputs import CopyOutput
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import product_texts
from copyassist.rules.text import visible_text
from copyassist.rules.wordlists import matcher, parse_lines

AVOIDED = "brand.avoided"
SPELLING = "brand.spelling"
UNTRANSLATED = "brand.untranslated"
MENTION_MISSING = "brand.mention_missing"
REGISTER = "brand.register"

#: the field kinds a mandatory mention that names no field is required in
DEFAULT_MENTION_KINDS = ("description",)
_TITLE_KINDS = ("title", "seo_title")


def _brand(context: CheckContext) -> Mapping[str, Any]:
    return context.brand_voice or {}


def brand_texts(brand: Mapping[str, Any] | None) -> list[str]:
    """The brand file's texts the copy is asked to carry, word for word: its mandatory mentions,
    names to keep and preferred spellings. They count as data (a mention's "depuis 1950" is no
    invented figure, nor an echo of the prompt)."""
    if not brand:
        return []
    mentions = [m["text"] for m in brand.get("mandatory_mentions") or ()]
    return [*mentions, *(brand.get("keep_untranslated") or ()), *(brand.get("spelling") or {}).values()]


def check_avoided(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    entries = _brand(context).get("avoid") or ()
    if not entries:
        return []
    phrases, exceptions = parse_lines(list(entries))
    hits = matcher(tuple(phrases), tuple(exceptions)).find(visible_text(text))
    return [
        Violation(AVOIDED, "error", field, f"the brand does not use {phrase!r}: leave it out", phrase)
        for phrase in dict.fromkeys(hit.phrase for hit in hits)
    ]


def _wrong_spellings(text: str, spelling: Mapping[str, str]) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, as written, preferred) for every non-preferred spelling in ``text``."""
    for wrong, preferred in spelling.items():
        # a hit within a longer one of the preferred form is part of it: "mail" in "e-mail"
        right = [(r.start, r.end) for r in matcher((preferred,)).find(text)]
        for hit in matcher((wrong,)).find(text):
            written = text[hit.start : hit.end]
            inside = any(a <= hit.start and hit.end <= b and b - a > hit.end - hit.start for a, b in right)
            if not inside and written.casefold() != preferred.casefold():
                yield hit.start, hit.end, written, preferred


def check_spelling(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    spelling = _brand(context).get("spelling") or {}
    found = dict.fromkeys(
        (written, preferred) for _, _, written, preferred in _wrong_spellings(text, spelling)
    )
    return [
        Violation(SPELLING, "warning", field, f"the brand writes {preferred!r}, not {written!r}", written)
        for written, preferred in found
    ]


def _same_case(written: str, preferred: str) -> str:
    """``preferred`` in the case ``written`` has: EMAIL -> E-MAIL, Email -> E-mail."""
    if written.isupper() and len(written) > 1:
        return preferred.upper()
    if written[:1].isupper() and preferred[:1].islower():
        return preferred[:1].upper() + preferred[1:]
    return preferred


def fix_spelling(text: str, spelling: Mapping[str, str]) -> str:
    """``text`` with every non-preferred spelling replaced by the brand's, in the same case."""
    spans = sorted(_wrong_spellings(text, spelling))
    pieces: list[str] = []
    done = 0
    for start, end, written, preferred in spans:
        if start < done:  # inside a replacement already made
            continue
        pieces += [text[done:start], _same_case(written, preferred)]
        done = end
    return "".join([*pieces, text[done:]])


def fix_output_spelling(output: CopyOutput, brand: Mapping[str, Any] | None) -> CopyOutput | None:
    """``output`` with the brand's spellings put right in its copy, or None when nothing changed."""
    spelling = (brand or {}).get("spelling") or {}
    if not spelling:
        return None
    model = type(output)
    data = output.model_dump()
    changed = False
    for name in model.model_fields:
        if model.kind_of(name) in ("data", "notes"):
            continue
        fixed = _fixed(data[name], spelling)
        changed = changed or fixed != data[name]
        data[name] = fixed
    return model.model_validate(data) if changed else None


def _fixed(value: Any, spelling: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return fix_spelling(value, spelling)
    if isinstance(value, list):
        return [_fixed(item, spelling) for item in value]
    if isinstance(value, dict):
        return {key: _fixed(item, spelling) for key, item in value.items()}
    return value


def check_untranslated(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A name to keep, found (case and accents aside) but not written as the brand writes it."""
    found: list[Violation] = []
    plain = visible_text(text)
    for term in _brand(context).get("keep_untranslated") or ():
        for written in dict.fromkeys(hit.phrase for hit in matcher((term,)).find(plain)):
            if written != term:
                message = f"write {term!r} exactly as the brand does, not {written!r}"
                found.append(Violation(UNTRANSLATED, "error", field, message, written))
    return found


#: The words that address the reader in the other register than the brand's ("Offre-toi",
#: "Offrez-vous" too); "ton" is left out, being a tone as often as "your".
_OTHER_REGISTER = {
    "vous": re.compile(
        r"(?<![\w'’])(?:(?:tu|toi|te|tes|ta)(?![\w'’])|t['’](?=[aeiouyhéèêàâ]))", re.IGNORECASE
    ),
    "tu": re.compile(r"(?<![\w'’])(?:vous|votre|vos)(?![\w'’])", re.IGNORECASE),
}


def check_register(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """French copy that addresses the reader in the register the brand does not use."""
    brand = _brand(context)
    register = brand.get("register")
    if register not in _OTHER_REGISTER or language_code(context.language) != "fr":
        return []
    found = dict.fromkeys(m.group() for m in _OTHER_REGISTER[register].finditer(visible_text(text)))
    return [
        Violation(REGISTER, "error", field, f"the brand says {register!r} to its readers, not {word!r}", word)
        for word in found
    ]


#: the per-text brand checks, run on every piece of copy
BRAND_CHECKS = (check_avoided, check_spelling, check_untranslated, check_register)


def _field_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_field_text(item) for item in value)
    if isinstance(value, BaseModel):
        return "\n".join(_field_text(getattr(value, name)) for name in type(value).model_fields)
    return ""


def mention_fields(mention: Mapping[str, Any], model: type[CopyOutput]) -> list[str]:
    """The fields of ``model`` that ``mention`` is required in."""
    wanted = set(mention.get("fields") or ())
    return [
        name
        for name in model.model_fields
        if (
            name in wanted or model.kind_of(name) in wanted
            if wanted
            else model.kind_of(name) in DEFAULT_MENTION_KINDS
        )
    ]


def brand_for_output(brand: Mapping[str, Any] | None, model: type[CopyOutput]) -> dict[str, Any] | None:
    """``brand`` with only the mandatory mentions that ``model`` has a field for: a title's
    prompt is not told of the description's mentions."""
    if not brand:
        return None
    mentions = [m for m in brand.get("mandatory_mentions") or () if mention_fields(m, model)]
    return {**brand, "mandatory_mentions": mentions}


def missing_mentions(places: Iterable[tuple[str, str, str]], brand: Mapping[str, Any]) -> list[Violation]:
    """``brand.mention_missing`` for each ``(field, kind, visible text)`` that lacks a mention
    required in it (by the field's name or kind; descriptions when the mention names none)."""
    found: list[Violation] = []
    for name, kind, text in places:
        for mention in brand.get("mandatory_mentions") or ():
            wanted = set(mention.get("fields") or ())
            applies = name in wanted or kind in wanted if wanted else kind in DEFAULT_MENTION_KINDS
            if applies and not matcher((mention["text"],)).find(text):
                message = f"the mandatory mention {mention['text']!r} is missing"
                found.append(Violation(MENTION_MISSING, "error", name, message, mention["text"]))
    return found


def check_brand_output(output: CopyOutput, context: CheckContext) -> list[Violation]:
    """The brand rules on a whole output: mentions in the fields they are required in, names to
    keep in the titles when the product's title has them."""
    brand = _brand(context)
    if not brand:
        return []
    model = type(output)
    texts = {name: visible_text(_field_text(getattr(output, name))) for name in model.model_fields}
    kinds = {name: model.kind_of(name) for name in model.model_fields}
    found = missing_mentions(((name, kinds[name], texts[name]) for name in texts), brand)
    title = " ".join(product_texts({"title": (context.product or {}).get("title")}))
    for term in brand.get("keep_untranslated") or ():
        if not title or not matcher((term,)).find(title):
            continue
        for name, kind in kinds.items():
            if kind in _TITLE_KINDS and texts[name] and not matcher((term,)).find(texts[name]):
                message = f"keep {term!r} as it is (untranslated), as the product's title has it"
                found.append(Violation(UNTRANSLATED, "error", name, message, term))
    return found
