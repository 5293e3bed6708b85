"""Template sets: a named, ordered list of templates run together on each product (a listing).

A set is a small YAML file, ``sets/<name>.yaml`` in a prompts folder, found like templates
(explicit folders, ``COPYASSIST_PROMPTS_PATH``, the user's prompts folder, then the bundled one;
the first file of a name wins)::

    name: listing
    description: {fr: "...", en: "..."}
    templates: [product-title, product-description, bullets, seo]

The order is the order fields are written in: a later template is given the fields written
before it. ``resolve_templates`` turns what a user typed (``"a,b"``, a list, a set name, or a
mix) into template names; a name that is a template is that template, whatever set has it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from copyassist.assets import search_path
from copyassist.errors import TemplateError
from copyassist.safe_yaml import YamlError, did_you_mean, read_yaml_file
from copyassist.templates import LANGUAGES, template_languages, template_names

SETS_FOLDER = "sets"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class _SetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: dict[str, str] | str
    templates: list[str]

    @field_validator("description")
    @classmethod
    def _described(cls, value: dict[str, str] | str) -> dict[str, str] | str:
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(LANGUAGES))
            if unknown:
                raise ValueError(f"languages are {', '.join(LANGUAGES)}, not {', '.join(unknown)}")
        return value


@dataclass(frozen=True)
class TemplateSet:
    name: str
    templates: tuple[str, ...]
    descriptions: dict[str, str]
    path: Path

    def description(self, language: str = "en") -> str:
        return self.descriptions.get(language) or next(iter(self.descriptions.values()), "")


def _set_files(search_dirs: Iterable[str | Path] = ()) -> dict[str, Path]:
    """set name -> file, the first folder in the search path winning."""
    found: dict[str, Path] = {}
    for folder in search_path("prompts", search_dirs):
        sets = folder / SETS_FOLDER
        if sets.is_dir():
            for path in sorted(sets.glob("*.yaml")):
                found.setdefault(path.stem, path)
    return found


def _parse(path: Path, search_dirs: Iterable[str | Path]) -> TemplateSet:
    try:
        data = _SetFile.model_validate(read_yaml_file(path))
    except YamlError as exc:
        raise TemplateError(f"{path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise TemplateError(f"{path}: {where}: {first['msg']}") from None
    if data.name != path.stem:
        raise TemplateError(f"{path}: name {data.name!r} differs from the file name")
    if not data.templates:
        raise TemplateError(f"{path}: the set lists no template")
    repeated = sorted({t for t in data.templates if data.templates.count(t) > 1})
    if repeated:
        raise TemplateError(f"{path}: template {repeated[0]!r} is listed twice")
    for name in data.templates:
        if not template_languages(name, search_dirs):
            hint = did_you_mean(name, template_names(search_dirs))
            raise TemplateError(f"{path}: unknown template {name!r}{hint}")
    described = data.description if isinstance(data.description, dict) else {"en": data.description}
    return TemplateSet(data.name, tuple(data.templates), described, path)


def load_set(name: str, search_dirs: Iterable[str | Path] = ()) -> TemplateSet:
    """The set ``name``; a one-line TemplateError when there is none or its file is wrong."""
    dirs = list(search_dirs)
    files = _set_files(dirs)
    if name not in files:
        known = ", ".join(sorted(files)) or "none"
        raise TemplateError(f"unknown template set {name!r}{did_you_mean(name, files)}; sets: {known}")
    return _parse(files[name], dirs)


def list_sets(search_dirs: Iterable[str | Path] = ()) -> list[TemplateSet]:
    """Every set found, sorted by name (a file with a problem raises, naming itself)."""
    dirs = list(search_dirs)
    return [_parse(path, dirs) for _, path in sorted(_set_files(dirs).items())]


def _items(spec: str | Sequence[str]) -> list[str]:
    parts = [spec] if isinstance(spec, str) else list(spec)
    return [item.strip() for part in parts for item in str(part).split(",") if item.strip()]


def resolve_templates(spec: str | Sequence[str], search_dirs: Iterable[str | Path] = ()) -> list[str]:
    """Template names, in order, for ``spec``: ``"product-title,seo"``, ``["product-title", "seo"]``,
    a set name (``"listing"``), or a mix (``"listing,faq"``); a ``.j2`` path stays as given.

    One-line TemplateError for an unknown name, an empty spec or a template asked twice."""
    dirs = list(search_dirs)
    names: list[str] = []
    for item in _items(spec):
        if item.endswith(".j2") or template_languages(item, dirs):
            names.append(item)
        elif _NAME.match(item) and item in _set_files(dirs):
            names.extend(load_set(item, dirs).templates)
        else:
            sets = sorted(_set_files(dirs))
            hint = did_you_mean(item, [*sets, *template_names(dirs)])
            raise TemplateError(
                f"unknown template or template set {item!r}{hint}; run 'copyassist templates list'"
            )
    if not names:
        raise TemplateError("no template given; name one, several separated by commas, or a set (listing)")
    repeated = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if repeated is not None:
        raise TemplateError(f"template {repeated!r} is asked for twice in {', '.join(_items(spec))!r}")
    return names
