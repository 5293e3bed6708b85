"""``copyassist batch``: a whole catalogue feed through one template, or several (a listing)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from copyassist.batch.api import dry_run, run_batch
from copyassist.batch.settings import BatchTotals
from copyassist.batch.store import Store
from copyassist.cli.backend_options import (
    AttemptsOpt,
    BaseUrlOpt,
    ChatFormatOpt,
    ModelOpt,
    ProviderOpt,
    use_chat_format,
)
from copyassist.cli.errors import fail, friendly_errors
from copyassist.cli.grades import ScoreOpt, chosen_criteria, run_scores_summary
from copyassist.cli.option_checks import checked_channel
from copyassist.cli.options import CopyOptions, VariantsOpt, with_feed_options
from copyassist.cli.progress import BatchProgress
from copyassist.cli.remote import VIA_HELP, batch_priced, check_remote_options, run_remote
from copyassist.errors import CopyAssistError, InputError
from copyassist.feeds import count_records, open_feed
from copyassist.feeds.sniffing import regular_file
from copyassist.product_language import describe_languages
from copyassist.review.report import is_default_store, write_run_report
from copyassist.scoring.grader import DEFAULT_GRADE_ATTEMPTS
from copyassist.variants import check_variants

Opt = typer.Option

BATCH_HELP = (
    "Write copy for every row of a feed, in input order; resumable and cached.\n\n"
    "Each finished row is saved at once: run the same command again after a crash or Ctrl-C and "
    "finished rows cost nothing. Rows done in any earlier run come from the store (--no-cache to "
    "redo them). Exit 1 when a row failed, could not be read or was skipped with an error, 3 when "
    "the run stopped early. With --score, a model also grades each written row (kept in the store, "
    "never its status: the exit codes stay the rules').\n\n"
    "Every row gets the copy options generate takes (--tone, --words, --keyword, --objective, "
    "--count, --max-chars, --temperature...); here --format is the feed's format and the copy's "
    "is --copy-format."
)


def _mapping(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise InputError(f'--map expects "Column name=field", got {pair!r}')
        mapping[column.strip()] = target.strip()
    return mapping


@friendly_errors
@with_feed_options
def batch_command(
    feed: Annotated[
        Path,
        typer.Argument(
            help="CSV (any delimiter, UTF-8 or Windows-1252), a Shopify, WooCommerce or Merchant "
            "export, Merchant RSS/Atom XML, an Excel .xlsx, JSONL or JSON."
        ),
    ],
    template: Annotated[
        list[str],
        Opt(
            "--template",
            "-t",
            help="Template to run on every row (see 'templates list'); several, for a whole listing: "
            "comma-separated or repeated, in the order they are written, or a set (listing).",
        ),
    ],
    options: CopyOptions,
    output: Annotated[
        Path | None,
        Opt("--output", "-o", help="Output file (.csv/.tsv like the input, .xlsx, .xml, .jsonl, .json)."),
    ] = None,
    feed_format: Annotated[
        str | None,
        Opt(
            "--format",
            "--feed-format",
            help="Feed format: csv, shopify, woocommerce, merchant, jsonl, json (default: detected).",
        ),
    ] = None,
    output_format: Annotated[
        str | None, Opt("--output-format", help="Default: from the output's extension.")
    ] = None,
    mapping: Annotated[
        list[str] | None, Opt("--map", help='Column mapping, repeatable: "Nom du produit=title".')
    ] = None,
    header_row: Annotated[
        int | None, Opt("--header-row", min=1, help="An .xlsx's header row (default: detected).")
    ] = None,
    concurrency: Annotated[int, Opt(min=1, max=512, help="Model calls in flight at once.")] = 8,
    rpm: Annotated[
        float | None, Opt(min=1, help="Requests per minute allowed by your provider plan.")
    ] = None,
    tpm: Annotated[float | None, Opt(min=1, help="Tokens per minute allowed by your provider plan.")] = None,
    max_cost: Annotated[
        float | None, Opt(min=0, help="Stop (keeping every finished row) once this many USD are spent.")
    ] = None,
    attempts: AttemptsOpt = 3,
    variants: VariantsOpt = 1,
    no_cache: Annotated[
        bool, Opt("--no-cache", help="Call the model even for rows already in the store.")
    ] = False,
    overwrite: Annotated[
        bool, Opt("--overwrite", help="Replace existing copy in the feed's own columns.")
    ] = False,
    no_neutralise: Annotated[
        bool, Opt("--no-neutralise", help="Keep new cells that start with = + - @ as they are.")
    ] = False,
    neutralise_all: Annotated[
        bool,
        Opt("--neutralise-all", help="Also quote the feed's own cells that start with = + - @."),
    ] = False,
    merchant_structured: Annotated[
        bool,
        Opt(
            "--merchant-structured", help="Merchant feeds: write structured_title/description (AI-generated)."
        ),
    ] = False,
    in_place: Annotated[
        bool, Opt("--in-place", help="Write into the feed itself; the original is kept as <feed>.bak.")
    ] = False,
    dry: Annotated[bool, Opt("--dry-run", help="Count rows, tokens and cost; call nothing.")] = False,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    db: Annotated[Path | None, Opt(help="Result store (default: your copyassist folder).")] = None,
    quiet: Annotated[bool, Opt("--quiet", "-q", help="No progress output.")] = False,
    score: ScoreOpt = None,
    no_report: Annotated[
        bool, Opt("--no-report", help="Do not write the HTML report (<output>.report.html).")
    ] = False,
    chat_format: ChatFormatOpt = None,
    via: Annotated[str | None, Opt("--via", help=VIA_HELP)] = None,
    export_requests: Annotated[
        Path | None,
        Opt(
            "--export-requests",
            help="Write the requests to this JSONL file (vLLM's run_batch reads it); send nothing.",
        ),
    ] = None,
    import_results: Annotated[
        Path | None,
        Opt("--import-results", help="Store the results file of exported requests, then write the output."),
    ] = None,
    repair_live: Annotated[
        bool, Opt("--repair-live", help="With a batch engine: make the re-asks live, not in another round.")
    ] = False,
) -> None:
    """Write copy for every row of a feed (see BATCH_HELP)."""
    criteria = chosen_criteria(score, options.persona) if score else ()
    checked_channel(options.channel)
    inputs = options.feed_kwargs()  # the copy options, as generate passes them
    use_chat_format(chat_format)
    if in_place and output is not None and output.resolve() != feed.resolve():
        raise fail("--in-place writes the feed itself: give no -o with it (or drop --in-place)", 2)
    remote = bool(via or export_requests or import_results)
    if check_variants(variants) > 1:
        if remote:
            raise fail(
                "--variants is for live runs: leave out --via, --export-requests and --import-results", 2
            )
        inputs["variants"] = variants
    if remote:
        check_remote_options(",".join(template), via, no_cache, score)
    store = Store(db) if db else None
    columns = _mapping(mapping)
    regular_file(feed)  # a FIFO or a device is refused before anything reads it
    source = open_feed(
        feed, format=feed_format, mapping=columns, header_row=header_row
    )  # no title column: refused here
    typer.echo(f"copyassist: columns: {source.mapping_report()}", err=True)
    if dry:
        estimate = dry_run(feed, template=template, model=model, provider=provider,
                           base_url=base_url, store=store, feed_format=feed_format, mapping=columns,
                           use_cache=not no_cache, header_row=header_row, max_attempts=attempts,
                           **inputs)  # fmt: skip
        if via:
            estimate = batch_priced(estimate)
        cost = "unknown" if estimate.cost is None else f"at most ${estimate.cost:.4f}"
        exact = "exact" if estimate.tokens_exact else "estimated"
        typer.echo(
            f"{estimate.rows} rows: {estimate.to_generate} to write, {estimate.cached} already in the store, "
            f"{estimate.skipped} passed through"
            + (f", {estimate.duplicates} the same as an earlier row" if estimate.duplicates else "")
        )
        typer.echo(
            f"input tokens at most ({exact} count): {estimate.input_tokens} · "
            f"output tokens at most: {estimate.output_tokens}"
        )
        typer.echo(f"cost for {estimate.model}: {cost}")
        typer.echo(describe_languages(estimate.languages))
        if criteria:
            calls = len(criteria) * DEFAULT_GRADE_ATTEMPTS
            typer.echo(f"not counted: grading ({', '.join(criteria)}), up to {calls} calls per row written")
        return
    if output is None and in_place:
        output = feed
    if output is None:
        output = feed.with_name(f"{feed.stem}.copyassist{feed.suffix or '.csv'}")
    progress = BatchProgress(count_records(feed), enabled=not quiet)
    settled = None
    if remote:  # through a batch engine: written as below once every row is settled, else exit 3
        written = {"output_format": output_format, "overwrite": overwrite, "neutralise": not no_neutralise,
                   "neutralise_all": neutralise_all, "merchant_structured": merchant_structured,
                   "in_place": in_place, "on_outcome": progress.update}  # fmt: skip
        settled = run_remote(
            feed, output, via=via, export_requests=export_requests, import_results=import_results,
            repair_live=repair_live, template=template,
            feed_format=feed_format, mapping=columns, concurrency=concurrency, max_attempts=attempts,
            max_cost=max_cost, provider=provider, model=model, base_url=base_url, rpm=rpm, tpm=tpm,
            store=store, header_row=header_row, write_options=written, **inputs,
        )  # fmt: skip
    summary = settled or run_batch(
        feed, output, template=template,
        feed_format=feed_format, mapping=columns, concurrency=concurrency, max_attempts=attempts,
        max_cost=max_cost, use_cache=not no_cache, output_format=output_format, overwrite=overwrite,
        neutralise=not no_neutralise, neutralise_all=neutralise_all, merchant_structured=merchant_structured,
        in_place=in_place,
        provider=provider, model=model, base_url=base_url, rpm=rpm, tpm=tpm, store=store,
        on_outcome=progress.update, header_row=header_row, score=criteria, **inputs,
    )  # fmt: skip
    progress.close(summary.totals)
    if criteria:
        run_scores_summary(db, summary.run_id, criteria)
    typer.secho(describe_languages(summary.languages), err=True, dim=True)
    typer.echo(f"written {summary.output}" + (f" (run {summary.run_id})" if summary.run_id else ""))
    _report_rows(summary.totals)
    if not no_report:
        _write_report(store, summary.run_id)
    if summary.totals.stopped:
        typer.secho(
            f"stopped early: {summary.totals.stopped}; run the same command to resume",
            err=True,
            fg=typer.colors.YELLOW,
        )
        raise typer.Exit(3)
    if summary.totals.has_errors:
        raise typer.Exit(1)


def _write_report(store: Store | None, run_id: int) -> None:
    """The run's HTML report; a report that cannot be written is a warning, the run stands."""
    review = f"copyassist review {run_id}"
    if store is not None and not is_default_store(store.path):
        review += f" --db {store.path}"
    try:
        path = write_run_report(store, run_id, review_command=review)
    except (CopyAssistError, OSError, sqlite3.Error) as exc:
        typer.secho(f"warning: no report written: {exc}", err=True, fg=typer.colors.YELLOW)
        return
    typer.echo(f"report {path} (review the rows: {review})")


def _report_rows(totals: BatchTotals, shown: int = 20) -> None:
    """The rows that went wrong, and the reading's warnings, a line each (the first ``shown``)."""
    for number, error in totals.failures[:shown]:
        typer.secho(f"row {number}: {error}", err=True, fg=typer.colors.RED)
    if len(totals.failures) > shown:
        hidden = len(totals.failures) - shown
        typer.secho(f"... and {hidden} more rows with errors", err=True, fg=typer.colors.RED)
    by_note: dict[str, list[int]] = {}
    for number, note in totals.warnings:
        by_note.setdefault(note, []).append(number)
    for note, numbers in by_note.items():
        more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
        rows = ", ".join(map(str, numbers[:shown])) + more
        typer.secho(f"warning: row{'s' if len(numbers) > 1 else ''} {rows}: {note}", err=True,
                    fg=typer.colors.YELLOW)  # fmt: skip
    if totals.warning_count > len(totals.warnings):
        typer.secho(f"warning: {totals.warning_count - len(totals.warnings)} more rows with warnings",
                    err=True, fg=typer.colors.YELLOW)  # fmt: skip
