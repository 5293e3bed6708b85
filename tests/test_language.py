"""Copy in the wrong language, on titles and descriptions written like real listings."""

from __future__ import annotations

import pytest

from copyassist.rules import language
from copyassist.rules.base import CheckContext, FieldRules, Violation

RULES = FieldRules()

FRENCH = [
    "Montre connectée Kairos S2 noire, GPS intégré, autonomie 10 jours",
    "Casque Bluetooth sans fil à réduction de bruit active, autonomie 30 h",
    "Chaussures de running homme Nike Air Zoom Pegasus 40",
    "Cafetière à grain Philips Série 3200 LatteGo, broyeur céramique",
    "Coque iPhone 15 Pro silicone MagSafe transparente antichoc",
    "Tente de camping 4 places Quechua 2 Seconds Easy Fresh & Black",
    # franglais titles that any model reads as English
    "Sweat à capuche homme oversize streetwear coton bio",
    "Trench coat femme long oversize beige",
    "Sac banane running ultra light waterproof",
    "Jeu Nintendo Switch The Legend of Zelda Tears of the Kingdom",
    "Set de make-up brushes vegan",
    "Design streetwear oversize : coupe loose, look urbain et confort all-day pour vos sessions en ville.",
    "Ce casque Bluetooth coupe les bruits ambiants grâce à la réduction de bruit active. "
    "Ses coussinets à mémoire de forme restent confortables pendant des heures.",
    "<p>Poêle en fonte émaillée qui répartit la chaleur de façon homogène.</p>"
    "<ul><li>Compatible induction</li><li>Passe au four jusqu'à 260 °C</li></ul>",
]

ENGLISH = [
    "Wireless noise cancelling headphones with 30-hour battery life",
    "Men's running shoes Nike Air Zoom Pegasus 40",
    "Le Creuset enamelled cast iron frying pan, 28 cm, suitable for all hobs",
    "Dixit board game for the whole family, ages 8 and up",
    "Insulated stainless steel water bottle, 750 ml, BPA free, keeps drinks cold for 24 hours",
    "Made in France: the Breton-striped marinière, cut from heavy organic cotton jersey.",
    "These Bluetooth headphones shut out background noise with active noise cancelling. "
    "Memory-foam ear cushions stay comfortable for hours.",
    "<p>Enamelled cast iron pan that spreads heat evenly.</p>"
    "<ul><li>Induction compatible</li><li>Oven safe up to 260 °C</li></ul>",
]

# Copy a model wrote in the wrong language: clear enough to be caught.
ENGLISH_CAUGHT = [ENGLISH[0], ENGLISH[2], ENGLISH[3], ENGLISH[4], ENGLISH[6], ENGLISH[7]]
FRENCH_CAUGHT = [FRENCH[0], FRENCH[1], FRENCH[3], FRENCH[12], FRENCH[13]]


def check(
    text: str, asked: str | None, brand: str | None = None, known_words: tuple[str, ...] = ()
) -> list[Violation]:
    context = CheckContext(language=asked, brand=brand, known_words=known_words)
    return language.check_language("title", text, RULES, context)


@pytest.mark.parametrize("text", FRENCH)
def test_french_copy_asked_in_french_passes(text: str) -> None:
    assert check(text, "fr") == []


@pytest.mark.parametrize("text", ENGLISH)
def test_english_copy_asked_in_english_passes(text: str) -> None:
    assert check(text, "en") == []


@pytest.mark.parametrize("text", ENGLISH_CAUGHT)
def test_english_copy_asked_in_french_is_an_error(text: str) -> None:
    found = check(text, "fr")
    assert [(v.rule, v.severity) for v in found] == [("language.mismatch", "error")]
    assert "written in en" in found[0].message


@pytest.mark.parametrize("text", FRENCH_CAUGHT)
def test_french_copy_asked_in_english_is_an_error(text: str) -> None:
    found = check(text, "en-GB")
    assert [v.rule for v in found] == ["language.mismatch"]
    assert "written in fr" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Montre connectée Kairos S2 GPS AMOLED",  # three words once names and acronyms go
        "Kairos S2 smartwatch GPS",
        "Casque sans fil",
    ],
)
def test_short_texts_are_not_judged(text: str) -> None:
    assert check(text, "en") == []
    assert check(text, "fr") == []


def test_no_language_or_an_unknown_one_means_no_check() -> None:
    assert check(ENGLISH[0], None) == []
    assert check(ENGLISH[0], "xx") == []


def test_brand_and_known_words_are_left_out() -> None:
    text = "Kairos Runner Pro Max Ultra Light montre"
    assert language.clean_text(text, ("Kairos Runner", "Pro Max")) == "Ultra Light montre"
    assert check(text, "fr", brand="Kairos Runner", known_words=("Pro Max",)) == []


def test_cleaning_keeps_words_only() -> None:
    cleaned = language.clean_text("<p>Écran AMOLED 1,4 pouce, voir https://kairos.example/s2 &amp; S2</p>")
    assert cleaned == "Écran pouce voir"
    assert language.clean_text("MONTRE CONNECTÉE POUR LE SPORT") == "montre connectée pour le sport"


def test_cleaning_reads_html_as_a_person_sees_it() -> None:
    # an inline tag does not split a word, and an entity is the character it stands for
    assert language.clean_text("<p><b>Mon</b>tre r&eacute;sistante &agrave; l&rsquo;eau</p>") == (
        "Montre résistante à l\u2019eau"
    )


def test_detection_reports_the_scores() -> None:
    found = language.detect_language(ENGLISH[6], "fr")
    assert found is not None
    assert found.best == "en"
    assert found.best_score > 0.99
    assert found.asked_score < 0.01
    assert found.mismatch
    assert language.detect_language("Casque sans fil", "fr") is None
    scores = dict(language.language_scores("Une montre pour courir tous les jours"))
    assert set(scores) == set(language.CANDIDATES)
    assert max(scores, key=scores.__getitem__) == "fr"


def test_function_words_of_the_asked_language_veto_a_mismatch() -> None:
    assert language.marker_count("Coupe loose et confort all-day pour vos sorties", "fr") == 3
    assert language.marker_count("l’aloe vera d'origine", "fr") == 2
    assert language.marker_count("anything", "de") == 0
