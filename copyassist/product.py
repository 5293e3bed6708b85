"""The product a template writes about, from a dict, a JSON/YAML file or ``field=value`` pairs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from copyassist.columns import field_for
from copyassist.errors import InputError
from copyassist.safe_yaml import YamlError, parse_yaml


class Product(BaseModel):
    """A product. Fields the model does not know go to ``attributes`` (shown to the model)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    brand: str | None = None
    category: str | None = None
    description: str | None = None
    features: list[str] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)
    price: str | None = None
    currency: str | None = None
    sku: str | None = None
    gtin: str | None = None
    url: str | None = None
    keywords: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("features", "keywords", mode="before")
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        if isinstance(value, str):
            separator = "|" if "|" in value else ";" if ";" in value else ","
            return [part.strip() for part in value.split(separator) if part.strip()]
        return value

    @field_validator("price", "gtin", "sku", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @field_validator("attributes", mode="before")
    @classmethod
    def _attribute_values_as_text(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): _as_text(v) for k, v in value.items() if v not in (None, "")}
        return value

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "product") -> Product:
        """Build a product from loose data: the names sellers give fields (``Nom``, ``Prix TTC``,
        ``Name *``: see ``copyassist.columns``) mapped, unknown fields kept as attributes."""
        known = set(cls.model_fields)
        fields: dict[str, Any] = {}
        given = data.get("attributes") or {}
        if not isinstance(given, Mapping):
            raise InputError(f"{source}: field attributes: expected a mapping of name -> value")
        attributes: dict[str, Any] = dict(given)
        for raw_key, value in data.items():
            if raw_key == "attributes" or value in (None, ""):
                continue
            key = str(raw_key).strip()
            target = key if key in known else field_for(key)
            if target:
                fields.setdefault(target, value)
            else:
                attributes[key] = value
        fields["attributes"] = attributes
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(f"{source}: field {where}: {first['msg']}") from None

    def as_context(self) -> dict[str, Any]:
        return self.model_dump()


def _as_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


def parse_assignments(pairs: Iterable[str]) -> dict[str, Any]:
    """``["title=Montre", "attributes.color=noir"]`` -> a flat dict; dotted keys nest one level."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"an assignment is field=value, got {pair!r}").with_hint("assignments")
        key = key.strip()
        if key.startswith("attributes."):
            result.setdefault("attributes", {})[key.removeprefix("attributes.")] = value
        else:
            result[key] = value
    return result


def load_product(path: str | Path | None = None, assignments: Iterable[str] = ()) -> Product:
    """A product from a JSON or YAML file, with ``field=value`` assignments applied on top."""
    data: dict[str, Any] = {}
    source = "product"
    if path is not None:
        source = str(path)
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(f"cannot read product file {file}: {exc.strerror}") from None
        try:
            loaded = json.loads(text) if file.suffix == ".json" else parse_yaml(text)
        except (json.JSONDecodeError, YamlError) as exc:
            raise InputError(f"{file}: not valid JSON/YAML: {str(exc).splitlines()[0]}") from None
        except RecursionError:
            raise InputError(f"{file}: not valid JSON/YAML: nested too deeply") from None
        if not isinstance(loaded, dict):
            raise InputError(f"{file}: a product file holds one object (a mapping of fields)")
        data.update(loaded)
    overrides = parse_assignments(assignments)
    if "attributes" in overrides:
        data["attributes"] = {**(data.get("attributes") or {}), **overrides.pop("attributes")}
    data.update(overrides)
    return Product.from_mapping(data, source)
