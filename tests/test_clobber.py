"""Never clobber: the input, a symbolic link or a special file is never replaced by accident."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copyassist.batch import api
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.errors import InputError
from copyassist.feeds.writing import FileWriter
from tests.helpers import assert_exited
from tests.helpers import write_lamp_feed as write_feed
from tests.test_batch import EchoBackend, read_csv

runner = CliRunner()


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> EchoBackend:
    backend = EchoBackend()
    monkeypatch.setattr(api, "get_backend", lambda *a, **k: backend)
    return backend


def batch(tmp_path: Path, feed: Path, *extra: str) -> object:
    args = ["batch", str(feed), "-t", "product-title", "--lang", "fr", "--db", str(tmp_path / "s.db"), "-q"]
    return runner.invoke(app, [*args, *extra])


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]], ids=["plain", "overwrite"])
def test_output_equal_to_the_input_is_refused(
    tmp_path: Path, echo: EchoBackend, overwrite: list[str]
) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    original = feed.read_bytes()
    result = batch(tmp_path, feed, "-o", str(feed), *overwrite)
    assert_exited(result, 2)
    assert "is the input file" in result.output and "--in-place" in result.output
    assert feed.read_bytes() == original and echo.calls == []


def test_the_same_file_by_another_path_is_refused_too(tmp_path: Path, echo: EchoBackend) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    os.link(feed, tmp_path / "hard.csv")
    result = batch(tmp_path, feed, "-o", str(tmp_path / "." / "hard.csv"))
    assert_exited(result, 2)
    assert "is the input file" in result.output


def test_in_place_writes_the_feed_and_keeps_the_original_as_bak(tmp_path: Path, echo: EchoBackend) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    original = feed.read_bytes()
    result = batch(tmp_path, feed, "--in-place")
    assert_exited(result, 0)
    assert (tmp_path / "feed.csv.bak").read_bytes() == original
    rows = read_csv(feed)
    assert len(rows) == 3 and all(r["copyassist_status"] == "ok" for r in rows)
    first_output = feed.read_bytes()
    assert_exited(batch(tmp_path, feed, "--in-place"), 0)  # again: the first original stays
    assert (tmp_path / "feed.csv.bak").read_bytes() == original
    assert (tmp_path / "feed.csv.bak2").read_bytes() == first_output


def test_the_library_refuses_the_input_as_output_unless_in_place(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.csv", 2)
    original = feed.read_bytes()
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(InputError, match="is the input file"):
            run_batch(feed, feed, template="product-title", backend=EchoBackend(), store=store)
        assert feed.read_bytes() == original
        run_batch(feed, feed, template="product-title", backend=EchoBackend(), store=store, in_place=True)
    assert (tmp_path / "feed.csv.bak").read_bytes() == original
    assert "copyassist_title" in feed.read_text("utf-8")


def test_a_special_file_is_never_turned_into_a_regular_one(tmp_path: Path, echo: EchoBackend) -> None:
    fifo = tmp_path / "pipe"  # like /dev/full: the rename would replace the device by a file
    os.mkfifo(fifo)
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 3), "-o", str(fifo))
    assert_exited(result, 2)
    assert "not a regular file" in result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and echo.calls == []


def test_a_symbolic_link_is_refused_and_names_its_target(tmp_path: Path, echo: EchoBackend) -> None:
    real = tmp_path / "elsewhere" / "real.csv"
    real.parent.mkdir()
    real.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(real)
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 3), "-o", str(link))
    assert_exited(result, 2)
    assert "symbolic link" in result.output and str(real) in result.output.replace("\n", "")
    assert link.is_symlink() and real.read_text("utf-8") == "keep me\n" and echo.calls == []
    written = batch(tmp_path, tmp_path / "feed.csv", "-o", str(real))  # the target, on purpose
    assert_exited(written, 0)
    assert link.is_symlink() and len(read_csv(real)) == 3


def test_a_link_to_the_input_is_refused(tmp_path: Path, echo: EchoBackend) -> None:
    feed = write_feed(tmp_path / "feed.csv", 3)
    (tmp_path / "alias.csv").symlink_to(feed)
    result = batch(tmp_path, feed, "-o", str(tmp_path / "alias.csv"))
    assert_exited(result, 2)
    assert feed.is_file() and not feed.is_symlink()


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_the_file_writer_itself_refuses_what_a_rename_would_destroy(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        (tmp_path / "real").write_text("x", "utf-8")
        target.symlink_to(tmp_path / "real")
    else:
        target.mkdir()
    with pytest.raises(InputError):
        FileWriter(target, ["a"], layout="csv")
    assert not (tmp_path / "target.partial").exists()


def test_a_target_that_becomes_a_link_during_the_run_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    writer = FileWriter(target, ["a"], layout="csv")
    writer.write({"a": "1"})
    (tmp_path / "real").write_text("x", "utf-8")
    target.symlink_to(tmp_path / "real")
    with pytest.raises(InputError, match="symbolic link"):
        writer.close()
    assert target.is_symlink() and (tmp_path / "real").read_text("utf-8") == "x"


def test_in_place_with_another_output_and_a_header_row_on_a_csv_are_refused(
    tmp_path: Path, echo: EchoBackend
) -> None:
    feed = write_feed(tmp_path / "feed.csv", 2)
    original = feed.read_bytes()
    both = batch(tmp_path, feed, "--in-place", "-o", str(tmp_path / "other.csv"))
    assert_exited(both, 2)
    assert "--in-place writes the feed itself" in both.output
    header = batch(tmp_path, feed, "--header-row", "2")
    assert_exited(header, 2)
    assert "workbooks (.xlsx) only" in header.output and "--header-row" in header.output
    assert feed.read_bytes() == original and not (tmp_path / "other.csv").exists()
