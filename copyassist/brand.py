"""The brand file: how a seller's brand writes, whatever the template.

A small YAML sheet (``brand_voice="brand.yaml"``, else ``<user folder>/brand.yaml`` when there is
one) that every copy template honours (``prompts/_partials/brand.<lang>.j2``) and that the checks
after generation hold the copy to (:mod:`copyassist.rules.brand_voice`):

- ``voice``: how the brand speaks, in the seller's words;
- ``register``: ``vous`` (the default) or ``tu``, how French copy addresses the buyer;
- ``avoid``: words, phrases and claims the copy must not use (word-list syntax: ``meilleur(e)``,
  ``!exception``);
- ``keep_untranslated``: brand and product names written as they are, in every language;
- ``mandatory_mentions``: text the copy must carry, each for the fields it names
  (``fields: [description]``; descriptions when it names none);
- ``spelling``: ``wrong: preferred`` spellings, put right in the copy without asking the model;
- ``examples``: a few approved texts (field name -> text), for few-shot prompts.

Read with :mod:`copyassist.safe_yaml` (plain scalars as text), validated strictly: every problem
is one line of :class:`~copyassist.errors.ConfigError` naming the file, an unknown key with the
field it was probably meant to be.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from copyassist.assets import file_stamp, user_home
from copyassist.errors import ConfigError
from copyassist.safe_yaml import YamlError, closest, read_yaml_file

__all__ = [
    "DEFAULT_FILE_NAMES",
    "MAX_EXAMPLES",
    "Brand",
    "BrandValue",
    "Mention",
    "brand_context",
    "brand_option",
    "default_brand_file",
    "load_brand",
    "resolve_brand",
]

#: The brand file looked for in the user folder when none is given.
DEFAULT_FILE_NAMES = ("brand.yaml", "brand.yml")
MAX_EXAMPLES = 5

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_REGISTERS = {"vous": "vous", "vouvoiement": "vous", "tu": "tu", "tutoiement": "tu"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class Mention(_Strict):
    """A text the copy must carry; ``fields``: the output fields (``description``, ``bullets``)
    or field kinds it is required in; none: the description fields."""

    text: Text
    fields: list[Text] = Field(default_factory=list)


class Brand(_Strict):
    """One brand file."""

    name: Text | None = None
    voice: Text | None = None
    #: ``register`` in the file and in the context (a pydantic model has a ``register`` of its own)
    form_of_address: Literal["vous", "tu"] = Field("vous", alias="register")
    avoid: list[Text] = Field(default_factory=list)
    keep_untranslated: list[Text] = Field(default_factory=list)
    mandatory_mentions: list[Mention] = Field(default_factory=list)
    spelling: dict[Text, Text] = Field(default_factory=dict)
    examples: list[dict[Text, Text]] = Field(default_factory=list, max_length=MAX_EXAMPLES)

    @field_validator("form_of_address", mode="before")
    @classmethod
    def _known_register(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        register = _REGISTERS.get(value.strip().casefold())
        if register is None:
            raise ValueError(f"must be vous or tu, not {value.strip()!r}")
        return register

    @field_validator("mandatory_mentions", mode="before")
    @classmethod
    def _mention_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("spelling")
    @classmethod
    def _no_loop(cls, value: dict[str, str]) -> dict[str, str]:
        same = [wrong for wrong, preferred in value.items() if wrong == preferred]
        if same:
            raise ValueError(f"{same[0]!r} is spelt the same way on both sides")
        return value

    def to_context(self) -> dict[str, Any]:
        """The brand as the plain dict templates and checks receive (``brand_voice``)."""
        return self.model_dump(mode="json", by_alias=True)

    @property
    def register(self) -> str:
        """``vous`` or ``tu``: how French copy addresses the buyer."""
        return self.form_of_address


#: What ``brand_voice=`` takes: a file, a Brand, its dict, or False for none (not even the
#: user folder's).
BrandValue = str | Path | Brand | Mapping[str, Any] | Literal[False] | None

# --- validation messages ---------------------------------------------------------------------

_PLAIN = {
    "list_type": "expected a list ('- item' lines)",
    "dict_type": "expected a mapping ('key: value' lines)",
    "string_type": "expected text",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "string_too_short": "must not be empty",
    "literal_error": "must be vous or tu",
}


def _keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the file may use where ``loc`` is."""
    model: type[BaseModel] = Mention if loc and loc[0] == "mandatory_mentions" else Brand
    return [field.alias or name for name, field in model.model_fields.items()]


def _meant(loc: tuple[int | str, ...]) -> str | None:
    """The key an unknown key at ``loc`` was probably meant to be."""
    return closest(str(loc[-1]), _keys(loc))


def _describe(error: Any) -> str:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    kind = error["type"]
    if kind == "extra_forbidden":
        meant = _meant(loc)
        return f"unknown field '{dotted}'" + (f" (did you mean '{meant}'?)" if meant else "")
    if kind == "missing":
        return f"missing required field '{dotted}'"
    if kind == "too_long":
        return f"field '{dotted}': at most {MAX_EXAMPLES} items"
    message = _PLAIN.get(kind) or str(error["msg"]).removeprefix("Value error, ")
    return f"field '{dotted}': {message}"


def _validated(data: Any, where: str) -> Brand:
    if data is None:
        raise ConfigError(f"{where}: the brand file is empty; expected a mapping of brand fields")
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a mapping of brand fields, got a {type(data).__name__}")
    try:
        return Brand.model_validate(dict(data))
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        # a misspelt key already says which required field it was meant to be
        meant = {(*e["loc"][:-1], _meant(tuple(e["loc"]))) for e in errors if e["type"] == "extra_forbidden"}
        kept = [e for e in errors if e["type"] != "missing" or tuple(e["loc"]) not in meant]
        problems = list(dict.fromkeys(_describe(e) for e in kept))
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        message = " ".join(f"{where}: {'; '.join(problems[:3])}{more}".split())
        raise ConfigError(message).with_hint("brand_voice") from None


# --- loading ---------------------------------------------------------------------------------


def load_brand(path: str | Path) -> Brand:
    """Read and validate one brand file; a one-line ConfigError naming it when it is not valid."""
    path = Path(path).expanduser()
    try:
        stamp = file_stamp(path)  # looked at most once a second: a batch asks for every row
    except OSError:
        raise ConfigError(f"{path}: no such brand file").with_hint("brand_voice") from None
    return _load(path, stamp)


@lru_cache(maxsize=16)
def _load(path: Path, stamp: tuple[int, int]) -> Brand:
    """A file is read again only when it changed: a batch resolves the brand for every row."""
    try:
        data = read_yaml_file(path, text_scalars=True)
    except YamlError as exc:
        raise ConfigError(f"{path}: {exc}").with_hint("brand_voice") from None
    return _validated(data, str(path))


def default_brand_file() -> Path | None:
    """``<user folder>/brand.yaml`` (or ``.yml``) when there is one."""
    home = user_home()
    return next((home / name for name in DEFAULT_FILE_NAMES if _exists(home / name)), None)


def _exists(path: Path) -> bool:
    try:
        file_stamp(path)  # a missing file is remembered for a second too: no look per row
    except OSError:
        return False
    return True


def resolve_brand(value: BrandValue) -> Brand | None:
    """The brand ``brand_voice=`` names: a file, a Brand, its dict; None: the user folder's
    brand file if there is one; False or "": none."""
    if value is False or value == "":
        return None
    if value is None:
        found = default_brand_file()
        return load_brand(found) if found is not None else None
    if isinstance(value, Brand):
        return value
    if isinstance(value, Mapping):
        return _validated(value, "brand_voice")
    return load_brand(value)


def brand_context(value: BrandValue) -> dict[str, Any] | None:
    """The render context value ``brand_voice`` for ``value`` (see :func:`resolve_brand`)."""
    brand = resolve_brand(value)
    return brand.to_context() if brand is not None else None


def brand_option(value: BrandValue) -> dict[str, Any] | Literal[False] | None:
    """A batch's ``brand_voice`` option: the brand's content, so that a row's store key changes
    when the file does; False when none is wanted (not even the user folder's); None when there
    is none to use."""
    context = brand_context(value)
    if context is not None:
        return context
    return False if value is False or value == "" else None
