"""Personas: who the copy is written for.

A persona is a small YAML sheet (``personas/<slug>.yaml``); its slug is the file stem. Sheets are
looked up in :func:`copyassist.assets.search_path` order, first match wins, so a user persona
overrides a bundled one of the same name.

Persona files are data from anywhere, so they are read with :mod:`copyassist.safe_yaml`, plain
scalars as text (``no``, ``on`` or ``2500`` stay the strings the author typed). Every error is a
one-line :class:`~copyassist.errors.PersonaError` that names the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from copyassist.assets import locate, reachable, search_path
from copyassist.errors import PersonaError
from copyassist.safe_yaml import MAX_FILE_BYTES, YamlError, closest, read_yaml_file

__all__ = [
    "KINDS",
    "MAX_FILE_BYTES",
    "Demographics",
    "Persona",
    "PersonaInfo",
    "Psychographics",
    "list_personas",
    "load_persona",
    "persona_kind",
    "validate_persona_file",
]

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


#: The kinds of persona sheet: who uses the product, who chooses and pays, a segment to address.
KINDS = ("user", "buyer", "marketing")
#: Other words for a kind: the persona sheet's own model names the buyer ``client``.
KIND_ALIASES = {"client": "buyer"}


def persona_kind(word: str) -> str:
    """``word`` as one of :data:`KINDS` (``client`` is ``buyer``); ValueError when it is none."""
    kind = word.strip().casefold()
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise ValueError(f"must be user, buyer (or client) or marketing, not {word.strip()!r}")
    return kind


class Persona(_Strict):
    """One persona sheet. ``goals`` are the "why", ``needs`` the "how".

    ``kind``: user, buyer (also spelt ``client``, and stored as ``buyer``) or marketing."""

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

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        return persona_kind(value) if isinstance(value, str) else value

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


# --- reading ---------------------------------------------------------------------------------


def _fail(path: Path, problem: str) -> PersonaError:
    return PersonaError(" ".join(f"{path}: {problem}".split()), path=str(path))


def _read_yaml(path: Path) -> Any:
    try:
        return read_yaml_file(path, text_scalars=True)
    except YamlError as exc:
        raise _fail(path, str(exc)) from None


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
    return closest(str(loc[-1]), _model_at(loc[:-1]).model_fields)


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


def load_persona(name_or_path: str | Path, search_dirs: Iterable[str | Path] = ()) -> Persona:
    """Load a persona by name (``tech-enthusiast``) or from a ``.yaml``/``.yml`` file path.

    A name is looked up as ``<name>.yaml`` then ``<name>.yml`` in each folder of
    ``search_path("personas", search_dirs)``; the first match wins.
    """
    folders = search_path("personas", search_dirs)
    return validate_persona_file(locate(name_or_path, folders, SUFFIXES, "persona", PersonaError))


def list_personas(search_dirs: Iterable[str | Path] = ()) -> list[PersonaInfo]:
    """Every persona that a name can reach, sorted by name; a file that does not validate is
    listed with ``error`` set rather than stopping the listing."""
    listed: list[PersonaInfo] = []
    for name, path in reachable(search_path("personas", search_dirs), SUFFIXES):
        try:
            persona = validate_persona_file(path)
        except PersonaError as exc:
            listed.append(PersonaInfo(name, None, None, path, path.parent, error=str(exc)))
        else:
            info = PersonaInfo(name, persona.kind, persona.language, path, path.parent, persona.name)
            listed.append(info)
    return listed
