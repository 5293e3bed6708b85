"""``copyassist generate`` and ``copyassist render``: one product through one template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from copyassist.backends import Backend, LocalBackend, build_request, get_backend
from copyassist.cli.errors import friendly_errors
from copyassist.errors import ConfigError, InputError
from copyassist.generate import CopyResult, generate, prepare
from copyassist.product import load_product
from copyassist.tokens import count_message_tokens, estimate_cost

TemplateArg = Annotated[
    str, typer.Argument(help="Template name (see 'copyassist templates list') or a .j2 file.")
]
ProductOpt = Annotated[
    Path | None,
    typer.Option("--product", "-p", help="Product as a JSON or YAML file.", show_default=False),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Product field, repeatable: title=..., attributes.colour=...",
        show_default=False,
    ),
]
PersonaOpt = Annotated[
    str | None, typer.Option(help="Persona name (see 'copyassist personas list') or YAML file.")
]
LangOpt = Annotated[
    str, typer.Option("--lang", "-l", envvar="COPYASSIST_LANG", help="Output language: fr or en.")
]
ChannelOpt = Annotated[
    str | None,
    typer.Option(help="Sales channel: amazon, google-shopping, shopify, rakuten-fr, cdiscount..."),
]
ToneOpt = Annotated[str | None, typer.Option(help="Tone, e.g. 'chaleureux', 'premium', 'playful'.")]
ObjectiveOpt = Annotated[str | None, typer.Option(help="Objective: product page, email, ad, social post...")]
WordsOpt = Annotated[int | None, typer.Option(min=1, help="Target length in words.")]
MaxCharsOpt = Annotated[int | None, typer.Option(min=1, help="Hard length limit in characters.")]
CountOpt = Annotated[int | None, typer.Option(min=1, help="How many items (bullets, questions, groups...).")]
KeywordOpt = Annotated[list[str] | None, typer.Option("--keyword", "-k", help="Keyword to use, repeatable.")]
FormatOpt = Annotated[str | None, typer.Option("--format", help="Description format: text or html.")]
LocationOpt = Annotated[str | None, typer.Option(help="Market or place (studies, demographics).")]
CompetitorOpt = Annotated[list[str] | None, typer.Option("--competitor", help="Competitor name, repeatable.")]
TextOpt = Annotated[str | None, typer.Option(help="Existing copy to rewrite; @FILE reads a file.")]
BrandOpt = Annotated[str | None, typer.Option(help="Seller's brand (defaults to the product's).")]
CategoryOpt = Annotated[
    str | None, typer.Option(help="Sector or product category (defaults to the product's).")
]
ProviderOpt = Annotated[
    str, typer.Option(envvar="COPYASSIST_PROVIDER", help="auto, openai, compatible or local.")
]
ModelOpt = Annotated[str | None, typer.Option(help="Model name, or a .gguf path for the local provider.")]
BaseUrlOpt = Annotated[str | None, typer.Option(help="OpenAI-compatible server URL (or OPENAI_BASE_URL).")]
TemperatureOpt = Annotated[
    float | None,
    typer.Option(min=0.0, max=2.0, help="Sampling temperature (template default otherwise)."),
]
MaxTokensOpt = Annotated[
    int | None, typer.Option(min=1, help="Output token limit (template default otherwise).")
]
PromptsDirOpt = Annotated[
    list[Path] | None, typer.Option("--prompts-dir", help="Extra template folder, searched first.")
]
PersonasDirOpt = Annotated[
    list[Path] | None, typer.Option("--personas-dir", help="Extra persona folder, searched first.")
]


def _read_text_option(value: str | None) -> str | None:
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read --text file {path}: {exc.strerror}") from None


def _options(**kwargs: Any) -> dict[str, Any]:
    """The keyword arguments ``prepare`` takes, from the shared CLI options."""
    product = load_product(kwargs.pop("product_file"), kwargs.pop("assignments") or [])
    has_product = bool(product.model_dump(exclude_defaults=True))
    return {
        "product": product if has_product else None,
        "persona": kwargs["persona"],
        "language": kwargs["language"],
        "prompts_dirs": kwargs["prompts_dirs"] or [],
        "personas_dirs": kwargs["personas_dirs"] or [],
        "params": {"temperature": kwargs["temperature"], "max_tokens": kwargs["max_tokens"]},
        "brand": kwargs["brand"],
        "category": kwargs["category"],
        "channel": kwargs["channel"],
        "tone": kwargs["tone"],
        "objective": kwargs["objective"],
        "words": kwargs["words"],
        "max_chars": kwargs["max_chars"],
        "count": kwargs["count"],
        "keywords": kwargs["keywords"] or None,
        "format": kwargs["output_format"],
        "location": kwargs["location"],
        "competitors": kwargs["competitors"] or None,
        "text": _read_text_option(kwargs["text"]),
    }


def _print_result(result: CopyResult, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(result.copy)
    if result.status == "fallback":
        typer.secho(
            "⚠ no model answer passed the rules: this title was built from the product data",
            err=True,
            fg=typer.colors.YELLOW,
        )
        for v in result.rejected:
            typer.secho(f"  rejected answer: {v.field}: {v.message} [{v.rule}]", err=True, dim=True)
    for v in result.violations:
        colour = typer.colors.RED if v.severity == "error" else typer.colors.YELLOW
        quoted = f" « {v.text} »" if v.text else ""
        typer.secho(f"{v.severity}: {v.field}: {v.message} [{v.rule}]{quoted}", err=True, fg=colour)
    cost = "cost unknown" if result.cost is None else f"${result.cost:.4f}"
    attempts = f" · {result.attempts} attempts" if result.attempts > 1 else ""
    typer.secho(
        f"— {result.status} · {result.template} v{result.template_version} · {result.language} · "
        f"{result.channel or 'generic'} · {result.provider}:{result.model} · "
        f"{result.usage.input_tokens}+{result.usage.output_tokens} tokens · {cost} · "
        f"{result.timings.total_ms / 1000:.1f} s{attempts}",
        err=True,
        dim=True,
    )


@friendly_errors
def generate_command(
    template: TemplateArg,
    product_file: ProductOpt = None,
    assignments: SetOpt = None,
    persona: PersonaOpt = None,
    language: LangOpt = "en",
    channel: ChannelOpt = None,
    tone: ToneOpt = None,
    objective: ObjectiveOpt = None,
    words: WordsOpt = None,
    max_chars: MaxCharsOpt = None,
    count: CountOpt = None,
    keywords: KeywordOpt = None,
    output_format: FormatOpt = None,
    location: LocationOpt = None,
    competitors: CompetitorOpt = None,
    text: TextOpt = None,
    brand: BrandOpt = None,
    category: CategoryOpt = None,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    attempts: Annotated[
        int, typer.Option(min=1, max=10, help="Tries before giving up on invalid output.")
    ] = 3,
    prompts_dirs: PromptsDirOpt = None,
    personas_dirs: PersonasDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
) -> None:
    """Write copy for one product with a template.

    The model is chosen by --provider: with 'auto', OpenAI when OPENAI_API_KEY is set, a
    compatible server when --base-url or OPENAI_BASE_URL is set, else the embedded model.
    """
    options = _options(**locals())
    result = generate(
        template,
        provider=provider,
        model=model,
        base_url=base_url,
        max_attempts=attempts,
        **options,
    )
    _print_result(result, as_json)


@friendly_errors
def render_command(
    template: TemplateArg,
    product_file: ProductOpt = None,
    assignments: SetOpt = None,
    persona: PersonaOpt = None,
    language: LangOpt = "en",
    channel: ChannelOpt = None,
    tone: ToneOpt = None,
    objective: ObjectiveOpt = None,
    words: WordsOpt = None,
    max_chars: MaxCharsOpt = None,
    count: CountOpt = None,
    keywords: KeywordOpt = None,
    output_format: FormatOpt = None,
    location: LocationOpt = None,
    competitors: CompetitorOpt = None,
    text: TextOpt = None,
    brand: BrandOpt = None,
    category: CategoryOpt = None,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    prompts_dirs: PromptsDirOpt = None,
    personas_dirs: PersonasDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print messages and counts as JSON.")] = False,
) -> None:
    """Show the exact messages a template would send, their token count and cost; calls nothing."""
    try:  # the backend generate would use: it knows the mode its first request goes out in
        backend: Backend | None = get_backend(provider, model=model, api_key="unused: render calls nothing")
    except ConfigError:
        backend = None  # none usable: show what the embedded model, auto's last resort, is sent
    mode = backend.structured_mode if backend else LocalBackend.STRUCTURED_MODE
    model_name = backend.model if backend and backend.name != "local" else None
    prepared = prepare(template, **_options(**locals()))
    request = build_request(prepared.prompt, mode)
    tokens = count_message_tokens(request.messages, model_name)
    max_out = int(prepared.params.get("max_tokens") or 0)
    cost = estimate_cost(model_name, tokens.tokens, max_out) if model_name else None
    if as_json:
        payload = {
            "template": prepared.template.name,
            "language": prepared.template.language,
            "structured_mode": request.mode,
            "messages": request.messages,
            "params": prepared.params,
            "input_tokens": tokens.tokens,
            "tokens_exact": tokens.exact,
            "model": model_name,
            "max_cost_usd": cost,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for message in request.messages:
        typer.secho(f"── {message['role']} ──", bold=True)
        typer.echo(message["content"])
        typer.echo()
    typer.secho(f"input: {tokens.label}", dim=True)
    if cost is not None:
        typer.secho(f"cost for {model_name}: at most ${cost:.5f} (with {max_out} output tokens)", dim=True)
    elif model_name:
        typer.secho(f"cost: no price known for {model_name}", dim=True)
    else:
        typer.secho("cost: none (embedded model)", dim=True)
