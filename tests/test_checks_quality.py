"""The quality checks of issue 15: repeated phrases, keyword stuffing, truncated sentences, a
title naming its brand twice, filler and labels, copy that is only the brand; French and English,
caught in generation's validation and in ``copyassist check``, silent on ordinary good copy."""

from __future__ import annotations

from typing import Any

import pytest

import copyassist
from copyassist.outputs.copywriting import (
    Bullets,
    FaqItem,
    FaqOutput,
    ProductDescription,
    ProductTitle,
    SeoOutput,
)
from copyassist.rules.base import CheckContext, Violation
from copyassist.rules.fallback import fallback_title
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import validate_output
from tests.good_listings import GOOD_LISTINGS

NEW_RULES = {
    "repetition.phrase",
    "repetition.keyword_stuffing",
    "text.truncated",
    "title.brand_repeated",
    "leftover.filler",
    "leftover.label_prefix",
    "content.only_name",
    "facts.unit_changed",
    "offer.promise",
    "keywords.invalid",
    "keywords.duplicate",
}
CHANNELS = ("generic", "amazon", "google-shopping", "shopify", "meta-tags", "cdiscount", "rakuten-fr")
KAIROS = {"title": "Montre connectée Kairos S2", "brand": "Kairos", "attributes": {"étanchéité": "5 ATM"}}
SONORA = {"title": "Sonora Air wireless earbuds", "brand": "Sonora", "attributes": {"case": "USB-C"}}
FR = CheckContext(language="fr", brand="Kairos", product=KAIROS, known_words=("Kairos",))
EN = CheckContext(language="en", brand="Sonora", product=SONORA, known_words=("Sonora",))


def found(output: Any, context: CheckContext, channel: str = "generic") -> list[Violation]:
    return validate_output(output, load_profile(channel), context)


def rules(output: Any, context: CheckContext, channel: str = "generic") -> set[str]:
    return {v.rule for v in found(output, context, channel)}


def listing_outputs(listing: dict[str, Any]) -> list[Any]:
    return [
        ProductTitle(title=listing["title"]),
        Bullets(bullets=listing["bullets"]),
        ProductDescription(
            headline=listing["headline"],
            description=listing["description"],
            call_to_action=listing["call_to_action"],
        ),
        SeoOutput(
            seo_title=listing["seo_title"],
            meta_description=listing["meta_description"],
            keywords=[*listing["keywords"], listing["product"]["title"].lower()],
        ),
        FaqOutput(items=[FaqItem(question=q, answer=a) for q, a in listing["faq"]]),
    ]


def listing_context(listing: dict[str, Any]) -> CheckContext:
    return CheckContext(
        language=listing["language"],
        brand=listing["brand"],
        keywords=tuple(listing["keywords"]),
        product=listing["product"],
        known_words=(listing["brand"],),
    )


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("listing", GOOD_LISTINGS, ids=lambda listing: listing["brand"])
def test_good_listings_break_none_of_the_new_rules(listing: dict[str, Any], channel: str) -> None:
    context = listing_context(listing)
    for output in listing_outputs(listing):
        new = [v for v in found(output, context, channel) if v.rule in NEW_RULES]
        assert new == [], (type(output).__name__, new)


def test_good_listings_pass_the_generic_channel_outright() -> None:
    """The fixture is good copy by the old rules too, so the precision test means something."""
    for listing in GOOD_LISTINGS:
        for output in listing_outputs(listing):
            errors = [v for v in found(output, listing_context(listing)) if v.severity == "error"]
            assert errors == [], (listing["brand"], errors)


# ------------------------------------------------------------------------------ repetition

REPEATED_EN = (
    "Wireless Earbuds with Active Noise Cancelling and USB-C Charging Case with Active Noise "
    "Cancelling and USB-C Charging Case"
)
REPEATED_FR = (
    "Écouteurs sans fil à réduction de bruit active et boîtier de charge USB-C avec réduction "
    "de bruit active et boîtier de charge USB-C"
)


@pytest.mark.parametrize(("title", "context"), [(REPEATED_FR, FR), (REPEATED_EN, EN)])
def test_a_title_that_says_its_phrase_twice(title: str, context: CheckContext) -> None:
    violations = [v for v in found(ProductTitle(title=title), context) if v.rule == "repetition.phrase"]
    assert len(violations) == 1 and violations[0].severity == "error"
    assert len(violations[0].text.split()) >= 6  # the whole phrase, not its first words


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("Montre étanche étanche 5 ATM", FR),
        ("Kairos S2 montre connectée, montre connectée étanche", FR),
        ("Sonora Air earbuds, wireless wireless", EN),
    ],
)
def test_doubled_words_and_two_word_phrases_in_titles(text: str, context: CheckContext) -> None:
    assert "repetition.phrase" in rules(ProductTitle(title=text), context)


def test_a_description_repeating_a_whole_sentence_but_not_the_product_name() -> None:
    sentence = "Son écran AMOLED reste lisible en plein soleil."
    twice = ProductDescription(
        headline="La montre du quotidien",
        description=f"La Kairos S2 vous suit partout. {sentence} Elle tient 10 jours. {sentence}",
        call_to_action="Choisissez la vôtre",
    )
    assert "repetition.phrase" in rules(twice, FR)
    named = ProductDescription(
        headline="La montre du quotidien",
        description="La montre connectée Kairos S2 vous suit. Étanche 5 ATM, la montre connectée "
        "Kairos S2 vous suit aussi à la piscine.",
        call_to_action="Choisissez la vôtre",
    )
    assert "repetition.phrase" not in rules(named, FR)


def test_figures_and_units_are_no_repeated_phrase() -> None:
    title = ProductTitle(title="Solis crème solaire SPF 50 visage, lot de 2 x 50 ml, 50 ml chacun")
    assert "repetition.phrase" not in rules(title, FR)


@pytest.mark.parametrize(
    ("output", "context"),
    [
        (ProductTitle(title="Montre Kairos S2, montre sport, montre GPS, montre étanche"), FR),
        (
            SeoOutput(
                seo_title="Earbuds, earbuds, earbuds | Sonora",
                meta_description="Sonora Air earbuds.",
                keywords=["earbuds", "wireless earbuds", "noise cancelling"],
            ),
            EN,
        ),
        (Bullets(bullets=["Montre étanche : une montre pour nager, une montre pour courir"]), FR),
    ],
)
def test_keyword_stuffing(output: Any, context: CheckContext) -> None:
    assert "repetition.keyword_stuffing" in rules(output, context)


def test_a_keyword_phrase_stuffed_into_a_long_description() -> None:
    context = CheckContext(
        language="en", brand="Sonora", keywords=("noise cancelling earbuds",), product=SONORA
    )
    body = " ".join(
        ["Noise cancelling earbuds for the train."] * 2 + ["Noise cancelling earbuds for work."] * 3
    )
    output = ProductDescription(headline="Quiet", description=body, call_to_action="Try them")
    assert "repetition.keyword_stuffing" in rules(output, context)


@pytest.mark.parametrize(
    ("title", "context"),
    [("Kairos montre connectée Kairos S2", FR), ("Sonora Air Wireless Earbuds by Sonora", EN)],
)
def test_a_title_that_names_its_brand_twice(title: str, context: CheckContext) -> None:
    assert "title.brand_repeated" in rules(ProductTitle(title=title), context)
    once = title.replace(context.brand or "", "", 1).strip()
    assert "title.brand_repeated" not in rules(ProductTitle(title=once), context)


def test_a_brand_twice_in_the_products_own_name_is_not_reported() -> None:
    product = {"title": "Coca-Cola Cola Zero", "brand": "Cola"}
    context = CheckContext(language="en", brand="Cola", product=product)
    assert "title.brand_repeated" not in rules(ProductTitle(title="Coca-Cola Cola Zero 33 cl"), context)


# ------------------------------------------------------------------------------ truncation


@pytest.mark.parametrize(
    ("description", "context", "end"),
    [
        ("La Kairos S2 est étanche 5 ATM et", FR, "et"),
        ("La Kairos S2 vous suit partout avec son écran AMOLED de", FR, "de"),
        ("The Sonora Air earbuds come with the", EN, "the"),
        ("The Sonora Air earbuds shut out noise (active noise cancelling, USB-C", EN, "("),
        ("Ses points forts : « étanche, légère", FR, "«"),
    ],
)
def test_a_description_cut_mid_sentence_is_an_error(
    description: str, context: CheckContext, end: str
) -> None:
    output = ProductDescription(headline="Accroche", description=description, call_to_action="Choisissez-la")
    cut = [v for v in found(output, context) if v.rule == "text.truncated"]
    assert [(v.severity, v.text) for v in cut] == [("error", end)]


@pytest.mark.parametrize(
    ("answer", "context"),
    [
        ("Oui, la montre est étanche 5 ATM et convient à la piscine", FR),
        ("Yes, the case charges over USB-C and holds a full charge", EN),
    ],
)
def test_an_faq_answer_without_a_full_stop_is_a_warning(answer: str, context: CheckContext) -> None:
    output = FaqOutput(items=[FaqItem(question="Question posée ?", answer=answer)])
    cut = [v for v in found(output, context) if v.rule == "text.truncated"]
    assert [(v.severity, v.field) for v in cut] == [("warning", "items[0].answer")]


@pytest.mark.parametrize(
    ("title", "context"),
    [("Montre connectée Kairos S2 avec", FR), ("Sonora Air Wireless Earbuds with", EN), ("Kairos S2 -", FR)],
)
def test_a_title_ending_on_a_connector(title: str, context: CheckContext) -> None:
    assert "text.truncated" in rules(ProductTitle(title=title), context)


def test_titles_bullets_and_calls_to_action_need_no_full_stop() -> None:
    assert "text.truncated" not in rules(ProductTitle(title="Bague en or 18 carats, vitamine A"), FR)
    assert "text.truncated" not in rules(Bullets(bullets=["GPS intégré", "Écran AMOLED"]), FR)
    cta = ProductDescription(
        headline="Le bon rythme", description="Une montre.", call_to_action="Profitez-en"
    )
    assert "text.truncated" not in rules(cta, FR)


# ------------------------------------------------------------------------- filler and labels


@pytest.mark.parametrize(
    "filler", ["Bullets", "text", "Bien sûr !", "Sure.", "Voici...", "Here are the bullets:"]
)
def test_bullets_that_are_a_label_or_filler(filler: str) -> None:
    output = Bullets(bullets=["GPS intégré", filler])
    violations = [v for v in found(output, FR) if v.rule == "leftover.filler"]
    assert [v.field for v in violations] == ["bullets[1]"]


@pytest.mark.parametrize(
    ("title", "context"),
    [("Titre de produit : Montre connectée Kairos S2", FR), ("Product title: Sonora Air Earbuds", EN)],
)
def test_a_title_that_starts_with_its_label(title: str, context: CheckContext) -> None:
    assert "leftover.label_prefix" in rules(ProductTitle(title=title), context)


@pytest.mark.parametrize(("context", "brand"), [(FR, "Kairos"), (EN, "Sonora")])
def test_an_seo_title_and_meta_description_that_are_only_the_brand(context: CheckContext, brand: str) -> None:
    output = SeoOutput(seo_title=brand, meta_description=f"{brand}.", keywords=["a b", "c d", "e f"])
    only = [v.field for v in found(output, context) if v.rule == "content.only_name"]
    assert only == ["seo_title", "meta_description"]


def test_a_meta_description_that_is_only_the_product_name() -> None:
    output = SeoOutput(
        seo_title="Montre connectée Kairos S2",  # a fine SEO title
        meta_description="Kairos - Montre connectée Kairos S2",
        keywords=["montre connectée", "montre GPS", "montre étanche"],
    )
    assert [v.field for v in found(output, FR) if v.rule == "content.only_name"] == ["meta_description"]


@pytest.mark.parametrize(("cta", "context"), [("149,90 €", FR), ("$149.90", EN)])
def test_a_call_to_action_that_is_a_price_alone(cta: str, context: CheckContext) -> None:
    output = ProductDescription(headline="Accroche", description="Une montre.", call_to_action=cta)
    assert "leftover.filler" in rules(output, context, "shopify")  # shopify allows prices in descriptions


# ---------------------------------------------------------------------- copyassist check


def test_copyassist_check_reports_the_new_rules() -> None:
    rows = [
        {"title": REPEATED_FR, "brand": "Sonora", "seo title": "Écouteurs sans fil Sonora",
         "description": "Des écouteurs légers et"},
        {"title": "Kairos montre Kairos S2", "brand": "Kairos", "seo title": "Kairos",
         "description": "Bien sûr !"},
        {"title": "Product title: Sonora Air Earbuds", "brand": "Sonora", "seo title": "Sonora Air Earbuds",
         "description": "Light earbuds with the"},
    ]  # fmt: skip
    report = copyassist.check(rows, channel="generic", language=None)
    by_row = {r.row: {v.rule for v in r.violations} for r in report.rows}
    assert {"repetition.phrase", "text.truncated"} <= by_row[1]
    assert {"title.brand_repeated", "content.only_name", "leftover.filler"} <= by_row[2]
    assert {"leftover.label_prefix", "text.truncated"} <= by_row[3]


# --------------------------------------------------------------------- false positives


@pytest.mark.parametrize("channel", ["generic", "google-shopping", "amazon"])
def test_capitals_written_so_in_the_product_data_are_not_shouting(channel: str) -> None:
    product = {"title": "Gigoteuse bébé 2.5 TOG", "attributes": {"indice": "2.5 TOG"}}
    context = CheckContext(language="fr", brand="Doudou", product=product)
    assert "title.all_caps" not in rules(
        ProductTitle(title="Gigoteuse bébé 2.5 TOG en coton"), context, channel
    )
    assert "title.all_caps" in rules(
        ProductTitle(title="Gigoteuse bébé 2.5 TOG SUPER douce"), context, channel
    )


def test_fallback_titles_keep_repeated_figures_and_units() -> None:
    product = {"title": "Sunscreen SPF 50 Face Fluid", "brand": "Solis", "attributes": {"volume": "50 ml"}}
    assert fallback_title(product) == "Solis Sunscreen SPF 50 Face Fluid 50 ml"
    french = {"title": "Sac à dos Nordlys 15 L", "brand": "Nordlys", "attributes": {"volume": "15 L"}}
    assert fallback_title(french) == "Nordlys Sac à dos 15 L"  # given by the name: not twice


# ------------------------------------------------------------------------- call to action


@pytest.mark.parametrize(
    ("cta", "context", "rule"),
    [
        ("Seulement 149,90 €, commandez-la", FR, "title.price"),
        ("Yours for $149.90 today", EN, "title.price"),
        ("Rendez-vous sur kairos.boutique/s2", FR, "url"),
        ("Order it at sonora-audio.xyz/air", EN, "url"),
        ("Commandez-la 😍", FR, "emoji"),
    ],
)
def test_the_call_to_action_gets_the_descriptions_content_rules(
    cta: str, context: CheckContext, rule: str
) -> None:
    output = ProductDescription(headline="Accroche", description="Une montre.", call_to_action=cta)
    assert rule in {v.rule for v in found(output, context) if v.field == "call_to_action"}


@pytest.mark.parametrize(("cta", "context"), [("Commandez maintenant !", FR), ("Order now", EN)])
def test_a_call_to_action_may_call_to_act(cta: str, context: CheckContext) -> None:
    output = ProductDescription(headline="Accroche", description="Une montre.", call_to_action=cta)
    assert [v for v in found(output, context) if v.field == "call_to_action"] == []


@pytest.mark.parametrize(("items", "context"), [(["GPS intégré", "Écran AMOLED", "GPS intégré."], FR),
                                                (["USB-C case", "30 hours", "usb-c CASE"], EN)])  # fmt: skip
def test_two_bullets_saying_the_same(items: list[str], context: CheckContext) -> None:
    repeated = [v.field for v in found(Bullets(bullets=items), context) if v.rule == "repetition.phrase"]
    assert repeated == ["bullets[2]"]


def test_two_faq_answers_saying_the_same() -> None:
    answer = "Oui, elle est étanche 5 ATM."
    output = FaqOutput(
        items=[FaqItem(question="Étanche ?", answer=answer), FaqItem(question="Piscine ?", answer=answer)]
    )
    assert [v.field for v in found(output, FR) if v.rule == "repetition.phrase"] == ["items[1].answer"]


def test_a_bullets_cell_is_read_line_by_line_in_copyassist_check() -> None:
    rows = [{"title": "Montre connectée Kairos S2", "puces": "GPS intégré\nBullets\nÉcran AMOLED"}]
    report = copyassist.check(rows, fields={"title": "title", "bullets": "puces"}, language="fr")
    assert "leftover.filler" in {v.rule for v in report.rows[0].violations}


def test_a_keyword_stuffed_across_the_bullets() -> None:
    bullets = [
        "Montre connectée avec GPS intégré pour vos sorties",
        "Montre connectée à l'écran AMOLED lisible au soleil",
        "Montre connectée étanche 5 ATM pour la piscine",
        "Montre connectée qui tient dix jours sur une charge",
    ]
    stuffed = [
        v.field for v in found(Bullets(bullets=bullets), FR) if v.rule == "repetition.keyword_stuffing"
    ]
    assert stuffed == ["bullets"] * len(stuffed) and stuffed


# ----------------------------------------------------------------- eval set false positives


def test_a_placeholder_in_angle_brackets_is_no_html_tag() -> None:
    output = ProductDescription(
        headline="A pack",
        description="<p>This backpack for <product category> fits a laptop.</p>",
        call_to_action="Go",
    )
    violations = {v.rule for v in found(output, EN)}
    assert "leftover.placeholder" in violations and "html.tag_not_allowed" not in violations
    assert "html.forbidden" in {v.rule for v in found(ProductTitle(title="Sonora <b>Air</b>"), EN)}


def test_the_word_price_in_prose_is_no_price() -> None:
    prose = (
        "Studio quality without the price tag: these Sonora Air earbuds shut out the noise of the "
        "train and the office, and their case charges over USB-C."
    )
    output = ProductDescription(headline="Quiet", description=prose, call_to_action="Listen")
    assert "title.price" not in {v.rule for v in found(output, EN)}
    assert "title.price" in {v.rule for v in found(ProductTitle(title="Sonora Air petit prix"), FR)}


@pytest.mark.parametrize("label", ["OEKO-TEX", "GOTS", "FSC"])
def test_label_names_in_capitals_are_not_shouting(label: str) -> None:
    product = {"title": "Marinière", "attributes": {"label": label}}
    context = CheckContext(language="fr", brand="Lanvéoc", product=product)
    assert "title.all_caps" not in rules(ProductTitle(title=f"Marinière en coton certifiée {label}"), context)


@pytest.mark.parametrize(
    ("text", "context", "rule"),
    [
        ("Cette gigoteuse prévient la mort subite du nourrisson.", FR, "claims.health"),
        ("This porridge boosts your baby's immune system and prevents colic.", EN, "claims.health"),
        ("The Safest Car Seat on the Market", EN, "claims.superlative"),
        ("Une huile produite de façon durable pour une cuisine plus verte.", FR, "claims.environmental_fr"),
    ],
)
def test_claims_the_eval_set_found_missing(text: str, context: CheckContext, rule: str) -> None:
    output = ProductDescription(headline="Accroche", description=text, call_to_action="Go")
    assert rule in {v.rule for v in found(output, context)}


# --------------------------------------------------------------------- competitor brands


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("Aussi précise qu'une Garmin pour une fraction du budget.", FR),
        ("A lighter alternative to the Suunto Vertical and the Coros Apex.", EN),
        ("Elle rivalise avec les AirPods Pro.", FR),
        ("Just like La Roche-Posay Anthelios, it protects your face.", EN),
    ],
)
def test_another_makers_brand_in_the_copy(text: str, context: CheckContext) -> None:
    output = ProductDescription(headline="Accroche", description=text, call_to_action="Go")
    assert "content.competitor_brand" in {v.rule for v in found(output, context)}


def test_a_brand_of_the_product_data_or_the_products_own_is_not_a_competitor() -> None:
    case = {"title": "Coque pour iPhone 15", "brand": "Kairos", "attributes": {"compatible": "iPhone 15"}}
    context = CheckContext(language="fr", brand="Kairos", product=case)
    assert "content.competitor_brand" not in rules(ProductTitle(title="Kairos coque pour iPhone 15"), context)
    own = CheckContext(language="en", brand="Garmin", product={"title": "Garmin Forerunner 265"})
    assert "content.competitor_brand" not in rules(ProductTitle(title="Garmin Forerunner 265 GPS watch"), own)


def test_a_keyword_naming_a_competitor() -> None:
    output = SeoOutput(
        seo_title="Kairos S2",
        meta_description="Une montre GPS.",
        keywords=["montre GPS", "alternative Garmin", "montre"],
    )
    assert [v.field for v in found(output, FR) if v.rule == "content.competitor_brand"] == ["keywords[1]"]


@pytest.mark.parametrize(
    "meta",
    [
        "Kelp & Co solid shampoo bar for normal to oily hair, about 60 washes per",
        "Boomly portable speaker with 20 W of sound and an IP67 rating that lets it",
    ],
)
def test_a_meta_description_cut_on_a_dangling_word(meta: str) -> None:
    output = SeoOutput(seo_title="A title", meta_description=meta, keywords=["a b", "c d", "e f"])
    assert "text.truncated" in {v.rule for v in found(output, EN)}


# --------------------------------------------------------------------- in the repair loop


def test_a_repeated_title_is_sent_back_and_repaired() -> None:
    from tests.helpers import FakeBackend

    product = {
        "title": "Écouteurs sans fil Sonora Air",
        "brand": "Sonora",
        "attributes": {"boîtier": "USB-C"},
    }
    good = "Sonora Air écouteurs sans fil, boîtier de charge USB-C"
    backend = FakeBackend([{"title": REPEATED_FR}, {"title": good}])
    result = copyassist.generate("product-title", product, backend=backend, language="fr", max_attempts=2)
    assert result.status == "repaired" and result.output.model_dump()["title"] == good


def test_fallback_titles_never_end_on_a_dangling_word() -> None:
    product = {"title": "Sac à dos de randonnée Nordlys 15 L", "brand": "Nordlys"}
    assert fallback_title(product, max_chars=20) == "Nordlys Sac à dos"


def test_copyassist_check_takes_capitals_from_the_other_columns() -> None:
    rows = [
        {"title": "Gigoteuse bébé 2.5 TOG", "indice": "2.5 TOG", "brand": "Doudou"},
        {"title": "Gigoteuse bébé 2.5 TOG SUPER DOUCE", "indice": "2.5 TOG", "brand": "Doudou"},
    ]
    report = copyassist.check(rows, channel="google-shopping", language="fr")
    caps = [[v.text for v in r.violations if v.rule == "title.all_caps"] for r in report.rows]
    assert caps == [[], ["SUPER", "DOUCE"]]
