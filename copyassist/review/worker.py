"""The one thread that owns the review app's ``ReviewSession``.

A ``Store`` is one SQLite connection meant for one thread, and a model call takes seconds, so
the app keeps its own session (on its own connection to the same file) in one worker thread:
every read and write runs there, one at a time, and the event loop stays free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from copyassist.batch.store import Store
from copyassist.review.session import ReviewSession

T = TypeVar("T")


class SessionWorker:
    """The one thread that owns the app's ``ReviewSession``; ``call`` runs a function on it."""

    def __init__(self, path: Path, run_id: int) -> None:
        self.path = path
        self.run_id = run_id
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copyassist-review")
        self._session: ReviewSession | None = None
        self._store: Store | None = None

    def _open(self) -> ReviewSession:
        if self._session is None:
            self._store = Store(self.path)
            self._session = ReviewSession(self._store, self.run_id)
        return self._session

    async def call(self, job: Callable[[ReviewSession], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: job(self._open()))

    def _close(self) -> None:
        if self._session is not None:
            self._session.close()
        if self._store is not None:
            self._store.close()
        self._session = self._store = None

    def close(self) -> None:
        self._executor.submit(self._close).result()
        self._executor.shutdown()
