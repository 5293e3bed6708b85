"""``check`` as a catalogue gate: the listing is its own product data, the facts guard can be
pointed at other columns or switched off, and a misspelt channel stops every command at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import copyassist
from copyassist.cli import app
from copyassist.errors import ConfigError, InputError
from tests.helpers import FakeBackend, assert_exited

ROOT = Path(__file__).resolve().parent.parent
LISTINGS = ROOT / "examples" / "listings.csv"
FIELDS = {"title": "titre", "description": "description"}
runner = CliRunner()

#: An Etsy-like download: the figures of each listing are in its own title and description only.
ETSY = [
    {"TITLE": "Handmade ceramic mug 350 ml, speckled glaze", "DESCRIPTION": "A 350 ml stoneware mug, "
     "10 cm tall, glazed by hand. Dishwasher safe.", "SKU": "bag-4213", "PRICE": "28.00"},
    {"TITLE": "Linen tote bag bag-4213 natural", "DESCRIPTION": "A 40 x 35 cm linen tote bag with 60 cm "
     "handles.", "SKU": "bag-4213", "PRICE": "19.00"},
]  # fmt: skip


def facts_errors(report: copyassist.CheckReport) -> list[tuple[int, str, str]]:
    return [
        (r.row, v.field, v.text)
        for r in report.rows
        for v in r.violations
        if v.rule in ("facts.unsupported", "facts.unit_changed")  # 50 m for 5 ATM is a changed unit
    ]


def test_a_listing_is_its_own_product_data() -> None:
    report = copyassist.check(ETSY, fields={"title": "TITLE", "description": "DESCRIPTION"})
    assert facts_errors(report) == []  # "350 ml", "10 cm", "40 x 35 cm", its own code bag-4213


def test_facts_from_names_the_columns_that_hold_the_truth() -> None:
    report = copyassist.check(LISTINGS, channel="cdiscount", fields=FIELDS, facts_from=["caracteristiques"])
    found = facts_errors(report)
    assert (2, "description", "50 m") in found  # "étanche jusqu'à 50 m" against "Étanche 5 ATM"
    same = copyassist.check(
        LISTINGS, channel="cdiscount", fields=FIELDS, facts_from=["caracteristiques,marque"]
    )
    assert (2, "description", "50 m") in facts_errors(same)
    with pytest.raises(InputError, match="facts_from: no column 'specs'"):
        copyassist.check(LISTINGS, fields=FIELDS, facts_from=["specs"])


def test_the_facts_guard_can_be_switched_off() -> None:
    report = copyassist.check(LISTINGS, channel="cdiscount", fields=FIELDS, facts_from=["caracteristiques"])
    assert facts_errors(report)
    off = copyassist.check(LISTINGS, channel="cdiscount", fields=FIELDS, facts=False)
    assert facts_errors(off) == [] and off.error_count > 0  # the other rules still run


def test_cli_facts_from_and_no_facts(tmp_path: Path) -> None:
    base = ["check", str(LISTINGS), "--channel", "cdiscount", "-f", "title=titre", "-f", "description"]
    pointed = runner.invoke(app, [*base, "--facts-from", "caracteristiques", "--format", "json"])
    assert_exited(pointed, 1)
    assert "facts.unsupported" in {s["rule"] for s in json.loads(pointed.stdout)["summary"]}
    off = runner.invoke(app, [*base, "--no-facts", "--format", "json"])
    assert "facts.unsupported" not in {s["rule"] for s in json.loads(off.stdout)["summary"]}
    both = runner.invoke(app, [*base, "--no-facts", "--facts-from", "marque"])
    assert_exited(both, 2)
    assert "contradict" in both.stderr
    missing = runner.invoke(app, [*base, "--facts-from", "specs"])
    assert_exited(missing, 2)
    assert "no column 'specs'" in missing.stderr and "--facts-from" in missing.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["render", "product-title", "-s", "title=Lampe"],
        ["generate", "product-title", "-s", "title=Lampe"],
        ["batch", "FEED", "-t", "product-title"],
        ["batch", "FEED", "-t", "product-title", "--dry-run"],
        ["check", "FEED"],
    ],
)
def test_a_misspelt_channel_is_refused_before_any_work(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = FakeBackend([{"title": "Lampe"}])
    monkeypatch.setattr("copyassist.batch.api.get_backend", lambda *a, **k: backend)
    monkeypatch.setattr("copyassist.pipeline.get_backend", lambda *a, **k: backend)
    monkeypatch.setattr("copyassist.cli.generate.get_backend", lambda *a, **k: backend)
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,title\nA,Lampe de bureau\n", "utf-8")
    argv = [str(feed) if a == "FEED" else a for a in args]
    result = runner.invoke(app, [*argv, "--channel", "amazn", "--db", str(tmp_path / "s.db")][: None if
                           args[0] == "batch" else -2])  # fmt: skip
    assert_exited(result, 2)
    assert "unknown profile 'amazn' (did you mean 'amazon'?)" in result.stderr
    assert "--channel" in result.stderr
    assert backend.calls == [] and not (tmp_path / "feed.copyassist.csv").exists()


def test_the_library_refuses_a_misspelt_channel_before_any_row(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,title\nA,Lampe de bureau\n", "utf-8")
    backend = FakeBackend([{"title": "Lampe"}])
    with pytest.raises(ConfigError, match="did you mean 'amazon'"):
        copyassist.prepare("product-title", {"title": "Lampe"}, channel="amazn")
    with pytest.raises(ConfigError, match="did you mean 'amazon'"):
        copyassist.run_batch(feed, tmp_path / "out.csv", template="product-title", backend=backend,
                             channel="amazn", store=copyassist.Store(tmp_path / "s.db"))  # fmt: skip
    assert backend.calls == [] and not (tmp_path / "out.csv").exists()
