"""Reading catalogue exports: format detection, column mapping, variants, bad rows, streaming."""

from __future__ import annotations

import inspect
import json
import tracemalloc
from pathlib import Path

import pytest

from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.errors import InputError
from copyassist.feeds import detect_format, open_feed, split_price
from copyassist.feeds.values import as_shopify_html, merchant_structured_value
from copyassist.product import Product
from tests.helpers import FakeBackend

# -- generic CSV: French Excel, BOM, bad rows ---------------------------------------------------

EXCEL = (
    "Référence;Désignation;Description;Prix TTC;Marque;Couleur;Langue\r\n"
    "TH-01;Théière « Lune » en fonte;Fonte émaillée, 1,2 l;1 299,00 €;Maison Été;Noir mat;fr-FR\r\n"
    "TH-02;Bol à thé;;149,90;;Crème;\r\n"
    "TH-03;;;12,00;Maison Été;;\r\n"
).encode("cp1252")


def test_french_excel_export_semicolons_cp1252_decimal_commas(tmp_path: Path) -> None:
    source = tmp_path / "catalogue.csv"
    source.write_bytes(EXCEL)
    feed = open_feed(source)
    assert (feed.format, feed.delimiter, feed.encoding, feed.lineterminator) == ("csv", ";", "cp1252", "\r\n")
    assert feed.columns == [
        "Référence",
        "Désignation",
        "Description",
        "Prix TTC",
        "Marque",
        "Couleur",
        "Langue",
    ]
    assert feed.mapping == {"sku": "Référence", "title": "Désignation", "description": "Description",
                            "price": "Prix TTC", "brand": "Marque"}  # fmt: skip
    assert feed.language_column == "Langue"
    first, second, third = list(feed.rows())
    assert first.raw["Prix TTC"] == "1 299,00 €"  # raw values stay as read, for the writer
    assert first.product == {
        "sku": "TH-01", "title": "Théière « Lune » en fonte", "description": "Fonte émaillée, 1,2 l",
        "price": "1299.00", "currency": "EUR", "brand": "Maison Été", "attributes": {"Couleur": "Noir mat"},
    }  # fmt: skip
    assert first.language == "fr" and second.language is None
    assert second.product is not None and second.product["price"] == "149.90"
    assert "currency" not in second.product
    assert (third.number, third.product, third.error) == (3, None, True)
    assert third.skip is not None and "no title and no description" in third.skip
    assert Product.from_mapping(first.product).attributes == {"Couleur": "Noir mat"}


def test_utf8_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    source = tmp_path / "bom.csv"
    source.write_bytes('Nom,Prix,Catégorie\nCafetière,"24,90",Cuisine\n'.encode("utf-8-sig"))
    feed = open_feed(source)
    assert (feed.encoding, feed.delimiter, feed.lineterminator) == ("utf-8-sig", ",", "\n")
    assert feed.columns[0] == "Nom" and feed.mapping["title"] == "Nom"
    (row,) = feed.rows()
    assert row.product == {"title": "Cafetière", "price": "24.90", "category": "Cuisine"}


def test_windows_1252_bytes_far_into_a_utf8_file_are_read_not_lost(tmp_path: Path) -> None:
    source = tmp_path / "mixed.csv"
    lines = ["title,description"] + [f"Produit {i},Déjà très bien" for i in range(3000)]
    source.write_bytes("\n".join(lines).encode() + "\nCafé crème,Collé depuis Excel\n".encode("cp1252"))
    rows = list(open_feed(source).rows())
    assert len(rows) == 3001 and not any(r.error for r in rows)
    assert rows[-1].product == {"title": "Café crème", "description": "Collé depuis Excel"}


def test_unreadable_line_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("title;price\nA;1\nB;2;oops\nC;3\n", encoding="utf-8")
    rows = list(open_feed(source).rows())
    assert [r.number for r in rows] == [1, 2, 3]
    assert rows[1].error and rows[1].product is None and "3 cells for 2 columns" in (rows[1].skip or "")
    assert rows[2].product == {"title": "C", "price": "3"}


@pytest.mark.parametrize("ending", ["\r\n", "\n"])
def test_a_batch_writes_the_feed_back_with_its_own_line_ending(tmp_path: Path, ending: str) -> None:
    source = tmp_path / "export.csv"
    lines = ["sku;title;description", "B-1;;Cire de soja", 'B-2;;"Deux\nlignes"', ""]  # Excel: LF in cells
    source.write_bytes(ending.join(lines).encode("cp1252"))
    assert open_feed(source).lineterminator == ending
    out = tmp_path / "out.csv"
    with Store(tmp_path / "store.sqlite3") as store:
        backend = FakeBackend([{"title": "Bougie parfumée à la cire de soja"}])
        run_batch(source, out, template="product-title", backend=backend, store=store)
    data = out.read_bytes()
    assert b'"Deux\nlignes"' in data  # a line break inside a cell stays as it was
    assert data.replace(b'"Deux\nlignes"', b"").count(ending.encode()) == 3  # header and two rows
    assert (b"\r" in data) == (ending == "\r\n")


# -- Google Merchant Center ----------------------------------------------------------------------

MERCHANT = (
    "id\ttitle\tdescription\tlink\timage_link\tavailability\tprice\tbrand\tgtin\tmpn\tproduct_type\t"
    "google_product_category\tcolor\tsize\titem_group_id\n"
    "CH-1-N\tChaise Oslo noire\t<p>Chaise en chêne &amp; frêne.</p>\thttps://ex.fr/oslo\thttps://ex.fr/o.jpg\t"
    "in_stock\t149.90 EUR\tNordik\t3700000000031\tOS-1\t\t443\tnoir\t\tCH-1\n"
    "CH-1-B\tChaise Oslo blanche\tChaise en chêne.\thttps://ex.fr/oslo-b\t\tin_stock\t1 299,00 €\t\t\t\t"
    "Maison > Chaises\t443\tblanc\t\tCH-1\n"
)


def test_tab_separated_merchant_feed(tmp_path: Path) -> None:
    source = tmp_path / "merchant.txt"  # not .tsv: the tab is found from the header
    source.write_text(MERCHANT, encoding="utf-8")
    feed = open_feed(source)
    assert (feed.format, feed.delimiter) == ("merchant", "\t")
    assert (
        feed.mapping["sku"] == "id"
        and feed.mapping["url"] == "link"
        and feed.mapping["category"] == "product_type"
    )
    assert {"image_link", "availability", "item_group_id"} <= set(feed.ignored_columns)
    first, second = feed.rows()
    assert first.product is not None and second.product is not None
    assert (first.product["price"], first.product["currency"]) == ("149.90", "EUR")
    assert first.product["description"] == "Chaise en chêne & frêne."
    assert "category" not in first.product  # 443 is a taxonomy id, not a name
    assert first.product["attributes"] == {"mpn": "OS-1", "color": "noir"}
    assert (first.group, second.group) == ("CH-1", "CH-1")  # every Merchant item gets its own copy
    assert (second.product["price"], second.product["currency"], second.product["category"]) == (
        "1299.00", "EUR", "Maison > Chaises")  # fmt: skip


# -- Shopify -------------------------------------------------------------------------------------

SHOPIFY = (
    "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,"
    "Option2 Name,Option2 Value,Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,"
    "Variant Compare At Price,Variant Barcode,Image Src,SEO Title,SEO Description,"
    "Color (product.metafields.shopify.color-pattern),Status\n"
    'theiere-lune,Théière Lune,"<p>Une théière <strong>robuste</strong>.</p>'
    '<ul><li>1,2 l</li><li>Fonte</li></ul>",Maison Été,Home & Garden > Kitchen,Théières,"thé, fonte",TRUE,'
    "Couleur,Noir,Taille,1.2 L,TL-N,1500,3,49.90,59.90,3700000000001,https://ex.fr/a.jpg,,,noir,active\n"
    "theiere-lune,,,,,,,,,Rouge,,1.2 L,TL-R,1500,2,54.90,,,,,,,\n"
    "theiere-lune,,,,,,,,,,,,,,,,,,https://ex.fr/b.jpg,,,,\n"
    "bol,Bol,,Maison Été,,,,,Title,Default Title,,,B1,100,1,12.00,,,,,,,active\n"
)


def test_shopify_variants_get_one_product_and_pass_through(tmp_path: Path) -> None:
    source = tmp_path / "products_export_1.csv"
    source.write_text(SHOPIFY, encoding="utf-8")
    feed = open_feed(source)
    assert feed.format == "shopify"
    assert feed.mapping == {
        "title": "Title", "description": "Body (HTML)", "brand": "Vendor", "category": "Type",
        "keywords": "Tags", "sku": "Variant SKU", "price": "Variant Price", "gtin": "Variant Barcode",
    }  # fmt: skip
    assert {"SEO Title", "SEO Description", "Image Src", "Variant Grams", "Handle"} <= set(
        feed.ignored_columns
    )
    rows = list(feed.rows())
    assert [r.number for r in rows] == [1, 2, 3, 4]
    product, variant, image, bol = rows
    assert product.product == {
        "title": "Théière Lune", "description": "Une théière robuste.\n\n- 1,2 l\n- Fonte",
        "brand": "Maison Été", "category": "Théières", "keywords": ["thé", "fonte"], "sku": "TL-N",
        "price": "49.90", "gtin": "3700000000001", "attributes": {
            "Color": "noir", "Couleur": "Noir, Rouge", "Taille": "1.2 L", "price range": "49.90 - 54.90"},
    }  # fmt: skip
    assert product.group == "theiere-lune" and product.skip is None
    for row in (variant, image):
        assert (row.product, row.skip, row.error, row.group) == (
            None, "variant row of theiere-lune", False, "theiere-lune")  # fmt: skip
        assert row.raw["Handle"] == "theiere-lune"  # passed through untouched
    assert variant.raw["Variant Price"] == "54.90"
    assert bol.product is not None and "attributes" not in bol.product  # "Default Title" is no option


def test_shopify_current_headers_and_a_late_variant_row(tmp_path: Path) -> None:
    source = tmp_path / "products.csv"
    source.write_text(
        "URL handle,Title,Description,Vendor,Product category,Type,Tags,Published on online store,Status,"
        "SKU,Option1 name,Option1 value,Price,SEO title\n"
        'vase,Vase bleu,Grès émaillé,Atelier,,Vases,,TRUE,active,V-S,Taille,S,"29,00",\n'
        "tasse,Tasse,Porcelaine,Atelier,,Tasses,,TRUE,active,T-1,,,9.50,\n"
        "vase,,,,,,,,,V-L,,L,39.00,\n",
        encoding="utf-8",
    )
    feed = open_feed(source)
    assert feed.format == "shopify" and feed.mapping["description"] == "Description"
    vase, tasse, late = feed.rows()
    assert vase.product is not None and vase.product["price"] == "29.00"
    assert tasse.product is not None
    assert (late.skip, late.error, late.group) == ("variant row of vase", False, "vase")


# -- WooCommerce ---------------------------------------------------------------------------------

WOO = (
    'ID,Type,SKU,"GTIN, UPC, EAN, or ISBN",Name,Published,Is featured?,Visibility in catalog,'
    "Short description,Description,In stock?,Stock,Weight (kg),Sale price,Regular price,Categories,Tags,"
    "Images,Parent,Attribute 1 name,Attribute 1 value(s),Attribute 1 visible,Attribute 1 global\n"
    '10,simple,MUG-1,3700000000002,Mug Lune,1,0,visible,Un mug.,"<p>Mug en grès.\\nPasse au lave-vaisselle.'
    '</p>",1,12,0.4,,"12,50",Cuisine > Mugs,"mug, grès",https://ex.fr/m.jpg,,Matière,Grès,1,0\n'
    '11,variable,TEE,,T-shirt bio,1,0,visible,Doux.,,1,,,,,Mode,,,,Taille,"S\\, XS, M, L",1,1\n'
    "12,variation,TEE-S,,T-shirt bio - S,1,0,visible,,,1,5,,,19.90,,,,TEE,Taille,S,,1\n"
    "13,variation,,,T-shirt bio - M,1,0,visible,,,1,5,,,19.90,,,,id:11,Taille,M,,1\n"
)


def test_woocommerce_simple_variable_and_variations(tmp_path: Path) -> None:
    source = tmp_path / "wc-product-export.csv"
    source.write_text(WOO, encoding="utf-8")
    feed = open_feed(source)
    assert feed.format == "woocommerce"
    assert feed.mapping["title"] == "Name" and feed.mapping["description"] == "Description"
    simple, variable, small, medium = feed.rows()
    assert simple.product == {
        "sku": "MUG-1", "gtin": "3700000000002", "title": "Mug Lune",
        "description": "Mug en grès.\nPasse au lave-vaisselle.", "price": "12.50",
        "category": "Cuisine > Mugs",
        "keywords": ["mug", "grès"], "attributes": {"Weight (kg)": "0.4", "Matière": "Grès"},
    }  # fmt: skip
    assert variable.product is not None and variable.group == "TEE"
    assert variable.product["description"] == "Doux."  # the short description when there is no other
    assert variable.product["attributes"] == {"Taille": "S, XS, M, L"}
    assert (small.product, small.skip, small.error, small.group) == (
        None,
        "variation row of TEE",
        False,
        "TEE",
    )
    assert (medium.skip, medium.group) == ("variation row of id:11", "id:11")


def test_french_woocommerce_export(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(
        "ID,Type,UGS,Nom,Publié,Description courte,Description,Tarif promo,Tarif régulier,Catégories,"
        "Étiquettes,Parent,Nom de l’attribut 1,Valeur(s) de l’attribut 1\n"
        '20,simple,LAMPE,Lampe Nuit,1,Une lampe douce.,,,"89,00",Déco,"lampe, nuit",,Couleur,Ocre\n',
        encoding="utf-8",
    )
    feed = open_feed(source)
    assert feed.format == "woocommerce" and feed.mapping["title"] == "Nom"
    (row,) = feed.rows()
    assert row.product == {
        "sku": "LAMPE", "title": "Lampe Nuit", "description": "Une lampe douce.", "price": "89.00",
        "category": "Déco", "keywords": ["lampe", "nuit"], "attributes": {"Couleur": "Ocre"},
    }  # fmt: skip


# -- JSONL / JSON --------------------------------------------------------------------------------


def test_jsonl_with_a_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "products.jsonl"
    lines = [
        json.dumps(
            {"title": "Gourde inox", "price": 19.9, "lang": "en", "attributes": {"capacité": "750 ml"}}
        ),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"nom": "Sac à dos", "features": ["20 l", "imperméable"], "poids": "450 g"}),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    feed = open_feed(source)
    assert (feed.format, feed.columns) == ("jsonl", ["title", "price", "lang", "attributes"])
    rows = list(feed.rows())
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[0].product == {"title": "Gourde inox", "price": "19.9", "attributes": {"capacité": "750 ml"}}
    assert rows[0].language == "en"
    assert rows[1].error and "not valid JSON" in (rows[1].skip or "") and rows[1].product is None
    assert rows[2].error and rows[2].skip is not None
    assert rows[3].product == {"title": "Sac à dos", "features": ["20 l", "imperméable"],
                               "attributes": {"poids": "450 g"}}  # fmt: skip


def test_json_array(tmp_path: Path) -> None:
    source = tmp_path / "products.json"
    source.write_text(json.dumps([{"Name": "Plaid", "Marque": "Laine & Co"}]), encoding="utf-8")
    feed = open_feed(source)
    assert (feed.format, feed.delimiter, feed.encoding) == ("json", ",", "utf-8")
    assert [r.product for r in feed.rows()] == [{"title": "Plaid", "brand": "Laine & Co"}]


# -- --map ---------------------------------------------------------------------------------------


def test_map_overrides_and_extends_the_automatic_mapping(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text("Nom du produit,Nom court,Texte,Code,Pays,Interne\nBougie parfumée,Bougie,Cire de soja,"
                      "B-1,fr,x\n", encoding="utf-8")  # fmt: skip
    feed = open_feed(
        source,
        mapping={"Nom court": "title", "texte": "description", "Code": "sku", "Pays": "language",
                 "Interne": "ignore"},
    )  # fmt: skip
    assert feed.mapping == {"title": "Nom court", "description": "Texte", "sku": "Code"}
    assert feed.language_column == "Pays" and feed.ignored_columns == ["Interne"]
    (row,) = feed.rows()
    assert row.language == "fr"
    assert row.product == {"title": "Bougie", "description": "Cire de soja", "sku": "B-1",
                           "attributes": {"Nom du produit": "Bougie parfumée"}}  # fmt: skip


def test_map_unknown_column_or_field_is_an_input_error(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text("Nom,Prix\nBougie,12\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no column 'Libellé'.*columns: Nom, Prix"):
        open_feed(source, mapping={"Libellé": "title"})
    with pytest.raises(InputError, match=r"no field 'titel'.*title, brand"):
        open_feed(source, mapping={"Nom": "titel"})
    assert open_feed(source, mapping={"Prix": "prix"}).mapping["price"] == "Prix"  # French aliases work


def test_format_errors(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text("Nom,Prix\nBougie,12\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown feed format 'amazon'"):
        open_feed(source, format="amazon")
    with pytest.raises(InputError, match="Handle column"):
        open_feed(source, format="shopify")
    with pytest.raises(InputError, match="no such file"):
        open_feed(tmp_path / "missing.csv")


# -- streaming -----------------------------------------------------------------------------------


def test_100k_rows_stream_in_flat_memory(tmp_path: Path) -> None:
    source = tmp_path / "big.csv"  # about 7 MB
    with source.open("w", encoding="utf-8", newline="") as handle:
        handle.write("sku;title;description;price;color\n")
        for i in range(100_000):
            handle.write(f"S{i};Produit numéro {i};Une description du produit {i};{i % 500},90;bleu\n")
    count = 0
    tracemalloc.start()  # tracing is slow: watch the start and the end of the file, not all of it
    try:
        feed = open_feed(source)
        assert inspect.isgenerator(feed.rows())  # nothing is read before it is asked for
        rows = feed.rows()
        for _ in range(5_000):
            count += next(rows).product is not None
        _, opening_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        for _ in range(85_000):
            count += next(rows).product is not None
        tracemalloc.start()
        count += sum(row.product is not None for row in rows)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert opening_peak < 2 * 1024 * 1024, (
        f"opening peak {opening_peak / 1e6:.1f} MB: the file or the rows are kept"
    )
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB over the last 10,000 rows"
    assert kept < 256 * 1024, f"{kept} bytes kept over the last 10,000 rows"


# -- helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("149,90", ("149.90", None)),
        ("1 299,00 €", ("1299.00", "EUR")),
        ("1\u202f299,00\u00a0€", ("1299.00", "EUR")),
        ("149.90 EUR", ("149.90", "EUR")),
        ("EUR 12", ("12", "EUR")),
        ("1.299,50", ("1299.50", None)),
        ("1,299.50", ("1299.50", None)),
        ("24,90 € TTC", ("24.90", "EUR")),
        ("25", ("25", None)),
        ("sur devis", ("sur devis", None)),
        ("12 pièces", ("12 pièces", None)),
    ],
)
def test_split_price(text: str, expected: tuple[str, str | None]) -> None:
    assert split_price(text) == expected


def test_as_shopify_html() -> None:
    assert as_shopify_html("Ligne 1\nLigne <2>\n\nFin.") == "<p>Ligne 1<br>Ligne &lt;2&gt;</p><p>Fin.</p>"
    assert as_shopify_html("<p>Déjà</p>") == "<p>Déjà</p>"


def test_merchant_structured_value_format() -> None:
    assert merchant_structured_value("Bol en grès 12 cm") == "trained_algorithmic_media:Bol en grès 12 cm"
    assert merchant_structured_value("Kairos : bol 12 cm") == 'trained_algorithmic_media:"Kairos : bol 12 cm"'
    assert merchant_structured_value('Écran 27"') == 'trained_algorithmic_media:"Écran 27"""'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Handle,Title,Body (HTML),Vendor,Variant Price", "shopify"),
        ("ID,Type,SKU,Name,Published,Regular price,Categories", "woocommerce"),
        ("id,title,description,link,image_link,price", "merchant"),
        ("title,description,price,brand", "csv"),
        ("ID,Type,Nom,Tarif régulier,Description courte", "woocommerce"),
    ],
)
def test_detect_format(header: str, expected: str) -> None:
    assert detect_format(header.split(",")) == expected
