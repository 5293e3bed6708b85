"""One export per platform, as sellers have them, through the real `copyassist batch` command on a
local fake server: the mapping is printed first, every row comes back, and every original cell
comes back as it was (only the new columns, and target cells that were empty, differ)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from copyassist.cli import app
from copyassist.feeds import read_rows

runner = CliRunner()


def woocommerce_fr(folder: Path) -> Path:
    """A French WooCommerce export whose Type header is blank, with a variable product."""
    path = folder / "woocommerce.csv"
    path.write_text(
        "ID,,UGS,Nom,Publié,Description courte,Description,Tarif régulier,Catégories,Parent,"
        "Nom de l'attribut 1,Valeur(s) de l'attribut 1\n"
        '10,variable,SW-1,Sweat bio,1,Doux,"Coton bio\nbrossé",,Vêtements,,Couleur,"Noir, Rouge"\n'
        "11,variation,SW-1-N,Sweat bio - Noir,1,,,45,,SW-1,Couleur,Noir\n"
        "12,variation,SW-1-R,Sweat bio - Rouge,1,,,45,,SW-1,Couleur,Rouge\n"
        "13,simple,MUG-2,,1,Mug en grès,Mug en grès émaillé 30 cl,12,Cuisine,,,\n",
        encoding="utf-8",
    )
    return path


def prestashop(folder: Path) -> Path:
    """PrestaShop's product import: `;`, a trailing `;` on every row, a blank header cell."""
    path = folder / "prestashop.csv"
    path.write_text(
        "Product ID;Active (0/1);Name *;  ;Price tax excluded;Description\n"
        '1;1;Bougie parfumée;;12,50;"- cire de soja\n- 40 heures";\n'
        "2;0;;x;9;=SUM(A1:A2) n'est pas une formule ici;\n",
        encoding="utf-8",
    )
    return path


def shopify(folder: Path) -> Path:
    """Shopify's product template with a variant row."""
    path = folder / "shopify.csv"
    path.write_text(
        "Handle,Title,Body (HTML),Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price,SEO Title\n"
        "lampe-lune,Lampe Lune,<p>Lampe en verre soufflé</p>,Lumio,Couleur,Blanc,LL-B,59.00,\n"
        "lampe-lune,,,,,Ambre,LL-A,59.00,\n"
        "tasse,,<p>Tasse en grès</p>,Atelier,Title,Default Title,TS-1,14.00,\n",
        encoding="utf-8",
    )
    return path


def merchant_xml(folder: Path) -> Path:
    """A Google Merchant Center RSS 2.0 feed in French."""
    path = folder / "merchant.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">\n<channel>\n'
        "<title>Boutique</title>\n"
        "<item>\n<g:id>A1</g:id>\n<g:title>Théière en fonte 1,2 l</g:title>\n"
        "<g:description>Théière en fonte émaillée.</g:description>\n<g:price>49.90 EUR</g:price>\n</item>\n"
        "<item>\n<g:id>A2</g:id>\n<g:title></g:title>\n"
        "<g:description>Bol en grès, 12 cm.</g:description>\n<g:price>19.00 EUR</g:price>\n</item>\n"
        "</channel>\n</rss>\n",
        encoding="utf-8",
    )
    return path


def marketplace_xlsx(folder: Path) -> Path:
    """A marketplace template: two template rows above the header, typed cells, a second sheet."""
    path = folder / "modele.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Modèle"
    sheet.append(["TemplateType=fptcustom", "Version=2024.1"])
    sheet.append(["Référence du vendeur", "Nom du produit", "Prix TTC", "Descriptif"])
    sheet.append(["SKU", "Nom", "Prix", "Description"])
    sheet.append(["BOL-1", "", 24.9, "Bol en grès émaillé, 12 cm."])
    sheet.append(["BOL-2", "Bol Raku", 19, "Bol raku fait main."])
    book.create_sheet("Valeurs valides").append(["Couleur", "noir"])
    book.save(path)
    return path


def french_catalogue(folder: Path) -> Path:
    """A French small-business catalogue: Windows-1252, CRLF, blank rows, multi-line cells."""
    path = folder / "catalogue.csv"
    path.write_bytes(
        (
            "Référence;Désignation;Description;Prix TTC\r\n"
            'TH-01;Théière « Lune »;"Fonte émaillée\r\n1,2 l";49,90\r\n'
            "\r\n"
            ";;;\r\n"
            'TH-02;;"Bol en grès\r\nlavable";12,00\r\n'
        ).encode("cp1252")
    )
    return path


EXPORTS: dict[str, Callable[[Path], Path]] = {
    "woocommerce": woocommerce_fr,
    "prestashop": prestashop,
    "shopify": shopify,
    "merchant-xml": merchant_xml,
    "xlsx": marketplace_xlsx,
    "french-catalogue": french_catalogue,
}


def rows_of(path: Path) -> list[dict[str, Any]]:
    return [row.data for row in read_rows(path, keep_blank=True)]


@pytest.mark.parametrize("name", list(EXPORTS))
def test_each_platforms_export_comes_back_cell_by_cell(
    name: str, tmp_path: Path, serve: Callable[..., tuple[str, Any]]
) -> None:
    source = EXPORTS[name](tmp_path)
    out = tmp_path / f"out{source.suffix}"
    base_url, _ = serve()
    args = ["batch", str(source), "-t", "product-title", "-o", str(out), "--lang", "fr",
            "--provider", "compatible", "--base-url", base_url, "--model", "fake-model",
            "--db", str(tmp_path / "store.sqlite3"), "-q"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output  # 1: a row the fake's short copy left flagged
    assert result.exception is None or isinstance(result.exception, SystemExit)
    mapping = next(line for line in result.output.splitlines() if line.startswith("copyassist: columns:"))
    assert "title <-" in mapping or "description <-" in mapping
    if name == "xlsx":
        assert "header on row 3" in result.output  # the rows above it named, kept as they are
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbook's notice, said once above
        before, after = rows_of(source), rows_of(out)
    assert len(after) == len(before)  # every row back, blank ones included
    for index, (was, now) in enumerate(zip(before, after, strict=True)):
        for column, value in was.items():
            if now.get(column) != value:  # only a target cell that was empty may be filled
                assert value in ("", None), (name, index, column, value, now.get(column))
        assert any(key.startswith("copyassist") for key in now) or not was  # the new columns
