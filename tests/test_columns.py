"""The right columns, said out loud: the column vocabulary of real exports (PrestaShop, Etsy, French
catalogues, French WooCommerce), platforms told by their column sets, the mapping printed before
``batch``, ``--dry-run`` and ``check``, and a feed with no title or description refused."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from typer.testing import CliRunner

from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.columns import ColumnMapping, column_key, copy_columns, field_for
from copyassist.errors import InputError
from copyassist.feeds import detect_format, open_feed
from copyassist.product import Product
from tests.helpers import FakeBackend

runner = CliRunner()
SERVER = ["--provider", "compatible", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]

# A French WooCommerce export whose Type header came out blank, with a variable product and two
# variations (one with a stock of 80919).
FRENCH_WOO = (
    "ID,,UGS,Nom,Publié,Mis en avant ?,Visibilité dans le catalogue,Description courte,Description,"
    "En stock ?,Stock,Poids (kg),Tarif promo,Tarif régulier,Catégories,Étiquettes,Images,Parent,"
    "Nom de l’attribut 1,Valeur(s) de l’attribut 1,Attribut 1 visible,Attribut 1 global\n"
    '101,simple,MUG-1,Mug Lune,1,0,visible,Un mug.,<p>Mug en grès.</p>,1,12,0.4,,"12,50",Cuisine,'
    '"mug, grès",https://ex.fr/m.jpg,,Matière,Grès,1,0\n'
    '102,variable,SWEAT,Sweatshirt bio,1,0,visible,Doux.,Coton bio.,1,,,,,Mode,,,,Taille,"S, M",1,1\n'
    "103,variation,SWEAT-S,Sweatshirt bio - S,1,0,visible,,,1,80919,,,39.90,,,,SWEAT,Taille,S,,1\n"
    "104,variation,SWEAT-M,Sweatshirt bio - M,1,0,visible,,,1,5,,,39.90,,,,SWEAT,Taille,M,,1\n"
)
# PrestaShop's product import columns, ';' with a trailing delimiter on every line.
PRESTASHOP = (
    "ID;Active (0/1);Name *;Categories (x,y,z...);Price tax excluded;Tax rules ID;Reference #;"
    "Manufacturer;EAN13;Quantity;Weight;Short description;Description;Tags (x,y,z...);"
    "Image URLs (x,y,z...);\n"
    "1;1;Sweat à capuche bio;Vêtements,Sweats;39.90;1;SW-01;Atelier Nord;3700000000019;80919;0.5;"
    "Sweat doux.;<p>Coton bio brossé.</p>;sweat,bio;https://ex.fr/1.jpg;\n"
)
FRENCH_CATALOGUE = (
    "Référence;Nom Produit;Marque;Prix Boutique;Catégorie;Image;EAN;Description\n"
    "TH-01;Théière Lune;Maison Été;49,90 €;Cuisine;https://ex.fr/t.jpg;3700000000026;Fonte émaillée.\n"
)
ETSY = (
    "TITLE,DESCRIPTION,PRICE,CURRENCY_CODE,QUANTITY,TAGS,MATERIALS,IMAGE1,IMAGE2,VARIATION 1 TYPE,"
    "VARIATION 1 NAME,VARIATION 1 VALUES,SKU\n"
    'Bague argent martelé,Bague faite main.,45.00,EUR,7,"bague,argent",argent,https://e/1.jpg,,'
    'Taille,Taille,"52,54,56",BA-1\n'
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "key"),
    [("Name *", "name"), ("Reference #", "reference"), ("Prix (TTC)", "prix ttc"),
     ("  NOM  Produit ", "nom produit"),
     ("Catégories (x,y,z...)", "categories x y z"), ("Nom de l’attribut 1", "nom de l attribut 1"),
     ("CURRENCY_CODE", "currency code"), ("Désignation", "designation")],
)  # fmt: skip
def test_column_keys_ignore_case_accents_and_punctuation(name: str, key: str) -> None:
    assert column_key(name) == key


@pytest.mark.parametrize(
    ("name", "field"),
    [("Name *", "title"), ("Nom Produit", "title"), ("Nom", "title"), ("Désignation", "title"),
     ("Libellé", "title"), ("TITLE", "title"), ("Price tax excluded", "price"), ("Prix Boutique", "price"),
     ("Prix TTC", "price"), ("Tarif régulier", "price"), ("UGS", "sku"), ("Reference #", "sku"),
     ("Référence", "sku"), ("SKU", "sku"), ("EAN", "gtin"), ("EAN13", "gtin"), ("Marque", "brand"),
     ("Manufacturer", "brand"), ("DESCRIPTION", "description"), ("Description courte", "description"),
     ("TAGS", "keywords"), ("Étiquettes", "keywords"), ("Catégories", "category"),
     ("CURRENCY_CODE", "currency"), ("Stock", None), ("MATERIALS", None)],
)  # fmt: skip
def test_one_vocabulary_for_every_export(name: str, field: str | None) -> None:
    assert field_for(name) == field


def test_product_files_use_the_same_vocabulary() -> None:
    product = Product.from_mapping(
        {"Name *": "Sweat", "Prix TTC": "39,90", "Référence #": "SW-01", "UGS": "x"}
    )
    assert (product.title, product.price, product.sku) == ("Sweat", "39,90", "SW-01")


def test_prestashop_headers(tmp_path: Path) -> None:
    feed = open_feed(write(tmp_path / "products_import.csv", PRESTASHOP))
    assert (feed.format, feed.delimiter) == ("csv", ";")
    assert feed.mapping == {
        "title": "Name *", "category": "Categories (x,y,z...)", "price": "Price tax excluded",
        "sku": "Reference #", "brand": "Manufacturer", "gtin": "EAN13", "description": "Description",
        "keywords": "Tags (x,y,z...)",
    }  # fmt: skip
    assert {"ID", "Active (0/1)", "Quantity", "Image URLs (x,y,z...)"} <= set(feed.ignored_columns)
    (row,) = feed.rows()
    assert row.product is not None and row.product["title"] == "Sweat à capuche bio"
    assert row.product["description"] == "Coton bio brossé."  # Description before Short description
    assert "Quantity" not in row.product.get("attributes", {})  # the stock is no product data


def test_french_catalogue_mapping_is_said(tmp_path: Path) -> None:
    feed = open_feed(write(tmp_path / "catalogue.csv", FRENCH_CATALOGUE))
    assert str(feed.mapping_report()) == (
        "title <- Nom Produit, brand <- Marque, category <- Catégorie, description <- Description, "
        "price <- Prix Boutique, sku <- Référence, gtin <- EAN; unmapped: Image"
    )
    (row,) = feed.rows()
    assert row.product is not None and (row.product["title"], row.product["price"]) == (
        "Théière Lune",
        "49.90",
    )


def test_etsy_listings_download(tmp_path: Path) -> None:
    feed = open_feed(write(tmp_path / "EtsyListingsDownload.csv", ETSY))
    report = feed.mapping_report()
    assert dict(report.fields) == {
        "title": ("TITLE",), "description": ("DESCRIPTION",), "price": ("PRICE",),
        "currency": ("CURRENCY_CODE",), "sku": ("SKU",), "keywords": ("TAGS",),
    }  # fmt: skip
    assert set(report.unmapped) == {"QUANTITY", "IMAGE1", "IMAGE2"}
    assert "MATERIALS" in report.attributes
    (row,) = feed.rows()
    assert row.product is not None and row.product["keywords"] == ["bague", "argent"]


def test_a_french_woocommerce_export_with_a_blank_type_header_is_woocommerce(tmp_path: Path) -> None:
    feed = open_feed(write(tmp_path / "wc-export.csv", FRENCH_WOO))
    assert feed.format == "woocommerce" and feed.mapping["title"] == "Nom"
    assert feed.mapping_report().extra == {"type": "", "parent": "Parent"}
    simple, variable, small, medium = feed.rows()
    assert simple.product is not None and variable.product is not None and variable.group == "SWEAT"
    for row in (small, medium):
        assert (row.product, row.skip, row.error, row.group) == (
            None,
            "variation row of SWEAT",
            False,
            "SWEAT",
        )


def test_variations_of_a_blank_type_export_are_not_billed(tmp_path: Path) -> None:
    source = write(tmp_path / "wc-export.csv", FRENCH_WOO)
    backend = FakeBackend([{"title": "Mug Lune en grès"}])
    with Store(tmp_path / "store.sqlite3") as store:
        summary = run_batch(
            source, tmp_path / "out.csv", template="product-title", backend=backend, store=store
        )
    asked = [json.dumps(call, ensure_ascii=False) for call in backend.calls]
    assert asked and not [a for a in asked if "Sweatshirt bio - " in a]  # variations are not billed
    assert summary.totals.rows == 4 and summary.totals.counts["skipped"] == 2


def test_woocommerce_without_a_type_column_tells_variations_by_their_parent(tmp_path: Path) -> None:
    header, *rows = FRENCH_WOO.splitlines()
    cut = [
        ",".join(c for i, c in enumerate(line.split(",")) if i != 1) for line in [header, rows[0], rows[3]]
    ]
    assert detect_format(cut[0].split(",")) == "woocommerce"
    feed = open_feed(write(tmp_path / "wc.csv", "\n".join(cut) + "\n"))
    simple, variation = feed.rows()
    assert simple.product is not None and variation.skip == "variation row of SWEAT"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ID,,UGS,Nom,Publié,Mis en avant ?,Description courte,Tarif régulier,Parent", "woocommerce"),
        ("ID,Nom,Prix,Description", "csv"),  # a name and a price are every catalogue's
        ("Handle,Title,Body (HTML),Vendor", "shopify"),
    ],
)
def test_platforms_are_told_by_their_column_sets(header: str, expected: str) -> None:
    assert detect_format(header.split(",")) == expected


def test_map_finds_a_column_whatever_its_spelling(tmp_path: Path) -> None:
    source = write(tmp_path / "f.csv", "Libellé court *;Texte\nBougie;Cire\n")
    feed = open_feed(source, mapping={"libelle court": "titre"})
    assert feed.mapping["title"] == "Libellé court *"


# -- no title, no description: refused before any call -------------------------------------------

NO_COPY = "Code;Stock;Poids\nA-1;3;2 kg\nA-2;5;1 kg\n"


def test_a_feed_without_title_or_description_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r'no column holds a title or a description.*"Code=title"') as caught:
        open_feed(write(tmp_path / "stock.csv", NO_COPY))
    assert caught.value.hint_options == ("mapping",)  # the CLI names --map, the library no flag
    assert "--map" not in str(caught.value)


def test_cli_refuses_it_with_one_line_and_no_call(tmp_path: Path) -> None:
    source = write(tmp_path / "stock.csv", NO_COPY)
    for extra in ([], ["--dry-run"]):
        with respx.mock:  # any call would fail: nothing is mocked
            result = runner.invoke(app, ["batch", str(source), "-t", "product-title", *SERVER,
                                         "--db", str(tmp_path / "s.db"), *extra])  # fmt: skip
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.strip().splitlines()
        assert "no column holds a title or a description" in line and line.endswith("(option --map)")
        assert not (tmp_path / "stock.copyassist.csv").exists()


# -- the mapping, said out loud ------------------------------------------------------------------


def echo(request: httpx.Request) -> httpx.Response:
    content = json.dumps({"title": "Théière Lune en fonte émaillée"})
    return httpx.Response(200, json={
        "id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}})  # fmt: skip


def test_batch_and_dry_run_print_the_mapping_first(tmp_path: Path) -> None:
    source = write(tmp_path / "catalogue.csv", FRENCH_CATALOGUE)
    args = ["batch", str(source), "-t", "product-title", *SERVER, "--db", str(tmp_path / "s.db"), "-q"]
    with respx.mock:
        dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    first = dry.stderr.splitlines()[0]
    assert (
        first.startswith("copyassist: columns: title <- Nom Produit,") and "price <- Prix Boutique" in first
    )
    with respx.mock:
        respx.post("http://127.0.0.1:9/v1/chat/completions").mock(side_effect=echo)
        run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    assert run.stderr.splitlines()[0] == dry.stderr.splitlines()[0]


def test_check_prints_the_columns_it_checks(tmp_path: Path) -> None:
    source = write(tmp_path / "catalogue.csv", FRENCH_CATALOGUE)
    result = runner.invoke(app, ["check", str(source), "--format", "json"])
    assert "copyassist: checked columns: title <- Nom Produit, description <- Description; unmapped:" in (
        result.stderr
    )
    assert json.loads(result.stdout)["fields"] == {"title": "Nom Produit", "description": "Description"}


def test_check_finds_prestashop_and_etsy_columns() -> None:
    assert copy_columns(["ID", "Name *", "Description", "Meta title"]) == {
        "title": "Name *", "description": "Description", "seo_title": "Meta title"}  # fmt: skip
    assert copy_columns(["TITLE", "DESCRIPTION", "PRICE"]) == {"title": "TITLE", "description": "DESCRIPTION"}


def test_a_column_mapping_is_a_value_a_tool_can_show() -> None:
    mapping = ColumnMapping(
        {"title": ("Nom", "Titre")}, attributes=["Couleur"], unmapped=["Image"], language="Langue"
    )
    assert str(mapping) == "title <- Nom, Titre, language <- Langue; attributes: Couleur; unmapped: Image"
    assert mapping.has_copy_source and not ColumnMapping({"price": ("Prix",)}).has_copy_source
