"""content.off_product: a title must say what the product is."""

from __future__ import annotations

import pytest

from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.relevance import check_on_product

WATCH = {"title": "Montre connectée Kairos S2", "brand": "Kairos", "category": "Montres connectées"}
PACK = {"title": "Nordlys 15L Hiking Daypack", "brand": "Nordlys", "category": "Outdoor bags"}


def rules_for(title: str, product: dict[str, str]) -> list[str]:
    context = CheckContext(brand=product["brand"], product=product)
    return [v.rule for v in check_on_product("title", title, FieldRules(), context)]


@pytest.mark.parametrize(
    ("title", "product"),
    [
        ("Kairos montres GPS étanche noir", WATCH),  # plural, accents
        ("KAIROS S2 MONTRE CONNECTEE", WATCH),
        ("Nordlys daypack 15 L forest green", PACK),
        ("Nordlys hiking bag, 15 litres", PACK),  # the category's word
    ],
)
def test_titles_that_name_the_product_pass(title: str, product: dict[str, str]) -> None:
    assert rules_for(title, product) == []


@pytest.mark.parametrize(
    ("title", "product"),
    [
        ("Kairos", WATCH),  # the brand alone
        ("Kairos S2 noir graphite", WATCH),  # model and colour, no product type
        ("Sécurité de l'Aurora", WATCH),  # invented
        ("Nordlys Forest Green Edition", PACK),
        ("The product title, on one line", PACK),  # a small model echoing its instructions
    ],
)
def test_titles_that_do_not_say_what_it_is_fail(title: str, product: dict[str, str]) -> None:
    assert rules_for(title, product) == ["content.off_product"]


def test_nothing_to_compare_with_means_no_verdict() -> None:
    assert rules_for("Anything at all", {"brand": "X"}) == []
    assert check_on_product("title", "Anything", FieldRules(), CheckContext()) == []
