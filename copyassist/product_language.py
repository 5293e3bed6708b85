"""The language a product's copy is written in, when the caller does not force one.

One rule for every entry point (``generate``, ``render``, ``batch``, ``study``, ``personas new``):
the language asked for, else the one the product says (a ``language`` field or column), else the
one its own title and description are written in, else :data:`DEFAULT_LANGUAGE`. A language
is only taken when the template can write it; an English feed gets English prompts, a French
one French prompts, and a German one, where the caller offers German (``copyassist.languages``:
the English body asking for German), German copy; else the default.

Detection uses py3langid, as the ``language.mismatch`` rule does (:mod:`copyassist.rules.language`):
the text loses brand names, model numbers and acronyms first. The template's languages are
ranked against each other and the leader must reach :data:`MIN_SHARE`; a text that another
language clearly leads (:data:`OTHER_LEADS`) is reported in that language, so that a German row
is counted as German before it falls back to the default.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from copyassist.i18n import language_code
from copyassist.languages import is_borrowed
from copyassist.rules.language import CANDIDATES, clean_text, known_languages, language_scores

DEFAULT_LANGUAGE = "fr"
#: Product fields or feed columns that state the copy's language.
DECLARED_KEYS = ("language", "langue", "lang", "locale", "content_language")
#: The leading template language's share among the template's languages, at least.
MIN_SHARE = 0.75
#: A language the template lacks, leading all candidates by this much, wins the detection.
OTHER_LEADS = 0.9
#: Fewer cleaned words than this and nothing is detected.
MIN_WORDS = 2
#: The languages the bundled templates are written in.
TEMPLATE_LANGUAGES = ("fr", "en")

Source = Literal["forced", "declared", "detected", "default"]


@dataclass(frozen=True)
class LanguageChoice:
    """The language copy is written in, and why: forced, declared by the data, detected, default."""

    language: str
    source: Source
    #: what the data said or looked like, when it is not ``language`` (a German row written in fr)
    seen: str | None = None


def declared_language(data: Mapping[str, Any] | None) -> str | None:
    """The language a product or row states, from a ``language`` field (or its attributes)."""
    if not data:
        return None
    attributes = data.get("attributes")
    places: list[Mapping[str, Any]] = [data, attributes if isinstance(attributes, Mapping) else {}]
    for place in places:
        lowered = {str(k).strip().casefold(): v for k, v in place.items()}
        for key in DECLARED_KEYS:
            value = lowered.get(key)
            if isinstance(value, str) and (code := language_code(value)):
                return code
    return None


def _text_of(data: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    parts: list[str] = []
    for key in ("title", "description"):
        if isinstance(value := data.get(key), str):
            parts.append(value)
    features = data.get("features")
    if isinstance(features, list | tuple):
        parts.extend(str(f) for f in features)
    brand = data.get("brand")
    return ". ".join(parts), (brand,) if isinstance(brand, str) and brand else ()


def detect_language(
    data: Mapping[str, Any] | None, languages: Collection[str] = TEMPLATE_LANGUAGES
) -> str | None:
    """The language a product's title, description and features are written in, or None when
    they hold too few words to tell; a language outside ``languages`` only when it clearly leads."""
    if not data:
        return None
    text, ignore = _text_of(data)
    cleaned = clean_text(text, ignore)
    if len(cleaned.split()) < MIN_WORDS:
        return None
    usable = [code for code in languages if code in known_languages()]
    if not usable:
        return None
    overall = language_scores(cleaned, (*CANDIDATES, *usable))
    leader, lead = overall[0]
    if leader not in usable and lead >= OTHER_LEADS:
        return leader
    best, share = language_scores(cleaned, tuple(usable))[0] if len(usable) > 1 else (usable[0], 1.0)
    return best if share >= MIN_SHARE else None


def choose_language(
    data: Mapping[str, Any] | None,
    forced: str | None = None,
    available: Collection[str] = TEMPLATE_LANGUAGES,
    declared: str | None = None,
) -> LanguageChoice:
    """The language to write ``data``'s copy in: ``forced``, else ``declared`` (or the data's own
    ``language`` field), else detected, else the default; only ever one of ``available``.

    German, Spanish and Italian, written from another language's body
    (``copyassist.languages``), are never among the languages the text is ranked against (the
    French and English odds stay what they were); they are taken when the text clearly is
    in one of them (:data:`OTHER_LEADS`), as they are when a row declares one."""
    if forced:
        return LanguageChoice(forced, "forced")
    fallback = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in available or not available else sorted(available)[0]
    stated = declared or declared_language(data)
    if stated:
        if stated in available:
            return LanguageChoice(stated, "declared")
        return LanguageChoice(fallback, "default", seen=stated)
    ranked = [code for code in available if not is_borrowed(code)] or list(available)
    found = detect_language(data, ranked)
    if found is None:
        return LanguageChoice(fallback, "default")
    if found not in available:
        return LanguageChoice(fallback, "default", seen=found)
    return LanguageChoice(found, "detected")


def describe_languages(choices: Counter[LanguageChoice]) -> str:
    """One line for a run: ``languages: detected 3 en, 2 fr; default fr 1 (1 de)``."""
    labels = {"forced": "forced", "declared": "from the data", "detected": "detected", "default": "default"}
    parts = []
    for source, label in labels.items():
        by_language: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        for choice, count in choices.items():
            if choice.source == source:
                by_language[choice.language] += count
                if choice.seen:
                    seen[choice.seen] += count
        if by_language:
            counts = ", ".join(f"{n} {code}" for code, n in by_language.most_common())
            extra = f" (seen: {', '.join(f'{n} {c}' for c, n in seen.most_common())})" if seen else ""
            parts.append(f"{label} {counts}{extra}")
    return "languages: " + ("; ".join(parts) if parts else "no rows written")
