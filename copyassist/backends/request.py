"""The request a call sends, built in one place for one structured-output mode.

Where the schema goes depends on the mode: into ``response_format`` when the server enforces
it, into the prompt when it does not. So the format instruction at the end of the template's
last user message is written here, with the ``response_format`` it goes with, and a backend that
changes mode builds the whole request again: the prompt never describes another mode's request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from copyassist.backends.base import OutputSpec, Prompt, StructuredMode
from copyassist.backends.schema import describe_fields, grammar_schema, strict_schema
from copyassist.i18n import localized

#: The parameters a request carries, when set; the rest of a template's defaults are not sent.
SENT_PARAMETERS = ("temperature", "top_p", "seed", "max_tokens")

_FIELDS_INSTRUCTION = {
    "fr": "Réponds uniquement avec un objet JSON, sans texte autour, qui a ces champs :\n{fields}",
    "en": "Answer only with a JSON object, with no text around it, that has these fields:\n{fields}",
}
_STRICT_INSTRUCTION = {
    "fr": "Réponds uniquement avec l'objet JSON demandé.",
    "en": "Answer only with the requested JSON object.",
}


@dataclass(frozen=True)
class ChatRequest:
    """One chat-completions request: its messages, its ``response_format`` and parameters."""

    mode: StructuredMode
    messages: list[dict[str, str]]
    response_format: dict[str, Any] | None
    params: dict[str, Any]
    choices: int = 1

    def body(self, model: str | None = None, *, max_tokens_key: str = "max_tokens") -> dict[str, Any]:
        """The request as keyword arguments of ``chat.completions.create``.

        ``max_tokens_key``: OpenAI's newer models only take ``max_completion_tokens``."""
        body: dict[str, Any] = {"model": model} if model else {}
        body["messages"] = self.messages
        for key, value in self.params.items():
            body[max_tokens_key if key == "max_tokens" else key] = value
        if self.response_format is not None:
            body["response_format"] = self.response_format
        if self.choices > 1:
            body["n"] = self.choices
        return body


def encoded(body: dict[str, Any]) -> bytes:
    """A request body as the JSON bytes the SDK sends for it (the SDK's own separators)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def build_request(prompt: Prompt, mode: StructuredMode) -> ChatRequest:
    """The request for ``prompt`` sent in ``mode``: the only place a request is put together."""
    messages = [dict(m) for m in prompt.messages]
    last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    instruction = format_instruction(prompt.output, mode, prompt.language)
    messages[last_user]["content"] += "\n\n" + instruction
    params = {key: prompt.params[key] for key in SENT_PARAMETERS if prompt.params.get(key) is not None}
    if not params.get("max_tokens"):
        params.pop("max_tokens", None)
    return ChatRequest(
        mode, [*messages, *prompt.followups], response_format(prompt.output, mode), params, prompt.choices
    )


def format_instruction(output: OutputSpec, mode: StructuredMode, language: str) -> str:
    """What the prompt says about the answer's shape when the request goes out in ``mode``.

    A strict schema is enforced by the server: asking for the object is enough. A grammar
    (``json_object_schema``) enforces the shape too, so the fields are listed without their
    (English) descriptions, which small models write back as if they were copy. With JSON mode or
    no support at all, the prompt is the only place the schema is given: descriptions included.
    """
    if mode == "json_schema":
        return localized(_STRICT_INSTRUCTION, language)
    fields = describe_fields(output.schema, descriptions=mode != "json_object_schema")
    return localized(_FIELDS_INSTRUCTION, language).format(fields=fields)


def response_format(output: OutputSpec, mode: StructuredMode) -> dict[str, Any] | None:
    """The ``response_format`` of ``mode``, the schema in the shape that mode's servers accept."""
    if mode == "json_schema":
        schema = strict_schema(output.schema)
        return {"type": "json_schema", "json_schema": {"name": output.name, "schema": schema, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": grammar_schema(output.schema)}
    if mode == "json_object":
        return {"type": "json_object"}
    return None
