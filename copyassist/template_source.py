"""What a template file holds: its front matter (the ``TemplateMeta`` model) and its body cut
into chat messages on the ``<<system>>``, ``<<user>>`` and ``<<assistant>>`` marker lines.

Only reads the file's text; compiling and rendering the messages is ``copyassist.templates``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copyassist.errors import TemplateError
from copyassist.safe_yaml import YamlError, did_you_mean, parse_yaml

__all__ = ["TemplateInputs", "TemplateMeta", "meta_problem", "split_front_matter", "split_messages"]

_MARKER = re.compile(r"^<<(system|user|assistant)>>[ \t]*$", re.MULTILINE)


class TemplateInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    required: list[str] = Field(default_factory=list)
    optional: list[str] = Field(default_factory=list)


class TemplateMeta(BaseModel):
    """The front matter of a template file."""

    model_config = ConfigDict(extra="forbid")
    name: str
    task: str
    version: int = 1
    description: str
    output: str
    inputs: TemplateInputs = Field(default_factory=TemplateInputs)
    defaults: dict[str, Any] = Field(default_factory=dict)


def meta_problem(exc: ValidationError) -> str:
    """The first problem of the front matter, a misspelt key first (it explains a missing one)."""
    first = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    where = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        model: type[BaseModel] = TemplateInputs if first["loc"][0] == "inputs" else TemplateMeta
        return f"{where}: unknown key{did_you_mean(str(first['loc'][-1]), model.model_fields)}"
    return f"{where}: {first['msg']}"


def split_front_matter(path: Path, source: str) -> tuple[dict[str, Any], str]:
    if not source.startswith("---\n"):
        raise TemplateError(f"{path}: a template starts with YAML front matter between --- lines")
    end = source.find("\n---\n", 4)
    if end < 0:
        raise TemplateError(f"{path}: the front matter has no closing --- line")
    try:
        front = parse_yaml(source[4:end], first_line=2)
    except YamlError as exc:
        raise TemplateError(f"{path}: front matter is not valid YAML: {exc}") from None
    if not isinstance(front, dict):
        raise TemplateError(f"{path}: the front matter must be a YAML mapping")
    return front, source[end + 5 :]


def split_messages(path: Path, body: str) -> tuple[tuple[str, str], ...]:
    markers = list(_MARKER.finditer(body))
    if not markers or body[: markers[0].start()].strip():
        raise TemplateError(f"{path}: the body must start with a <<system>> or <<user>> line")
    parts = []
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(body)
        parts.append((marker[1], body[marker.end() : end].strip("\n")))
    if not any(role == "user" for role, _ in parts):
        raise TemplateError(f"{path}: the body has no <<user>> message")
    return tuple(parts)
