"""``run_batch``, ``iter_batch`` and ``dry_run``: the library face of bulk generation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyassist import errors
from copyassist.backends import Backend, estimating_backend, get_backend
from copyassist.batch.estimate import RowEstimator
from copyassist.batch.limiter import RateLimiter
from copyassist.batch.listing import output_columns, templates_of
from copyassist.batch.model import RowOutcome
from copyassist.batch.pacing import PacedBackend
from copyassist.batch.run_settings import run_args, settings_for
from copyassist.batch.runner import BatchRunner
from copyassist.batch.settings import BatchSettings, BatchTotals
from copyassist.batch.store import Store
from copyassist.batch.writers import open_writer
from copyassist.feeds import Feed, open_feed
from copyassist.feeds.writing import check_output_path, keep_backup
from copyassist.prices import estimate_cost
from copyassist.product_language import LanguageChoice
from copyassist.templates import Template

OnOutcome = Callable[[RowOutcome, BatchTotals], None]


@dataclass
class BatchSummary:
    run_id: int
    output: Path | None
    totals: BatchTotals
    calls: int  # model calls made, repairs and retries included
    rate_limited: int  # 429 answers received

    @property
    def languages(self) -> Counter[LanguageChoice]:
        """The language each row was written in, and why (forced, from the data, detected, default)."""
        return self.totals.languages


@dataclass
class BatchEstimate:
    """What a run would do, from ``dry_run``: nothing is called."""

    rows: int
    to_generate: int
    cached: int
    skipped: int
    #: at most: every attempt made, each re-ask at its longest (attempts.worst_case_tokens)
    input_tokens: int
    output_tokens: int  # at most: max_tokens per attempt
    cost: float | None
    model: str
    tokens_exact: bool
    #: the language each row would be written in, and why (forced, from the data, detected, default)
    languages: Counter[LanguageChoice] = field(default_factory=Counter)
    duplicates: int = 0  # rows with the same product and settings as an earlier one: one call


class BatchJob:
    """One run: a feed, settings, a paced backend and the store, ready to iterate."""

    def __init__(
        self,
        feed: Feed,
        settings: BatchSettings,
        backend: Backend,
        store: Store,
        *,
        rpm: float | None = None,
        tpm: float | None = None,
        output: Path | None = None,
        on_outcome: OnOutcome | None = None,
        args: Mapping[str, Any] | None = None,
    ) -> None:
        self.feed = feed
        self.settings = settings
        self.backend = (
            backend if isinstance(backend, PacedBackend) else PacedBackend(backend, RateLimiter(rpm, tpm))
        )
        self.store = store
        template = settings.templates[settings.language]
        self.run_id = store.start_run(
            feed=str(feed.path), output=str(output) if output else None, template=template.name,
            persona=settings.persona, channel=settings.channel, model=self.backend.model,
            language=settings.forced_language or "auto", command=sys.argv,
            args=run_args(feed, settings, template, args),
        )  # fmt: skip
        self.runner = BatchRunner(settings, self.backend, store, self.run_id, on_outcome)

    @property
    def totals(self) -> BatchTotals:
        return self.runner.totals

    async def outcomes(self) -> AsyncIterator[RowOutcome]:
        status = "failed"
        try:
            async for outcome in self.runner.run(self.feed.rows()):
                yield outcome
            status = "stopped" if self.totals.stopped else "finished"
        finally:
            t = self.totals
            self.store.finish_run(
                self.run_id, status, dict(t.counts), t.usage.input_tokens, t.usage.output_tokens,
                None if t.unknown_cost else t.cost, note=t.stopped, failures=t.failures,
            )  # fmt: skip

    def summary(self, output: Path | None) -> BatchSummary:
        stats = self.backend.stats
        return BatchSummary(self.run_id, output, self.totals, stats.calls, stats.rate_limited)


def _backend(backend: Backend | None, provider: str, model: str | None, base_url: str | None) -> Backend:
    # the job closes the clients of a backend it builds: aiohttp's, the cheaper, can be used
    return backend or get_backend(provider, model=model, base_url=base_url, http="auto")


@contextlib.asynccontextmanager
async def _opened_job(
    feed: str | Path,
    template: str | Template | Sequence[str],
    language: str | None,
    options: dict[str, Any],
    *,
    backend: Backend | None,
    provider: str,
    model: str | None,
    base_url: str | None,
    rpm: float | None,
    tpm: float | None,
    store: Store | None,
    feed_format: str | None,
    mapping: Mapping[str, str] | None,
    on_outcome: OnOutcome | None,
    output: Path | None = None,
    written: Mapping[str, Any] | None = None,
) -> AsyncIterator[BatchJob]:
    """A job on ``feed``; closes afterwards what it opened (the store, the backend's clients)."""
    header_row = options.pop("header_row", None)
    source = open_feed(feed, format=feed_format, mapping=mapping, header_row=header_row)
    args = {"feed_format_given": feed_format, "mapping_given": dict(mapping or {}), "header_row": header_row,
            **(written or {})}  # fmt: skip
    db = store or Store()
    job: BatchJob | None = None
    try:
        job = BatchJob(source, settings_for(template, language, **options),
                       _backend(backend, provider, model, base_url), db, rpm=rpm, tpm=tpm,
                       output=output, on_outcome=on_outcome, args=args)  # fmt: skip
        yield job
    finally:
        if job is not None and backend is None:
            await job.backend.aclose()
        if store is None:
            db.close()


async def iter_batch(
    feed: str | Path,
    *,
    template: str | Template | Sequence[str],
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
    on_outcome: OnOutcome | None = None,
    **options: Any,
) -> AsyncIterator[RowOutcome]:
    """Every row's outcome, in input order, as soon as it is finished and stored.

    ``options``: persona, channel, concurrency, max_attempts, variants, max_cost, use_cache, params,
    header_row (a workbook's header row, when not the one detected), and template inputs (tone,
    words, keywords...).
    """
    async with _opened_job(
        feed, template, language, options, backend=backend, provider=provider, model=model,
        base_url=base_url, rpm=rpm, tpm=tpm, store=store, feed_format=feed_format, mapping=mapping,
        on_outcome=on_outcome,
    ) as job:  # fmt: skip
        async for outcome in job.outcomes():
            yield outcome


async def arun_batch(
    feed: str | Path,
    output: str | Path,
    *,
    template: str | Template | Sequence[str],
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
    output_format: str | None = None,
    overwrite: bool = False,
    neutralise: bool = True,
    neutralise_all: bool = False,
    merchant_structured: bool = False,
    in_place: bool = False,
    on_outcome: OnOutcome | None = None,
    **options: Any,
) -> BatchSummary:
    """Generate copy for every row of ``feed`` and write ``output``: every row, input order.

    The output is written to ``<output>.partial`` and renamed at the end; finished rows are in
    the store as they finish, so a rerun after a crash makes no call for them. ``output`` is
    checked before the first call (``check_output_path``); it may be ``feed`` itself only with
    ``in_place``, which first copies the original to ``<feed>.bak``. A write that fails (a full
    disk) stops the run: the rows in flight finish and are stored, then ``StorageError``.
    """
    target = check_output_path(output, source=feed, in_place=in_place)
    written = {"output": str(target.resolve()), "output_format": output_format, "overwrite": overwrite,
               "neutralise": neutralise, "neutralise_all": neutralise_all,
               "merchant_structured": merchant_structured, "in_place": in_place}  # fmt: skip
    if in_place and target.exists() and os.path.samefile(target, feed):
        written["backup"] = str(keep_backup(feed).resolve())  # the seller's original, for export
    async with _opened_job(
        feed, template, language, options, backend=backend, provider=provider, model=model,
        base_url=base_url, rpm=rpm, tpm=tpm, store=store, feed_format=feed_format, mapping=mapping,
        on_outcome=on_outcome, output=target, written=written,
    ) as job:  # fmt: skip
        source, settings = job.feed, job.settings
        with open_writer(
            target, source_format=source.format, columns=source.columns, mapping=source.mapping,
            fields=output_columns(settings), listing=templates_of(settings) if settings.listing else (),
            delimiter=source.delimiter, encoding=source.encoding,
            lineterminator=source.lineterminator, output_format=output_format, overwrite=overwrite,
            neutralise=neutralise, neutralise_all=neutralise_all, merchant_structured=merchant_structured,
            document=source.document, preamble=source.preamble, header_source=source.header_source,
        ) as writer:  # fmt: skip
            failed: errors.StorageError | None = None
            async for outcome in job.outcomes():
                if failed is None:
                    try:
                        writer.write(outcome)
                    except errors.StorageError as exc:
                        failed = exc
                        job.totals.stopped = f"the output cannot be written ({exc})"
            if failed is not None:
                raise failed
        return job.summary(target)


def run_batch(feed: str | Path, output: str | Path, **options: Any) -> BatchSummary:
    """The sync face of ``arun_batch`` (same arguments)."""
    return asyncio.run(arun_batch(feed, output, **options))


def dry_run(
    feed: str | Path,
    *,
    template: str | Template | Sequence[str],
    language: str | None = None,
    model: str | None = None,
    provider: str = "auto",
    base_url: str | None = None,
    backend: Backend | None = None,
    store: Store | None = None,
    feed_format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    **options: Any,
) -> BatchEstimate:
    """Rows, tokens and cost a run would use at most (rows already in the store, and rows the
    same as an earlier one, excluded); calls nothing. At most: every row takes all its attempts,
    each with all of its ``max_tokens`` and each re-ask at its longest."""
    source = open_feed(feed, format=feed_format, mapping=mapping, header_row=options.pop("header_row", None))
    settings = settings_for(template, language, **options)
    # priced as the run would send it, with no key needed: nothing is sent
    backend = (
        backend
        or estimating_backend(provider, model=model, base_url=base_url)
        or _backend(None, provider, model, base_url)
    )
    db = store or Store()
    runner = BatchRunner(settings, PacedBackend(backend, RateLimiter(None, None)), db, run_id=0)
    rows = to_generate = cached = skipped = duplicates = input_tokens = output_tokens = 0
    exact = True
    languages: Counter[LanguageChoice] = Counter()
    estimator = RowEstimator(runner, backend)
    try:
        for row in source.rows():
            rows += 1
            if row.skip or row.product is None:
                skipped += 1
                continue
            choice = runner.language_for(row)
            languages[choice] += 1
            fields = estimator.row(row, choice.language)
            if fields is None:
                duplicates += 1
                continue
            if not fields:
                cached += 1
                continue
            for worst, counted_exactly in fields:
                exact = exact and counted_exactly
                input_tokens += worst.input_tokens
                output_tokens += worst.output_tokens
            to_generate += 1
    finally:
        if store is None:
            db.close()
    cost = 0.0 if backend.name == "local" else estimate_cost(backend.model, input_tokens, output_tokens)
    return BatchEstimate(rows, to_generate, cached, skipped, input_tokens, output_tokens, cost,
                         backend.model, exact, languages, duplicates)  # fmt: skip
