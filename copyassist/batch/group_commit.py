"""Group commit: the store's writes of a batch committed together, a few milliseconds apart.

A commit per row pays a WAL append and its bookkeeping for every row (1 to 2% of a row's CPU
on a local disk here; more where a commit is slower, a network file system). In a group, a
row's writes go into the open transaction and are committed with the others settled around
it: ``INTERVAL`` seconds after the first write of the group at the latest, as soon as
``MAX_WRITES`` writes are waiting, and always before a row is reported as done (the runner
calls ``flush`` before it passes an outcome on). A crash loses at most the group in flight:
rows not yet reported, whose calls a rerun makes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Protocol

#: seconds a write may wait for its group's commit
INTERVAL = 0.005
#: writes waiting that make a group commit at once
MAX_WRITES = 256


class GroupCommit:
    """Commits ``conn``'s open transaction in groups; see the module docstring."""

    def __init__(
        self, conn: sqlite3.Connection, interval: float = INTERVAL, max_writes: int = MAX_WRITES
    ) -> None:
        self._conn = conn
        self.interval, self.max_writes = interval, max_writes
        self.waiting = 0  # writes done since the last commit
        self.commits = 0
        self._timer: asyncio.TimerHandle | None = None
        self.failed: BaseException | None = None  # the error that lost a group

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """Around one write (one or more statements that go together)."""
        if self.failed is not None:
            raise self.failed
        try:
            yield
        except sqlite3.Error as exc:
            # the transaction may be gone with the group's other writes: none of them may be
            # reported as stored, so every later write and flush raises this too
            self.failed = exc
            raise
        self.waiting += 1
        if self.waiting >= self.max_writes:
            self.flush()
        elif self._timer is None:
            self._schedule()

    def flush(self) -> None:
        """Commit the writes waiting, if any; raises the error that lost a group, if one did."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.failed is not None:
            raise self.failed
        if self.waiting:
            self.waiting = 0
            try:
                self._conn.commit()
            except sqlite3.Error as exc:
                self.failed = exc
                raise
            self.commits += 1

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a sync caller): nothing can commit later
            self.flush()
            return
        self._timer = loop.call_later(self.interval, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        with contextlib.suppress(sqlite3.Error):  # kept in failed: the next write or flush raises it
            self.flush()


class Grouped(Protocol):
    """What ``in_groups`` needs of a store (``batch.store.Store``)."""

    group: GroupCommit | None

    @property
    def connection(self) -> sqlite3.Connection: ...


@contextlib.contextmanager
def in_groups(store: Grouped) -> Iterator[GroupCommit]:
    """Within it, the store's ``put`` and ``record_row`` are committed in groups (``flush``
    commits the one in flight at once); everything is committed on the way out."""
    store.group = group = GroupCommit(store.connection)
    try:
        yield group
    except BaseException:
        store.group = None
        with contextlib.suppress(sqlite3.Error):  # the error in flight is the one to report
            group.flush()
        raise
    store.group = None
    if group.failed is None:  # a lost group was raised to its writer already (and stopped the run)
        group.flush()
