"""Translating a listing: the ``translate_from`` option turned into the ``translate`` template's inputs.

``translate_from="fr"`` says that the product's own copy (its title, description, feature
bullets, and the SEO title and meta description columns a feed may hold) is a listing written
in French, to rewrite for another market in the template's language. :func:`translation_inputs`
reads that listing from the product (``source_listing``, field -> text) and checks the
languages, so ``generate``, ``prepare`` and every row of a batch take it alike; a caller may
give ``source_listing`` and ``source_language`` directly instead. The checks of the translation
against its source are ``copyassist.rules.translation``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from copyassist.columns import copy_columns
from copyassist.errors import ConfigError, InputError
from copyassist.i18n import language_code
from copyassist.languages import OUTPUT_LANGUAGES as LANGUAGES
from copyassist.outputs.translation import LISTING_FIELDS
from copyassist.templates import Template

SOURCE_INPUT = "source_listing"
LANGUAGE_INPUT = "source_language"


def known_language(value: str, option: str = "translate_from") -> str:
    """The language code of ``value`` (``fr``, ``FR``, ``fr-FR``); ConfigError if it is not one
    the tool writes."""
    code = language_code(value)
    if code not in LANGUAGES:
        raise ConfigError(
            f"unknown language {value!r} for {option}; known: {', '.join(LANGUAGES)}"
        ).with_hint(option)
    return code


def check_languages(source: str, target: str) -> str:
    """``source``'s code, refused when it is not known or is the language written in."""
    code = known_language(source)
    if code == language_code(target):
        raise ConfigError(
            f"translate_from={code!r} is also the language to write in; give the target language, "
            f"e.g. language={next(lang for lang in LANGUAGES if lang != code)!r}"
        ).with_hint("language")
    return code


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(str(item).strip() for item in value if str(item).strip())
    return str(value).strip() if value is not None else ""


def source_listing(product: Mapping[str, Any] | None) -> dict[str, str]:
    """The listing a product already has, field -> text (bullets one a line), empty fields left
    out: its title, description and features, and the SEO title and meta description that a
    feed's columns of those names hold (they reach the product as attributes)."""
    if not product:
        return {}
    found = {
        "title": _text(product.get("title")),
        "bullets": _text(product.get("features")),
        "description": _text(product.get("description")),
    }
    attributes = product.get("attributes") or {}
    for kind, column in copy_columns(attributes).items():
        if kind in ("seo_title", "meta_description"):
            found[kind] = _text(attributes[column])
    return {name: found[name] for name in LISTING_FIELDS if found.get(name)}


def _translates(template: Template) -> bool:
    inputs = template.meta.inputs
    return SOURCE_INPUT in (*inputs.required, *inputs.optional)


def translation_inputs(
    template: Template, product: Mapping[str, Any] | None, inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """``inputs`` with ``translate_from`` replaced by the template inputs it stands for:
    ``source_language``, and ``source_listing``: the product's listing, unless given.

    One-line errors: ``translate_from`` for a template that does not translate, an unknown
    language, the language written in, or a product with no copy to translate."""
    values = dict(inputs)
    translate_from = values.pop("translate_from", None)
    if not _translates(template):
        if translate_from is not None:
            raise ConfigError(
                f"translate_from: template {template.name!r} does not translate a listing; "
                "use the translate template"
            ).with_hint("translate_from")
        return values
    source = translate_from or values.get(LANGUAGE_INPUT)
    if not source:
        raise ConfigError(
            f"template {template.name!r} needs the language of the listing to translate: "
            "translate_from=LANG (fr, en...)"
        ).with_hint("translate_from")
    values[LANGUAGE_INPUT] = check_languages(str(source), template.language)
    if not values.get(SOURCE_INPUT):
        values[SOURCE_INPUT] = source_listing(product)
    if not values[SOURCE_INPUT]:
        raise InputError(
            "nothing to translate: the product has no title, description, bullets, "
            "SEO title or meta description"
        )
    return values


def check_batch_translation(
    options: Mapping[str, Any], language: str | None, templates: Iterable[Template]
) -> None:
    """A batch's translation settings, checked before any row: each row would fail alike."""
    translate_from = options.get("translate_from")
    if translate_from is None:
        return
    code = known_language(str(translate_from))
    chosen = list(templates)
    if not any(_translates(t) for t in chosen):
        raise ConfigError(
            f"translate_from: template {chosen[0].name!r} does not translate a listing; use -t translate"
        ).with_hint("translate_from")
    if language is None:
        raise ConfigError(
            f"translate_from={code!r} needs the language to write every row in, e.g. "
            f"language={next(lang for lang in LANGUAGES if lang != code)!r}"
        ).with_hint("language")
    check_languages(code, language)
