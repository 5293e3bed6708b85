"""One pass over a feed for a batch engine: what is settled, what waits, what to send.

Each row needing a call (not in the store, its key not seen earlier in the feed) is driven
through the same attempts as a live row (``pipeline._start`` / ``_advance``): each prompt the
attempts yield is looked up by its request's ``custom_id`` among the answers collected so far.
An answer goes on to the attempts, which parse, validate and either finish the row (stored like
a live row, at the price it was billed) or ask again (the re-ask is the next prompt); a prompt
with no answer is a request to send, one already sent waits for its batch. The attempts being
deterministic for the same answers, replaying them in a later process picks up where the
last one stopped, with no state of their own to keep.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from copyassist import errors
from copyassist.attempts import Outcome
from copyassist.backends.base import Backend, Prompt, Usage
from copyassist.batch.fields import stored_result
from copyassist.batch.limiter import RateLimiter
from copyassist.batch.pacing import PacedBackend
from copyassist.batch.runner import BatchRunner
from copyassist.batch.settings import BatchSettings
from copyassist.batch.store import Store
from copyassist.budget import prompt_tokens_at_most
from copyassist.compact import wants_compact
from copyassist.errors import one_line
from copyassist.feeds import FeedRow
from copyassist.pipeline import _advance, _result, _start, prepare
from copyassist.prices import estimate_cost
from copyassist.product import Product
from copyassist.remote.answers import as_call_result
from copyassist.remote.requests import custom_id, request_body, request_line
from copyassist.remote.tables import RemoteTables, RequestRecord
from copyassist.status import Status
from copyassist.templates import Template


@dataclass
class LiveRepair:
    """A re-ask to make live (``repair_live=True``) rather than in another batch round."""

    custom_id: str
    prompt: Prompt
    record: RequestRecord


@dataclass
class PlanCounts:
    rows: int = 0
    skipped: int = 0  # rows passed through (no title, a skip reason)
    cached: int = 0  # in the store before this pass
    duplicates: int = 0  # the same key as an earlier row
    settled: Counter[str] = field(default_factory=Counter)  # rows finished in this pass, by status
    failed: int = 0  # rows whose request failed, or whose answers never validated
    waiting: int = 0  # rows whose request is in a batch not collected yet
    wanted: int = 0  # requests to send (first asks and re-asks)
    usage: Usage = field(default_factory=Usage)
    spent: float = 0.0  # what the answers used by this pass were billed
    unknown_cost: bool = False
    reserved: float = 0.0  # the worst case of the requests still waited on
    failures: list[tuple[int, str]] = field(default_factory=list)

    @property
    def to_do(self) -> int:
        return self.waiting + self.wanted


class Plan:
    """One pass; ``wanted`` then holds the request lines to send, in feed order (spooled to a
    temporary file: a catalogue's requests need not fit in memory)."""

    def __init__(
        self,
        settings: BatchSettings,
        backend: Backend,
        store: Store,
        tables: RemoteTables,
        run_id: int,
        *,
        batch_prices: bool,
        price_requests: bool = False,
        repair_live: bool = False,
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.store = store
        self.tables = tables
        self.run_id = run_id
        self.batch_prices = batch_prices
        self.price_requests = price_requests  # worst case of each request (for max_cost)
        self.repair_live = repair_live
        self.counts = PlanCounts()
        self.waited_on: set[str] = set()
        self.live: list[LiveRepair] = []
        self._records: list[RequestRecord] = []
        self._queued: set[str] = set()
        # closed by close(): it outlives this call, read back by wanted()
        self._spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._runner = BatchRunner(settings, PacedBackend(backend, RateLimiter(None, None)), store, run_id)
        self._local = backend.name == "local"

    def run(self, rows: Iterator[FeedRow]) -> PlanCounts:
        seen: set[str] = set()
        for row in rows:
            self.counts.rows += 1
            if row.skip or row.product is None:
                self.counts.skipped += 1
                continue
            template = self.settings.templates[self._runner.language_for(row).language]
            key = self._runner.key_for(row, template)
            if key in seen:
                self.counts.duplicates += 1
                continue
            seen.add(key)
            if self.settings.use_cache and self.store.get(key) is not None:
                self.counts.cached += 1
                continue
            self._drive(row, template, key)
        return self.counts

    def wanted(self) -> Iterator[tuple[RequestRecord, bytes]]:
        """The requests to send, with their lines, in feed order."""
        self._spool.seek(0)
        for record in self._records:
            line = self._spool.readline()
            yield record, line

    def close(self) -> None:
        self._spool.close()

    def _drive(self, row: FeedRow, template: Template, key: str) -> None:
        settings = self.settings
        product = Product.from_mapping(row.product or {}, f"row {row.number}")
        options: dict[str, Any] = {
            "persona": settings.persona,
            "channel": settings.channel,
            "params": settings.params,
            **settings.options,
        }
        started = time.perf_counter()
        try:
            if not self._first_answered(template, product, options, key, row.number):
                return  # the first ask is to send or waited on: nothing to validate yet
            prepared, steps, prices = _start(template, product, self.backend, settings.max_attempts, options)
        except errors.CopyAssistError as exc:  # bad input: this row only, before any call
            self._fail(row.number, key, one_line(exc), None, 0.0)
            return
        step: Prompt | Outcome = next(steps)
        attempt, cost = 1, 0.0
        unknown = False
        while not isinstance(step, Outcome):
            body = request_body(self.backend, step)
            custom = custom_id(body)
            known = self.tables.get(custom)
            if known is None or known.state in ("wanted", "sent"):
                self._count_cost(None if unknown else cost)  # the answers used so far are paid
            if known is None or known.state == "wanted":
                self._want(custom, body, step, RequestRecord(custom, key, row.number, attempt, None))
                return
            if known.state == "sent":
                self.counts.waiting += 1
                self.waited_on.add(custom)
                self.counts.reserved += known.worst_cost or 0.0
                return
            assert known.answer is not None
            if known.cost is None:
                unknown = True
            else:
                cost += known.cost
            try:
                step = _advance(steps, as_call_result(known.answer, self.backend.model))
            except errors.CopyAssistError as exc:
                self._fail(row.number, key, one_line(exc), exc.usage, None if unknown else cost)
                return
            attempt += 1
        result = _result(prepared, self.backend, step, 0.0, started, prices)
        self.counts.usage = self.counts.usage + result.usage
        self._count_cost(None if unknown else cost)
        stored = stored_result(result, None if unknown else cost)
        self.store.put(key, stored, self.run_id, row.number)
        self.counts.settled[result.status] += 1

    def _first_answered(
        self, template: Template, product: Product, options: dict[str, Any], key: str, number: int
    ) -> bool:
        """Whether the row's first ask has an answer; if not, it is wanted or waited on. Only the
        prompt is rendered for it, as ``_start`` would: a first round costs no validator."""
        compact = wants_compact(options.get("compact"), self.backend)
        rest = {k: v for k, v in options.items() if k != "compact"}
        prompt = prepare(template, product, compact=compact, **rest).prompt
        body = request_body(self.backend, prompt)
        custom = custom_id(body)
        known = self.tables.get(custom)
        if known is not None and known.state == "answered":
            return True
        if known is not None and known.state == "sent":
            self.counts.waiting += 1
            self.waited_on.add(custom)
            self.counts.reserved += known.worst_cost or 0.0
        else:
            self._want(custom, body, prompt, RequestRecord(custom, key, number, 1, None))
        return False

    def _count_cost(self, cost: float | None) -> None:
        if cost is None:
            self.counts.unknown_cost = True
        else:
            self.counts.spent += cost

    def _fail(self, number: int, key: str, error: str, usage: object, cost: float | None) -> None:
        paid = usage if isinstance(usage, Usage) else None
        if paid is not None:
            self.counts.usage = self.counts.usage + paid
        self._count_cost(cost)
        self.store.record_row(self.run_id, number, key, Status.FAILED, error, usage=paid, cost=cost)
        self.counts.failed += 1
        self.counts.failures.append((number, error))

    def _want(self, custom: str, body: dict[str, Any], prompt: Prompt, record: RequestRecord) -> None:
        if custom in self._queued:  # another row asks the very same (a product told apart by its sku only)
            self.counts.waiting += 1
            return
        self._queued.add(custom)
        if self.price_requests:
            record = RequestRecord(
                record.custom_id,
                record.key,
                record.row_number,
                record.attempt,
                self._worst_cost(body, prompt),
            )
        self.counts.wanted += 1
        if self.repair_live and record.attempt > 1:
            self.live.append(LiveRepair(custom, prompt, record))
            return
        self._records.append(record)
        self._spool.write(request_line(body, custom))

    def _worst_cost(self, body: dict[str, Any], prompt: Prompt) -> float | None:
        """The most the request can be billed: its prompt, and every token it may answer with."""
        if self._local:
            return 0.0
        model = self.backend.model
        tokens_in = prompt_tokens_at_most(body["messages"], model)
        tokens_out = int(prompt.params.get("max_tokens") or 0)
        return estimate_cost(model, tokens_in, tokens_out, batch=self.batch_prices)
