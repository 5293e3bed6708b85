"""``copyassist batch ... --via openai-batch`` / ``--export-requests`` / ``--import-results``:
one step of a feed through a batch engine, and what it says about where the run stands."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import typer

from copyassist.batch.api import BatchEstimate, BatchSummary
from copyassist.errors import ConfigError
from copyassist.prices import estimate_cost
from copyassist.remote import ENGINES, RemoteReport, remote_batch
from copyassist.remote.tables import RemoteBatch

VIA_HELP = (
    "Send the rows through a batch engine: 'openai-batch' (the OpenAI Batch API, half the price, "
    "results within 24 h). Run the same command again to see the batches and, once done, write the output."
)


def batch_priced(estimate: BatchEstimate) -> BatchEstimate:
    """The dry-run's figures at the Batch API's prices."""
    cost = estimate_cost(estimate.model, estimate.input_tokens, estimate.output_tokens, batch=True)
    return dataclasses.replace(estimate, cost=cost if estimate.cost != 0.0 else 0.0)


def check_remote_options(template: str, via: str | None, no_cache: bool, score: object) -> None:
    if via is not None and via not in ENGINES:
        raise ConfigError(f"--via takes {', '.join(ENGINES)}, not {via!r}")
    if "," in template or "+" in template:
        raise ConfigError("a batch engine run takes one template (-t NAME); run one per template")
    if no_cache:
        raise ConfigError("--no-cache does not apply to a batch engine run: it answers from the store")
    if score:
        raise ConfigError(
            "--score does not run through a batch engine yet: grade the output with 'copyassist score'"
        )


def describe_batch(batch: RemoteBatch) -> str:
    if batch.engine == "export":
        return f"{batch.path}: {batch.request_count} requests exported, results not imported yet"
    where = batch.batch_id or f"file {batch.path} ({batch.state})"
    status = batch.status or batch.state
    done = f"{batch.completed}/{batch.request_count} done" + (
        f", {batch.failed} failed" if batch.failed else ""
    )
    return f"{where}: {status}, {done}"


def run_remote(
    feed: Path,
    output: Path,
    *,
    via: str | None,
    export_requests: Path | None,
    import_results: Path | None,
    repair_live: bool,
    **options: Any,
) -> BatchSummary:
    """One step; the output run's summary once every row is settled, else exit 3 after saying
    what is waited on and what to run next."""
    report = remote_batch(
        feed,
        output,
        via=via,
        export_requests=export_requests,
        import_results=import_results,
        repair_live=repair_live,
        **options,
    )
    _say(report)
    if report.summary is None:
        raise typer.Exit(3)
    return report.summary


def _say(report: RemoteReport) -> None:
    counts = report.counts
    if report.imported:
        typer.echo(f"imported {report.imported} answers", err=True)
    for batch in report.collected:
        if batch.status == "failed":
            typer.secho(
                f"{batch.batch_id} was refused ({batch.note}): its requests are sent again",
                err=True,
                fg=typer.colors.YELLOW,
            )
            continue
        typer.echo(
            f"collected {batch.batch_id}: {batch.status}, {batch.completed} answered, {batch.failed} failed",
            err=True,
        )
    settled = sum(counts.settled.values())
    typer.echo(
        f"run {report.run_id}: {counts.rows} rows, {counts.cached} already in the store, "
        f"{settled} settled now, {counts.failed} failed, {counts.waiting} waiting, "
        f"{counts.wanted} requests to send"
        + (f", {report.repaired_live} re-asks made live" if report.repaired_live else "")
        + (
            f"; answers used {'?' if counts.unknown_cost else f'${counts.spent:.4f}'}"
            if counts.usage.total_tokens
            else ""
        ),
        err=True,
    )
    for batch in report.submitted:
        typer.echo(
            f"submitted {batch.batch_id}: {batch.request_count} requests (file {batch.file_id})", err=True
        )
    if report.exported and report.export_path is not None:
        typer.echo(
            f"wrote {report.exported} requests to {report.export_path}; run them, e.g. with vLLM:\n"
            f"  python -m vllm.entrypoints.openai.run_batch -i {report.export_path} -o results.jsonl "
            f"--model {report.model}\nthen run this command again with --import-results results.jsonl",
            err=True,
        )
    if report.unsent:
        typer.secho(
            f"{report.unsent} re-asks to send: add --export-requests FILE to write them, or --repair-live",
            fg=typer.colors.YELLOW,
            err=True,
        )
    if report.held_back:
        typer.secho(
            f"max_cost: {report.held_back} requests not sent (they could cross it); "
            "raise --max-cost to send them",
            fg=typer.colors.YELLOW,
            err=True,
        )
    for batch in report.open_batches:
        typer.echo(f"  {describe_batch(batch)}", err=True)
    if report.summary is None:
        shown = sorted({b.run_id for b in report.open_batches if b.run_id is not None}) or [report.run_id]
        runs = " / ".join(f"'copyassist runs show {run}'" for run in shown)
        typer.secho(
            f"not finished: run the same command again to go on (the batches: {runs})",
            fg=typer.colors.YELLOW,
            err=True,
        )
        raise typer.Exit(3)
