"""Text shipped in both first-class languages, written one way: ``{"fr": ..., "en": ...}``.

Every table of translated strings in the package is a mapping from a language code to its text
(or to a further table), and is read through :func:`localized`, which falls back to English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")

FALLBACK_LANGUAGE = "en"


def language_code(language: str | None) -> str | None:
    """``fr`` from ``fr``, ``FR``, ``fr-FR`` or ``fr_CA``; None for nothing."""
    if not language:
        return None
    code = re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()
    return code or None


def localized(texts: Mapping[str, T], language: str | None) -> T:
    """The entry of ``texts`` for ``language`` (``fr-FR`` reads ``fr``), else the English one."""
    code = language_code(language)
    if code is not None and code in texts:
        return texts[code]
    return texts[FALLBACK_LANGUAGE]
