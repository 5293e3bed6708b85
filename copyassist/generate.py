"""One item end to end: render, call the model, parse and validate, re-ask when invalid.

The steps are written once, as a generator that yields the messages to send and receives the
completion, so the sync and async entry points drive the same logic. No I/O happens here
beyond the backend call the driver makes.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from copyassist import errors
from copyassist.backends import Backend, Completion, OutputSpec, Usage, get_backend
from copyassist.backends.schema import describe_fields
from copyassist.outputs import CopyOutput
from copyassist.persona import Persona, load_persona
from copyassist.product import Product
from copyassist.templates import Template, load_template
from copyassist.tokens import ModelPrice, estimate_cost, load_prices

DEFAULT_ATTEMPTS = 3

_FORMAT_INSTRUCTIONS = {
    "fr": "Réponds uniquement avec un objet JSON, sans texte autour, qui a ces champs :\n{fields}",
    "en": "Answer only with a JSON object, with no text around it, that has these fields:\n{fields}",
}
_STRICT_INSTRUCTIONS = {
    "fr": "Réponds uniquement avec l'objet JSON demandé.",
    "en": "Answer only with the requested JSON object.",
}
_REPAIR_INSTRUCTIONS = {
    "fr": "Ta réponse ne convient pas : {problems}\nRenvoie l'objet JSON complet et corrigé, rien d'autre.",
    "en": "Your answer is not valid: {problems}\nSend the complete, corrected JSON object and nothing else.",
}
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


@dataclass(frozen=True)
class Timings:
    render_ms: float
    model_ms: float
    total_ms: float


@dataclass(frozen=True)
class CopyResult:
    """What one generation produced, and what it cost."""

    output: CopyOutput
    raw: str
    template: str
    template_version: int
    language: str
    persona: str | None
    provider: str
    model: str
    usage: Usage
    cost: float | None
    attempts: int
    status: str
    timings: Timings
    messages: list[dict[str, str]] = field(repr=False, default_factory=list)

    @property
    def copy(self) -> str:
        """The copy as a person reads it."""
        return self.output.as_text(self.language)

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "template_version": self.template_version,
            "language": self.language,
            "persona": self.persona,
            "provider": self.provider,
            "model": self.model,
            "status": self.status,
            "attempts": self.attempts,
            "output": self.output.model_dump(mode="json"),
            "text": self.copy,
            "usage": {
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
            },
            "cost_usd": self.cost,
            "timings_ms": {
                "render": round(self.timings.render_ms, 1),
                "model": round(self.timings.model_ms, 1),
                "total": round(self.timings.total_ms, 1),
            },
        }


@dataclass(frozen=True)
class Prepared:
    """A rendered request: everything needed to call a model, nothing called yet."""

    template: Template
    messages: list[dict[str, str]]
    output: OutputSpec
    params: dict[str, Any]
    persona: str | None
    render_ms: float


def resolve_persona(
    persona: str | Path | Persona | Mapping[str, Any] | None, search_dirs: Iterable[str | Path] = ()
) -> tuple[str | None, dict[str, Any] | None]:
    """(name, render context) for a persona given by name, path, model or plain dict."""
    if persona is None or persona == "":
        return None, None
    if isinstance(persona, Mapping):
        try:
            persona = Persona.model_validate(dict(persona))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise errors.PersonaError(f"persona {where}: {first['msg']}") from None
    elif not isinstance(persona, Persona):
        persona = load_persona(persona, search_dirs)
    return persona.slug or persona.name, persona.to_context()


def prepare(
    template: str | Template,
    product: Product | Mapping[str, Any] | None = None,
    *,
    persona: str | Path | Persona | Mapping[str, Any] | None = None,
    language: str = "en",
    params: Mapping[str, Any] | None = None,
    structured_mode: str = "json_object_schema",
    prompts_dirs: Iterable[str | Path] = (),
    personas_dirs: Iterable[str | Path] = (),
    **inputs: Any,
) -> Prepared:
    """Render ``template`` for a product: the messages, schema and parameters of the call."""
    started = time.perf_counter()
    if not isinstance(template, Template):
        template = load_template(template, language, prompts_dirs)
    if product is not None and not isinstance(product, Product):
        product = Product.from_mapping(product)
    persona_name, persona_context = resolve_persona(persona, personas_dirs)
    values = {k: v for k, v in inputs.items() if v is not None}
    values["product"] = product.as_context() if product is not None else None
    values["persona"] = persona_context
    messages = template.render(values)
    model = template.output_model
    spec = OutputSpec(name=model.__name__, schema=model.model_json_schema())
    messages = _with_format_instruction(messages, spec, template.language, structured_mode)
    merged = {**template.parameters, **{k: v for k, v in (params or {}).items() if v is not None}}
    elapsed = (time.perf_counter() - started) * 1000
    return Prepared(template, messages, spec, merged, persona_name, elapsed)


def _with_format_instruction(
    messages: list[dict[str, str]], spec: OutputSpec, language: str, mode: str
) -> list[dict[str, str]]:
    if mode == "json_schema":
        instruction = _STRICT_INSTRUCTIONS.get(language, _STRICT_INSTRUCTIONS["en"])
    else:
        template = _FORMAT_INSTRUCTIONS.get(language, _FORMAT_INSTRUCTIONS["en"])
        instruction = template.format(fields=describe_fields(spec.schema))
    result = [dict(m) for m in messages]
    last_user = max(i for i, m in enumerate(result) if m["role"] == "user")
    result[last_user]["content"] += "\n\n" + instruction
    return result


def parse_output(text: str, model: type[CopyOutput]) -> CopyOutput:
    """The output model from a completion's text (code fences and chatter around it ignored)."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end < start:
        raise ValueError("the answer holds no JSON object")
    try:
        data = json.loads(cleaned[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON is malformed ({exc.msg} at character {exc.pos})") from None
    return model.model_validate(data)


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        problems = []
        for item in error.errors()[:8]:
            where = ".".join(str(p) for p in item["loc"]) or "(root)"
            problems.append(f"{where}: {item['msg']}")
        return "; ".join(problems)
    return str(error)


Steps = Generator[list[dict[str, str]], Completion, tuple[CopyOutput, Completion, Usage, int]]


def _steps(prepared: Prepared, max_attempts: int) -> Steps:
    """Yield messages to send, receive completions; return the first valid output."""
    messages = prepared.messages
    model = prepared.template.output_model
    language = prepared.template.language
    usage = Usage()
    last_text = ""
    problems = "no attempt was allowed"
    for attempt in range(1, max_attempts + 1):
        completion = yield messages
        usage = usage + completion.usage
        last_text = completion.text
        try:
            return parse_output(completion.text, model), completion, usage, attempt
        except (ValueError, ValidationError) as exc:
            problems = _describe(exc)
        repair = _REPAIR_INSTRUCTIONS.get(language, _REPAIR_INSTRUCTIONS["en"])
        messages = [
            *prepared.messages,
            {"role": "assistant", "content": completion.text},
            {"role": "user", "content": repair.format(problems=problems)},
        ]
    raise errors.OutputError(
        f"the model gave no valid {model.__name__} in {max_attempts} attempt(s): {problems}",
        attempts=max_attempts,
        last_output=last_text,
    )


def _result(
    prepared: Prepared,
    backend: Backend,
    outcome: tuple[CopyOutput, Completion, Usage, int],
    model_ms: float,
    started: float,
    prices: dict[str, ModelPrice],
) -> CopyResult:
    output, completion, usage, attempts = outcome
    return CopyResult(
        output=output,
        raw=completion.text,
        template=prepared.template.name,
        template_version=prepared.template.meta.version,
        language=prepared.template.language,
        persona=prepared.persona,
        provider=backend.name,
        model=completion.model,
        usage=usage,
        cost=_cost(backend, completion.model, usage, prices),
        attempts=attempts,
        status="ok" if attempts == 1 else "repaired",
        timings=Timings(prepared.render_ms, model_ms, (time.perf_counter() - started) * 1000),
        messages=prepared.messages,
    )


def _cost(backend: Backend, model: str, usage: Usage, prices: dict[str, ModelPrice]) -> float | None:
    if backend.name == "local":
        return 0.0  # an embedded model costs nothing per token, whatever file it runs
    return estimate_cost(model, usage.input_tokens, usage.output_tokens, prices)


def _backend_for(backend: Backend | None, provider: str, model: str | None, base_url: str | None) -> Backend:
    return backend if backend is not None else get_backend(provider, model=model, base_url=base_url)


def generate(
    template: str | Template,
    product: Product | Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    **options: Any,
) -> CopyResult:
    """Write copy for one product with ``template`` (see ``prepare`` for the options)."""
    started = time.perf_counter()
    chosen = _backend_for(backend, provider, model, base_url)
    prepared = prepare(template, product, structured_mode=chosen.structured_mode, **options)
    prices = load_prices()  # before any call: a broken price file must not cost a paid answer
    steps = _steps(prepared, max_attempts)
    model_ms = 0.0
    try:
        messages = next(steps)
        while True:
            call_started = time.perf_counter()
            completion = chosen.complete(messages, prepared.output, prepared.params)
            model_ms += (time.perf_counter() - call_started) * 1000
            messages = steps.send(completion)
    except StopIteration as done:
        return _result(prepared, chosen, done.value, model_ms, started, prices)


async def agenerate(
    template: str | Template,
    product: Product | Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    **options: Any,
) -> CopyResult:
    """The async twin of ``generate``: the same steps, awaiting the backend."""
    started = time.perf_counter()
    chosen = _backend_for(backend, provider, model, base_url)
    prepared = await asyncio.to_thread(
        prepare, template, product, structured_mode=chosen.structured_mode, **options
    )
    prices = load_prices()  # before any call: a broken price file must not cost a paid answer
    steps = _steps(prepared, max_attempts)
    model_ms = 0.0
    try:
        messages = next(steps)
        while True:
            call_started = time.perf_counter()
            completion = await chosen.acomplete(messages, prepared.output, prepared.params)
            model_ms += (time.perf_counter() - call_started) * 1000
            messages = steps.send(completion)
    except StopIteration as done:
        return _result(prepared, chosen, done.value, model_ms, started, prices)
