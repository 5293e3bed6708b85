"""Compact prompts: the short version of a template, for small models.

A small model spends most of its time reading a long prompt, and follows a short one better.
A template's compact version is a template file of its own, ``compact/<name>.<lang>.j2`` in the
folder the full template was found in: the essential instruction, the product facts, one
example, and ``max_tokens`` sized to the field. A template with no compact version is sent whole.

The local backend gets compact prompts unless told otherwise (``compact=False``); any backend
gets them with ``compact=True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from copyassist.backends import Backend
from copyassist.templates import Template, parse_template

COMPACT_FOLDER = "compact"


def compact_path(template: Template) -> Path:
    """Where ``template``'s compact version lives, whether or not there is one."""
    return template.path.parent / COMPACT_FOLDER / template.path.name


def compact_variant(template: Template, search_dirs: Iterable[str | Path] = ()) -> Template:
    """``template``'s compact version, or ``template`` itself when it has none (or is one)."""
    if template.path.parent.name == COMPACT_FOLDER:
        return template
    candidate = compact_path(template)
    if not candidate.is_file():
        return template
    return parse_template(candidate, search_dirs).writing(template.language)


def wants_compact(compact: bool | None, backend: Backend | None) -> bool:
    """``compact`` when said; else compact prompts for the embedded model only."""
    if compact is not None:
        return compact
    return backend is not None and backend.name == "local"
