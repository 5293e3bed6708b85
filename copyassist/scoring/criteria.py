"""The criteria a listing can be graded on, and the listing as the grader is shown it.

A criterion is a template named ``score-<criterion>`` in any prompts folder (user folders
first, as for every template), so adding ``score-warmth.fr.j2`` and ``score-warmth.en.j2`` to
one makes ``criteria="warmth"`` work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from copyassist.errors import InputError
from copyassist.i18n import localized
from copyassist.templates import list_templates

PREFIX = "score-"

_LABELS = {
    "title": {"fr": "Titre", "en": "Title"},
    "headline": {"fr": "Accroche", "en": "Headline"},
    "description": {"fr": "Description", "en": "Description"},
    "call_to_action": {"fr": "Appel à l'action", "en": "Call to action"},
    "bullets": {"fr": "Points clés", "en": "Bullet points"},
    "seo_title": {"fr": "Titre SEO", "en": "SEO title"},
    "meta_description": {"fr": "Méta-description", "en": "Meta description"},
    "keywords": {"fr": "Mots-clés", "en": "Keywords"},
    "faq": {"fr": "FAQ", "en": "FAQ"},
    "text": {"fr": "Texte", "en": "Text"},
}
_COLON = {"fr": " :", "en": ":"}


def template_name(criterion: str) -> str:
    return f"{PREFIX}{criterion}"


def known_criteria(prompts_dirs: Iterable[str | Path] = ()) -> list[str]:
    """Every criterion a rubric template exists for, sorted."""
    names = {t.name for t in list_templates(prompts_dirs) if t.name.startswith(PREFIX)}
    return sorted(name[len(PREFIX) :] for name in names)


def parse_criteria(spec: str | Iterable[str], prompts_dirs: Iterable[str | Path] = ()) -> tuple[str, ...]:
    """``"persuasive, clear"`` (or a list, each entry possibly comma-separated) as known criteria,
    in the order given, each once; an unknown one is an InputError that lists the known ones."""
    entries = [spec] if isinstance(spec, str) else list(spec)
    chosen = [part.strip().lower() for entry in entries for part in entry.split(",") if part.strip()]
    known = known_criteria(prompts_dirs)
    if not chosen:
        raise InputError(f"no criterion given; known criteria: {', '.join(known)}").with_hint("criteria")
    unknown = [name for name in dict.fromkeys(chosen) if name not in known]
    if unknown:
        raise InputError(
            f"unknown criterion {unknown[0]!r}; known criteria: {', '.join(known)} "
            f"(a criterion is a template named {PREFIX}<criterion>.<lang>.j2)"
        ).with_hint("criteria")
    return tuple(dict.fromkeys(chosen))


def require_persona(
    criteria: Iterable[str], persona: object, prompts_dirs: Iterable[str | Path] = ()
) -> None:
    """An InputError, before any work, when a criterion grades against a persona and none is given."""
    if persona:
        return
    dirs = list(prompts_dirs)
    for criterion in criteria:
        name = template_name(criterion)
        if any("persona" in t.meta.inputs.required for t in list_templates(dirs) if t.name == name):
            raise InputError(
                f"the criterion {criterion!r} grades against a persona: give persona=NAME"
            ).with_hint("persona")


def scored(criteria: str | Iterable[str], persona: object) -> tuple[str, ...]:
    """A batch's ``score`` setting checked: known criteria, a persona for those that need one."""
    if not criteria:
        return ()
    chosen = parse_criteria(criteria)
    require_persona(chosen, persona)
    return chosen


def label(name: str, language: str) -> str:
    """How the grader is told which part of the listing a text is."""
    return localized(_LABELS[name], language) if name in _LABELS else name


def listing_text(listing: Mapping[str, str], language: str) -> str:
    """The listing's parts, each under its label, in the grader's language."""
    colon = localized(_COLON, language)
    blocks = [
        f"{label(name, language)}{colon}\n{text.strip()}" for name, text in listing.items() if text.strip()
    ]
    return "\n\n".join(blocks)


def detection_data(listing: Mapping[str, str]) -> dict[str, str]:
    """The listing as ``product_language`` reads a product: a title and a description."""
    title = listing.get("title") or listing.get("seo_title") or ""
    rest = [text for name, text in listing.items() if name not in ("title", "seo_title")]
    return {"title": title, "description": " ".join(rest)}
