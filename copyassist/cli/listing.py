"""``copyassist generate <set or a,b,c>``: one product's whole listing, each field with its status."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import typer

from copyassist.backends import Backend
from copyassist.listing import ListingResult, generate_listing
from copyassist.results import CopyResult
from copyassist.template_sets import resolve_templates


def listing_templates(spec: str, inputs: dict[str, Any]) -> list[str] | None:
    """The templates ``spec`` names when it is a listing (a set or several), else None."""
    if spec.endswith(".j2") and "," not in spec:
        return None
    names = resolve_templates(spec, inputs.get("prompts_dirs") or ())
    return names if len(names) > 1 or names[0] != spec else None


def print_listing(
    templates: list[str],
    backend: Backend,
    attempts: int,
    inputs: dict[str, Any],
    as_json: bool,
    print_field: Callable[[CopyResult, bool], None],
) -> None:
    """Generate the listing and print every field (``print_field``, as ``generate`` prints one),
    a heading before each, then the listing's own line; ``--json``: one object with every field."""
    listing: ListingResult = generate_listing(templates, backend=backend, max_attempts=attempts, **inputs)
    if as_json:
        typer.echo(json.dumps(listing.to_dict(), ensure_ascii=False, indent=2))
        return
    for result in listing.results:
        typer.secho(f"── {result.template} ──", bold=True)
        print_field(result, False)
        typer.echo()
    cost = "cost unknown" if listing.cost is None else f"${listing.cost:.4f}"
    usage = listing.usage
    typer.secho(
        f"— listing {listing.status} · {len(listing.results)} fields · "
        + ", ".join(f"{r.template} {r.status}" for r in listing.results)
        + f" · {usage.input_tokens}+{usage.output_tokens} tokens · {cost}",
        err=True,
        dim=True,
    )
