"""Group commit: a batch's rows are committed together, and always before a row is reported."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from copyassist.batch.api import run_batch
from copyassist.batch.group_commit import GroupCommit, in_groups
from copyassist.batch.model import RowOutcome
from copyassist.batch.settings import BatchTotals
from copyassist.batch.store import Store
from copyassist.batch.store_records import StoredResult
from tests.test_batch import EchoBackend, write_feed


def stored(title: str) -> StoredResult:
    return StoredResult(output=f'{{"title": "{title}"}}', fields={"title": title}, status="ok")


def committed_keys(path: Path) -> set[str]:
    """The keys another process would see: read on a connection of its own."""
    with sqlite3.connect(path) as other:
        return {row[0] for row in other.execute("SELECT key FROM results")}


def in_a_loop(body: Any) -> Any:
    """Run ``body()`` inside an event loop, as the batch runner writes (a group's timer needs one)."""

    async def run() -> Any:
        return body()

    return asyncio.run(run())


def test_writes_in_a_group_are_seen_by_others_once_flushed(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"

    def body() -> None:
        with Store(path) as store, in_groups(store) as group:
            group.interval = 3600.0  # no timer: only flush commits here
            for n in range(3):
                store.put(f"k{n}", stored(f"T{n}"), None, None)
            assert store.get("k1") == stored("T1")  # its own connection sees them at once
            assert committed_keys(path) == set()
            store.flush()
            assert committed_keys(path) == {"k0", "k1", "k2"} and group.commits == 1
            store.flush()  # nothing waiting: no commit
            assert group.commits == 1

    in_a_loop(body)


def test_leaving_the_group_commits_what_waits(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"

    def body() -> None:
        with Store(path) as store:
            with in_groups(store) as group:
                group.interval = 3600.0
                store.put("k", stored("T"), None, None)
                assert committed_keys(path) == set()
            assert committed_keys(path) == {"k"} and store.group is None
            store.put("after", stored("A"), None, None)  # outside a group: committed at once again
            assert committed_keys(path) == {"k", "after"}

    in_a_loop(body)


def test_a_full_group_commits_at_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"

    def body() -> None:
        with Store(path) as store, in_groups(store) as group:
            group.interval, group.max_writes = 3600.0, 4
            for n in range(9):
                store.put(f"k{n}", stored("T"), None, None)
            assert committed_keys(path) == {f"k{n}" for n in range(8)} and group.commits == 2

    in_a_loop(body)


def test_without_an_event_loop_each_write_commits_at_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    with Store(path) as store, in_groups(store):
        store.put("k", stored("T"), None, None)  # no timer could commit it later
        assert committed_keys(path) == {"k"}


def test_the_timer_commits_a_group_a_few_ms_after_its_first_write(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"

    async def write_then_wait() -> tuple[set[str], set[str]]:
        with Store(path) as store, in_groups(store) as group:
            group.interval = 0.01
            store.put("k", stored("T"), None, None)
            store.record_row(1, 1, "k", "ok", None)
            before = committed_keys(path)
            for _ in range(200):  # the loop runs the timer; no wall-clock assertion, only order
                await asyncio.sleep(0.01)
                if group.commits:
                    break
            return before, committed_keys(path)

    before, after = asyncio.run(write_then_wait())
    assert before == set() and after == {"k"}


def test_a_lost_group_is_never_reported_as_stored(tmp_path: Path) -> None:
    def body() -> None:
        with Store(tmp_path / "store.sqlite3") as store, in_groups(store) as group:
            group.interval = 3600.0
            store.put("k", stored("T"), None, None)
            with pytest.raises(sqlite3.Error), group.write():
                store.connection.execute("INSERT INTO no_such_table VALUES (1)")
            with pytest.raises(sqlite3.Error):
                store.flush()  # the group may be gone: flushing says so instead of claiming success
            with pytest.raises(sqlite3.Error):
                store.put("later", stored("L"), None, None)
        assert committed_keys(tmp_path / "store.sqlite3") == set()

    in_a_loop(body)


def test_every_row_is_committed_before_it_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    feed = write_feed(tmp_path / "feed.csv", 40)
    unseen: list[int] = []
    reported: list[int] = []

    def on_outcome(outcome: RowOutcome, totals: BatchTotals) -> None:
        reported.append(outcome.row.number)
        with sqlite3.connect(path) as other:
            found = other.execute(
                "SELECT count(*) FROM run_rows r JOIN results s ON s.key = r.key WHERE r.row_number = ?",
                (outcome.row.number,),
            ).fetchone()[0]
        if not found:
            unseen.append(outcome.row.number)

    backend = EchoBackend(delay=0.001)
    with Store(path) as store:
        run_batch(feed, tmp_path / "out.csv", template="product-title", backend=backend, store=store,
                  concurrency=8, language="fr", on_outcome=on_outcome)  # fmt: skip
    assert len(reported) == 40 and unseen == []


def test_rows_are_committed_in_fewer_commits_than_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = write_feed(tmp_path / "feed.csv", 60)
    groups: list[GroupCommit] = []
    real_init = GroupCommit.__init__

    def kept(self: GroupCommit, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        groups.append(self)

    monkeypatch.setattr(GroupCommit, "__init__", kept)
    with Store(tmp_path / "store.sqlite3") as store:
        # the echo backend answers at once: many rows settle between two reports
        summary = run_batch(feed, tmp_path / "out.csv", template="product-title", backend=EchoBackend(),
                            store=store, concurrency=16, language="fr")  # fmt: skip
    assert summary.totals.counts["ok"] == 60
    assert len(groups) == 1 and 0 < groups[0].commits < 60
