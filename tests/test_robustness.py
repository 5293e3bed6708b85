"""No traceback, ever: a hostile input or a failing disk ends in a one-line error (or one failed
row), a non-zero exit, and nothing paid for lost."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from copyassist import errors
from copyassist.batch import api
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.feeds import writing
from copyassist.product import Product, load_product
from tests.helpers import assert_exited
from tests.helpers import write_lamp_feed as write_feed
from tests.test_batch import EchoBackend, read_csv

runner = CliRunner()
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> EchoBackend:
    """The backend every CLI command in the test gets."""
    backend = EchoBackend()
    monkeypatch.setattr(api, "get_backend", lambda *a, **k: backend)
    return backend


def batch(tmp_path: Path, feed: Path, *extra: str) -> Any:
    args = ["batch", str(feed), "-t", "product-title", "--lang", "fr", "--db", str(tmp_path / "s.db"), "-q"]
    return runner.invoke(app, [*args, *extra])


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("copyassist: error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


# ------------------------------------------------------------------ the CLI's last resort


def test_an_unexpected_error_is_one_line_with_a_bug_hint_and_a_non_zero_exit(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("copyassist.cli.batch.count_records", broken)
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 2))
    assert_exited(result, 70)
    line = one_error_line(result.output)
    assert "unexpected error: ZeroDivisionError: division by zero" in line
    assert "report" in line and "COPYASSIST_DEBUG=1" in line


def test_copyassist_debug_shows_the_real_exception(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("copyassist.cli.batch.count_records", broken)
    monkeypatch.setenv("COPYASSIST_DEBUG", "1")
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 2))
    assert isinstance(result.exception, ZeroDivisionError)


# ------------------------------------------------------------------ a row fails alone


def test_a_rows_unexpected_error_fails_that_row_alone(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Product.from_mapping

    def picky(data: Any, source: str = "product") -> Product:
        if "modèle 2" in str(data.get("title")):
            raise ValueError("a value nobody foresaw")
        return real(data, source)

    monkeypatch.setattr(Product, "from_mapping", staticmethod(picky))
    out = tmp_path / "out.csv"
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 5), "-o", str(out))
    assert_exited(result, 1)
    assert "row 3: unexpected error: ValueError: a value nobody foresaw" in result.output
    rows = read_csv(out)
    assert [r["copyassist_status"] for r in rows] == ["ok", "ok", "failed", "ok", "ok"]
    assert "ValueError" in rows[2]["copyassist_error"]
    assert len(echo.calls) == 4


# ------------------------------------------------------------------ JSON nested 100k deep


def test_a_jsonl_feed_line_nested_100k_deep_is_one_unreadable_row(tmp_path: Path, echo: EchoBackend) -> None:
    feed = tmp_path / "feed.jsonl"
    deep = '{"title": "x", "deep": ' + DEEP + "}"
    lines = [json.dumps({"title": "Lampe de bureau LED"}), deep, json.dumps({"title": "Lampe de chevet"})]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = batch(tmp_path, feed, "-o", str(out))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(records) == 3
    assert "nested too deeply" in records[1]["copyassist_error"]
    assert [r["copyassist_status"] for r in (records[0], records[2])] == ["ok", "ok"]


def test_a_json_feed_nested_100k_deep_is_refused_in_one_line(tmp_path: Path, echo: EchoBackend) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text('[{"title": "Lampe", "deep": ' + DEEP + "}]", encoding="utf-8")
    result = batch(tmp_path, feed, "-o", str(tmp_path / "out.json"))
    assert_exited(result, 2)
    assert "nested too deeply" in one_error_line(result.output)
    assert echo.calls == []


def test_a_product_file_nested_100k_deep_is_refused_in_one_line(tmp_path: Path) -> None:
    product = tmp_path / "product.json"
    product.write_text('{"title": "Lampe", "deep": ' + DEEP + "}", encoding="utf-8")
    result = runner.invoke(app, ["render", "product-title", "-p", str(product)])
    assert_exited(result, 2)
    assert "nested too deeply" in one_error_line(result.output)


# ------------------------------------------------------------------ output paths, before any call


def test_output_into_a_missing_folder_is_refused_before_any_call(tmp_path: Path, echo: EchoBackend) -> None:
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 3), "-o", str(tmp_path / "nope" / "out.csv"))
    assert_exited(result, 2)
    assert "does not exist" in one_error_line(result.output)
    assert echo.calls == []


def test_output_that_is_a_folder_is_refused_before_any_call(tmp_path: Path, echo: EchoBackend) -> None:
    (tmp_path / "outdir").mkdir()
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 3), "-o", str(tmp_path / "outdir"))
    assert_exited(result, 2)
    assert "is a folder" in one_error_line(result.output)
    assert echo.calls == []
    assert (tmp_path / "outdir").is_dir()


def test_the_library_checks_the_output_before_any_call_too(tmp_path: Path) -> None:
    backend = EchoBackend()
    (tmp_path / "outdir").mkdir()
    with pytest.raises(errors.InputError, match="is a folder"):
        run_batch(write_feed(tmp_path / "feed.csv", 3), tmp_path / "outdir", template="product-title",
                  backend=backend, store=Store(tmp_path / "s.db"))  # fmt: skip
    assert backend.calls == []


def test_a_read_only_folder_is_refused_before_any_call(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    # the tests may run as root, whom no permission stops: the folder says it is read-only
    monkeypatch.setattr(writing.os, "access", lambda path, mode: Path(path) != folder)
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 3), "-o", str(folder / "out.csv"))
    assert_exited(result, 2)
    assert "not writable" in one_error_line(result.output)
    assert echo.calls == []


def test_a_folder_that_refuses_the_partial_file_is_one_line(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = Path.open

    def refuse(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self.name.endswith(".partial"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 3), "-o", str(tmp_path / "out.csv"))
    assert_exited(result, 1)
    assert "Permission denied" in one_error_line(result.output)
    assert echo.calls == []


# ------------------------------------------------------------------ disk full


class FullDisk:
    """A file that takes ``room`` bytes, then fails like a full disk."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle, self._room = handle, room

    def write(self, data: bytes) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def fill_disk_after(monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    real_open = Path.open

    def opener(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *args, **kwargs)
        return FullDisk(handle, room) if self.name.endswith(".partial") and "w" in mode else handle

    monkeypatch.setattr(Path, "open", opener)


def stored_rows(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("select count(*) from results").fetchone()[0])


def test_a_full_disk_for_the_output_stops_cleanly_and_keeps_every_stored_row(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_disk_after(monkeypatch, 1500)
    out = tmp_path / "out.csv"
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 30), "-o", str(out), "--concurrency", "2")
    assert_exited(result, 1)
    line = one_error_line(result.output)
    assert "No space left on device" in line and str(out) in line
    assert not out.exists()
    assert 0 < stored_rows(tmp_path / "s.db") == len(echo.calls) < 30, "stopped, and every paid row stored"
    monkeypatch.undo()
    again = EchoBackend()
    monkeypatch.setattr(api, "get_backend", lambda *a, **k: again)
    rerun = batch(tmp_path, tmp_path / "feed.csv", "-o", str(out))
    assert_exited(rerun, 0)
    assert len(again.calls) == 30 - len(echo.calls), "the stored rows cost nothing the second time"
    assert len(read_csv(out)) == 30


@pytest.mark.parametrize(
    "failure",
    [sqlite3.OperationalError("database or disk is full"), OSError(errno.ENOSPC, "No space left on device")],
)
def test_a_full_disk_for_the_store_stops_the_run_and_keeps_every_stored_row(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    real_put = Store.put
    puts: list[int] = []

    def put(self: Store, *args: Any, **kwargs: Any) -> None:
        puts.append(1)
        if len(puts) > 3:
            raise failure
        real_put(self, *args, **kwargs)

    monkeypatch.setattr(Store, "put", put)
    out = tmp_path / "out.csv"
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 20), "-o", str(out), "--concurrency", "1")
    assert_exited(result, 3)
    assert "the result store cannot be written" in result.output and "Traceback" not in result.output
    assert stored_rows(tmp_path / "s.db") == 3
    rows = read_csv(out)
    assert len(rows) == 20
    assert [r["copyassist_status"] for r in rows[:4]] == ["ok"] * 4, "the paid 4th row still reaches the file"
    assert all(r["copyassist_error"].startswith("not processed") for r in rows[4:])
    assert len(echo.calls) == 4


# ------------------------------------------------------------------ persona names


def test_a_300_character_persona_name_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "product-title", "-s", "title=Lampe", "--persona", "a" * 300])
    assert_exited(result, 2)
    assert "too long" in one_error_line(result.output)


def test_personas_new_with_a_300_character_name_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example_persona_draft: Callable[[], Any]
) -> None:
    monkeypatch.setattr("copyassist.cli.study.draft_persona", lambda *a, **k: example_persona_draft())
    result = runner.invoke(app, ["personas", "new", "runners in Lyon", "--name", "é" * 300,
                                 "--dir", str(tmp_path)])  # fmt: skip
    assert_exited(result, 2)
    assert "too long" in one_error_line(result.output)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def example_persona_draft() -> Callable[[], Any]:
    from copyassist.persona import load_persona

    return lambda: load_persona("busy-parent")


# ------------------------------------------------------------------ template render budget

HOSTILE_BODIES = {
    "range over the sandbox's limit": "{{ range(10**9)|list }}",
    "a range just over it (OverflowError)": "{% for i in range(200000) %}{% endfor %}",
    "a huge repetition": "{{ 'a' * 10**8 }}",
    "nested loops": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "a doubling string": "{% set ns = namespace(s='a') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}{{ ns.s|length }}",
    "a huge filter argument": "{{ 'a'|center(10**9) }}",
    "a huge method argument": "{{ 'a'.ljust(10**9) }}",
    "a huge format width": "{{ '{:>999999999}'.format(1) }}",
    "a huge % width": "{{ '%999999999d' % 1 }}",
    "endless recursion": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    "a macro writing gigabytes": "{% macro m() %}{% for i in range(99999) %}{{ 'x' * 1000 }}{% endfor %}"
    "{% endmacro %}{% for k in range(1000) %}{{ m() }}{% endfor %}",
    "a division by zero": "{{ 1 / 0 }}",
    "a type error": "{{ 1 + [] }}",
}


@pytest.mark.parametrize("body", list(HOSTILE_BODIES.values()), ids=list(HOSTILE_BODIES))
def test_a_hostile_template_is_a_template_error_naming_it_in_bounded_time(tmp_path: Path, body: str) -> None:
    import time

    from copyassist.templates import parse_template
    from tests.test_templates import write_template

    template = parse_template(write_template(tmp_path, "hostile", "<<user>>\n" + body + "\n"))
    start = time.monotonic()
    with pytest.raises(errors.TemplateError, match="template 'hostile'"):
        template.render({"product": {"title": "Lampe"}})
    assert time.monotonic() - start < 5


def test_a_slow_template_stops_at_the_time_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from copyassist import sandbox
    from copyassist.templates import parse_template
    from tests.test_templates import write_template

    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.05)
    body = "<<user>>\n{% for i in range(90000) %}{{ product.title|upper|lower|title }}{% endfor %}\n"
    template = parse_template(write_template(tmp_path, "slow", body))
    with pytest.raises(errors.TemplateError, match=r"template 'slow'.*more than 0.05 s"):
        template.render({"product": {"title": "Lampe"}})


def test_the_budget_leaves_ordinary_templates_and_big_products_alone(tmp_path: Path) -> None:
    from copyassist.templates import load_template

    description = "<p>" + "Une lampe de bureau LED. " * 400_000 + "</p>"  # 10 MB of HTML
    product = {"title": "Lampe", "description": description, "features": ["LED"] * 500,
               "attributes": {f"a{n}": str(n) for n in range(3000)}}  # fmt: skip
    messages = load_template("product-description", "fr").render({"product": product})
    assert "Une lampe de bureau LED." in messages[-1]["content"]


def test_a_hostile_template_fails_its_rows_not_the_batch(tmp_path: Path, store_path: Path) -> None:
    from copyassist.templates import parse_template
    from tests.test_templates import write_template

    template = parse_template(write_template(tmp_path, "loops", "<<user>>\n{{ 'a' * 10**9 }}\n"))
    backend = EchoBackend()
    summary = run_batch(write_feed(tmp_path / "feed.csv", 3), tmp_path / "out.csv", template=template,
                        backend=backend, store=Store(store_path))  # fmt: skip
    assert summary.totals.counts["failed"] == 3 and backend.calls == []
    assert all("render budget" in r["copyassist_error"] for r in read_csv(tmp_path / "out.csv"))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


def test_a_copyassist_error_before_the_call_fails_the_row_with_its_own_message(
    tmp_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_key = Store.result_key

    def key(**parts: Any) -> str:
        if "modèle 1" in str(parts["product"].get("title")):
            raise errors.InputError("this row's data cannot be keyed")
        return real_key(**parts)

    monkeypatch.setattr(Store, "result_key", staticmethod(key))
    summary = run_batch(write_feed(tmp_path / "feed.csv", 3), tmp_path / "out.csv", template="product-title",
                        backend=EchoBackend(), store=Store(store_path))  # fmt: skip
    assert summary.totals.failures == [(2, "this row's data cannot be keyed")]
    assert [r["copyassist_status"] for r in read_csv(tmp_path / "out.csv")] == ["ok", "failed", "ok"]


def test_a_store_that_cannot_start_a_run_is_one_line_without_a_bug_hint(
    tmp_path: Path, echo: EchoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "start_run", full)
    result = batch(tmp_path, write_feed(tmp_path / "feed.csv", 2))
    assert_exited(result, 1)
    line = one_error_line(result.output)
    assert "the result store cannot be used" in line and "disk is full" in line and "bug" not in line
    assert echo.calls == []


def test_a_yaml_product_file_is_read_as_strictly_as_personas(tmp_path: Path) -> None:
    product = tmp_path / "product.yaml"
    product.write_text("title: Montre\nprice: 129.9\n", encoding="utf-8")
    assert load_product(product).price == "129.9"
    product.write_text("title: Montre\ntitle: Bracelet\n", encoding="utf-8")
    with pytest.raises(errors.InputError, match=r"not valid JSON/YAML: .*title"):
        load_product(product)
    product.write_text("title: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(errors.InputError, match="not valid JSON/YAML"):
        load_product(product)
