"""``copyassist export``: a reviewed run's feed written back with the approved copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from copyassist.batch.store import default_path
from copyassist.cli.errors import friendly_errors
from copyassist.review.export import export

Opt = typer.Option


@friendly_errors
def export_command(
    run: Annotated[
        int | None, typer.Argument(help="Run id (see 'copyassist runs list'); default: the last batch run.")
    ] = None,
    output: Annotated[
        Path | None,
        Opt("--output", "-o", help="File to write (.csv/.tsv like the feed, .xlsx, .xml, .jsonl, .json)."),
    ] = None,
    approved_only: Annotated[
        bool, Opt("--approved-only", help="New copy in the feed's own columns for approved rows only.")
    ] = False,
    in_place: Annotated[
        bool, Opt("--in-place", help="Write into the feed itself; the original is kept as <feed>.bak.")
    ] = False,
    force: Annotated[bool, Opt("--force", help="Replace the output file when it exists.")] = False,
    store: Annotated[
        Path | None, Opt("--store", "--db", help="Result store (default: your copyassist folder).")
    ] = None,
) -> None:
    """Write a run's feed back with the review's decisions: approved (and edited) copy in the
    platform's own columns, rejected rows' copy left as it was; every other cell untouched."""
    summary = export(store or default_path(), run, output, approved_only=approved_only, in_place=in_place,
                     force=force)  # fmt: skip
    typer.echo(str(summary))
