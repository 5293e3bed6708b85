"""``copyassist generate`` and ``copyassist render``: one product through one template."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from copyassist.backends import LocalBackend, build_request, estimating_backend, get_backend
from copyassist.backends.local import TerminalProgress
from copyassist.cli.backend_options import (
    AttemptsOpt,
    BaseUrlOpt,
    ChatFormatOpt,
    ModelOpt,
    ProviderOpt,
    use_chat_format,
)
from copyassist.cli.errors import friendly_errors
from copyassist.cli.listing import listing_templates, print_listing
from copyassist.cli.option_checks import checked_channel, require_product
from copyassist.cli.options import CopyOptions, TemplateArg, VariantsOpt, with_copy_options
from copyassist.compact import wants_compact
from copyassist.pipeline import generate, prepare
from copyassist.prices import estimate_cost
from copyassist.results import CopyResult
from copyassist.templates import check_output_language
from copyassist.tokens import count_message_tokens
from copyassist.variants import check_variants


def _print_result(result: CopyResult, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(result.copy)
    for other in (c for c in result.candidates if not c.chosen):
        text = " ".join(other.text(result.language).split()) or other.problem
        typer.secho(f"  candidate {other.number} ({other.status}): {text}", err=True, dim=True)
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
@with_copy_options
def generate_command(
    template: TemplateArg,
    options: CopyOptions,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    attempts: AttemptsOpt = 3,
    variants: VariantsOpt = 1,
    chat_format: ChatFormatOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
) -> None:
    """Write copy for one product with a template, or a whole listing with several (a,b,c) or a set.

    The model is chosen by --provider: with 'auto', OpenAI when OPENAI_API_KEY is set, a
    compatible server when --base-url or OPENAI_BASE_URL is set, else the embedded model.
    """
    checked_channel(options.channel)
    inputs = options.library_kwargs()
    if check_variants(variants) > 1:
        inputs["variants"] = variants
    listing = listing_templates(template, inputs)
    require_product(listing[0] if listing else template, inputs)
    check_output_language(listing or [template], inputs.get("language"), inputs.get("prompts_dirs") or ())
    use_chat_format(chat_format)
    backend = get_backend(provider, model=model, base_url=base_url)
    progress = TerminalProgress() if isinstance(backend, LocalBackend) and sys.stderr.isatty() else None
    if isinstance(backend, LocalBackend) and progress is not None:  # a CPU run takes minutes
        backend.on_token = progress
        progress.start()
    try:
        if listing:
            print_listing(listing, backend, attempts, inputs, as_json, _print_result)
            return
        result = generate(template, backend=backend, max_attempts=attempts, **inputs)
    finally:
        if progress is not None:
            progress.close()
    _print_result(result, as_json)


@friendly_errors
@with_copy_options
def render_command(
    template: TemplateArg,
    options: CopyOptions,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print messages and counts as JSON.")] = False,
) -> None:
    """Show the exact messages a template would send, their token count and cost; calls nothing."""
    checked_channel(options.channel)
    # the backend generate would use: it knows the mode its first request goes out in; with
    # nothing set up, what the embedded model, auto's last resort, is sent
    backend = estimating_backend(provider, model=model, base_url=base_url, discover_model=False)
    mode = backend.structured_mode if backend else LocalBackend.STRUCTURED_MODE
    model_name = backend.model if backend and backend.name != "local" else None
    inputs = options.library_kwargs()
    require_product(template, inputs)
    # with nothing set up, the embedded model: compact unless told otherwise
    inputs["compact"] = (
        wants_compact(inputs["compact"], backend) if backend else inputs["compact"] is not False
    )
    prepared = prepare(template, **inputs)
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
