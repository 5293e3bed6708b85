"""What every backend promises: one call, messages and a JSON schema in, a Completion out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

#: How a backend asks for structured output.
#: json_schema: strict JSON schema (OpenAI, vLLM, recent Ollama);
#: json_object_schema: ``{"type": "json_object", "schema": ...}`` (llama.cpp);
#: json_object: JSON mode, the schema given in the prompt;
#: prompt: no server support at all, the schema in the prompt and parse-and-repair.
StructuredMode = Literal["json_schema", "json_object_schema", "json_object", "prompt"]
STRUCTURED_MODES: tuple[StructuredMode, ...] = (
    "json_schema",
    "json_object_schema",
    "json_object",
    "prompt",
)


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    #: the server's x-ratelimit-* and retry-after headers, when it sent any
    rate_limits: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutputSpec:
    """The output a call asks for: a name and the JSON schema of the output model."""

    name: str
    schema: dict[str, Any]


class Backend(Protocol):
    """A model provider. Implementations translate provider errors to copyassist errors."""

    name: str
    model: str

    @property
    def structured_mode(self) -> StructuredMode: ...

    def complete(
        self, messages: list[dict[str, str]], output: OutputSpec, params: dict[str, Any]
    ) -> Completion: ...

    async def acomplete(
        self, messages: list[dict[str, str]], output: OutputSpec, params: dict[str, Any]
    ) -> Completion: ...

    def close(self) -> None: ...
