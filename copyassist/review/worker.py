"""The one thread that owns the review app's ``ReviewSession``.

A ``Store`` is one SQLite connection meant for one thread, and a model call takes seconds, so
the app keeps its own session (on its own connection to the same file) in one worker thread:
every read and write runs there, one at a time, and the event loop stays free.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from copyassist.batch.store import Store
from copyassist.review.session import Facets, ReviewSession

T = TypeVar("T")
#: How long counts over the whole run (the filters' facets) are reused when this app wrote
#: nothing: another process writing to the run shows within this time.
FACETS_TTL_S = 10.0


class SessionWorker:
    """The one thread that owns the app's ``ReviewSession``; ``call`` runs a function on it."""

    def __init__(self, path: Path, run_id: int) -> None:
        self.path = path
        self.run_id = run_id
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copyassist-review")
        self._session: ReviewSession | None = None
        self._store: Store | None = None
        self._facets: tuple[float, Facets] | None = None

    def _open(self) -> ReviewSession:
        if self._session is None:
            self._store = Store(self.path)
            self._session = ReviewSession(self._store, self.run_id)
        return self._session

    async def call(self, job: Callable[[ReviewSession], T], *, writes: bool = False) -> T:
        """``job(session)`` on the worker thread; ``writes``: it may change decisions or copy."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, lambda: job(self._open()))
        finally:
            if writes:
                self._facets = None

    def facets(self, session: ReviewSession) -> Facets:
        """``session.facets()``, reused until this app writes or ``FACETS_TTL_S`` passes: counting
        a 100,000-row run costs more than the rest of a page (call it on the worker thread)."""
        now = time.monotonic()
        if self._facets is None or now - self._facets[0] > FACETS_TTL_S:
            self._facets = (now, session.facets())
        return self._facets[1]

    def _close(self) -> None:
        if self._session is not None:
            self._session.close()
        if self._store is not None:
            self._store.close()
        self._session = self._store = None

    def close(self) -> None:
        self._executor.submit(self._close).result()
        self._executor.shutdown()
