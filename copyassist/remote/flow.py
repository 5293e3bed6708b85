"""``remote_batch``: a catalogue through a batch engine, one step further each time it is run.

Each call: follows the batches already submitted and collects those that are done (or reads
the results file given), goes over the feed (``plan.Plan``: rows settled by the answers, rows
waiting for a batch, requests to send), makes the re-asks live with ``repair_live``, sends what
is to be sent (a batch file per 50,000 requests, or one exported file), and, once no row waits
any more, writes the output with the ordinary batch run, answered from the store. The same call
again goes on from where it stopped; nothing is sent twice and nothing paid is lost.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copyassist import errors
from copyassist.backends import Backend, get_backend
from copyassist.batch.api import BatchSummary, arun_batch
from copyassist.batch.run_settings import run_args, settings_for
from copyassist.batch.store import Store
from copyassist.feeds import open_feed
from copyassist.remote import batches as openai_batches
from copyassist.remote.imports import import_results_file
from copyassist.remote.plan import Plan, PlanCounts
from copyassist.remote.replay import CollectedAnswers
from copyassist.remote.report import RemoteReport
from copyassist.remote.requests import BATCH_API_LIMITS, FileLimits
from copyassist.remote.sending import make_repairs_live, within_cap, write_export_file, write_request_files
from copyassist.remote.tables import RemoteBatch, RemoteTables, batches_of_run

if TYPE_CHECKING:
    import openai

#: --via values
ENGINES = ("openai-batch",)


def request_backend(provider: str, model: str | None, base_url: str | None) -> Backend:
    """The backend whose requests a file holds; for an export, a model name is enough (no server
    is asked anything: the requests run elsewhere)."""
    try:
        chosen = get_backend(provider, model=model, base_url=base_url, discover_model=False)
    except errors.ConfigError:
        chosen = None
    if chosen is None or chosen.name == "local":
        if not model:
            raise errors.ConfigError(
                "exported requests need a model name: the one the engine serves (model=)"
            ).with_hint("model")
        from copyassist.backends.openai_backend import OpenAIBackend  # the SDK, when it is used

        return OpenAIBackend(name="compatible", model=model, base_url=base_url, structured="json_schema")
    return chosen


def _client(backend: Backend) -> openai.OpenAI:
    from copyassist.backends.openai_backend import OpenAIBackend

    if not isinstance(backend, OpenAIBackend):
        raise errors.ConfigError("the OpenAI Batch API needs the openai provider (set OPENAI_API_KEY)")
    return backend.client


def follow_batches(
    store: Store, run_id: int, model: str | None, client: openai.OpenAI | None = None
) -> list[RemoteBatch]:
    """Ask the API how the batches a run submitted stand now (collecting those that are done),
    without going over the feed: ``copyassist runs show``. ConfigError without an OpenAI key."""
    tables = RemoteTables(store)
    backend: Backend | None = None
    if client is None:
        backend = get_backend("openai", model=model or None)
        client = _client(backend)
    try:
        for batch in batches_of_run(store, run_id):
            if batch.engine == "openai" and batch.state == "submitted":
                openai_batches.refresh(client, tables, batch, model or "")
    finally:
        if backend is not None:
            backend.close()
    return batches_of_run(store, run_id)


def remote_batch(
    feed: str | Path,
    output: str | Path,
    *,
    template: str,
    via: str | None = None,
    export_requests: str | Path | None = None,
    import_results: str | Path | None = None,
    repair_live: bool = False,
    client: openai.OpenAI | None = None,
    limits: FileLimits = BATCH_API_LIMITS,
    language: str | None = None,
    backend: Backend | None = None,
    provider: str = "auto",
    model: str | None = None,
    base_url: str | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    store: Store | None = None,
    feed_format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    header_row: int | None = None,
    max_cost: float | None = None,
    files_dir: str | Path | None = None,
    write_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> RemoteReport:
    """One step of ``feed`` through a batch engine (see the module docstring).

    ``via="openai-batch"``: the OpenAI Batch API through ``client`` (default: the openai
    backend's own). ``export_requests``: write the requests to this file instead (vLLM's
    ``run_batch`` reads it); ``import_results``: the results file of an exported one.
    ``options``: those of ``run_batch`` (persona, channel, max_attempts, template inputs...);
    ``write_options``: how the output is written (output_format, overwrite, in_place...)."""
    if via is not None and via not in ENGINES:
        raise errors.ConfigError(f"unknown batch engine {via!r}; choose {', '.join(ENGINES)}")
    if via is not None and (export_requests is not None or import_results is not None):
        raise errors.ConfigError(
            "a run goes through the Batch API (via=) or through files it exports: not both"
        )
    if via is None and export_requests is None and import_results is None:
        raise errors.ConfigError("remote_batch needs via=, export_requests= or import_results=")
    if options.get("use_cache") is False:
        raise errors.ConfigError("a batch engine run answers from the store: use_cache=False does not apply")
    db = store or Store()
    exporting = via is None
    chosen = backend or (
        request_backend(provider, model, base_url)
        if exporting
        else get_backend(provider, model=model, base_url=base_url)
    )
    try:
        return _step(
            db,
            chosen,
            feed,
            output,
            template,
            language,
            via,
            client,
            export_requests,
            import_results,
            repair_live,
            limits,
            rpm,
            tpm,
            feed_format,
            mapping,
            header_row,
            max_cost,
            files_dir,
            write_options or {},
            options,
        )
    finally:
        if backend is None:
            chosen.close()
        if store is None:
            db.close()


def _step(
    db: Store,
    backend: Backend,
    feed: str | Path,
    output: str | Path,
    template: str,
    language: str | None,
    via: str | None,
    client: openai.OpenAI | None,
    export_requests: str | Path | None,
    import_results: str | Path | None,
    repair_live: bool,
    limits: FileLimits,
    rpm: float | None,
    tpm: float | None,
    feed_format: str | None,
    mapping: Mapping[str, str] | None,
    header_row: int | None,
    max_cost: float | None,
    files_dir: str | Path | None,
    write_options: Mapping[str, Any],
    options: dict[str, Any],
) -> RemoteReport:
    settings = settings_for(template, language, max_cost=max_cost, **options)
    source = open_feed(feed, format=feed_format, mapping=mapping, header_row=header_row)
    main = settings.templates[settings.language]
    run_id = db.start_run(
        feed=str(source.path),
        output=str(output),
        template=main.name,
        persona=settings.persona,
        channel=settings.channel,
        model=backend.model,
        language=settings.forced_language or "auto",
        command=sys.argv,
        args=run_args(source, settings, main, {"via": via or "export"}),
    )
    tables = RemoteTables(db)
    report = RemoteReport(run_id, PlanCounts(), model=backend.model)
    status = "failed"
    try:
        sdk = (client or _client(backend)) if via else None
        if sdk is not None:
            for batch in tables.batches(engine="openai", open_only=True):
                if batch.state == "submitted":
                    followed = openai_batches.refresh(sdk, tables, batch, backend.model)
                    if followed.state == "collected":
                        report.collected.append(followed)
        if import_results is not None:
            report.imported = import_results_file(Path(import_results), tables, backend.model).answers
        if export_requests is not None:
            tables.want_again(engine="export")  # exported before and never imported: in this file again
        plan = _plan(settings, backend, db, tables, run_id, source.rows, via, max_cost, repair_live)
        rounds = 0
        while plan.live and rounds < settings.max_attempts:
            report.repaired_live += make_repairs_live(
                plan.live, backend, tables, rpm, tpm, settings.concurrency
            )
            plan.close()
            plan = _plan(settings, backend, db, tables, run_id, source.rows, via, max_cost, repair_live)
            rounds += 1
        report.counts = plan.counts
        wanted = within_cap(plan, max_cost, report)
        if sdk is not None:
            write_request_files(
                wanted, tables, run_id, limits, Path(files_dir) if files_dir else db.path.parent
            )
            for batch in tables.batches(engine="openai", open_only=True):
                if batch.state != "submitted":
                    report.submitted.append(openai_batches.submit(sdk, tables, batch))
        elif export_requests is not None:
            report.export_path = Path(export_requests)
            report.exported = write_export_file(wanted, tables, run_id, report.export_path)
        else:
            report.unsent = sum(1 for _ in wanted)
        plan.close()
        if sdk is not None:
            report.open_batches = tables.batches(engine="openai", open_only=True)
        else:
            report.open_batches = [b for b in tables.batches(engine="export") if b.state == "exported"]
        waiting = (
            plan.counts.waiting or report.submitted or report.exported or report.unsent or report.held_back
        )
        if not waiting:
            report.summary = _write_output(
                db,
                backend,
                tables,
                feed,
                output,
                template,
                language,
                feed_format,
                mapping,
                header_row,
                write_options,
                options,
            )
        status = "waiting" if waiting else "finished"
    finally:
        counts = report.counts
        db.finish_run(
            run_id,
            status,
            {**counts.settled, "failed": counts.failed},
            counts.usage.input_tokens,
            counts.usage.output_tokens,
            None if counts.unknown_cost else counts.spent,
            failures=counts.failures,
            note=f"{counts.to_do} requests to send or waited on" if counts.to_do else None,
        )
    return report


def _plan(
    settings: Any,
    backend: Backend,
    db: Store,
    tables: RemoteTables,
    run_id: int,
    rows: Any,
    via: str | None,
    max_cost: float | None,
    repair_live: bool,
) -> Plan:
    plan = Plan(
        settings,
        backend,
        db,
        tables,
        run_id,
        batch_prices=True,
        price_requests=max_cost is not None,
        repair_live=repair_live,
    )
    plan.run(rows())
    return plan


def _write_output(
    db: Store,
    backend: Backend,
    tables: RemoteTables,
    feed: str | Path,
    output: str | Path,
    template: str,
    language: str | None,
    feed_format: str | None,
    mapping: Mapping[str, str] | None,
    header_row: int | None,
    write_options: Mapping[str, Any],
    options: dict[str, Any],
) -> BatchSummary:
    """The ordinary batch run, every row answered from the store or replayed: no call is made."""
    return asyncio.run(
        arun_batch(
            feed,
            output,
            template=template,
            language=language,
            backend=CollectedAnswers(backend, tables),
            store=db,
            feed_format=feed_format,
            mapping=mapping,
            header_row=header_row,
            **write_options,
            **options,
        )
    )
