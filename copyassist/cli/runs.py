"""``copyassist runs ...``: the batch runs recorded in the store, and what went wrong in them."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from copyassist.batch.store import Store, default_path
from copyassist.batch.store_records import RunInfo
from copyassist.cli.commands import CommandGroup
from copyassist.cli.errors import fail, friendly_errors
from copyassist.cli.remote import describe_batch
from copyassist.errors import CopyAssistError
from copyassist.remote.flow import follow_batches
from copyassist.remote.tables import RemoteBatch, batches_of_run
from copyassist.status import SHORT_NAMES, Status

runs_app = typer.Typer(
    help="Batch runs recorded in the result store.", no_args_is_help=True, cls=CommandGroup
)

DbOpt = Annotated[Path | None, typer.Option("--db", help="Result store (default: your copyassist folder).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _open(db: Path | None) -> Store | None:
    """The store, or None when the file does not exist yet (a read must not create it)."""
    path = (db or default_path()).expanduser()
    return Store(path) if path.is_file() else None


def _when(stamp: str | None) -> str:
    if not stamp:
        return "-"
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def _cost(cost: float | None) -> str:
    return "?" if cost is None else f"${cost:.4f}"


def _as_dict(run: RunInfo) -> dict[str, Any]:
    data = asdict(run)
    data["status"] = run.display_status
    data["counts"] = {s: run.counts.get(s, 0) for s in Status} | run.counts
    return data


@runs_app.command("list")
@friendly_errors
def runs_list(
    db: DbOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Latest runs to show.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """The latest runs: status, rows per outcome, tokens, cost, feed -> output."""
    store = _open(db)
    runs = store.list_runs(limit) if store else []
    if store:
        store.close()
    if as_json:
        typer.echo(json.dumps([_as_dict(r) for r in runs], ensure_ascii=False, indent=2))
        return
    if not runs:
        typer.echo("no batch runs recorded yet")
        return
    counts = "  ".join(f"{SHORT_NAMES[s]:>5}" for s in Status)
    head = f"{'id':>5}  {'started':<16}  {'status':<11}  {counts}  {'tokens':>9}  {'cost':>9}"
    typer.secho(f"{head}  feed -> output", bold=True)
    for run in runs:
        counts = "  ".join(f"{run.counts.get(s, 0):>5}" for s in Status)
        tokens = run.input_tokens + run.output_tokens
        line = f"{run.id:>5}  {_when(run.started_at):<16}  {run.display_status:<11}  {counts}"
        typer.echo(f"{line}  {tokens:>9}  {_cost(run.cost):>9}  {run.feed or '-'} -> {run.output or '-'}")


def _followed(store: Store, run_id: int, model: str | None) -> list[RemoteBatch]:
    """The run's batches as the API sees them now; as last seen when it cannot be asked."""
    try:
        return follow_batches(store, run_id, model)
    except CopyAssistError as exc:
        typer.secho(f"warning: batches as last seen: {exc}", err=True, fg=typer.colors.YELLOW)
        return batches_of_run(store, run_id)


@runs_app.command("show")
@friendly_errors
def runs_show(
    run_id: Annotated[int, typer.Argument(metavar="ID", help="Run id (see 'runs list').")],
    db: DbOpt = None,
    failures: Annotated[int, typer.Option("--failures", min=0, help="Failed rows to list; 0 for all.")] = 50,
    as_json: JsonOpt = False,
    no_refresh: Annotated[
        bool, typer.Option("--no-refresh", help="Show the run's batches as last seen; ask the API nothing.")
    ] = False,
) -> None:
    """One run in detail, with its failed rows (row number and error) and its batches, if any
    (asked for their status now when an OpenAI key is set)."""
    store = _open(db)
    if store is None:
        raise fail(f"no run {run_id}: no store at {(db or default_path()).expanduser()}", 2)
    try:
        run = store.get_run(run_id, failures or None)
        batches = batches_of_run(store, run_id)
        if not no_refresh and any(b.open and b.engine == "openai" for b in batches):
            batches = _followed(store, run_id, run.model)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({**_as_dict(run), "batches": [asdict(b) for b in batches]}, ensure_ascii=False,
                              indent=2))  # fmt: skip
        return
    typer.secho(f"run {run.id} — {run.display_status}", bold=True)
    lines = [
        ("started", _when(run.started_at)),
        ("finished", _when(run.finished_at)),
        ("feed", run.feed or "-"),
        ("output", run.output or "-"),
        ("template", ", ".join((run.args or {}).get("templates") or []) or run.template or "-"),
        ("language", run.language or "-"),
        ("persona", run.persona or "-"),
        ("channel", run.channel or "-"),
        ("model", run.model or "-"),
        ("command", " ".join(run.command) if run.command else "-"),
        ("rows", ", ".join(f"{run.counts.get(s, 0)} {s}" for s in Status)),
        ("tokens", f"{run.input_tokens} in, {run.output_tokens} out"),
        ("cost", _cost(run.cost)),
    ]
    if run.note:
        lines.append(("note", run.note))
    for label, value in lines:
        typer.echo(f"{label + ':':<10} {value}")
    if batches:
        typer.secho(
            f"batches ({len(batches)}, as last seen: {_when(max(b.updated_at for b in batches))}):", bold=True
        )
        for batch in batches:
            typer.echo(f"  {describe_batch(batch)}")
    if run.display_status == "interrupted":
        typer.secho(
            "the process of this run is gone: run the same command again to resume", fg=typer.colors.YELLOW
        )
    if not run.failure_count:
        return
    typer.secho(f"failures ({run.failure_count}):", bold=True)
    for failure in run.failures:
        typer.echo(f"  row {failure.row_number}: {failure.error or failure.status}")
    if run.failure_count > len(run.failures):
        typer.echo(f"  ... {run.failure_count - len(run.failures)} more (--failures 0 for all)")
