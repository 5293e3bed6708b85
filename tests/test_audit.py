"""``copyassist check`` and ``copyassist.check``: auditing existing listings, no model call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import copyassist
from copyassist.cli import app
from copyassist.errors import InputError
from copyassist.feeds import open_feed
from tests.helpers import assert_exited

ROOT = Path(__file__).resolve().parent.parent
LISTINGS = ROOT / "examples" / "listings.csv"
runner = CliRunner()


def rules_by_row(report: copyassist.CheckReport) -> dict[int, set[str]]:
    return {r.row: {v.rule for v in r.violations} for r in report.rows}


def test_the_sample_listings_on_cdiscount() -> None:
    report = copyassist.check(
        LISTINGS, channel="cdiscount", fields={"title": "titre", "description": "description"}
    )
    found = rules_by_row(report)
    assert found[1] == set(), "a clean French listing passes"
    assert {"title.promotional", "title.all_caps", "punctuation.repeated"} <= found[2]
    assert "claims.superlative" in found[2]  # "meilleure"
    assert not any("facts.unsupported" in rules for rules in found.values())  # the listing is its own data
    assert "claims.environmental_fr" in found[3]  # "biodégradable" on a new product
    assert "batch.duplicate_title" in found[4]  # same title as row 3
    assert {"leftover.placeholder", "title.price", "leftover.ai_disclaimer", "leftover.lorem"} <= found[6]
    assert "language.mismatch" in found[6]  # cdiscount wants French
    assert report.error_count > 0
    summary = {rule: (count, rows) for rule, _, count, rows in report.summary()}
    assert summary["title.promotional"][1] >= 1


def test_rows_given_as_dicts_and_the_language_column() -> None:
    rows = [
        {"title": "Nordlys 15L Hiking Daypack Forest Green", "brand": "Nordlys", "language": "en"},
        {"title": "Nordlys sac à dos de randonnée 15 L vert forêt", "brand": "Nordlys", "language": "en"},
    ]
    report = copyassist.check(rows, channel="amazon")
    assert report.fields == {"title": "title"}
    found = rules_by_row(report)
    assert "language.mismatch" not in found[1]
    assert "language.mismatch" in found[2]


def test_unknown_column_or_kind_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no column 'nope'"):
        copyassist.check(LISTINGS, fields={"title": "nope"})
    with pytest.raises(InputError, match="unknown field kind"):
        copyassist.check(LISTINGS, fields={"headline": "titre"})


def test_a_windows_1252_semicolon_export_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        "Désignation;Marque\r\nCocotte fonte émaillée 24 cm rouge;Maison Vidal\r\n".encode("cp1252")
    )
    report = copyassist.check(path, channel="rakuten-fr")
    assert report.fields == {"title": "Désignation"}
    assert report.rows[0].status == "ok"


def test_cli_check_exit_code_and_formats(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(LISTINGS), "--channel", "amazon", "-f", "title=titre"])
    assert result.exit_code == 1  # errors found: usable as a CI gate
    assert "title.promotional" in result.output and "rows checked for amazon" in result.output

    out = tmp_path / "report.json"
    result = runner.invoke(
        app, ["check", str(LISTINGS), "-f", "title=titre", "--format", "json", "-o", str(out)]
    )
    payload = json.loads(out.read_text("utf-8"))
    assert payload["channel"] == "generic" and len(payload["rows"]) == 6
    assert payload["errors"] == sum(
        1 for r in payload["rows"] for v in r["violations"] if v["severity"] == "error"
    )

    clean = tmp_path / "clean.jsonl"
    clean.write_text(
        json.dumps({"title": "Lumio lampe de bureau LED 3 modes blanc mat", "language": "fr"}) + "\n"
    )
    result = runner.invoke(app, ["check", str(clean), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "row,id,field,severity,rule,message,text"  # the mapping: stderr


def test_cli_check_reports_unreadable_rows_and_bad_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "Lampe LED de bureau"}\n{not json\n', encoding="utf-8")
    result = runner.invoke(app, ["check", str(broken)])
    assert_exited(result, 1)  # an unreadable row fails the gate: it was not checked
    assert "row 2: unreadable" in result.output and "1 unreadable" in result.output
    missing = runner.invoke(app, ["check", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2 and "no such file" in missing.output


@pytest.mark.parametrize("quoted", [False, True])
def test_check_and_batch_read_a_one_column_csv_of_titles_alike(tmp_path: Path, quoted: bool) -> None:
    titles = ["Lumio lampe de bureau LED, 3 modes, blanc mat", "Nordlys sac à dos 15 L, vert forêt",
              "Kairos montre GPS, étanche 5 ATM"]  # fmt: skip
    path = tmp_path / "titles.csv"
    path.write_text("title\n" + "".join(f'"{t}"\n' if quoted else f"{t}\n" for t in titles), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert (result.exit_code, result.exception) == (0, None), result.output
    payload = json.loads(result.stdout)  # the columns checked are said on stderr
    assert payload["fields"] == {"title": "title"}
    assert [(r["row"], r["error"]) for r in payload["rows"]] == [(1, None), (2, None), (3, None)]
    batch_rows = list(open_feed(path).rows())
    assert [(r.number, r.error) for r in batch_rows] == [(1, False), (2, False), (3, False)]
    assert [r.product["title"] for r in batch_rows if r.product] == titles


def test_check_reports_repaired_rows_and_exits_1_on_unreadable_csv_rows(tmp_path: Path) -> None:
    listings = tmp_path / "listings.csv"
    listings.write_bytes(
        "sku;title\nA1;Lumio lampe de bureau LED, éclairage doux\n\n".encode()
        + "A2;Nordlys sac à dos 15 L vert forêt\n".encode("cp1252")
    )
    report = copyassist.check(listings)
    assert [r.row for r in report.rows] == [1, 3]  # the blank line is counted, not checked
    reading = [v for v in report.rows[1].violations if v.rule == "row.reading"]
    assert [(v.severity, v.message) for v in reading] == [
        ("warning", "bytes that are not UTF-8 were read as Windows-1252")]  # fmt: skip
    assert not report.failed
    listings.write_text("sku;title\nA1;Lumio lampe de bureau LED 3 modes\nA2;Sac;à dos\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(listings), "--format", "json"])
    assert_exited(result, 1)
    payload = json.loads(result.stdout)
    assert payload["unreadable"] == 1 and payload["rows"][1]["error"] == "3 cells for 2 columns"
