"""``copyassist export`` and ``copyassist.export``: a reviewed run's feed written back as batch
writes it, approved copy in the platform's own columns, rejected rows' cells untouched."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

import copyassist
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.errors import InputError
from copyassist.review import ReviewSession
from tests.helpers import FakeBackend, assert_exited

TITLES = [
    {"title": "Lampe Lune en verre soufflé Lumio"},
    {"title": "Bol en grès émaillé Atelier"},
    {"title": "Tasse en grès Atelier"},
    {"title": "Vase en verre soufflé Lumio"},
]
EDITED = "Tasse en grès émaillé Atelier, 25 cl"


def csv_feed(path: Path) -> Path:
    """Semicolons, a BOM, CRLF: the way a French Excel saves a CSV."""
    rows = [
        ["sku", "title", "description", "brand"],
        ["L-1", "Lampe Lune", "Lampe en verre soufflé", "Lumio"],
        ["B-2", "", "Bol en grès émaillé, 12 cm", "Atelier"],
        ["T-3", "Tasse", "Tasse en grès, 25 cl", "Atelier"],
        ["V-4", "", "Vase en verre soufflé", "Lumio"],
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "".join(";".join(r) + "\r\n" for r in rows).encode("utf-8"))
    return path


def batch(feed: Path, store: Store, out: Path, **options: Any) -> int:
    summary = run_batch(feed, out, template="product-title", backend=FakeBackend(list(TITLES)), store=store,
                        language="fr", concurrency=1, **options)  # fmt: skip
    return summary.run_id


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


@pytest.fixture
def reviewed(tmp_path: Path, store: Store) -> int:
    """A CSV run: row 1 approved, row 2 rejected, row 3 edited and approved, row 4 not reviewed."""
    run_id = batch(csv_feed(tmp_path / "feed.csv"), store, tmp_path / "batch.csv")
    session = ReviewSession(store, run_id)
    session.approve([1], "ana")
    session.reject([2], "ana")
    session.edit(3, {"title": EDITED}, "ana")
    session.approve([3], "ana")
    return run_id


def test_a_csv_comes_back_with_its_delimiter_bom_and_columns(
    tmp_path: Path, store: Store, reviewed: int
) -> None:
    summary = copyassist.export(store, reviewed, tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_bytes()
    batch_raw = (tmp_path / "batch.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert raw.splitlines()[0] == batch_raw.splitlines()[0], "the same header as the batch output"
    rows, written = read(tmp_path / "out.csv"), read(tmp_path / "batch.csv")
    assert [r["title"] for r in rows] == [
        "Lampe Lune en verre soufflé Lumio",  # approved: replaces the seller's title, as --overwrite
        "",  # rejected: as the feed had it, though the batch filled the empty cell
        EDITED,  # edited and approved
        "Vase en verre soufflé Lumio",  # not reviewed: as the batch wrote it (an empty cell filled)
    ]
    assert [r["title"] for r in written] == ["Lampe Lune", "Bol en grès émaillé Atelier", "Tasse",
                                            "Vase en verre soufflé Lumio"]  # fmt: skip
    assert rows[2]["copyassist_title"] == EDITED and rows[3] == written[3]
    assert [r["description"] for r in rows] == [r["description"] for r in written]
    assert (summary.rows, summary.approved, summary.edited, summary.rejected, summary.unreviewed) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert str(summary).startswith(
        "4 rows written to "
    ) and "2 approved, 1 edited, 1 rejected, 1 unreviewed" in str(summary)


def test_approved_only_leaves_unreviewed_rows_as_they_were(
    tmp_path: Path, store: Store, reviewed: int
) -> None:
    copyassist.export(store, reviewed, tmp_path / "out.csv", approved_only=True)
    rows = read(tmp_path / "out.csv")
    assert [r["title"] for r in rows] == ["Lampe Lune en verre soufflé Lumio", "", EDITED, ""]


def test_a_cp1252_csv_stays_cp1252(tmp_path: Path, store: Store) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_bytes("sku,title,description\r\nB-1,,Bol en grès émaillé\r\n".encode("cp1252"))
    run_id = run_batch(feed, tmp_path / "batch.csv", template="product-title", store=store, language="fr",
                       backend=FakeBackend([{"title": "Bol en grès émaillé"}])).run_id  # fmt: skip
    ReviewSession(store, run_id).approve([1], "ana")
    copyassist.export(store, run_id, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_bytes().decode("cp1252")
    assert text.splitlines()[1].startswith("B-1,Bol en grès émaillé,Bol en grès émaillé,")


def workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Produits"
    sheet.append(["SKU", "Nom", "Description", "Prix"])
    sheet.append(["L-1", "Lampe Lune", "Lampe en verre soufflé", 59])
    sheet.append(["B-2", None, "Bol en grès émaillé, 12 cm", 24.9])
    book.save(path)
    return path


def test_a_workbook_comes_back_as_a_workbook(tmp_path: Path, store: Store) -> None:
    feed = workbook(tmp_path / "feed.xlsx")
    run_id = batch(feed, store, tmp_path / "batch.xlsx")
    ReviewSession(store, run_id).approve([1], "ana")
    for approved_only, second in ((False, "Bol en grès émaillé Atelier"), (True, None)):
        out = tmp_path / f"out-{approved_only}.xlsx"
        copyassist.export(store, run_id, out, approved_only=approved_only)
        values = [[c.value for c in row] for row in load_workbook(out)["Produits"].iter_rows()]
        assert values[0][:6] == ["SKU", "Nom", "Description", "Prix", "copyassist_title", "copyassist_status"]
        assert values[1][:5] == ["L-1", "Lampe Lune en verre soufflé Lumio", "Lampe en verre soufflé", 59,
                                 "Lampe Lune en verre soufflé Lumio"]  # fmt: skip
        assert values[2][:5] == [
            "B-2",
            second,
            "Bol en grès émaillé, 12 cm",
            24.9,
            "Bol en grès émaillé Atelier",
        ]


SHOPIFY = (
    "Handle,Title,Body (HTML),Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price\n"
    "lampe-lune,Lampe Lune,<p>Lampe en verre soufflé</p>,Lumio,Couleur,Blanc,LL-B,59.00\n"
    "lampe-lune,,,,,Ambre,LL-A,59.00\n"
    "tasse,,<p>Tasse en grès</p>,Atelier,Title,Default Title,TS-1,14.00\n"
)


@pytest.mark.parametrize("approved_only", [False, True])
def test_a_shopify_export_gets_the_copy_in_its_title_column(
    tmp_path: Path, store: Store, approved_only: bool
) -> None:
    feed = tmp_path / "products_export.csv"
    feed.write_text(SHOPIFY, encoding="utf-8")
    answers = [{"title": "Lampe Lune en verre soufflé Lumio"}, {"title": "Tasse en grès Atelier"}]
    run_id = run_batch(feed, tmp_path / "batch.csv", template="product-title", store=store, language="fr",
                       backend=FakeBackend(answers), concurrency=1).run_id  # fmt: skip
    session = ReviewSession(store, run_id)
    assert [r.row_number for r in session.page().rows] == [1, 3], "the variant row is not a review item"
    session.approve([1], "ana")
    copyassist.export(store, run_id, tmp_path / "out.csv", approved_only=approved_only)
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Title"] for r in rows] == [
        "Lampe Lune en verre soufflé Lumio",
        "",
        "" if approved_only else "Tasse en grès Atelier",
    ]
    assert rows[1]["Option1 Value"] == "Ambre" and rows[1]["copyassist_status"] == "skipped"
    assert [r["Body (HTML)"] for r in rows] == ["<p>Lampe en verre soufflé</p>", "", "<p>Tasse en grès</p>"]


def test_the_input_feed_is_replaced_only_in_place_with_a_backup(
    tmp_path: Path, store: Store, reviewed: int
) -> None:
    feed = tmp_path / "feed.csv"
    original = feed.read_bytes()
    with pytest.raises(InputError, match="is the input file"):
        copyassist.export(store, reviewed, feed)
    assert feed.read_bytes() == original
    copyassist.export(store, reviewed, None, in_place=True)
    assert (tmp_path / "feed.csv.bak").read_bytes() == original
    assert read(feed)[0]["title"] == "Lampe Lune en verre soufflé Lumio"


def test_a_feed_changed_since_the_run_is_refused(tmp_path: Path, store: Store, reviewed: int) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_bytes(feed.read_bytes().replace(b"Lampe Lune", b"Lampe Soleil"))
    with pytest.raises(InputError, match="changed since the run"):
        copyassist.export(store, reviewed, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["export", *args])


def test_the_cli_exports_and_prints_a_summary(tmp_path: Path, store: Store, reviewed: int) -> None:
    result = cli(str(reviewed), "-o", str(tmp_path / "out.csv"), "--store", str(store.path))
    assert_exited(result, 0)
    assert (
        "4 rows written" in result.output
        and "2 approved, 1 edited, 1 rejected, 1 unreviewed" in result.output
    )
    assert read(tmp_path / "out.csv")[2]["title"] == EDITED
    again = cli(
        "-o", str(tmp_path / "out.csv"), "--store", str(store.path), "--approved-only"
    )  # the last run
    assert_exited(again, 2)
    assert "exists" in again.output and "--force" in again.output
    forced = cli("-o", str(tmp_path / "out.csv"), "--store", str(store.path), "--approved-only", "--force")
    assert_exited(forced, 0)
    assert read(tmp_path / "out.csv")[3]["title"] == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["99", "-o", "{tmp}/x.csv"], "no run 99"),
        (["-o", "{tmp}/feed.csv"], "is the input file"),
        (["-o", "{tmp}/missing/x.csv"], "does not exist"),
        ([], "give the file to write"),
    ],
)
def test_cli_errors_are_one_line(
    tmp_path: Path, store: Store, reviewed: int, args: list[str], message: str
) -> None:
    result = cli(*[a.format(tmp=tmp_path) for a in args], "--store", str(store.path))
    assert_exited(result, 2)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("copyassist: error:"), (
        result.output
    )


def test_cli_feed_gone_and_store_missing(tmp_path: Path, store: Store, reviewed: int) -> None:
    (tmp_path / "feed.csv").unlink()
    gone = cli("-o", str(tmp_path / "x.csv"), "--store", str(store.path))
    assert_exited(gone, 2)
    assert "is gone" in gone.output
    missing = cli("-o", str(tmp_path / "x.csv"), "--store", str(tmp_path / "nope.sqlite3"))
    assert_exited(missing, 2)
    assert "no batch store" in missing.output and not (tmp_path / "nope.sqlite3").exists()


def test_a_run_on_a_relative_path_exports_from_anywhere(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shop").mkdir()
    csv_feed(tmp_path / "shop" / "feed.csv")
    monkeypatch.chdir(tmp_path / "shop")
    run_id = batch(Path("feed.csv"), store, Path("batch.csv"))
    args = store.get_run(run_id).args or {}
    assert args["feed_path"] == str(tmp_path / "shop" / "feed.csv")
    assert args["output"] == str(tmp_path / "shop" / "batch.csv")
    monkeypatch.chdir(tmp_path)
    ReviewSession(store, run_id).approve([1], "ana")
    summary = copyassist.export(store, run_id, tmp_path / "out.csv")
    assert (
        summary.approved == 1
        and read(tmp_path / "out.csv")[0]["title"] == "Lampe Lune en verre soufflé Lumio"
    )


@pytest.mark.parametrize("name", ["feed.csv", "feed.xlsx"])
def test_a_run_nobody_reviewed_exports_as_the_batch_wrote_it(tmp_path: Path, store: Store, name: str) -> None:
    feed = csv_feed(tmp_path / name) if name.endswith(".csv") else workbook(tmp_path / name)
    run_id = batch(feed, store, tmp_path / f"batch{feed.suffix}")
    summary = copyassist.export(store, run_id, tmp_path / f"out{feed.suffix}")
    assert summary.unreviewed == summary.rows and summary.approved == summary.edited == 0
    if feed.suffix == ".csv":
        assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "batch.csv").read_bytes()
    else:

        def values(path: Path) -> list[list[Any]]:
            return [[c.value for c in row] for row in load_workbook(path)["Produits"].iter_rows()]

        assert values(tmp_path / "out.xlsx") == values(tmp_path / "batch.xlsx")


def test_a_run_still_running_is_not_exported(tmp_path: Path, store: Store, reviewed: int) -> None:
    store.connection.execute(
        "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?", (reviewed,)
    )
    store.connection.commit()
    with pytest.raises(InputError, match="still running"):
        copyassist.export(store, reviewed, tmp_path / "out.csv")


@pytest.mark.parametrize("structured", [False, True])
def test_a_merchant_xml_feed_gets_approved_copy_in_its_own_attribute(
    tmp_path: Path, store: Store, structured: bool
) -> None:
    from tests.test_platform_exports import merchant_xml

    answers = [{"title": "Théière en fonte émaillée 1,2 l"}, {"title": "Bol en grès 12 cm"}]
    run_id = run_batch(merchant_xml(tmp_path), tmp_path / "batch.xml", template="product-title", store=store,
                       language="fr", backend=FakeBackend(answers), concurrency=1,
                       merchant_structured=structured).run_id  # fmt: skip
    session = ReviewSession(store, run_id)
    assert session.row(1).current == {"title": "Théière en fonte 1,2 l"}
    session.approve([1], "ana")
    session.reject([2], "ana")
    copyassist.export(store, run_id, tmp_path / "out.xml")
    text = (tmp_path / "out.xml").read_text(encoding="utf-8")
    if structured:  # the seller's title stays; AI copy goes to structured_title, labelled as such
        assert "<g:title>Théière en fonte 1,2 l</g:title>" in text
        assert "<g:content>Théière en fonte émaillée 1,2 l</g:content></g:structured_title>" in text
    else:
        assert "<g:title>Théière en fonte émaillée 1,2 l</g:title>" in text
    assert "<g:title/>" in text and "<copyassist:title>Bol en grès 12 cm</copyassist:title>" in text
