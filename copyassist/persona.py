"""Personas: who the copy is written for.

A persona is a small YAML sheet (``personas/<slug>.yaml``); its slug is the file stem. Sheets are
looked up in :func:`copyassist.assets.search_path` order, first match wins, so a user persona
overrides a bundled one of the same name.

Persona files are data from anywhere, so they are read defensively:

* only plain YAML: any tag outside the core set (``!!str``, ``!!seq``...) is refused before
  anything is constructed, so ``!!python/object/...`` payloads never run;
* no anchors or aliases at all, which makes alias bombs ("billion laughs") fail at the first
  ``&anchor``, before anything is expanded;
* a size cap (:data:`MAX_FILE_BYTES`), a nesting cap, one document per file, no duplicate keys;
* plain scalars are read as text (only ``null``/``~``/empty stay null), so ``no``, ``on`` or
  ``2500`` stay the strings the author typed.

Every error is a one-line :class:`~copyassist.errors.PersonaError` that names the file.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from copyassist.assets import search_path
from copyassist.errors import PersonaError

__all__ = [
    "MAX_FILE_BYTES",
    "Demographics",
    "Persona",
    "PersonaInfo",
    "Psychographics",
    "list_personas",
    "load_persona",
    "validate_persona_file",
]

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 8
SUFFIXES = (".yaml", ".yml")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TextList = list[Text]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Demographics(_Strict):
    age_range: Text | None = None
    gender: Text | None = None
    location: Text | None = None
    income: Text | None = None
    family: Text | None = None


class Psychographics(_Strict):
    interests: TextList = Field(default_factory=list)
    habits: TextList = Field(default_factory=list)
    lifestyle: Text | None = None
    attitudes: TextList = Field(default_factory=list)


class Persona(_Strict):
    """One persona sheet. ``goals`` are the "why", ``needs`` the "how"."""

    kind: Literal["user", "buyer", "marketing"]
    name: Text
    language: Literal["fr", "en"] = "fr"
    bio: Text
    demographics: Demographics = Field(default_factory=Demographics)
    psychographics: Psychographics = Field(default_factory=Psychographics)
    personality: TextList = Field(default_factory=list)
    goals: TextList = Field(min_length=1)
    needs: TextList = Field(default_factory=list)
    motivations: TextList = Field(default_factory=list)
    pain_points: TextList = Field(min_length=1)
    objections: TextList = Field(default_factory=list)
    skills: TextList = Field(default_factory=list)
    digital_skills: TextList = Field(default_factory=list)
    information_sources: TextList = Field(default_factory=list)
    channels: TextList = Field(default_factory=list)
    favourite_brands: TextList = Field(default_factory=list)
    tone: Text | None = None
    vocabulary: TextList = Field(default_factory=list)

    _slug: str | None = PrivateAttr(default=None)
    _path: Path | None = PrivateAttr(default=None)

    @field_validator("bio")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value:
            raise ValueError("must be a single line (job, city, age, habits)")
        return value

    @property
    def slug(self) -> str | None:
        """The id users type: the file stem, or None for a persona built in code."""
        return self._slug

    @property
    def path(self) -> Path | None:
        """The file this persona was read from, if any."""
        return self._path

    def to_context(self) -> dict[str, Any]:
        """The persona as the plain dict templates receive."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class PersonaInfo:
    """One entry of :func:`list_personas`. ``kind``/``language``/``display_name`` are None and
    ``error`` says why when the file does not validate."""

    name: str
    kind: str | None
    language: str | None
    path: Path
    source: Path
    display_name: str | None = None
    error: str | None = None


# --- safe YAML -----------------------------------------------------------------------------

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {None, "!", *(_CORE + t for t in ("str", "seq", "map", "null"))}
_NULL_TAG = _CORE + "null"


class _PersonaLoader(yaml.SafeLoader):
    """SafeLoader that reads plain scalars as text and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_PersonaLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == _NULL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(path: Path, problem: str) -> PersonaError:
    return PersonaError(_one_line(f"{path}: {problem}"), path=str(path))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _check_events(text: str, path: Path) -> None:
    """Refuse tags, anchors, aliases, deep nesting and extra documents before constructing."""
    depth = documents = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _fail(path, f"line {line}: YAML anchors and aliases (&, *) are not allowed")
        tag: str | None = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_TAGS:
            raise _fail(path, f"line {line}: YAML tag '{_short_tag(tag)}' is not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _fail(path, f"line {line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _fail(path, f"line {line}: only one YAML document per file")


_SYNTAX_ERRORS = (yaml.scanner.ScannerError, yaml.parser.ParserError, yaml.reader.ReaderError)


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise _fail(path, "no such file")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _fail(path, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(path, f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(path, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        _check_events(text, path)
        return yaml.load(text, Loader=_PersonaLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        label = "YAML syntax error" if isinstance(exc, _SYNTAX_ERRORS) else "invalid YAML"
        raise _fail(path, f"{label}{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise _fail(path, f"YAML error: {exc}") from None


# --- validation messages ---------------------------------------------------------------------


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Persona
    for part in loc:
        field = model.model_fields.get(str(part))
        sub = field.annotation if field else None
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            model = sub
    return model


_PLAIN = {
    "list_type": "expected a list ('- item' lines)",
    "string_type": "expected text",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "string_too_short": "must not be empty",
}


def _dotted(loc: tuple[int | str, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


def _suggest(loc: tuple[int | str, ...]) -> str | None:
    """The field an unknown key at ``loc`` was probably meant to be."""
    choices = list(_model_at(loc[:-1]).model_fields)
    close = difflib.get_close_matches(str(loc[-1]), choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _describe(error: Any) -> str:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    dotted, kind = _dotted(loc), error["type"]
    if kind == "extra_forbidden":
        meant = _suggest(loc)
        return f"unknown field '{dotted}'" + (f" (did you mean '{meant}'?)" if meant else "")
    if kind == "missing":
        return f"missing required field '{dotted}'"
    if kind == "too_short" and error.get("ctx", {}).get("min_length") == 1:
        return f"field '{dotted}' needs at least one item"
    message = _PLAIN.get(kind) or str(error["msg"]).removeprefix("Value error, ")
    return f"field '{dotted}': {message}"


def _validate(data: Any, path: Path) -> Persona:
    if data is None:
        raise _fail(path, "file is empty; expected a mapping of persona fields")
    if not isinstance(data, dict):
        raise _fail(path, f"expected a mapping of persona fields, got a {type(data).__name__}")
    try:
        persona = Persona.model_validate(data)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        # a misspelt key already says which required field it was meant to be
        meant = {
            (*e["loc"][:-1], _suggest(tuple(e["loc"]))) for e in errors if e["type"] == "extra_forbidden"
        }
        problems = [_describe(e) for e in errors if e["type"] != "missing" or tuple(e["loc"]) not in meant]
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise _fail(path, "; ".join(problems[:3]) + more) from None
    persona._slug = path.stem
    persona._path = path
    return persona


# --- public API --------------------------------------------------------------------------------


def validate_persona_file(path: str | Path) -> Persona:
    """Read and validate one persona file; raise a one-line PersonaError if it is not valid."""
    path = Path(path).expanduser()
    return _validate(_read_yaml(path), path)


def _in_folder(folder: Path, name: str) -> Path | None:
    for suffix in SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _looks_like_path(value: str) -> bool:
    return value.lower().endswith(SUFFIXES) or "/" in value or os.sep in value


def load_persona(name_or_path: str | Path, search_dirs: Iterable[str | Path] = ()) -> Persona:
    """Load a persona by name (``tech-enthusiast``) or from a ``.yaml``/``.yml`` file path.

    A name is looked up as ``<name>.yaml`` then ``<name>.yml`` in each folder of
    ``search_path("personas", search_dirs)``; the first match wins.
    """
    folders = search_path("personas", search_dirs)
    value = str(name_or_path)
    if isinstance(name_or_path, Path) or _looks_like_path(value):
        path = Path(value).expanduser()
        bare = path.parent == Path(".") and path.suffix.lower() in SUFFIXES
        if path.is_file() or not bare:
            return validate_persona_file(path)
        value = path.stem  # "fitness-fan.yaml" not in the current folder: look it up by name
    if not value or value.startswith("."):
        raise PersonaError(f"invalid persona name {value!r}")
    for folder in folders:
        found = _in_folder(folder, value)
        if found is not None:
            return validate_persona_file(found)
    available = sorted({stem for folder in folders for stem in _stems(folder)})
    close = difflib.get_close_matches(value, available, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    listed = ", ".join(available) if available else "none"
    raise PersonaError(
        f"unknown persona '{value}'{hint}; available: {listed}. "
        f"Searched: {os.pathsep.join(str(f) for f in folders)}"
    )


def _stems(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    names = {p.stem for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file()}
    return sorted(name for name in names if not name.startswith("."))


def list_personas(search_dirs: Iterable[str | Path] = ()) -> list[PersonaInfo]:
    """Every persona that a name can reach, sorted by name; a file that does not validate is
    listed with ``error`` set rather than stopping the listing."""
    found: dict[str, PersonaInfo] = {}
    for folder in search_path("personas", search_dirs):
        for stem in _stems(folder):
            path = _in_folder(folder, stem)
            if stem in found or path is None:
                continue  # shadowed by a folder earlier in the search path
            try:
                persona = validate_persona_file(path)
            except PersonaError as exc:
                found[stem] = PersonaInfo(stem, None, None, path, folder, error=str(exc))
            else:
                found[stem] = PersonaInfo(
                    stem, persona.kind, persona.language, path, folder, display_name=persona.name
                )
    return [found[name] for name in sorted(found)]
