"""Bugs found reviewing the review step, export and scoring: each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import copyassist
from copyassist.batch.store import Store
from copyassist.review import ReviewSession
from tests.test_export import batch, csv_feed, read


def test_rows_the_run_wrote_after_the_snapshot_are_reviewed_and_not_leaked_by_approved_only(
    tmp_path: Path,
) -> None:
    """A review opened while the batch was still running saw only its first rows; the rows
    written after it were never added (the feed had not changed), so the app did not show them
    and export --approved-only filled their empty titles with copy nobody reviewed."""
    with Store(tmp_path / "store.sqlite3") as store:
        run_id = batch(csv_feed(tmp_path / "feed.csv"), store, tmp_path / "batch.csv")
        conn = store.connection
        late = conn.execute(
            "SELECT * FROM run_rows WHERE run_id = ? AND row_number = 4", (run_id,)
        ).fetchone()
        with conn:
            conn.execute("DELETE FROM run_rows WHERE run_id = ? AND row_number = 4", (run_id,))
        ReviewSession(store, run_id).close()  # the snapshot, as the run stood then
        with conn:
            conn.execute(f"INSERT INTO run_rows VALUES ({', '.join('?' * len(late))})", tuple(late))
        assert ReviewSession(store, run_id).page().total == 4
        copyassist.export(store, run_id, tmp_path / "out.csv", approved_only=True)
    assert read(tmp_path / "out.csv")[3]["title"] == ""  # V-4's title was empty and nobody approved it
