"""What every backend promises: a prompt in, a Completion out, in the backend's structured mode."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from copyassist.backends.retry import RetryPolicy

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
class Choice:
    """One of several answers to one prompt (``Prompt.choices`` > 1), with its share of the usage."""

    text: str
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    #: the server's x-ratelimit-* and retry-after headers, when it sent any
    rate_limits: Mapping[str, str] = field(default_factory=dict)
    #: every answer, when several were asked for (``Prompt.choices``); ``text`` is the first's
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class OutputSpec:
    """The output a call asks for: a name and the JSON schema of the output model."""

    name: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Prompt:
    """What a call asks, before a structured-output mode is chosen.

    ``messages`` are the template's, as rendered; ``followups`` the turns sent after them (an
    answer handed back with a re-ask). Neither holds the format instruction: that depends on the
    mode the call goes out in, so ``backends.request.build_request`` adds it when it builds the
    request, and builds it again when a backend changes mode.
    """

    messages: list[dict[str, str]]
    output: OutputSpec
    params: Mapping[str, Any] = field(default_factory=dict)
    #: the language of the format instruction
    language: str = "en"
    followups: tuple[dict[str, str], ...] = ()
    #: how many answers to ask for (``n``; a backend without it makes that many calls)
    choices: int = 1

    def with_followups(self, *turns: dict[str, str]) -> Prompt:
        """The same prompt with ``turns`` after the template's messages, instead of earlier ones."""
        return replace(self, followups=turns)


class Backend(Protocol):
    """A model provider. Implementations translate provider errors to copyassist errors.

    ``structured_mode`` is the mode the next request goes out in: the backend owns it (a
    compatible server may make it step down) and builds each request for it with
    ``build_request``. ``retry`` overrides the backend's own retry policy for one call (a caller
    that retries by itself passes ``NO_RETRY``).
    """

    name: str
    model: str

    @property
    def structured_mode(self) -> StructuredMode: ...

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion: ...

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion: ...

    def close(self) -> None: ...

    async def aclose(self) -> None:
        """Close what the async calls opened; call it on the event loop that made them."""
        ...
