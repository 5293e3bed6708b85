"""Personas drafted from a short brief by a model, checked against the persona model, saved as
YAML in the user's persona folder."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from copyassist.assets import user_dir
from copyassist.backends import Backend
from copyassist.errors import InputError, OutputError, PersonaError
from copyassist.i18n import language_code
from copyassist.languages import is_borrowed
from copyassist.persona import Persona, persona_kind, validate_persona_file
from copyassist.pipeline import generate
from copyassist.product import Product


class _PlainDumper(yaml.SafeDumper):
    """No anchors or aliases: the persona loader refuses them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def draft_persona(
    brief: str,
    product: Product | Mapping[str, Any] | None = None,
    *,
    language: str | None = None,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    max_attempts: int = 3,
    kind: str | None = None,
) -> Persona:
    """A complete persona sheet for ``brief``; an answer the persona model refuses is sent back
    with the problems listed, up to ``max_attempts`` calls. ``kind`` (user, buyer or client,
    marketing) is the sheet's kind; by default the brief's, else buyer."""
    if not brief.strip():
        raise InputError(
            "describe the persona in a few words, e.g. 'women 30-45 in Lyon who buy eco-friendly home goods'"
        )
    try:
        chosen = persona_kind(kind) if kind is not None else None
    except ValueError as exc:
        raise InputError(f"persona kind {exc}").with_hint("kind") from None
    if language is not None and is_borrowed(language_code(language) or language):
        raise InputError(
            f"persona sheets are written in fr or en, not {language!r}; the copy written for the "
            "persona may be in any language"
        ).with_hint("language")
    text = brief.strip() if chosen is None else f"{brief.strip()}\nkind: {chosen}"
    result = generate(
        "persona-draft", product, language=language, text=text, backend=backend,
        provider=provider, model=model, max_attempts=max_attempts,
    )  # fmt: skip
    data = result.output.to_persona_data()  # type: ignore[attr-defined]
    if chosen is not None:
        data["kind"] = chosen
    try:
        return Persona.model_validate(data)
    except ValueError as exc:  # PersonaDraft validates as a Persona; this is a last guard
        raise OutputError(
            f"the drafted persona is not valid: {exc}", attempts=result.attempts, last_output=result.raw
        ) from None


#: The longest file name (without .yaml) a persona gets.
MAX_SLUG = 60


def _full_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def slugify(text: str) -> str:
    """``"Camille, la coureuse"`` -> ``"camille-la-coureuse"``: a file name users can type."""
    return _full_slug(text)[:MAX_SLUG].rstrip("-") or "persona"


def save_persona(
    persona: Persona, name: str | None = None, folder: str | Path | None = None, *, force: bool = False
) -> Path:
    """Write ``persona`` as ``<folder>/<name>.yaml`` (the user's persona folder by default).

    An existing file is never replaced unless ``force``; the written file is read back through
    the same loader that will read it later.
    """
    if name is not None and len(_full_slug(name)) > MAX_SLUG:
        raise InputError(
            f"persona file name too long ({len(name)} characters, at most {MAX_SLUG}): give a shorter name"
        ).with_hint("name")
    target_folder = Path(folder) if folder else user_dir("personas")
    path = target_folder / f"{slugify(name or persona.name)}.yaml"
    if path.exists() and not force:
        raise PersonaError(
            f"{path} already exists; choose another name or pass force=True to replace it", path=str(path)
        ).with_hint("name", "force")
    data = persona.model_dump(mode="json", exclude_defaults=True)
    data = {"kind": data.pop("kind", persona.kind), "name": data.pop("name", persona.name), **data}
    try:
        target_folder.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
    except OSError as exc:
        raise PersonaError(f"cannot write {path}: {exc.strerror or exc}", path=str(path)) from None
    validate_persona_file(path)
    return path
