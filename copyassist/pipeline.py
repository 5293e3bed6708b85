"""One item end to end: render, call the model, check the answer, re-ask when it breaks rules.

The attempts are a generator (``attempts.run_attempts``) that the sync and async entry points
drive alike. No I/O happens here beyond the backend call the driver makes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from copyassist import errors
from copyassist.attempts import Fallback, Outcome, Steps, Validator, followup_texts
from copyassist.backends import Backend, Completion, OutputSpec, Prompt, Usage, build_request, get_backend
from copyassist.brand import brand_context
from copyassist.brand_repair import brand_spelled
from copyassist.compact import compact_variant, wants_compact
from copyassist.examples import examples_context
from copyassist.i18n import language_code
from copyassist.languages import normalized
from copyassist.option_names import check_option_names
from copyassist.outputs import CopyOutput
from copyassist.persona import Persona, load_persona
from copyassist.prices import ModelPrice, estimate_cost, load_prices
from copyassist.product import Product
from copyassist.product_language import DEFAULT_LANGUAGE, choose_language
from copyassist.results import CopyResult, Timings
from copyassist.rules.base import Profile
from copyassist.rules.brand_voice import brand_for_output
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_context, validate_output
from copyassist.templates import Template, load_template, output_languages_of
from copyassist.translation import translation_inputs
from copyassist.variants import check_variants, run_steps

DEFAULT_ATTEMPTS = 3


@dataclass(frozen=True)
class Prepared:
    """A rendered template: everything needed to call a model, nothing called yet.

    ``messages`` are the template's as rendered; the request a backend sends adds the format
    instruction of its structured mode: ``build_request(prepared.prompt, backend.structured_mode)``.
    """

    template: Template
    messages: list[dict[str, str]]
    output: OutputSpec
    params: dict[str, Any]
    persona: str | None
    render_ms: float
    context: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def channel(self) -> str | None:
        channel = self.context.get("channel")
        return str(channel) if channel else None

    @property
    def prompt(self) -> Prompt:
        """What to ask a backend; it builds the request for its mode from this."""
        return Prompt(self.messages, self.output, self.params, self.template.language)


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


@lru_cache(maxsize=64)
def _schema_of(model: type[CopyOutput]) -> dict[str, Any]:
    """The output model's JSON schema, built once (pydantic rebuilds it on every call); shared,
    so read-only: backends derive their own shapes from it."""
    return model.model_json_schema()


def prepare(
    template: str | Template,
    product: Product | Mapping[str, Any] | None = None,
    *,
    persona: str | Path | Persona | Mapping[str, Any] | None = None,
    language: str | None = None,
    params: Mapping[str, Any] | None = None,
    prompts_dirs: Iterable[str | Path] = (),
    personas_dirs: Iterable[str | Path] = (),
    compact: bool = False,
    **inputs: Any,
) -> Prepared:
    """Render ``template`` for a product: the messages, schema and parameters of the call.

    ``language=None`` writes in the product's own language (``product_language.choose_language``),
    or in the one the channel requires. Nothing here depends on a backend: the format
    instruction that fits a backend's structured mode is added when the request is built
    (``build_request``). ``compact``: the template's short version for small models, if it has one
    (``copyassist.compact``). ``brand_voice``: a brand file, a ``Brand`` or its dict
    (``copyassist.brand``); None: the user folder's ``brand.yaml`` when there is one; False: none."""
    started = time.perf_counter()
    if product is not None and not isinstance(product, Product):
        product = Product.from_mapping(product)
    channel = inputs.get("channel")
    profile = load_profile(channel) if channel else None  # a misspelt channel fails before any work
    if not isinstance(template, Template):
        if language is None and not template.endswith(".j2"):
            data = product.model_dump(exclude_defaults=True) if product is not None else None
            forced = profile.language if profile is not None else None
            language = choose_language(data, forced, output_languages_of(template, prompts_dirs)).language
        template = load_template(template, language or DEFAULT_LANGUAGE, prompts_dirs)
        if language and language_code(language) != template.language:  # a .j2 file asked another language
            template = template.writing(normalized(language))
    check_option_names([k for k, v in inputs.items() if v is not None], [template])
    if compact:
        template = compact_variant(template, prompts_dirs)
    persona_name, persona_context = resolve_persona(persona, personas_dirs)
    inputs = translation_inputs(template, product.as_context() if product is not None else None, inputs)
    values = {k: v for k, v in inputs.items() if v is not None}
    values["product"] = product.as_context() if product is not None else None
    values["persona"] = persona_context
    brand = brand_context(inputs.get("brand_voice"))
    if "examples" not in values and brand and brand.get("examples"):  # the brand file's own
        values["examples"] = brand["examples"]
    if "examples" in values:  # a file or a list: the few that fit this product and template
        values["examples"] = examples_context(values["examples"], template, values["product"])
    values["brand_voice"] = brand_for_output(brand, template.output_model)
    context = template.context(values)
    messages = template.render(values)
    model = template.output_model
    spec = OutputSpec(name=model.__name__, schema=_schema_of(model))
    merged = {**template.parameters, **{k: v for k, v in (params or {}).items() if v is not None}}
    elapsed = (time.perf_counter() - started) * 1000
    return Prepared(template, messages, spec, merged, persona_name, elapsed, context)


def _validator(prepared: Prepared, profile: Profile, backend: Backend) -> Validator:
    # the prompt as sent: an answer that echoes the format instruction echoes the prompt
    sent = build_request(prepared.prompt, backend.structured_mode).messages
    context = check_context(prepared.context, sent, followup_texts(prepared.template.prompt_language))
    return lambda output: validate_output(output, profile, context)


def _fallback(prepared: Prepared, profile: Profile, validate: Validator) -> Fallback | None:
    """The model's rule-built output from the product's data (titles), within the channel limit;
    none when it breaks an error-level rule itself (a URL, a placeholder or an emoji carried over
    from the product data): such a title must never fill a seller's column."""
    model = prepared.template.output_model
    if model.fallback_kind is None:
        return None
    product = prepared.context["product"]
    limit = profile.rules_for(model.fallback_kind).max_chars or prepared.context.get("max_chars")

    def build() -> CopyOutput | None:
        built = model.rule_built(product, limit, profile.name)
        if built is None or any(v.severity == "error" for v in validate(built)):
            return None
        return built

    return build


def _result(
    prepared: Prepared,
    backend: Backend,
    outcome: Outcome,
    model_ms: float,
    started: float,
    prices: dict[str, ModelPrice],
) -> CopyResult:
    model_name = outcome.model or backend.model
    for candidate in outcome.candidates:
        candidate.cost = _cost(backend, model_name, candidate.usage, prices)
    return CopyResult(
        output=outcome.output,
        raw=outcome.raw,
        template=prepared.template.name,
        template_version=prepared.template.meta.version,
        language=prepared.template.language,
        persona=prepared.persona,
        provider=backend.name,
        model=model_name,
        usage=outcome.usage,
        cost=_cost(backend, model_name, outcome.usage, prices),
        attempts=outcome.attempts,
        status=outcome.status,
        timings=Timings(prepared.render_ms, model_ms, (time.perf_counter() - started) * 1000),
        channel=prepared.channel,
        violations=outcome.violations,
        first_pass=outcome.first_pass,
        rejected=outcome.rejected,
        messages=build_request(prepared.prompt, backend.structured_mode).messages,
        candidates=outcome.candidates,
    )


def _cost(backend: Backend, model: str, usage: Usage, prices: dict[str, ModelPrice]) -> float | None:
    if backend.name == "local":
        return 0.0  # an embedded model costs nothing per token, whatever file it runs
    return estimate_cost(model, usage.input_tokens, usage.output_tokens, prices)


def _backend_for(backend: Backend | None, provider: str, model: str | None, base_url: str | None) -> Backend:
    return backend if backend is not None else get_backend(provider, model=model, base_url=base_url)


def _start(
    template: str | Template,
    product: Product | Mapping[str, Any] | None,
    backend: Backend,
    max_attempts: int,
    options: dict[str, Any],
    variants: int = 1,
) -> tuple[Prepared, Steps, dict[str, ModelPrice]]:
    """Everything before the first call, so that a bad input or setting costs no tokens."""
    check_variants(variants)
    prepared = prepare(
        template, product, compact=wants_compact(options.pop("compact", None), backend), **options
    )
    profile = load_profile(prepared.channel or "generic")
    if profile.language and profile.language != prepared.template.language:
        raise errors.ConfigError(
            f"{profile.name} listings must be in {profile.language!r}, not {prepared.template.language!r}; "
            f"use language={profile.language!r}"
        ).with_hint("language")
    prices = load_prices()
    validate = _validator(prepared, profile, backend)
    steps = run_steps(
        prepared.prompt,
        prepared.template.output_model,
        prepared.template.language,
        variants=variants,
        max_attempts=max_attempts,
        validate=validate,
        fallback=_fallback(prepared, profile, validate),
    )
    steps = brand_spelled(steps, prepared.context.get("brand_voice"), validate)
    return prepared, steps, prices


def _advance(steps: Steps, answer: Completion | errors.CopyAssistError) -> Prompt | Outcome:
    """Hand one answer (or a call's error) to the attempts: the next prompt, or the final outcome.

    Only this StopIteration means "done": one escaping a backend call must not pass for it.
    """
    try:
        if isinstance(answer, errors.CopyAssistError):
            return steps.throw(answer)
        return steps.send(answer)
    except StopIteration as done:
        outcome: Outcome = done.value
        return outcome


def generate(
    template: str | Template,
    product: Product | Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    variants: int = 1,
    **options: Any,
) -> CopyResult:
    """Write copy for one product with ``template``, checked against ``channel``'s rules.

    Options are those of ``prepare`` (persona, language, channel, tone, words, keywords...);
    ``compact`` defaults to True for the local backend only.
    Answers that break rules are sent back with the problems listed, up to ``max_attempts``
    calls in all; the best answer is kept and its status says how it went (see ``copyassist.status.Status``).
    ``variants`` (1..10): that many answers to the first call, each checked; the best is the copy
    (and alone re-asked), all of them are in ``candidates`` (``copyassist.variants``).
    """
    started = time.perf_counter()
    chosen = _backend_for(backend, provider, model, base_url)
    prepared, steps, prices = _start(template, product, chosen, max_attempts, options, variants)
    model_ms = 0.0
    step: Prompt | Outcome = next(steps)
    while not isinstance(step, Outcome):
        call_started = time.perf_counter()
        try:
            answer: Completion | errors.CopyAssistError = chosen.complete(step)
        except errors.CopyAssistError as failed:  # to the attempts, which count what was spent
            answer = failed
        model_ms += (time.perf_counter() - call_started) * 1000
        step = _advance(steps, answer)
    return _result(prepared, chosen, step, model_ms, started, prices)


async def agenerate(
    template: str | Template,
    product: Product | Mapping[str, Any] | None = None,
    *,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    variants: int = 1,
    **options: Any,
) -> CopyResult:
    """The async twin of ``generate``: the same steps, awaiting the backend."""
    started = time.perf_counter()
    chosen = _backend_for(backend, provider, model, base_url)
    # inline, not in a thread: templates, profiles and prices are cached after their first
    # read, so this is a millisecond of CPU, and a thread would only fight the loop for the GIL
    prepared, steps, prices = _start(template, product, chosen, max_attempts, options, variants)
    model_ms = 0.0
    step: Prompt | Outcome = next(steps)
    while not isinstance(step, Outcome):
        call_started = time.perf_counter()
        try:
            answer: Completion | errors.CopyAssistError = await chosen.acomplete(step)
        except errors.CopyAssistError as failed:
            answer = failed
        model_ms += (time.perf_counter() - call_started) * 1000
        step = _advance(steps, answer)
    return _result(prepared, chosen, step, model_ms, started, prices)
