"""brand.misspelt: the product's brand written wrongly, a warning where the field lacks the brand."""

from __future__ import annotations

import pytest

from copyassist.outputs.copywriting import ProductTitle
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.brand_spelling import check_brand_spelling
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import validate_output


def _found(text: str, brand: str, product: dict[str, object] | None = None) -> list[str]:
    context = CheckContext(brand=brand, product=product or {"title": "x", "brand": brand})
    return [v.text for v in check_brand_spelling("title", text, FieldRules(), context)]


@pytest.mark.parametrize(
    ("text", "brand", "written"),
    [
        ("Lumina Desk Lamp LED 3 modes", "Lumio", "Lumina"),  # seen from SmolLM2 on the example feed
        ("Kairo Montre connectée S2", "Kairos", "Kairo"),
        ("Atelier Lanvoc Marinière homme", "Atelier Lanvéoc", "Atelier Lanvoc"),
        ("Sac à dos Nordyls 15 L", "Nordlys", "Nordyls"),
    ],
)
def test_a_brand_written_wrongly_is_reported(text: str, brand: str, written: str) -> None:
    assert _found(text, brand) == [written]


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("Lumio Desk Lamp LED 3 modes", "Lumio"),  # the brand itself
        ("Atelier Lanveoc Mariniere homme", "Atelier Lanvéoc"),  # only accents differ
        ("Nordic Hiking Daypack 15L", "Nordlys"),  # too far from the brand
        ("Montre connectée Kairos S2", "Kai"),  # a short brand: no guessing
        ("Bumio lamp", "Lumio"),  # another first letter
        ("Rivalise avec les Sony WF-1000XM5", "Sonéa"),  # another maker's brand, not a misspelling
    ],
)
def test_the_brand_itself_or_a_distant_word_is_not(text: str, brand: str) -> None:
    assert _found(text, brand) == []


def test_a_word_of_the_product_data_is_never_a_misspelt_brand() -> None:
    product = {"title": "Solid oak side table", "brand": "Solis"}
    assert _found("Solid oak side table", "Solis", product) == []
    assert _found("Solid oak side table", "Solis") == ["Solid"]  # not in the data: said, as a warning


def test_it_is_a_warning_that_reaches_the_channel_checks() -> None:
    product = {"title": "Lumio Desk Lamp", "brand": "Lumio"}
    context = CheckContext(language="en", brand="Lumio", product=product)
    title = ProductTitle(title="Lumina Desk Lamp LED")
    found = validate_output(title, load_profile("google-shopping"), context)
    misspelt = [v for v in found if v.rule == "brand.misspelt"]
    assert misspelt and misspelt[0].severity == "warning" and misspelt[0].text == "Lumina"
