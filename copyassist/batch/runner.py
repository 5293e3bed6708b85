"""The batch runner: rows in, copy out, in input order, each finished row durable at once.

Rows stream from the feed; a finished row is committed to the store before anything else
happens to it, so a run killed at any moment loses nothing it paid for, and the same command
run again answers finished rows from the store with no call. At most ``concurrency`` model
calls are in flight, all paced by one shared limiter; rows are read only a bounded window
ahead of the oldest unwritten one, so memory stays flat in the number of rows.

Spend: every call's tokens are counted, a failed row's too, and ``max_cost`` is a cap that
holds (``budget.CostCap``: a call reserves its worst case before it is sent). Rows with the
same key as a row in flight wait for its answer instead of paying for the same call again.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from copyassist import errors
from copyassist.backends.base import Usage
from copyassist.batch.candidates import CandidateStore, from_result
from copyassist.batch.field_log import FieldLog
from copyassist.batch.fields import stored_result
from copyassist.batch.group_commit import in_groups
from copyassist.batch.listing import LISTING_INPUT, listing_row
from copyassist.batch.listing_duplicates import ListingDuplicates
from copyassist.batch.model import RowOutcome, from_stored
from copyassist.batch.pacing import PacedBackend
from copyassist.batch.settings import MAX_WARNINGS, BatchSettings, BatchTotals
from copyassist.batch.store import Store
from copyassist.batch.store_records import StoredResult
from copyassist.budget import CappedBackend, CostCap
from copyassist.compact import wants_compact
from copyassist.errors import one_line
from copyassist.examples import examples_context
from copyassist.feeds import FeedRow
from copyassist.option_names import accepted_by
from copyassist.pipeline import agenerate, resolve_persona
from copyassist.prices import estimate_cost
from copyassist.product import Product
from copyassist.product_language import LanguageChoice, choose_language
from copyassist.results import CopyResult
from copyassist.rules.language import warm_in_background
from copyassist.scoring.rows import RowGrader
from copyassist.status import Status
from copyassist.templates import Template

logger = logging.getLogger(__name__)

#: Errors after which no further row can succeed: stop, keep what is done.
FATAL = (errors.AuthenticationError, errors.QuotaExceededError)
#: Rows failing in a row on the same systematic error that stop a run. One bad request can be
#: the row's own (a text too long for the model); several in a row are the settings' (an unknown
#: model, a parameter it refuses). Likewise a server still unreachable after every retry of
#: several rows is down: stop, and let the same command resume later.
FAILURES_TO_STOP = 3
#: What a store that cannot be written raises (a full disk, a folder gone read-only).
STORE_ERRORS = (sqlite3.Error, OSError)
_SYSTEMATIC = {
    errors.BadRequestError: "the server refused {n} requests in a row as invalid ({error}); "
    "check the model name and the template's settings",
    errors.ProviderConnectionError: "{n} rows in a row could not reach the server ({error})",
}


class BatchRunner:
    def __init__(
        self,
        settings: BatchSettings,
        backend: PacedBackend,
        store: Store,
        run_id: int,
        on_outcome: Callable[[RowOutcome, BatchTotals], None] | None = None,
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.store = store
        self.run_id = run_id
        self.totals = BatchTotals()
        self._on_outcome = on_outcome
        self._calls = asyncio.Semaphore(settings.concurrency)
        personas_dirs = settings.options.get("personas_dirs", ())
        self._persona_name, _ = resolve_persona(settings.persona, personas_dirs)
        self._warm = False
        self._failing: tuple[type[Exception] | None, int] = (None, 0)  # systematic error, rows in a row
        self.cap = CostCap(settings.max_cost)
        self._caller = backend if settings.max_cost is None else CappedBackend(backend, self.cap)
        #: key -> the outcome of the row generating it (None: it ended without one)
        self._in_flight: dict[str, asyncio.Future[RowOutcome | None]] = {}
        self._grader: RowGrader | None = None  # grades each generated row, with settings.score
        self.fields = FieldLog(store) if settings.listing else None  # a listing's per-field records
        self.candidates = CandidateStore(store.connection) if settings.variants > 1 else None
        self._duplicates = ListingDuplicates(store, run_id, self.totals.field_counts) if self.fields else None
        if settings.score:
            self._grader = RowGrader(settings.score, self._caller, store, run_id, self.totals,
                                     persona=settings.persona, channel=settings.channel,
                                     use_cache=settings.use_cache, limit=self._calls,
                                     personas_dirs=personas_dirs)  # fmt: skip

    def language_for(self, row: FeedRow) -> LanguageChoice:
        """The row's language: the forced one, else its language column, else detected, else the default."""
        settings = self.settings
        return choose_language(row.product, settings.forced_language, settings.templates, row.language)

    def template_for(self, row: FeedRow) -> Template:
        return self.settings.templates[self.language_for(row).language]

    @property
    def _keyed_options(self) -> dict[str, Any]:
        """The options as they shape the answer: compact prompts (the embedded model's default)
        are part of the key when they are used, whether asked for or not; full prompts add
        nothing, so keys made before compact prompts existed still match."""
        options = dict(self.settings.options)
        options.pop("compact", None)
        if wants_compact(self.settings.options.get("compact"), self.backend):
            options["compact"] = True
        return options

    def key_for(
        self, row: FeedRow, template: Template | None = None, listing: dict[str, str] | None = None
    ) -> str:
        """The store key of the row's copy; with ``listing`` (a listing's fields written before
        this one, the template's input), of a field written knowing them."""
        template = template or self.template_for(row)
        params = {**self.settings.params, **self._keyed_options, "attempts": self.settings.max_attempts}
        if listing:  # a listing's first field has the key a one-template run gives it
            params[LISTING_INPUT] = listing
        if "examples" in params:  # the ones this row's prompt shows, as they read: edited, they regenerate
            shown = examples_context(params.pop("examples"), template, row.product)
            params.update({"examples": shown} if shown else {})
        if self.settings.variants > 1:  # one variant: the key it always had
            params["variants"] = self.settings.variants
        return self.store.result_key(
            template=template.name,
            template_version=template.meta.version,
            persona=self._persona_name,
            product=row.product or {},
            model=f"{self.backend.name}:{self.backend.model}",
            params=params,
            channel=self.settings.channel,
            language=template.language,
        )

    async def run(self, rows: Iterable[FeedRow]) -> AsyncIterator[RowOutcome]:
        """Outcomes in input order, each yielded once its row is finished and stored."""
        window: deque[asyncio.Task[RowOutcome]] = deque()
        limit = max(16, self.settings.concurrency * 4)
        with in_groups(self.store):  # rows committed in groups, each before it is reported
            for row in rows:
                if len(window) >= limit:
                    yield await self._finish(window.popleft())
                window.append(asyncio.ensure_future(self._guarded_row(row)))
                while window and window[0].done():
                    yield await self._finish(window.popleft())
            while window:
                yield await self._finish(window.popleft())

    async def _finish(self, task: asyncio.Task[RowOutcome]) -> RowOutcome:
        outcome = await task
        try:
            self.store.flush()  # nothing is reported done that a crash could still lose
        except STORE_ERRORS as exc:
            self._stop(f"the result store cannot be written ({one_line(exc)}); free some disk space")
        if self._duplicates is not None and outcome.field_outcomes:
            self._duplicates.check(outcome)  # in input order: the later row of two is the one flagged
        self.totals.counts[outcome.status] += 1
        if outcome.status == Status.FAILED or (outcome.row.error and outcome.row.skip):
            self.totals.failures.append((outcome.row.number, outcome.error or outcome.row.skip or "?"))
        for note in outcome.row.notes:
            self.totals.warning_count += 1
            if len(self.totals.warnings) < MAX_WARNINGS:
                self.totals.warnings.append((outcome.row.number, note))
        if self._on_outcome is not None:
            self._on_outcome(outcome, self.totals)
        return outcome

    async def _guarded_row(self, row: FeedRow) -> RowOutcome:
        """``_row``, where an error no row should raise fails this row alone (or, when it is the
        store that cannot be written, stops the run), never the whole batch."""
        try:
            outcome = await self._row(row)
            if self._grader is not None and not self.settings.listing:
                await self._grader.grade(outcome, self.key_for(row), self.template_for(row).language)
            return outcome
        except errors.CopyAssistError as exc:  # raised before the call (some are OSErrors too)
            error = one_line(exc)
        except STORE_ERRORS as exc:
            self._stop(f"the result store cannot be written ({one_line(exc)})")
            error = f"not stored: {self.totals.stopped}"
        except Exception as exc:  # a bug, or input no check foresaw: this row only
            logger.debug("row %d: unexpected error", row.number, exc_info=True)
            error = f"unexpected error: {one_line(exc)}"
        template = self.template_for(row)
        return RowOutcome(row, template=template.name, template_version=template.meta.version,
                          persona=self._persona_name, model=self.backend.model,
                          status=Status.FAILED, error=error)  # fmt: skip

    def _stop(self, reason: str) -> None:
        if not self.totals.stopped:
            self.totals.stopped = reason

    def _put(self, key: str, stored: StoredResult, base: RowOutcome) -> None:
        """Store a paid result (its candidates first); a store that cannot take it stops the run
        (the result still goes to the output: it is paid for)."""
        try:
            if self.candidates is not None:
                self.candidates.put(key, base.candidates)
            if self.fields is None:
                self.store.put(key, stored, self.run_id, base.row.number)
            else:
                self.store.put(key, stored, self.run_id, None)
                paid = Usage(stored.input_tokens, stored.output_tokens)
                self._record(base, key, stored.status, None, usage=paid, cost=stored.cost)
        except STORE_ERRORS as exc:
            self._stop(f"the result store cannot be written ({one_line(exc)}); free some disk space")

    def outcome_for(self, row: FeedRow, template: Template) -> RowOutcome:
        """A blank outcome of ``row`` for ``template`` (a row's, or a listing field's)."""
        return RowOutcome(row, template=template.name, template_version=template.meta.version,
                          persona=self._persona_name, model=self.backend.model)  # fmt: skip

    async def _row(self, row: FeedRow) -> RowOutcome:
        skipped = row.skip or row.product is None
        choice = None if skipped else self.language_for(row)
        template = self.settings.templates[choice.language if choice else self.settings.language]
        base = self.outcome_for(row, template)
        if choice is None:
            base.error = row.skip
            return base
        self.totals.languages[choice] += 1
        if self.settings.listing:
            return await listing_row(self, base, choice.language)
        return await self.keyed(base, self.key_for(row, template), template)

    async def keyed(
        self, base: RowOutcome, key: str, template: Template, inputs: dict[str, Any] | None = None
    ) -> RowOutcome:
        """``base`` filled with the copy of ``key``: from the store, from the row in flight with
        the same key, or generated by ``template`` (with ``inputs`` on top of the run's options)."""
        row = base.row
        if self.settings.use_cache:
            stored = self.store.get(key)
            if stored is not None:
                logger.debug("row %d answered from the store (%s, key %s)", row.number, stored.status, key)
                self.totals.cached += 1
                self._record(base, key, stored.status, None)
                base.candidates = self.candidates.get(key) if self.candidates is not None else []
                return from_stored(base, stored)
        leader = self._in_flight.get(key)
        if leader is not None:
            led = await asyncio.shield(leader)
            if led is None:
                return await self.keyed(base, key, template, inputs)
            return self._shared(base, key, led)
        future: asyncio.Future[RowOutcome | None] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        outcome: RowOutcome | None = None
        try:
            outcome = await self._unshared(base, key, template, inputs or {})
            return outcome
        finally:
            del self._in_flight[key]
            future.set_result(outcome)

    async def _unshared(
        self, base: RowOutcome, key: str, template: Template, inputs: dict[str, Any]
    ) -> RowOutcome:
        if self.totals.stopped:
            base.error = f"not processed: {self.totals.stopped}"
            return base
        async with self._calls:
            if self.totals.stopped:
                base.error = f"not processed: {self.totals.stopped}"
                return base
            return await self._generate(base, key, template, inputs)

    def _record(self, base: RowOutcome, key: str, status: str, error: str | None, **spent: Any) -> None:
        """What became of a row in this run; in a listing, of one field (its row's own record
        is written once all its fields are: ``batch.listing``)."""
        if self.fields is not None:
            self.fields.record(self.run_id, base.row.number, base.template, key, status, error, **spent)
        else:
            self.store.record_row(self.run_id, base.row.number, key, status, error, **spent)

    def _shared(self, base: RowOutcome, key: str, led: RowOutcome) -> RowOutcome:
        """A row whose key was in flight for an earlier row: that row's answer, no call."""
        number = base.row.number
        if led.status == Status.FAILED:
            base.status, base.error = Status.FAILED, f"{led.error} (the same product as row {led.row.number})"
            self._record(base, key, Status.FAILED, base.error)
        elif led.fields or led.status != Status.SKIPPED:
            logger.debug("row %d answered by row %d in flight (key %s)", number, led.row.number, key)
            base.fields, base.status, base.violations = dict(led.fields), led.status, list(led.violations)
            base.candidates = list(led.candidates)
            base.model, base.cached = led.model, True
            self.totals.cached += 1
            self._record(base, key, led.status, None)
        else:
            base.error = led.error
        return base

    async def _generate(
        self, base: RowOutcome, key: str, template: Template, inputs: dict[str, Any]
    ) -> RowOutcome:
        row = base.row
        if not self._warm:
            # the language model takes half a second and 85 MB to load: beside the first calls,
            # not before them, and not at all in a run answered from the store
            warm_in_background()
            self._warm = True
        try:
            result: CopyResult = await agenerate(
                template, Product.from_mapping(row.product or {}, f"row {row.number}"),
                backend=self._caller, max_attempts=self.settings.max_attempts,
                variants=self.settings.variants, persona=self.settings.persona, channel=self.settings.channel,
                params=self.settings.params, **{**accepted_by(template, self.settings.options), **inputs},
            )  # fmt: skip
        except errors.CostCapReached as exc:
            self.totals.stopped = str(exc)
            base.error = f"not processed: {exc}"
            self._record(base, key, Status.SKIPPED, base.error, **self._count_spent(exc.usage))
            return base
        except FATAL as exc:
            self.totals.stopped = str(exc)
            base.status, base.error = Status.FAILED, str(exc)
            self._record(base, key, Status.FAILED, str(exc), **self._count_spent(exc.usage))
            return base
        except errors.CopyAssistError as exc:
            base.status, base.error = Status.FAILED, str(exc)
            self._record(base, key, Status.FAILED, str(exc), **self._count_spent(exc.usage))
            self._count_failure(exc)
            return base
        self._failing = (None, 0)
        self._count_usage(result)
        stored = stored_result(result, result.cost)
        base.candidates = from_result(result)
        self._put(key, stored, base)
        return from_stored(base, stored, cached=False)

    def _count_failure(self, error: errors.CopyAssistError) -> None:
        kind = next((k for k in _SYSTEMATIC if isinstance(error, k)), None)
        last, count = self._failing
        self._failing = (kind, count + 1 if kind is not None and kind is last else 1)
        if kind is not None and self._failing[1] >= FAILURES_TO_STOP and not self.totals.stopped:
            self.totals.stopped = _SYSTEMATIC[kind].format(n=self._failing[1], error=error)

    def _count_spent(self, usage: object) -> dict[str, Any]:
        """Count what a failed generation still cost; the store's record_row arguments for it."""
        if not isinstance(usage, Usage):
            return {}
        self.totals.usage = self.totals.usage + usage
        local = self.backend.name == "local"
        cost = 0.0 if local else estimate_cost(self.backend.model, usage.input_tokens, usage.output_tokens)
        if cost is None:
            self.totals.unknown_cost = True
        else:
            self.totals.cost += cost
        return {"usage": usage, "cost": cost}

    def _count_usage(self, result: CopyResult) -> None:
        self.totals.usage = self.totals.usage + result.usage
        if result.cost is None:
            self.totals.unknown_cost = True
        else:
            self.totals.cost += result.cost
