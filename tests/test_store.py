"""The batch store: stable keys, durable results, run log, and the ``runs`` commands."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from copyassist.batch.store import Store, default_path
from copyassist.batch.store_records import StoredResult
from copyassist.cli.runs import runs_app
from copyassist.errors import InputError

BASE: dict[str, Any] = {
    "template": "product-title",
    "template_version": 2,
    "persona": "busy-parent",
    "product": {"title": "Montre", "brand": "Acme", "attributes": {"color": "noir", "size": "M"}},
    "model": "openai:gpt-4o-mini",
    "params": {"temperature": 0.7, "max_tokens": 300},
    "channel": "amazon",
    "language": "fr",
}


def key(**changes: Any) -> str:
    return Store.result_key(**{**BASE, **changes})


def result(n: int = 0, **changes: Any) -> StoredResult:
    values: dict[str, Any] = {
        "output": json.dumps({"title": f"Montre {n} — noire"}, ensure_ascii=False),
        "fields": {"title": f"Montre {n} — noire"},
        "status": "ok",
        "violations": [],
        "input_tokens": 100 + n,
        "output_tokens": 20,
        "cost": 0.0001,
        "model": "gpt-4o-mini",
        "template": "product-title",
        "template_version": 2,
        "persona": "busy-parent",
    }
    return StoredResult(**{**values, **changes})


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store(tmp_path / "store.sqlite3") as db:
        yield db


# -- keys ----------------------------------------------------------------------------------


def test_key_is_a_sha256_stable_across_dict_orders() -> None:
    reordered = {
        "attributes": {"size": "M", "color": "noir"},
        "brand": "Acme",
        "title": "Montre",
    }
    k = key()
    assert re.fullmatch(r"[0-9a-f]{64}", k), k
    assert key(product=reordered) == k
    assert key(params={"max_tokens": 300, "temperature": 0.7}) == k
    assert Store.result_key(**dict(reversed(list(BASE.items())))) == k
    changed = {**reordered, "attributes": {"size": "L", "color": "noir"}}
    assert key(product=changed) != k, "a nested value that changes is a different key"


@pytest.mark.parametrize(
    "changes",
    [
        {"template": "product-description"},
        {"template_version": 3},
        {"persona": None},
        {"persona": "gift-buyer"},
        {"model": "openai:gpt-4o"},
        {"params": {"temperature": 0.2, "max_tokens": 300}},
        {"params": {"temperature": 0.7, "max_tokens": 300, "attempts": 3}},
        {"channel": None},
        {"language": "en"},
        {"product": {**BASE["product"], "title": "Montre connectée"}},
        {"product": {**BASE["product"], "price": 99}},
        {"product": {**BASE["product"], "attributes": {"color": "blanc", "size": "M"}}},
    ],
)
def test_key_changes_with_each_input(changes: dict[str, Any]) -> None:
    assert key(**changes) != key()


def test_key_ignores_empty_product_values_like_product_from_mapping() -> None:
    assert key(product={**BASE["product"], "gtin": None, "notes": ""}) == key()
    assert key(product={**BASE["product"], "price": 0}) != key()


# -- results -------------------------------------------------------------------------------


def test_default_path_is_in_the_user_home(isolated_home: Path) -> None:
    assert default_path() == isolated_home / "batch.sqlite3"
    with Store() as db:
        assert db.path == isolated_home / "batch.sqlite3"
    assert (isolated_home / "batch.sqlite3").is_file()


def test_put_get_round_trip(store: Store) -> None:
    stored = result(1, violations=["length: title too long"], status="flagged", cost=None)
    run_id = store.start_run(feed="in.csv")
    store.put("k1", stored, run_id, 1)
    back = store.get("k1")
    assert back == stored
    assert back is not None
    assert back.key == "k1" and back.run_id == run_id and back.created_at
    assert back.fields == {"title": "Montre 1 — noire"}
    assert back.violations == ("length: title too long",)
    assert back.cost is None and back.status == "flagged"
    assert json.loads(back.output) == {"title": "Montre 1 — noire"}
    assert store.get("missing") is None


def test_put_replaces_an_older_result(store: Store) -> None:
    store.put("k", result(1), None, None)
    store.put("k", result(2, status="repaired"), None, None)
    back = store.get("k")
    assert back is not None and back.status == "repaired" and back.input_tokens == 102


def test_get_many_returns_only_stored_keys_across_chunks(store: Store) -> None:
    for n in range(1200):
        store.put(f"k{n}", result(n), None, None)
    wanted = [f"k{n}" for n in range(0, 1200, 2)] + ["nope", "k0"]
    found = store.get_many(wanted)
    assert set(found) == {f"k{n}" for n in range(0, 1200, 2)}
    assert found["k600"].input_tokens == 700
    assert store.get_many([]) == {}


def test_wal_mode_and_settings(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    finally:
        conn.close()
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("this is not a database " * 100)
    with pytest.raises(Exception, match="not a usable batch store"):
        Store(bad)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_every_put_survives_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    script = textwrap.dedent(
        f"""
        import os, signal
        from copyassist.batch.store import Store
        from copyassist.batch.store_records import StoredResult
        db = Store({str(path)!r})
        run = db.start_run(feed="feed.csv", output="out.csv")
        for n in range(50):
            done = StoredResult(output="{{}}", fields={{"title": str(n)}}, status="ok",
                                input_tokens=7, cost=0.001)
            db.put(f"k{{n}}", done, run, n + 1)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == -9, done.stderr
    with Store(path) as db:
        found = db.get_many(f"k{n}" for n in range(50))
        assert len(found) == 50
        assert found["k49"].fields == {"title": "49"}
        (run,) = db.list_runs()
        assert run.status == "running" and run.counts == {"ok": 50}
        assert run.input_tokens == 50 * 7 and run.cost == pytest.approx(50 * 0.001)
        assert run.alive is False and run.display_status == "interrupted"


# -- runs ----------------------------------------------------------------------------------


def make_run(db: Store, status: str = "finished") -> int:
    run_id = db.start_run(
        feed="catalogue.csv", output="catalogue.copyassist.csv", template="product-title",
        persona="busy-parent", channel="amazon", model="gpt-4o-mini", language="fr",
        command=["copyassist", "batch", "catalogue.csv"], args={"concurrency": 8},
    )  # fmt: skip
    db.put("a", result(1), run_id, 1)
    db.put("b", result(2, status="repaired"), run_id, 2)
    db.record_row(run_id, 3, "c", "failed", "model answer never validated")
    db.finish_run(run_id, status, {"ok": 1, "repaired": 1, "failed": 1, "skipped": 1}, 1000, 200, 0.0123,
                  failures=[(4, "row 4: unreadable line"), (3, "duplicate, ignored")])  # fmt: skip
    return run_id


def test_runs_are_recorded_with_failures(store: Store) -> None:
    first = make_run(store)
    second = store.start_run(feed="other.csv")
    assert store.last_run_id == second
    assert [r.id for r in store.list_runs()] == [second, first]
    assert [r.id for r in store.list_runs(1)] == [second]
    run = store.get_run(first)
    assert run.status == "finished" and run.finished_at and run.feed == "catalogue.csv"
    assert run.counts == {"ok": 1, "repaired": 1, "failed": 1, "skipped": 1}
    assert (run.input_tokens, run.output_tokens, run.cost) == (1000, 200, 0.0123)
    assert run.command == ["copyassist", "batch", "catalogue.csv"] and run.args == {"concurrency": 8}
    assert [(f.row_number, f.error) for f in run.failures] == [
        (3, "model answer never validated"),
        (4, "row 4: unreadable line"),
    ]
    assert run.failure_count == 2 and len(store.get_run(first, 1).failures) == 1
    live = store.get_run(second)
    assert live.status == "running" and live.alive is True and live.display_status == "running"
    with pytest.raises(InputError, match="no run 999"):
        store.get_run(999)


def cli(*args: str) -> Any:
    app = typer.Typer()
    app.add_typer(runs_app, name="runs")
    return CliRunner().invoke(app, ["runs", *args])


def test_runs_list_and_show(tmp_path: Path) -> None:
    path = tmp_path / "cli.sqlite3"
    with Store(path) as db:
        run_id = make_run(db)
        make_run(db, "stopped")
    listed = cli("list", "--db", str(path))
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 3
    assert "stopped" in lines[1] and "finished" in lines[2]
    assert lines[2].split()[4:10] == ["1", "1", "0", "0", "1", "1"]
    assert "1200" in lines[2] and "$0.0123" in lines[2]
    assert "catalogue.csv -> catalogue.copyassist.csv" in lines[2]

    as_json = json.loads(cli("list", "--db", str(path), "--json").output)
    assert [r["id"] for r in as_json] == [run_id + 1, run_id]
    assert as_json[1]["counts"]["fallback"] == 0 and as_json[1]["counts"]["ok"] == 1

    shown = cli("show", str(run_id), "--db", str(path))
    assert shown.exit_code == 0, shown.output
    assert f"run {run_id} — finished" in shown.output
    assert "row 3: model answer never validated" in shown.output
    assert "row 4: row 4: unreadable line" in shown.output
    assert "copyassist batch catalogue.csv" in shown.output

    detail = json.loads(cli("show", str(run_id), "--db", str(path), "--json").output)
    assert [f["row_number"] for f in detail["failures"]] == [3, 4]
    assert detail["cost"] == 0.0123


def test_unknown_run_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "cli.sqlite3"
    with Store(path) as db:
        make_run(db)
    shown = cli("show", "42", "--db", str(path))
    assert shown.exit_code != 0
    assert shown.output.strip().splitlines() == [
        f"copyassist: error: no run 42 in {path} (see 'copyassist runs list')"
    ]


def test_reading_runs_does_not_create_a_store(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite3"
    listed = cli("list", "--db", str(path))
    assert listed.exit_code == 0 and "no batch runs" in listed.output
    assert cli("list", "--db", str(path), "--json").output.strip() == "[]"
    shown = cli("show", "1", "--db", str(path))
    assert shown.exit_code != 0 and len(shown.output.strip().splitlines()) == 1
    assert not path.exists()
