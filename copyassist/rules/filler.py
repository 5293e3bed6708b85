"""Copy that is no copy: a label, a filler word, the field's own name, nothing but the brand.

Rules, all errors (such a field would be published as is and read as broken):

- ``leftover.filler``: the whole field, or one item, is a label or filler word ("Bullets",
  "text", "Bien sûr", "Sure", "N/A", "Voici...", "Here are the bullets:"), a numbered label
  ("Bullet 1", "Puce 2", "Feature 3:"), or a price or a
  figure alone ("149,90 €" as a call to action);
- ``leftover.label_prefix``: the copy starts with its own field's label ("Titre de produit :
  ...", "Product title: ...", "Meta description: ...", "Puce 1 :");
- ``content.only_name``: the field says nothing but the brand (a title, an SEO title, a bullet,
  a call to action or headline), or nothing but the brand and the product's name (a meta
  description, a description, an FAQ answer): its words are all the brand's and the name's, and
  it names the brand or most (3/5) of the name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from copyassist.columns import FIELD_NAMES, column_key
from copyassist.rules.base import Check, CheckContext, FieldRules, Violation
from copyassist.rules.text import fold, visible_text

FILLER = "leftover.filler"
LABEL_PREFIX = "leftover.label_prefix"
ONLY_NAME = "content.only_name"

#: Whole-field fillers (folded; compared with the field stripped of punctuation and spaces).
FILLER_WORDS = frozenset(
    {
        "bullets", "bullet", "bullet points", "bullet point", "puces", "puce", "text", "texte", "title",
        "titre", "description", "meta description", "meta_description", "seo title", "seo_title",
        "titre seo", "keywords", "keyword", "mots cles", "mot cle", "answer", "reponse", "question",
        "headline", "accroche", "call to action", "call_to_action", "cta", "appel a l'action", "faq",
        "bien sur", "sure", "ok", "okay", "d'accord", "certainement", "certainly", "of course",
        "voici", "here", "here you go", "here it is", "here you are", "n/a", "na", "none", "null",
        "nil", "aucun", "aucune", "rien", "vide", "empty", "string", "example", "exemple", "json",
        "copy", "contenu", "content", "value", "valeur", "items", "item", "product", "produit",
    }
)  # fmt: skip
#: Labels that, with a number, stand for an item of a list: "Bullet 1", "Puce 2", "Feature 3:".
_NUMBERED_LABELS = (
    r"bullet(?: point)?|puce|point|item|element|texte?|feature|caracteristique|avantage|benefit|atout"
    r"|argument|ligne|line|paragraphe?|paragraph|section|question|reponse|answer|titre|title|faq"
)
_NUMBERS = r"\d{1,2}|one|two|three|four|five|six|un|une|deux|trois|quatre|cinq|six"
_NUMBERED = re.compile(rf"^(?:{_NUMBERED_LABELS})s?\s*(?:n°|no\.?|#)?\s*(?:{_NUMBERS})$")
_STRIP = " \t\n\r.,;:!?…-–—*•\"'«»“”()[]{}"
_OPENER = r"(?:voici|here(?:'s| is| are)|ci-dessous|below (?:is|are))"
#: An answer's opening line with nothing after it: "Voici les puces :", "Here are the bullets".
_INTRO = re.compile(
    rf"^{_OPENER}\b[^.!?\n]{{0,60}}(?::|\.\.\.|…)\s*$"
    rf"|^{_OPENER}\s+(?:[^\W\d_]+\s+){{0,3}}(?:puces?|titres?|descriptions?|textes?|bullets?|titles?|texts?"
    r"|points?|r[ée]ponses?|answers?|mots[- ]cl[ée]s|keywords)\s*$",
    re.IGNORECASE,
)
_FIGURE_ONLY = re.compile(
    r"^[\s€$£]*(?:(?:prix|price)\s*:?\s*)?[€$£]?\s*\d[\d\s.,\u00a0\u202f]*\s*(?:€|eur|euros?|\$|£|usd|ttc|ht)?\s*$",
    re.IGNORECASE,
)
_LABELS = (
    r"titre(?: (?:de|du) produit| seo| de la page)?|product title|page title|seo title|title|"
    r"m[ée]ta[- ]?description|meta description|meta[- ]?titre|meta title|description(?: (?:du|de) produit)?|"
    r"product description|puce(?: \d+)?|bullet(?: point)?(?: \d+)?|r[ée]ponse|answer|question|"
    r"accroche|headline|appel [àa] l'action|call to action|cta|mots[- ]cl[ée]s|keywords"
)
_LABEL_PREFIX = re.compile(rf"^\s*(?:\*\*)?(?:{_LABELS})(?:\*\*)?\s*(?:\d+\s*)?[:：]\s*\S", re.IGNORECASE)
_NAME_KEYS = FIELD_NAMES["title"]
_WORD = re.compile(r"[^\W_]+")


def _bare(text: str) -> str:
    return " ".join(fold(visible_text(text)).strip(_STRIP).split())


def check_filler(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``leftover.filler``: a label, a filler word or a figure alone in place of copy."""
    bare = _bare(text)
    plain = visible_text(text).strip()
    if not (
        bare in FILLER_WORDS
        or not bare
        or _NUMBERED.match(bare)
        or _INTRO.match(plain)
        or _FIGURE_ONLY.match(plain)
    ):
        return []
    return [Violation(FILLER, "error", field, f"{plain!r} is a label or filler, not copy", plain)]


def check_label_prefix(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``leftover.label_prefix``: the copy opens with a field label and a colon."""
    plain = visible_text(text)
    match = _LABEL_PREFIX.match(plain)
    if match is None:
        return []
    label = plain[: match.end() - 1].strip()
    return [Violation(LABEL_PREFIX, "error", field, f"starts with the label {label!r}", label)]


def product_name(product: Mapping[str, Any] | None) -> str:
    """The product's name in its data: ``title``, or a column named like one (``Titre``, ``nom``)."""
    for key, value in (product or {}).items():
        if column_key(key) in _NAME_KEYS and isinstance(value, str) and value.strip():
            return value
    return ""


def _words(text: str) -> set[str]:
    return set(_WORD.findall(fold(visible_text(text))))


def only_name_check(kind: str | None) -> Check:
    """``content.only_name`` for one kind of field: the brand alone in titles, SEO titles and
    headlines or calls to action; the brand and the product name in prose."""
    brand_only = kind in ("title", "seo_title", "copy", "bullets", None)

    def check_only_name(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
        said = _words(text)
        brand = _words(context.brand or "")
        allowed = brand if brand_only else brand | _words(product_name(context.product))
        name = _words(product_name(context.product)) - brand
        names_it = (bool(brand) and brand <= said) or len(said & name) * 5 >= len(name) * 3
        if not said or not allowed or not said <= allowed or not names_it or field.endswith(".question"):
            return []  # "For normal to oily hair" is a part of the name, not the name
        what = "the brand" if said <= brand else "the brand and the product name"
        plain = visible_text(text).strip()
        return [Violation(ONLY_NAME, "error", field, f"{plain!r} is nothing but {what}", plain)]

    return check_only_name


def _per_line(check: Check) -> Check:
    """``check`` on each line of a bullets cell (``copyassist check`` reads bullets one a line)."""

    def check_lines(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            return check(field, text, rules, context)
        return [v for line in lines for v in check(field, line.strip(" -•*\t"), rules, context)]

    return check_lines


def filler_checks(kind: str | None) -> tuple[Check, ...]:
    """The filler checks for one kind of field; bullets line by line."""
    checks: tuple[Check, ...] = (check_filler, check_label_prefix, only_name_check(kind))
    return tuple(map(_per_line, checks)) if kind == "bullets" else checks
