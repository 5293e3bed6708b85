"""The facts guard: every figure, label and model name in the copy must come from the product data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from copyassist.product import Product
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.fact_claims import extract_claims
from copyassist.rules.facts import RULE_ID, check_facts, unsupported_claims

# The example products (examples/product.json and examples/feed.csv), as the tool reads them.
WATCH: dict[str, Any] = Product.from_mapping(
    {
        "title": "Montre connectée Kairos S2",
        "brand": "Kairos",
        "category": "Montres connectées",
        "description": "Montre connectée sport avec GPS intégré, boîtier en aluminium recyclé.",
        "features": [
            "GPS intégré multi-constellations",
            "Autonomie jusqu'à 10 jours",
            "Étanche 5 ATM",
            "Écran AMOLED 1,4 pouce",
        ],
        "attributes": {"couleur": "Noir graphite", "poids": "38 g", "bracelet": "Silicone 22 mm"},
        "price": "149.90",
        "currency": "EUR",
        "sku": "KRS-S2-BLK",
        "gtin": "3701234567897",
    }
).as_context()
SHIRT = {
    "title": "Marinière homme coton bio",
    "features": ["Fabriquée en France", "Coton biologique 180 g/m²", "Lavable à 30 °C", "OEKO-TEX"],
    "attributes": {"composition": "coton 100%"},
    "price": "59.00",
    "currency": "EUR",
}
POT = {
    "title": "Cocotte en fonte émaillée 24 cm",
    "description": "Cocotte ronde en fonte émaillée, 4,2 litres, 30 x 20 x 10 cm.",
    "features": ["Contenance 4,2 L", "Passe au four jusqu'à 250 °C", "Garantie 2 ans", "Marquage CE"],
}
LAMP = {
    "title": "Lumio Desk Lamp LED 3 modes",
    "description": "Dimmable LED desk lamp, three colour temperatures, 2700 K to 6500 K.",
    "features": ["USB-C port 10 W", "Energy class A", "Battery 5,000 mAh", "Charges in 48 h"],
    "price": "39.90",
    "currency": "EUR",
}
PACK = {"title": "Nordlys 15L Hiking Daypack", "features": ["15 L capacity", "Weight 420 g"]}

#: (product, copy, the claims that must be flagged, as written), French copy.
FRENCH: list[tuple[dict[str, Any], str, list[str]]] = [
    # water resistance: 5 ATM is not 50 m, nor 5 bar
    (WATCH, "Étanche 5 ATM", []),
    (WATCH, "étanche 5 atm, parfaite pour nager", []),
    (WATCH, "Étanche jusqu'à 50 m", ["50 m"]),
    (WATCH, "Étanche jusqu'à 50 mètres", ["50 mètres"]),
    (WATCH, "Étanche 5 bar", ["5 bar"]),
    (WATCH, "Étanche 10 ATM", ["10 ATM"]),
    (WATCH, "Certifiée IP68", ["IP68"]),
    # durations, with exact conversions
    (WATCH, "Jusqu'à 10 jours d'autonomie", []),
    (WATCH, "10 j d'autonomie", []),
    (WATCH, "240 heures d'autonomie", []),
    (WATCH, "Autonomie de 14 jours", ["14 jours"]),
    (WATCH, "Autonomie de 2 semaines", ["2 semaines"]),
    (POT, "Garantie 24 mois", []),
    (POT, "Garantie deux ans", []),
    (POT, "Garantie 5 ans", ["5 ans"]),
    (WATCH, "Garantie un an", ["un an"]),
    (WATCH, "Un jour, vous l'adopterez", []),
    # screen sizes stay in inches
    (WATCH, "Écran AMOLED 1,4 pouce", []),
    (WATCH, 'Écran AMOLED 1.4"', []),
    (WATCH, "Écran de 1,4 pouces", []),
    (WATCH, "Écran de 3,56 cm", ["3,56 cm"]),
    (WATCH, "Écran 1,5 pouce", ["1,5 pouce"]),
    # weights and sizes
    (WATCH, "Seulement 38 grammes", []),
    (WATCH, "Seulement 38 gr", []),
    (WATCH, "Seulement 0,038 kg", []),
    (WATCH, "Seulement 35 g", ["35 g"]),
    (WATCH, "Bracelet de 2,2 cm", []),
    (WATCH, "Bracelet 20 mm", ["20 mm"]),
    (SHIRT, "Jersey 180 g/m2", []),
    (SHIRT, "Jersey 180 g/m²", []),
    (SHIRT, "Jersey 200 g/m²", ["200 g/m²"]),
    (POT, "Contenance 4.2 litres", []),
    (POT, "Contenance 4,2 l", []),
    (POT, "Contenance 4200 ml", []),
    (POT, "Contenance 5 L", ["5 L"]),
    (POT, "Format 30\u00d720\u00d710 cm", []),
    (POT, "Format 300 x 200 x 100 mm", []),
    (POT, "Format 30 x 20 x 15 cm", ["30 x 20 x 15 cm"]),
    (POT, "Cocotte de 24 cm", []),
    # temperatures
    (POT, "Passe au four jusqu'à 250°C", []),
    (POT, "Passe au four jusqu'à 250 degrés", []),
    (POT, "Passe au four jusqu'à 300 °C", ["300 °C"]),
    (SHIRT, "Lavable à 30°", []),
    (SHIRT, "Lavable à 40 °C", ["40 °C"]),
    # percentages
    (SHIRT, "100 % coton", []),
    (SHIRT, "100 pour cent coton", []),
    (SHIRT, "95 % coton", ["95 %"]),
    # certifications and labels
    (SHIRT, "Certifiée Oeko-Tex", []),
    (SHIRT, "Certifiée GOTS", ["GOTS"]),
    (SHIRT, "En coton bio", []),
    (SHIRT, "Fabriqué en France", []),
    (SHIRT, "Labellisée Origine France Garantie", ["Origine France Garantie"]),
    (WATCH, "Boîtier bio", ["bio"]),
    (WATCH, "Logo AB", ["AB"]),
    (POT, "Conforme CE", []),
    (WATCH, "Marquage CE", ["CE"]),
    (WATCH, "Bois certifié FSC, norme NF", ["FSC", "NF"]),
    (WATCH, "Écolabel européen", ["Écolabel"]),
    (LAMP, "Classe énergétique A", []),
    (LAMP, "Classe énergétique A++", ["Classe énergétique A++"]),
    # model names and codes
    (WATCH, "La Kairos S2", []),
    (WATCH, "Réf. KRS-S2-BLK", []),
    (WATCH, "Kairos S-2 noire", []),
    (WATCH, "La Kairos S3", ["S3"]),
    (WATCH, "Mieux que la XM5", ["XM5"]),
    # prices, bare numbers, years
    (WATCH, "Seulement 149,90 €", []),
    (WATCH, "Seulement 149.90 EUR", []),
    (WATCH, "Seulement 149,90 euros", []),
    (WATCH, "Seulement 129,90 €", ["129,90 €"]),
    (WATCH, "Moins de 150 €", ["150 €"]),
    (WATCH, "EAN 3701234567897", []),
    (WATCH, "Savoir-faire depuis 1920", ["1920"]),
    (WATCH, "Livrée avec 2 bracelets", ["2"]),
    (WATCH, "Soldes -20 %", ["-20 %"]),
    (WATCH, "Le n°1 des montres", ["1"]),
]

#: The same, English copy.
ENGLISH: list[tuple[dict[str, Any], str, list[str]]] = [
    (WATCH, "Water resistant to 5 ATM", []),
    (WATCH, "Water resistant to 50 m", ["50 m"]),
    (WATCH, "Water resistant to 50 metres", ["50 metres"]),
    (WATCH, "IP68 rated", ["IP68"]),
    (WATCH, "Up to 10 days of battery life", []),
    (WATCH, "Up to 240 hours of battery life", []),
    (WATCH, "Up to 2 weeks of battery life", ["2 weeks"]),
    (WATCH, 'A 1.4" AMOLED screen', []),
    (WATCH, "A 1.4 inch AMOLED screen", []),
    (WATCH, "A 1.4-inch AMOLED screen", []),
    (WATCH, 'A 1.6" AMOLED screen', ['1.6"']),
    (WATCH, "Weighs just 38 grams", []),
    (WATCH, "Weighs just 30 grams", ["30 grams"]),
    (WATCH, "Kairos S2 smartwatch", []),
    (WATCH, "Kairos S3 smartwatch", ["S3"]),
    (WATCH, "Only €149.90", []),
    (WATCH, "Only 149.90 euros", []),
    (WATCH, "Only $149.90", ["$149.90"]),
    (WATCH, "Since 1920", ["1920"]),
    (LAMP, "USB-C port, 10 W", []),
    (LAMP, "USB-C port, 10 watts", []),
    (LAMP, "USB-C port, 20 W fast charging", ["20 W"]),
    (LAMP, "5,000 mAh battery", []),
    (LAMP, "5000 mAh battery", []),
    (LAMP, "5 Ah battery", []),
    (LAMP, "10,000 mAh battery", ["10,000 mAh"]),
    (LAMP, "Charges in 2 days", []),
    (LAMP, "Charges in 24 h", ["24 h"]),
    (LAMP, "3 modes, from 2700 K to 6500 K", []),
    (LAMP, "4 modes", ["4"]),
    (LAMP, "Warm light at 3000 K", ["3000 K"]),
    (LAMP, "Energy class A", []),
    (LAMP, "Energy efficiency class A+++", ["Energy efficiency class A+++"]),
    (LAMP, "CE marked", ["CE"]),
    (PACK, "A 15-litre daypack", []),
    (PACK, "A 15 liter daypack", []),
    (PACK, "A 20 L daypack", ["20 L"]),
    (PACK, "Only 420 g", []),
    (PACK, "Only 0.42 kg", []),
    (PACK, "Only 400 g", ["400 g"]),
    (SHIRT, "100% cotton", []),
    (SHIRT, "Organic cotton", []),
    (SHIRT, "OEKO-TEX certified", []),
    (SHIRT, "GOTS certified", ["GOTS"]),
    (SHIRT, "Made in France", []),
    (SHIRT, "Fairtrade cotton", ["Fairtrade"]),
]


def _flagged(product: dict[str, Any], text: str, language: str) -> list[str]:
    context = CheckContext(language=language, product=product)
    violations = check_facts("description", text, FieldRules(), context)
    assert all(v.rule == RULE_ID and v.severity == "error" for v in violations)
    assert all(v.field == "description" and repr(v.text) in v.message for v in violations)
    return [v.text for v in violations]


@pytest.mark.parametrize(("product", "text", "expected"), FRENCH)
def test_french_copy(product: dict[str, Any], text: str, expected: list[str]) -> None:
    assert _flagged(product, text, "fr") == expected


@pytest.mark.parametrize(("product", "text", "expected"), ENGLISH)
def test_english_copy(product: dict[str, Any], text: str, expected: list[str]) -> None:
    assert _flagged(product, text, "en") == expected


def test_invented_depth_is_named_in_the_message() -> None:
    [violation] = check_facts(
        "bullets[1]", "Étanche jusqu'à 50 m", FieldRules(), CheckContext(language="fr", product=WATCH)
    )
    assert violation.rule == "facts.unsupported"
    assert violation.field == "bullets[1]"
    assert violation.text == "50 m"
    assert "'50 m'" in violation.message
    assert violation.as_dict()["severity"] == "error"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Une montre élégante pour tous les jours.",
        "An elegant watch for every day.",
        "<p>Une montre <strong>élégante</strong>&nbsp;!</p>",
        "USB-C, AMOLED, GPS",
    ],
)
def test_text_without_claims(text: str) -> None:
    assert extract_claims(text, "fr") == []
    assert _flagged(WATCH, text, "fr") == []


def test_no_product_data_means_nothing_to_check() -> None:
    assert check_facts("title", "Étanche 50 m, IP68", FieldRules(), CheckContext(language="fr")) == []


def test_empty_product_data_supports_nothing() -> None:
    assert _flagged({}, "Étanche 50 m", "fr") == ["50 m"]


@pytest.mark.parametrize(
    ("text", "kind", "keys"),
    [
        ("4,2 L", "quantity", ("quantity:volume:4200",)),
        ("4.2 litres", "quantity", ("quantity:volume:4200",)),
        ("38 g", "quantity", ("quantity:mass:38000",)),
        ("180 g/m²", "quantity", ("quantity:grammage:180",)),
        ("1,4 pouce", "quantity", ("quantity:inch:1.4",)),
        ('1.4"', "quantity", ("quantity:inch:1.4",)),
        ("1.4\u2033", "quantity", ("quantity:inch:1.4",)),
        ("10 jours", "quantity", ("quantity:time:864000",)),
        ("48 h", "quantity", ("quantity:time:172800",)),
        ("2 ans", "quantity", ("quantity:months:24",)),
        ("250 °C", "quantity", ("quantity:celsius:250",)),
        ("-20 °C", "quantity", ("quantity:celsius:-20",)),
        ("5 ATM", "quantity", ("quantity:atm:5",)),
        ("50 m", "quantity", ("quantity:length:50000",)),
        ("10 W", "quantity", ("quantity:power:10000",)),
        ("5 000 mAh", "quantity", ("quantity:charge:5000",)),
        ("100 %", "quantity", ("quantity:percent:100",)),
        (
            "30 x 20 x 10 cm",
            "dimension",
            ("quantity:length:300", "quantity:length:200", "quantity:length:100"),
        ),
        ("30\u00d720 cm", "dimension", ("quantity:length:300", "quantity:length:200")),
        ("149,90 €", "price", ("quantity:price-EUR:149.9",)),
        ("€149.90", "price", ("quantity:price-EUR:149.9",)),
        ("IP68", "rating", ("rating:IP68",)),
        ("IPX7", "rating", ("rating:IPX7",)),
        ("Energy class A", "energy_class", ("energy:A",)),
        ("OEKO-TEX", "label", ("label:oeko-tex",)),
        ("Öko-Tex", "label", ("label:oeko-tex",)),
        ("biologique", "label", ("label:organic",)),
        ("S2", "code", ("code:s2",)),
        ("KRS-S2-BLK", "code", ("code:krss2blk",)),
        ("4K", "code", ("code:4k",)),
        ("1920", "number", ("number:1920",)),
        ("2x", "number", ("number:2",)),
        ("1er", "number", ("number:1",)),
    ],
)
def test_each_kind_of_claim(text: str, kind: str, keys: tuple[str, ...]) -> None:
    [claim] = extract_claims(text, "fr")
    assert (claim.kind, claim.keys, claim.text) == (kind, keys, text)
    assert (claim.start, claim.end) == (0, len(text))


def test_claims_come_in_reading_order_with_positions_in_the_text() -> None:
    text = "La Kairos S2 : étanche 5 ATM, 10 jours, certifiée IP68."
    claims = extract_claims(text, "fr")
    assert [c.text for c in claims] == ["S2", "5 ATM", "10 jours", "IP68"]
    assert all(text[c.start : c.end] == c.text for c in claims)


@pytest.mark.parametrize(
    "text",
    [
        "Écran 1,4\u00a0pouce",  # no-break space
        "Écran 1,4\u202fpouce",  # narrow no-break space (French typography)
        "Écran 1,4\u2009pouce",  # thin space
        "Écran 1,4&nbsp;pouce",  # HTML entity
        "<li>Écran <b>1,4</b> pouce</li>",  # HTML tags
        "Écran 1,4    pouce",
    ],
)
def test_spaces_and_markup_are_normalised(text: str) -> None:
    assert [c.keys for c in extract_claims(text, "fr")] == [("quantity:inch:1.4",)]
    assert _flagged(WATCH, text, "fr") == []


def test_decimal_comma_or_thousands_depends_on_the_copy_language() -> None:
    assert extract_claims("5,000 mAh", "en")[0].values == (Decimal(5000),)
    assert extract_claims("5,000 mAh", "fr")[0].values == (Decimal(5),)
    assert extract_claims("5,000 mAh", None)[0].values == (Decimal(5),)
    product = {"features": ["Battery 5000 mAh"]}
    assert _flagged(product, "5,000 mAh", "en") == []
    assert _flagged(product, "5,000 mAh", "fr") == ["5,000 mAh"]
    assert _flagged(LAMP, "5,000 mAh", "fr") == []  # written the same way in the data


def test_a_closing_quotation_mark_is_not_an_inch() -> None:
    claims = extract_claims('Le modèle "taille 42" est noir', "fr")
    assert [(c.kind, c.text) for c in claims] == [("number", "42")]


def test_list_markers_are_not_claims() -> None:
    text = "1. Autonomie 10 jours\n2) Étanche 5 ATM\n 3. Écran 1,4 pouce"
    assert [c.text for c in extract_claims(text, "fr")] == ["10 jours", "5 ATM", "1,4 pouce"]
    assert _flagged(WATCH, text, "fr") == []


def test_ce_is_not_read_in_shouted_text() -> None:
    assert extract_claims("CE PRODUIT EST GÉNIAL", "fr") == []
    assert [c.text for c in extract_claims("Ce produit porte le marquage CE", "fr")] == ["CE"]


def test_a_lowercase_word_in_the_data_does_not_support_a_label() -> None:
    product = {"description": "Ce produit est livré avec un câble."}
    assert _flagged(product, "Marquage CE", "fr") == ["CE"]


def test_each_distinct_claim_is_reported_once() -> None:
    assert _flagged(WATCH, "IP68 ! Oui, IP68. Et ip68.", "fr") == ["IP68"]


def test_heritage_year_supported_when_in_the_data() -> None:
    product = {"brand": "Maison Vidal", "description": "Maison fondée en 1920."}
    assert _flagged(product, "Depuis 1920, à Lyon", "fr") == []
    assert _flagged(product, "Depuis 1902, à Lyon", "fr") == ["1902"]


def test_price_without_currency_in_the_data_matches_any_currency() -> None:
    product = {"title": "Lampe", "price": 39.9}
    assert _flagged(product, "Seulement 39,90 €", "fr") == []
    assert _flagged(product, "Only $39.90", "en") == []
    assert _flagged(product, "Seulement 49,90 €", "fr") == ["49,90 €"]


def test_price_in_another_currency_than_the_product_is_flagged() -> None:
    assert _flagged(WATCH, "Seulement 149,90 CHF", "fr") == ["149,90 CHF"]


def test_nested_and_numeric_product_values_are_read() -> None:
    product = {"attributes": {"dimensions": {"largeur": 30, "unité": "cm"}}, "extra": {"tags": ["IP67"]}}
    assert _flagged(product, "Certifié IP67, largeur 30", "fr") == []
    assert [c.text for c in unsupported_claims("IP67 et IP68", product, "fr")] == ["IP68"]


@pytest.mark.parametrize(
    "product", [WATCH, SHIRT, POT, LAMP, PACK], ids=["watch", "shirt", "pot", "lamp", "pack"]
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_product_data_supports_itself(product: dict[str, Any], language: str) -> None:
    texts = [v for v in product.values() if isinstance(v, str)] + list(product.get("features", []))
    texts += list(product.get("attributes", {}).values())
    assert [_flagged(product, text, language) for text in texts] == [[] for _ in texts]
