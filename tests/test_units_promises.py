"""Units changed from the product data (``facts.unit_changed``), prices and promises the data
does not give (``facts.unsupported``, ``offer.promise``): French and English, generation and
``copyassist check``."""

from __future__ import annotations

from typing import Any

import pytest

import copyassist
from copyassist.outputs.copywriting import Bullets, FaqItem, FaqOutput, ProductDescription
from copyassist.rules.base import CheckContext
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import validate_output


def violations(
    text: str, product: dict[str, Any], language: str = "fr", channel: str = "generic"
) -> list[Any]:
    context = CheckContext(language=language, product=product)
    output = Bullets(bullets=[text])
    return validate_output(output, load_profile(channel), context)


def rules_of(text: str, product: dict[str, Any], language: str = "fr", channel: str = "generic") -> set[str]:
    return {v.rule for v in violations(text, product, language, channel)}


@pytest.mark.parametrize(
    ("text", "product", "language"),
    [
        ("Étanche jusqu'à 50 m", {"étanchéité": "5 ATM"}, "fr"),
        ("Water resistant to 50 m", {"water resistance": "5 ATM"}, "en"),
        ("Lame de 50 cm", {"lame": "50 mm"}, "fr"),
        ("A 50 cm blade", {"blade": "50 mm"}, "en"),
        ("Écran de 39,6 cm", {"écran": "15,6 pouces"}, "fr"),
        ("A 39.6 cm screen", {"screen": '15.6"'}, "en"),
        ("Weighs only 1 lb", {"weight": "454 g"}, "en"),
    ],
)
def test_a_unit_changed_from_the_data(text: str, product: dict[str, Any], language: str) -> None:
    found = [v for v in violations(text, product, language) if v.rule.startswith("facts.")]
    assert [(v.rule, v.severity) for v in found] == [("facts.unit_changed", "error")]


@pytest.mark.parametrize(
    ("text", "product", "language"),
    [
        ("Flacon de 0,5 L", {"contenance": "500 ml"}, "fr"),
        ("A 0.5 l bottle", {"volume": "500 ml"}, "en"),
        ("Autonomie de 240 h", {"autonomie": "10 jours"}, "fr"),
        ("Étanche 5 ATM", {"étanchéité": "5 ATM"}, "fr"),
    ],
)
def test_the_same_figure_in_another_metric_unit_is_no_violation(
    text: str, product: dict[str, Any], language: str
) -> None:
    assert not {r for r in rules_of(text, product, language) if r.startswith("facts.")}


def test_an_invented_figure_stays_unsupported() -> None:
    found = rules_of("Poids 3 kg", {"poids": "450 g"})
    assert "facts.unsupported" in found and "facts.unit_changed" not in found


@pytest.mark.parametrize(("text", "language"), [("Seulement 129,90 €", "fr"), ("Only $129.90", "en")])
def test_a_price_not_in_the_data(text: str, language: str) -> None:
    product = {"title": "Kairos S2", "price": "149.90", "currency": "EUR" if language == "fr" else "USD"}
    output = ProductDescription(headline="Accroche", description="Une montre.", call_to_action=text)
    found = validate_output(output, load_profile("shopify"), CheckContext(language=language, product=product))
    assert "facts.unsupported" in {v.rule for v in found if v.field == "call_to_action"}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Garantie 2 ans pièces et main-d'œuvre.", "fr"),
        ("Livrée chez vous en 24 h.", "fr"),
        ("Livraison gratuite partout en France.", "fr"),
        ("Satisfait ou remboursé pendant 30 jours.", "fr"),
        ("Comes with a 2-year warranty.", "en"),
        ("Ships within 48 hours.", "en"),
        ("Free shipping on every order.", "en"),
        ("Money-back guarantee if you are not happy.", "en"),
    ],
)
def test_a_promise_the_data_does_not_make(text: str, language: str) -> None:
    found = [v for v in violations(text, {"title": "Kairos S2"}, language) if v.rule == "offer.promise"]
    assert len(found) == 1 and found[0].severity == "error"


@pytest.mark.parametrize(
    ("text", "product", "language"),
    [
        ("Garantie 2 ans.", {"garantie": "2 ans"}, "fr"),
        ("Livraison gratuite.", {"livraison": "gratuite"}, "fr"),
        ("Comes with a 2-year warranty.", {"attributes": {"warranty": "2 years"}}, "en"),
        ("Livré avec un câble USB-C.", {"title": "Kairos S2"}, "fr"),
        ("Ships in a recycled cardboard box.", {"title": "Kairos S2"}, "en"),
        ("La batterie tient 10 jours.", {"autonomie": "10 jours"}, "fr"),
    ],
)
def test_promises_in_the_data_and_ordinary_words_are_not_flagged(
    text: str, product: dict[str, Any], language: str
) -> None:
    assert "offer.promise" not in rules_of(text, product, language)


def test_an_faq_answer_promising_delivery() -> None:
    output = FaqOutput(
        items=[FaqItem(question="Quand vais-je la recevoir ?", answer="Elle est expédiée sous 24h.")]
    )
    found = validate_output(
        output, load_profile("generic"), CheckContext(language="fr", product={"title": "S2"})
    )
    assert [v.field for v in found if v.rule == "offer.promise"] == ["items[0].answer"]


def test_copyassist_check_finds_changed_units_and_promises() -> None:
    rows = [
        {"title": "Kairos S2 montre étanche 50 m", "étanchéité": "5 ATM", "description": "Montre GPS."},
        {
            "title": "Kairos S2 montre GPS",
            "étanchéité": "5 ATM",
            "description": "Garantie 2 ans, livraison offerte.",
        },
    ]
    report = copyassist.check(rows, channel="generic", language="fr")
    by_row = {r.row: {v.rule for v in r.violations} for r in report.rows}
    assert "facts.unit_changed" in by_row[1]
    assert "offer.promise" in by_row[2]


def test_the_datas_own_figure_given_with_a_conversion_is_not_a_change() -> None:
    rows = [
        {
            "title": "Kairos S2 montre étanche 5 ATM (50 m)",
            "étanchéité": "5 ATM",
            "description": "Montre GPS.",
        }
    ]
    report = copyassist.check(rows, channel="generic", language="fr")
    assert "facts.unit_changed" not in {v.rule for v in report.rows[0].violations}


@pytest.mark.parametrize(
    ("text", "product", "language"),
    [
        ("Autonomie jusqu'à 80 miles", {"autonomie": "jusqu'à 80 km"}, "fr"),
        ("24 cm diameter, 4.2 kg capacity", {"diameter": "24 cm", "capacity": "4.2 l"}, "en"),
    ],
)
def test_miles_and_a_figure_given_another_kind_of_unit(
    text: str, product: dict[str, Any], language: str
) -> None:
    assert "facts.unit_changed" in rules_of(text, product, language)


def test_a_word_ending_in_a_currency_is_no_price() -> None:
    """ "teneur" is no "ten EUR"."""
    text = "Le saumon est leur première source de protéines, pour une teneur de 26 %."
    assert not {r for r in rules_of(text, {"protéines": "26 %"}, "fr") if r.startswith("facts.")}
