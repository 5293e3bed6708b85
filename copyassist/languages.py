"""The languages copy is written in, and which template body writes each.

Templates are written in French and English only; the copy can be in any of
:data:`OUTPUT_LANGUAGES`, the languages of the marketplaces French sellers expand to (Amazon.de,
.es, .it; Cdiscount's and Rakuten's European reach). A German listing is written from the English
body of a template, which then tells the model to write in German (the ``language_name`` of the
render context: "German" in an English body, "allemand" in a French one).

    >>> body_language("de", ["en", "fr"])
    'en'
    >>> language_name("de", "fr")
    'allemand'
"""

from __future__ import annotations

from collections.abc import Collection

from copyassist.errors import InputError
from copyassist.i18n import language_code

#: Every language copy can be written in, French (the default) first.
OUTPUT_LANGUAGES: tuple[str, ...] = ("fr", "en", "de", "es", "it")
#: The languages bundled template bodies are written in.
BODY_LANGUAGES: tuple[str, ...] = ("fr", "en")
#: The body a language with none of its own is written from: English, else French.
BODY_PREFERENCE: tuple[str, ...] = ("en", "fr")

#: Each output language's name, in each body language: the words "Write in ..." / "Écris en ..." take.
_NAMES: dict[str, dict[str, str]] = {
    "fr": {"fr": "français", "en": "French"},
    "en": {"fr": "anglais", "en": "English"},
    "de": {"fr": "allemand", "en": "German"},
    "es": {"fr": "espagnol", "en": "Spanish"},
    "it": {"fr": "italien", "en": "Italian"},
}


def output_languages() -> tuple[str, ...]:
    """The languages copy can be written in (:data:`OUTPUT_LANGUAGES`)."""
    return OUTPUT_LANGUAGES


def supported_list() -> str:
    """``de, en, es, fr, it``: the output languages as an error message lists them."""
    return ", ".join(sorted(OUTPUT_LANGUAGES))


def unsupported(code: str) -> InputError:
    """The one-line error for a language copy cannot be written in, listing those it can."""
    return InputError(f"unsupported language {code!r}; supported: {supported_list()}").with_hint("language")


def language_name(code: str, in_language: str) -> str:
    """The name of language ``code`` written in ``in_language`` ("German", "allemand"); English
    names for a body in another language, the code itself for a language with no name here."""
    names = _NAMES.get(language_code(code) or "")
    if names is None:
        return code
    return names.get(language_code(in_language) or "", names["en"])


def normalized(code: str) -> str:
    """``de`` from ``de``, ``DE``, ``de-DE``; an unsupported language is a one-line ``InputError``
    listing the supported ones."""
    found = language_code(code)
    if found not in OUTPUT_LANGUAGES:
        raise unsupported(code)
    return found


def body_language(code: str, available: Collection[str]) -> str:
    """The body (one of ``available``, the languages a template is written in) that writes copy
    in ``code``: its own if it has one, else English, else French. ``InputError`` when none
    does (an unsupported language, or a template with neither an English nor a French body)."""
    wanted = language_code(code) or code
    if wanted in available:
        return wanted
    if wanted not in OUTPUT_LANGUAGES:
        raise unsupported(code)
    for body in BODY_PREFERENCE:
        if body in available:
            return body
    raise InputError(
        f"no template body writes {code!r}: it needs an English or French version "
        f"(available: {', '.join(sorted(available)) or 'none'})"
    ).with_hint("language")


def writable_languages(available: Collection[str]) -> list[str]:
    """Every language a template written in ``available`` can write copy in, sorted: its own,
    and all of :data:`OUTPUT_LANGUAGES` once it has an English or French body."""
    found = set(available)
    if found & set(BODY_PREFERENCE):
        found |= set(OUTPUT_LANGUAGES)
    return sorted(found)


def is_borrowed(code: str) -> bool:
    """Whether ``code`` is an output language no bundled body is written in (German, Spanish,
    Italian): such copy is only ever written from another language's body."""
    return code in OUTPUT_LANGUAGES and code not in BODY_LANGUAGES
