"""Progress counts records, not physical lines, and never hangs on a FIFO or a device."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from copyassist.batch.settings import BatchTotals
from copyassist.cli import progress as progress_module
from copyassist.cli.progress import BatchProgress
from copyassist.errors import InputError
from copyassist.feeds import RecordCount, count_records, open_feed, sniffing

ROOT = Path(__file__).resolve().parent.parent
HANG_LIMIT = 20  # seconds: a hang fails the test instead of blocking the suite


def test_a_cell_with_line_breaks_is_one_record(tmp_path: Path) -> None:
    source = tmp_path / "multi.csv"
    source.write_text('title;description\nA;"deux\nlignes\n- puce"\nB;x\n', encoding="utf-8")
    assert count_records(source) == RecordCount(2)
    assert count_records(source) == RecordCount(len(list(open_feed(source).rows())))


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending_counts_alike(tmp_path: Path, ending: str) -> None:
    source = tmp_path / "f.csv"
    source.write_bytes(ending.join(["title", "A", '"B', 'b"', "C"]).encode())  # no final line break
    assert count_records(source) == RecordCount(3)


def test_blank_lines_make_it_an_estimate(tmp_path: Path) -> None:
    source = tmp_path / "blank.csv"
    source.write_text("title\nA\n\n  \nB\n", encoding="utf-8")
    assert count_records(source) == RecordCount(2, exact=False)


def test_json_array_items_not_lines(tmp_path: Path) -> None:
    items = [{"title": f"Bague {i}", "tags": ["a", "b"], "note": 'x, "y" ] {z'} for i in range(92)]
    source = tmp_path / "listings.json"
    source.write_text(json.dumps(items, indent=2), encoding="utf-8")  # 700+ lines for 92 listings
    assert source.read_text("utf-8").count("\n") > 700
    assert count_records(source) == RecordCount(92)
    (tmp_path / "empty.json").write_text(" [ ] ", encoding="utf-8")
    (tmp_path / "one.json").write_text('{"title": "x"}', encoding="utf-8")
    assert count_records(tmp_path / "empty.json") == RecordCount(0)
    assert count_records(tmp_path / "one.json") == RecordCount(1)


def test_jsonl_blank_lines_are_no_records(tmp_path: Path) -> None:
    source = tmp_path / "f.jsonl"
    source.write_text('{"a": 1}\n\n  \n{"a": 2}', encoding="utf-8")
    assert count_records(source) == RecordCount(2)


def test_a_file_past_the_budget_is_counted_about(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "big.csv"
    source.write_text("title\n" + "".join(f"Produit {i:04d}\n" for i in range(1000)), encoding="utf-8")
    monkeypatch.setattr(sniffing, "COUNT_BUDGET_BYTES", 2000)
    count = count_records(source)
    assert count is not None and not count.exact and 950 <= count.records <= 1050


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_LIMIT,
                          env=env, cwd=ROOT)  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="POSIX only")
def test_a_fifo_or_dev_zero_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        done = _run(
            "from copyassist.feeds import count_records, open_feed\n"
            "from copyassist.errors import InputError\n"
            "for reader in (count_records, open_feed):\n"
            f"    try:\n        reader({str(path)!r})\n    except InputError as exc:\n        print(exc)\n"
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.count("not a regular file") == 2, done.stdout
    with pytest.raises(InputError, match="is a folder, not a regular file"):
        count_records(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="POSIX only")
@pytest.mark.parametrize("command", [["batch", "-t", "product-title"], ["check"]])
def test_batch_and_check_refuse_a_fifo_with_one_line(tmp_path: Path, command: list[str]) -> None:
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        args = [command[0], str(path), *command[1:]]
        code = f"import sys\nfrom copyassist.cli import app\nsys.argv = ['copyassist', *{args!r}]\napp()"
        done = _run(code)
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("copyassist: error:") and "not a regular file" in line


def _totals(rows: int) -> BatchTotals:
    return BatchTotals(counts=Counter({"ok": rows}))


def test_progress_says_about_for_an_estimate_and_never_passes_its_total(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress_module, "LOG_EVERY_SECONDS", 0.0)
    out = io.StringIO()
    bar = BatchProgress(RecordCount(16, exact=False), stream=out)
    outcome: Any = None
    bar.update(outcome, _totals(4))
    bar.update(outcome, _totals(17))
    first, second = out.getvalue().splitlines()
    assert first.startswith("copyassist: 4 of about 16 rows") and "ETA about" in first
    assert second.startswith("copyassist: 17 rows") and "/16" not in second and "ETA" not in second
    exact = io.StringIO()
    BatchProgress(RecordCount(92), stream=exact).update(outcome, _totals(58))
    assert exact.getvalue().startswith("copyassist: 58/92 rows")
