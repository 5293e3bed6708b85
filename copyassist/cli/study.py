"""``copyassist study`` and ``copyassist personas new``: drafts before the listings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from copyassist.cli.backend_options import ModelOpt, ProviderOpt
from copyassist.cli.errors import friendly_errors
from copyassist.cli.options import LangOpt, ProductOpt
from copyassist.drafts.document import SECTIONS
from copyassist.drafts.persona import draft_persona, save_persona
from copyassist.drafts.study import estimate_study, study
from copyassist.errors import InputError
from copyassist.product import load_product


@friendly_errors
def study_command(
    category: Annotated[str | None, typer.Option(help="Product category studied (or --product).")] = None,
    product_file: ProductOpt = None,
    brand: Annotated[str | None, typer.Option(help="Your brand.")] = None,
    offer: Annotated[
        str | None, typer.Option(help="Your offer in a sentence (price range, promise...).")
    ] = None,
    location: Annotated[str | None, typer.Option(help="Market: country, region or city.")] = None,
    language: LangOpt = None,
    competitors: Annotated[
        list[str] | None, typer.Option("--competitor", help="Competitor name, repeatable.")
    ] = None,
    competitor_catalogue: Annotated[
        Path | None,
        typer.Option("--competitor-catalogue", help="A competitor's catalogue (CSV/JSONL) for gaps."),
    ] = None,
    personas: Annotated[
        list[str] | None, typer.Option("--persona", help="Persona for the plan, repeatable.")
    ] = None,
    sections: Annotated[
        str | None, typer.Option(help=f"Comma-separated, in any order: {','.join(SECTIONS)}. Default: all.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the document here (.md or .html).")
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="HTML instead of Markdown.")] = False,
    max_cost: Annotated[
        float | None,
        typer.Option(min=0, help="Send no call that could take the study past this many USD."),
    ] = None,
    dry: Annotated[
        bool, typer.Option("--dry-run", help="Count tokens and cost at most; call nothing.")
    ] = False,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
) -> None:
    """Draft a market study and marketing plan; every figure is marked to verify."""
    product = load_product(product_file) if product_file else None
    chosen = [s.strip() for s in sections.split(",") if s.strip()] if sections else None
    inputs: dict[str, Any] = {
        "brand": brand, "offer": offer, "location": location, "language": language,
        "competitors": competitors or (), "competitor_catalogue": competitor_catalogue,
        "personas": personas or (), "sections": chosen, "provider": provider, "model": model,
    }  # fmt: skip
    if dry:
        estimate = estimate_study(category, product, **inputs)
        cost = "unknown" if estimate.cost is None else f"at most ${estimate.cost:.4f}"
        typer.echo(f"{estimate.sections} sections to write")
        typer.echo(
            f"input tokens at most ({'exact' if estimate.tokens_exact else 'estimated'} count): "
            f"{estimate.input_tokens} · output tokens at most: {estimate.output_tokens}"
        )
        typer.echo(f"cost for {estimate.model}: {cost}")
        return
    result = study(
        category, product, **inputs, max_cost=max_cost,
        progress=lambda name: typer.secho(f"… {name}", err=True, dim=True),
    )  # fmt: skip
    as_html = html or (output is not None and output.suffix.lower() in (".html", ".htm"))
    document = result.to_html() if as_html else result.to_markdown()
    failed = [s for s in result.sections if s.output is None]
    if output is None:
        typer.echo(document)
    else:
        output.write_text(document, encoding="utf-8")
        typer.echo(f"written to {output}")
    cost = "cost unknown" if result.cost is None else f"${result.cost:.4f}"
    typer.secho(
        f"— {len(result.sections) - len(failed)} of {len(result.sections)} sections written · "
        f"{len(result.figures)} figures to verify · {result.usage.input_tokens}+{result.usage.output_tokens} "
        f"tokens · {cost}",
        err=True,
        dim=True,
    )
    capped = next((s.error for s in failed if s.error and "max_cost" in s.error), None)
    if capped:
        typer.secho(f"stopped early: {capped}", err=True, fg=typer.colors.YELLOW)
        raise typer.Exit(3)
    if failed and len(failed) == len(result.sections):
        raise typer.Exit(4)


@friendly_errors
def persona_new_command(
    brief: Annotated[str, typer.Argument(help="Who they are, in a sentence.")],
    product_file: ProductOpt = None,
    language: LangOpt = None,
    name: Annotated[str | None, typer.Option(help="File name (default: from the persona's name).")] = None,
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Folder to write to (default: your persona folder).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help="user (uses the product), buyer or client (chooses and pays), marketing (a segment). "
            "Default: the brief's, else buyer.",
            show_default=False,
        ),
    ] = None,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
) -> None:
    """Draft a complete persona from a brief and save it as YAML (never overwrites without --force)."""
    if folder is not None and folder.exists() and not folder.is_dir():
        raise InputError(f"--dir {folder} is not a folder")
    product = load_product(product_file) if product_file else None
    persona = draft_persona(brief, product, language=language, provider=provider, model=model, kind=kind)
    path = save_persona(persona, name, folder, force=force)
    typer.echo(f"written {path}: {persona.name} ({persona.kind})")
    typer.secho(f"use it with: copyassist generate ... --persona {path.stem}", err=True, dim=True)
