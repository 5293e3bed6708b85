"""Claims copy must not make: unverifiable superlatives, health claims, French environmental claims.

The phrases are data, in ``copyassist/rules/wordlists/`` (``superlatives.<lang>.txt``,
``health.<lang>.txt``, ``environmental.fr.txt``); a file of the same name in
``<COPYASSIST_HOME>/wordlists/`` adds to them (see :mod:`copyassist.rules.wordlists`).

The superlative and health lists of French and English always apply, whatever the language of
the copy (a model writing French still slips in a "best-seller"); the list of the language
asked for is added when one exists (a user's ``superlatives.de.txt``).

:func:`check_environmental_fr` does not decide whether it applies: it always looks. The rule
applies when the channel sets ``french_environmental_claims`` or the copy is French, and the
product is not second-hand (:func:`environmental_fr_applies`). :func:`claims_checks` builds the
checks for a profile; its environmental check (from :func:`environmental_fr_check`) reads the
language from the context on each call, so one list serves French and English copy.
Hits inside the brand or a known word (``Miracle-Gro``, ``Ultimate Ears``) are not reported.
Beside the lists, each rule looks for its claim's shape (:mod:`copyassist.rules.claim_shapes`):
a verb of cure on a condition, a superlative with an absolute yardstick, an environmental
promise in any inflection. A superlative measured on the seller's own range ("le plus léger de
notre gamme") is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from copyassist.i18n import language_code
from copyassist.rules import claim_shapes
from copyassist.rules.base import Check, CheckContext, FieldRules, Profile, Severity, Violation
from copyassist.rules.text import Hit, fold
from copyassist.rules.wordlists import list_names, load_lists, matcher, matcher_for

SUPERLATIVE = "claims.superlative"
HEALTH = "claims.health"
ENVIRONMENTAL_FR = "claims.environmental_fr"

#: The languages whose superlative and health lists apply to all copy.
BASE_LANGUAGES = ("fr", "en")

#: Words that, in a product's condition, mean it is not new (the AGEC ban covers new products).
SECOND_HAND_WORDS = ("occasion", "reconditionne", "seconde main", "used", "refurbished", "pre-owned")
_CONDITION_KEYS = ("condition", "etat", "etat du produit", "state")


def _list_names(stem: str, context: CheckContext) -> tuple[str, ...]:
    return list_names(stem, context.language, BASE_LANGUAGES)


def _protected_spans(text: str, context: CheckContext) -> list[tuple[int, int]]:
    """Where the brand and the known words sit in ``text`` (original indexes)."""
    names = [n for n in (context.brand, *context.known_words) if n and n.strip()]
    return [(hit.start, hit.end) for name in names for hit in matcher((name,)).find(text)]


def _find(
    stems: tuple[str, ...], text: str, context: CheckContext, shapes: Callable[[str], list[Hit]]
) -> list[Hit]:
    """The listed phrases in ``text``, then the claim shapes that neither a listed phrase nor an
    exception of the lists ("transition écologique") overlaps."""
    listed = matcher_for(stems).find(text)
    blocked = listed + matcher(load_lists(stems)[1]).find(text)
    hits = listed + [s for s in shapes(text) if not any(s.start < h.end and h.start < s.end for h in blocked)]
    if not hits:
        return []
    protected = _protected_spans(text, context)
    seen: set[str] = set()
    kept: list[Hit] = []
    for hit in hits:
        if any(hit.start < end and start < hit.end for start, end in protected):
            continue
        key = fold(hit.phrase)
        if key not in seen:
            seen.add(key)
            kept.append(hit)
    return kept


def _own_range(text: str, hit: Hit) -> bool:
    """``hit`` is measured on the seller's own range: "le plus léger de notre gamme"."""
    return claim_shapes.OWN_RANGE.match(fold(text[hit.end : hit.end + 60])) is not None


def _violations(rule: str, severity: Severity, field: str, hits: list[Hit], why: str) -> list[Violation]:
    return [Violation(rule, severity, field, f'"{hit.phrase}": {why}', hit.phrase) for hit in hits]


def check_superlatives(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``claims.superlative`` (warning): "best", "n°1", "le plus...", "garanti à vie"..."""
    found = _find(_list_names("superlatives", context), text, context, claim_shapes.superlative_shapes)
    hits = [hit for hit in found if not _own_range(text, hit)]
    why = "an unverifiable superlative or claim; keep only what the product data proves"
    return _violations(SUPERLATIVE, "warning", field, hits, why)


def check_health(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``claims.health`` (error): "cures", "boosts immunity", "guérit", "détox", "amincissant"..."""
    hits = _find(_list_names("health", context), text, context, claim_shapes.health_shapes)
    why = "a health or medical claim, which only an authorised medicine or medical device may make"
    return _violations(HEALTH, "error", field, hits, why)


def check_environmental_fr(
    field: str, text: str, rules: FieldRules, context: CheckContext
) -> list[Violation]:
    """``claims.environmental_fr`` (error): "biodégradable", "écologique", "neutre en carbone"...

    Runs whenever it is called; whether it should be is :func:`environmental_fr_applies`.
    """
    hits = _find(("environmental.fr.txt",), text, context, claim_shapes.environmental_shapes)
    why = (
        "a generic environmental claim, banned in France on new products "
        "(Code de l'environnement L.541-9-1, AGEC; carbon neutrality: L.229-68)"
    )
    return _violations(ENVIRONMENTAL_FR, "error", field, hits, why)


def is_second_hand(product: Mapping[str, Any] | None) -> bool:
    """Whether the product data says it is used or refurbished (``état: reconditionné``)."""
    if not product:
        return False
    places: list[Mapping[str, Any]] = [product]
    for nested in ("attributes", "extra"):
        value = product.get(nested)
        if isinstance(value, Mapping):
            places.append(value)
    for place in places:
        for key, value in place.items():
            if fold(str(key)).strip() in _CONDITION_KEYS and isinstance(value, str):
                words = fold(value)
                if any(re.search(rf"(?<!\w){word}", words) for word in SECOND_HAND_WORDS):
                    return True
    return False


def environmental_fr_applies(profile: Profile | None, context: CheckContext) -> bool:
    """The French environmental-claims rule applies: the channel asks for it or the copy is in
    French, and the product is not second-hand (the ban is on new products)."""
    if is_second_hand(context.product):
        return False
    if profile is not None and profile.french_environmental_claims:
        return True
    return language_code(context.language) == "fr"


def environmental_fr_check(always: bool = False) -> Check:
    """The environmental rule as a per-field check that decides for itself, call by call.

    ``always=False``: it runs on French copy only (``context.language`` is ``fr``).
    ``always=True`` (a channel with ``french_environmental_claims``): it runs on copy in any
    language. Either way it stays quiet on second-hand products.
    """

    def check(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
        if is_second_hand(context.product):
            return []
        if not always and language_code(context.language) != "fr":
            return []
        return check_environmental_fr(field, text, rules, context)

    check.__name__ = "check_environmental_fr_always" if always else "check_environmental_fr_when_french"
    return check


_ENVIRONMENTAL_ALWAYS = environmental_fr_check(always=True)
_ENVIRONMENTAL_WHEN_FRENCH = environmental_fr_check(always=False)


def claims_checks(profile: Profile | None = None) -> list[Check]:
    """The claim checks for a channel: superlatives and health claims unless the profile turns
    ``unverifiable_claims`` off, and the environmental rule, on all copy when the profile sets
    ``french_environmental_claims``, else on French copy only."""
    checks: list[Check] = []
    if profile is None or profile.unverifiable_claims:
        checks += [check_superlatives, check_health]
    always = profile is not None and profile.french_environmental_claims
    checks.append(_ENVIRONMENTAL_ALWAYS if always else _ENVIRONMENTAL_WHEN_FRENCH)
    return checks
