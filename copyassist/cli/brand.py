"""``copyassist brand check [FILE]``: validate a brand file and say what it asks of the copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copyassist.brand import DEFAULT_FILE_NAMES, default_brand_file, load_brand
from copyassist.cli.commands import CommandGroup
from copyassist.cli.errors import fail, friendly_errors

brand_app = typer.Typer(help="Check the brand file every copy template follows.", no_args_is_help=True,
                        cls=CommandGroup)  # fmt: skip


@brand_app.command("check")
@friendly_errors
def brand_check(
    path: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="Brand file (YAML). Default: brand.yaml in the user folder."),
    ] = None,
) -> None:
    """Validate a brand file (one-line errors) and sum up what it asks of the copy."""
    found = path or default_brand_file()
    if found is None:
        raise fail(f"no brand file given and no {DEFAULT_FILE_NAMES[0]} in the user folder", 2)
    brand = load_brand(found)
    typer.echo(f"{found}: valid brand file{f' for {brand.name}' if brand.name else ''}")
    typer.echo(f"  register: {brand.register} (French copy){'; voice given' if brand.voice else ''}")
    counts = [(len(brand.avoid), "to avoid"), (len(brand.keep_untranslated), "to keep untranslated"),
              (len(brand.mandatory_mentions), "mandatory mentions"), (len(brand.spelling), "spellings"),
              (len(brand.examples), "examples")]  # fmt: skip
    typer.echo("  " + ", ".join(f"{n} {what}" for n, what in counts))
