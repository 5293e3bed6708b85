"""Row and generation statuses: one definition, stored and written as plain names."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from copyassist.batch.store import Store
from copyassist.batch.store_records import StoredResult
from copyassist.status import FILL_STATUSES, GENERATION_STATUSES, SHORT_NAMES, Status


def test_the_stored_names_never_change() -> None:
    assert [str(s) for s in Status] == ["ok", "repaired", "flagged", "fallback", "failed", "skipped"]
    assert set(GENERATION_STATUSES) == {"ok", "repaired", "flagged", "fallback"}


def test_only_copy_that_passed_or_was_rule_built_fills_a_target() -> None:
    assert {"ok", "repaired", "fallback"} == FILL_STATUSES
    assert Status.FLAGGED not in FILL_STATUSES and "failed" not in FILL_STATUSES


def test_every_status_has_a_short_column_head() -> None:
    assert set(SHORT_NAMES) == set(Status)
    assert all(len(short) <= 5 for short in SHORT_NAMES.values())
    assert len(set(SHORT_NAMES.values())) == len(SHORT_NAMES)


def test_a_status_and_its_name_read_back_are_one_key(tmp_path: Path) -> None:
    with Store(tmp_path / "store.sqlite3") as store:
        store.put("k", StoredResult(output="{}", fields={}, status=Status.REPAIRED), None, None)
        read = store.get("k")
    assert read is not None and read.status == Status.REPAIRED and type(read.status) is str
    counts: Counter[str] = Counter([Status.REPAIRED, read.status, "repaired"])
    assert counts == {"repaired": 3} and counts[Status.REPAIRED] == 3
    assert json.dumps({Status.OK: Status.FALLBACK}) == '{"ok": "fallback"}'
    assert f"{Status.FLAGGED:>8}" == " flagged"
