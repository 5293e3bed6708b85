"""Per-field checks: every rule caught and not over-caught, in French and in English."""

from __future__ import annotations

import dataclasses
import inspect
import random
from pathlib import Path

import pytest

from copyassist.rules import checks
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.checks import FIELD_CHECKS, check_field, sanitize_html
from copyassist.rules.wordlists import load_list, words

R = FieldRules
FR = CheckContext(language="fr", brand="Kairos", keywords=("montre étanche",))
EN = CheckContext(language="en", brand="Kairos", keywords=("waterproof watch",))
HTML = R(html_allowed_tags=("p", "ul", "li", "b", "strong"))
HTML_LINKS = R(html_allowed_tags=("p", "b"), html_allow_links=True)


def rule_ids(text: str, rules: FieldRules, context: CheckContext) -> list[str]:
    return sorted(v.rule for v in check_field("title", text, rules, context))


FRENCH: list[tuple[str, FieldRules, list[str]]] = [
    # lengths: characters as a reader sees them, not bytes
    ("Montre connectée", R(max_chars=16), []),
    ("Montre connectée !", R(max_chars=16), ["length.max_chars"]),
    ("Crème brûlée", R(max_chars=12), []),
    ("<p>Bonjour&nbsp;!</p>", R(max_chars=9), []),
    ("<p>Bonjour&nbsp;!</p>", R(max_chars=8), ["length.max_chars"]),
    ("Étui", R(min_chars=5), ["length.min_chars"]),
    ("Étuis", R(min_chars=5), []),
    ("Montre connectée Kairos", R(advised_max_chars=30), []),
    ("Montre connectée Kairos pour homme", R(advised_max_chars=30), ["length.advised_max_chars"]),
    ("Montre connectée étanche pour homme", R(max_words=4), ["words.max"]),
    ("Montre connectée : noire !", R(max_words=3), []),
    ("Montre", R(min_words=2), ["words.min"]),
    ("Montre noire", R(min_words=2), []),
    # brand, keywords
    ("KAIROS S2 montre connectée", R(require_brand=True), []),
    ("Montre connectée S2", R(require_brand=True), ["content.brand_missing"]),
    ("Montre Kairosport S2", R(require_brand=True), ["content.brand_missing"]),
    ("Montre étanche 50 m", R(require_keywords=True), []),
    ("MONTRE ETANCHE 50 m", R(require_keywords=True), []),
    ("Montres étanches pour homme", R(require_keywords=True), []),
    ("Montre connectée 50 m", R(require_keywords=True), ["content.keyword_missing"]),
    # promotional wording
    ("Montre connectée - Livraison gratuite", R(no_promotional=True), ["title.promotional"]),
    ("SOLDES : montre connectée", R(no_promotional=True), ["title.promotional"]),
    ("Montre connectée prix cassé", R(no_promotional=True), ["title.promotional"]),
    ("Montre connectée -20 %", R(no_promotional=True), ["title.promotional"]),
    ("Montre connectée jusqu'à -50%", R(no_promotional=True), ["title.promotional"]),
    ("Déstockage montre connectée", R(no_promotional=True), ["title.promotional"]),
    ("Montre connectée, offre limitée", R(no_promotional=True), ["title.promotional"]),
    ("Montre au MEILLEUR PRIX", R(no_promotional=True), ["title.promotional"]),
    ("Montre connectée, free shipping", R(no_promotional=True), ["title.promotional"]),
    ("Montre connectée étanche", R(no_promotional=True), []),
    ("Panier à linge sale", R(no_promotional=True), []),
    ("Casque à réduction de bruit active", R(no_promotional=True), []),
    ("Appareil de remise en forme", R(no_promotional=True), []),
    ("Humidificateur, humidité 40-60 %", R(no_promotional=True), []),
    # prices
    ("Montre connectée 149,90 €", R(no_prices=True), ["title.price"]),
    ("Montre connectée à 10 euros", R(no_prices=True), ["title.price"]),
    ("Montre connectée 1 299,00 €", R(no_prices=True), ["title.price"]),
    ("Montre connectée petit prix", R(no_prices=True), ["title.price"]),
    ("Lot de 3 x 200 g", R(no_prices=True), []),
    ("Montre 1,4 pouce, boîtier 42 mm", R(no_prices=True), []),
    # capitals
    ("Montre SUPER étanche", R(no_all_caps=True), ["title.all_caps"]),
    ("Crème pour l'ÉTÉ", R(no_all_caps=True), ["title.all_caps"]),
    ("KAIROS S2 montre AMOLED USB-C GPS Wi-Fi NFC 4K", R(no_all_caps=True), []),
    ("Montre étanche IPX8, écran LED, tome III", R(no_all_caps=True), []),
    # punctuation, emoji, characters
    ("Montre géniale !!", R(no_repeated_punctuation=True), ["punctuation.repeated"]),
    (
        "Vraiment ?? Oui....",
        R(no_repeated_punctuation=True),
        ["punctuation.repeated", "punctuation.repeated"],
    ),
    ("Montre géniale ! Et plus encore…", R(no_repeated_punctuation=True), []),
    ("Et plus encore...", R(no_repeated_punctuation=True), []),
    ("Montre connectée ⌚", R(no_emoji=True), ["emoji"]),
    ("Montre connectée 🔥🔥 ⭐", R(no_emoji=True), ["emoji"]),
    ("Montre connectée Kairos™ \u2013 42 mm", R(no_emoji=True), []),
    ("Montre | noire {42 mm}", R(forbidden_chars="<>|{}"), ["chars.forbidden"]),
    ("Montre - noire (42 mm)", R(forbidden_chars="<>|{}"), []),
    # repeated words
    ("Montre connectée, montre sport", R(max_word_repeats=1), ["words.repeated"]),
    ("Montre de sport et de ville pour la plage et pour la piscine", R(max_word_repeats=1), []),
    ("Montre connectée, montre sport", R(max_word_repeats=2), []),
    # markup, addresses, contacts
    ("Montre <b>connectée</b>", R(no_html=True), ["html.forbidden"]),
    ("Montre, 5 < 10 et 7 > 3", R(no_html=True), []),
    ("Montre, voir www.kairos.fr", R(no_urls=True), ["url"]),
    ("Montre, plus sur kairos.fr.", R(no_urls=True), ["url"]),
    ("Montre 1.5 pouce", R(no_urls=True), []),
    ("Appelez le 06 12 34 56 78", R(no_contacts=True), ["contact"]),
    ("Appelez le +33 6 12 34 56 78", R(no_contacts=True), ["contact"]),
    ("Écrivez à sav@kairos.fr ou au 01.23.45.67.89", R(no_contacts=True), ["contact", "contact"]),
    ("EAN 3760123456789, lot de 3 x 200 g", R(no_contacts=True), []),
    # offer data
    ("Montre connectée garantie 2 ans", R(no_offer_data=True), ["offer.data"]),
    ("Montre connectée, livraison en 24 h", R(no_offer_data=True), ["offer.data"]),
    ("Montre expédiée sous 24 h", R(no_offer_data=True), ["offer.data"]),
    ("Montre connectée à 149,90 €", R(no_offer_data=True), ["offer.data"]),
    ("Montre connectée, livrée avec son chargeur", R(no_offer_data=True), []),
    # HTML descriptions
    ("<p>Montre <b>étanche</b></p><ul><li>GPS</li></ul>", HTML, []),
    ("<p>Montre</p><table><tr><td>GPS</td></tr></table>", HTML, ["html.tag_not_allowed"] * 3),
    ("<p>Montre</p><script>alert(1)</script>", HTML, ["html.script"]),
    ('<p onclick="alert(1)">Montre</p>', HTML, ["html.script"]),
    ('<p>Voir <a href="https://kairos.fr">le site</a></p>', HTML, ["html.link"]),
    ('<p>Voir <a href="https://kairos.fr">le site</a></p>', HTML_LINKS, []),
    ('<p>Voir <a href="javascript:alert(1)">le site</a></p>', HTML_LINKS, ["html.script"]),
]

ENGLISH: list[tuple[str, FieldRules, list[str]]] = [
    ("Smart watch", R(max_chars=11), []),
    ("Smart watches", R(max_chars=11), ["length.max_chars"]),
    ("Case", R(min_chars=5), ["length.min_chars"]),
    ("Cases", R(min_chars=5), []),
    ("Kairos smart watch for men", R(advised_max_chars=20), ["length.advised_max_chars"]),
    ("Kairos smart watch", R(advised_max_chars=20), []),
    ("Smart watch for men and women", R(max_words=4), ["words.max"]),
    ("Smart watch for men", R(max_words=4), []),
    ("Smart watch", R(min_words=3), ["words.min"]),
    ("Smart watch, black", R(min_words=3), []),
    ("KAIROS S2 smart watch", R(require_brand=True), []),
    ("S2 smart watch", R(require_brand=True), ["content.brand_missing"]),
    ("Waterproof watches for swimming", R(require_keywords=True), []),
    ("Smart watch for swimming", R(require_keywords=True), ["content.keyword_missing"]),
    ("Smart watch - FREE SHIPPING", R(no_promotional=True), ["title.promotional"]),
    ("Smart watch on sale", R(no_promotional=True), ["title.promotional"]),
    ("Smart watch, best price", R(no_promotional=True), ["title.promotional"]),
    ("Limited offer: smart watch", R(no_promotional=True), ["title.promotional"]),
    ("Smart watch 20% off", R(no_promotional=True), ["title.promotional"]),
    ("Smart watch - buy now", R(no_promotional=True), ["title.promotional"]),
    ("Smart watch, soldes", R(no_promotional=True), ["title.promotional"]),
    ("Smart watch, livraison gratuite", R(no_promotional=True), ["title.promotional"]),
    ("Wholesale pack of 10 promotional pens", R(no_promotional=True), []),
    ("Smart watch with heart rate monitor", R(no_promotional=True), []),
    ("Smart watch €12.99", R(no_prices=True), ["title.price"]),
    ("Smart watch 12.99 EUR", R(no_prices=True), ["title.price"]),
    ("Smart watch $5", R(no_prices=True), ["title.price"]),
    ("Pack of 3 x 200 g", R(no_prices=True), []),
    ("Smart watch 1.4 inch, 300 mAh", R(no_prices=True), []),
    ("Smart watch NEW model", R(no_all_caps=True), ["title.all_caps"]),
    ("Smart watch AMOLED USB-C WIFI HDMI RGB LCD", R(no_all_caps=True), []),
    ("Great watch!!", R(no_repeated_punctuation=True), ["punctuation.repeated"]),
    ("Really?!", R(no_repeated_punctuation=True), ["punctuation.repeated"]),
    ("And more...", R(no_repeated_punctuation=True), []),
    ("Smart watch 🔥", R(no_emoji=True), ["emoji"]),
    ("Smart watch © Kairos", R(no_emoji=True), []),
    ("Watch {black} | 42 mm", R(forbidden_chars="<>|{}"), ["chars.forbidden"]),
    ("Watch, black, 42 mm", R(forbidden_chars="<>|{}"), []),
    ("Smart watch, watch strap", R(max_word_repeats=1), ["words.repeated"]),
    ("Watch for men and for women with the strap and the case", R(max_word_repeats=1), []),
    ("Smart watch<br/>black", R(no_html=True), ["html.forbidden"]),
    ("Smart watch, black", R(no_html=True), []),
    ("See https://kairos.com/watch", R(no_urls=True), ["url"]),
    ("Smart watch v2.0", R(no_urls=True), []),
    ("Call +1 (555) 123-4567", R(no_contacts=True), ["contact"]),
    ("Write to help@kairos.com", R(no_contacts=True), ["contact"]),
    ("Smart watch 2024 model, 300 mAh", R(no_contacts=True), []),
    ("Smart watch, 2-year warranty", R(no_offer_data=True), ["offer.data"]),
    ("Smart watch, fast delivery", R(no_offer_data=True), ["offer.data"]),
    ("Smart watch with charger", R(no_offer_data=True), []),
    ("<ul><li>Waterproof</li></ul><p>GPS</p>", HTML, []),
    ("<p>GPS</p><div>Waterproof</div>", HTML, ["html.tag_not_allowed"]),
    ("<p>GPS</p><script>steal()</script>", HTML, ["html.script"]),
    ('<p>See <a href="https://kairos.com">our shop</a></p>', HTML, ["html.link"]),
]


@pytest.mark.parametrize(("text", "rules", "expected"), FRENCH)
def test_french(text: str, rules: FieldRules, expected: list[str]) -> None:
    assert rule_ids(text, rules, FR) == sorted(expected)


@pytest.mark.parametrize(("text", "rules", "expected"), ENGLISH)
def test_english(text: str, rules: FieldRules, expected: list[str]) -> None:
    assert rule_ids(text, rules, EN) == sorted(expected)


def _rules_set(rules: FieldRules) -> frozenset[str]:
    """The names of the rules ``rules`` turns on."""
    unset = FieldRules()
    return frozenset(
        f.name for f in dataclasses.fields(rules) if getattr(rules, f.name) != getattr(unset, f.name)
    )


EVERY_RULE = {
    "length.max_chars", "length.min_chars", "length.advised_max_chars", "words.max", "words.min",
    "content.brand_missing", "content.keyword_missing", "title.promotional", "title.price",
    "title.all_caps", "punctuation.repeated", "emoji", "chars.forbidden", "words.repeated",
    "html.forbidden", "url", "contact", "offer.data", "html.tag_not_allowed", "html.script", "html.link",
}  # fmt: skip


@pytest.mark.parametrize("table", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_every_rule_is_tested_caught_and_not_caught(table: list[tuple[str, FieldRules, list[str]]]) -> None:
    assert {rule for _, _, expected in table for rule in expected} == EVERY_RULE
    clean = {_rules_set(rules) for _, rules, expected in table if not expected}
    for text, rules, expected in table:
        if expected:
            assert _rules_set(rules) in clean, f"no negative case for the rules of {text!r}"


def test_every_check_is_silent_when_its_rule_is_unset() -> None:
    nasty = (
        "SUPER PROMO!!! 🔥 Montre 149,90 € <b>livraison gratuite</b> www.kairos.fr 06 12 34 56 78 "
        "garantie | montre montre <script>x()</script>"
    )
    assert check_field("title", nasty, FieldRules(), FR) == []
    assert check_field("title", nasty, FieldRules(), CheckContext()) == []


@pytest.mark.parametrize(
    "text",
    ["", " ", "<p", "<p></p>", "&bogus;", "<!-- open", "<script>", "\u200d\ufe0f", "€", "+", "@", "...."],
)
def test_checks_never_raise(text: str) -> None:
    everything = FieldRules(
        min_chars=1, max_chars=1, advised_max_chars=1, min_words=1, max_words=1, require_brand=True,
        require_keywords=True, no_promotional=True, no_prices=True, no_all_caps=True,
        no_repeated_punctuation=True, no_emoji=True, no_html=True, no_urls=True, no_contacts=True,
        no_offer_data=True, forbidden_chars="<", max_word_repeats=0, html_allowed_tags=("p",),
    )  # fmt: skip
    for context in (FR, EN, CheckContext()):
        for violation in check_field("bullets[2]", text, everything, context):
            assert violation.field == "bullets[2]"
            assert violation.message and "\n" not in violation.message


def test_checks_never_raise_on_random_text() -> None:
    pool = "aZé É0 9,.!?…<>/&;#%€$+@-'\u2019\u00a0\u200d🔥⌚pbascriptonclick=\"http:www.fr"
    everything = FieldRules(
        max_chars=5, min_words=2, require_brand=True, require_keywords=True, no_promotional=True,
        no_prices=True, no_all_caps=True, no_repeated_punctuation=True, no_emoji=True, no_html=True,
        no_urls=True, no_contacts=True, no_offer_data=True, forbidden_chars="<#", max_word_repeats=1,
        html_allowed_tags=("p", "b"),
    )  # fmt: skip
    rng = random.Random(20240601)
    for _ in range(300):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
        for violation in check_field("title", text, everything, FR):
            assert violation.rule in EVERY_RULE
        sanitize_html(text, ["p", "b"], allow_links=True)


def test_severities_and_offending_text() -> None:
    rules = FieldRules(
        max_chars=10, advised_max_chars=10, require_brand=True, require_keywords=True, no_prices=True,
        no_all_caps=True, no_emoji=True, forbidden_chars="|",
    )  # fmt: skip
    found = {v.rule: v for v in check_field("title", "Montre NOIRE | 149,90 € ⌚", rules, FR)}
    assert {rule: v.severity for rule, v in found.items()} == {
        "length.max_chars": "error",
        "length.advised_max_chars": "warning",
        "content.brand_missing": "error",
        "content.keyword_missing": "warning",
        "title.price": "error",
        "title.all_caps": "error",
        "emoji": "error",
        "chars.forbidden": "error",
    }
    assert found["title.price"].text == "149,90 €"
    assert found["title.all_caps"].text == "NOIRE"
    assert found["content.brand_missing"].text == "Kairos"
    assert found["content.keyword_missing"].text == "montre étanche"
    assert found["emoji"].text == "⌚"
    assert found["chars.forbidden"].text == "|"


def test_one_violation_per_missing_keyword() -> None:
    context = CheckContext(keywords=("montre étanche", "bracelet cuir", "GPS"))
    found = check_field("title", "Montre GPS", FieldRules(require_keywords=True), context)
    assert [v.text for v in found] == ["montre étanche", "bracelet cuir"]


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("Étanche", "montre etanche"),
        ("etanche", "Montre ÉTANCHE"),
        ("bijoux", "Bijou en argent"),
        ("bijou", "Bijoux en argent"),
        ("coeur", "Pendentif cœur"),
        ("waterproof watch", "WATCHES, waterproof"),
    ],
)
def test_keywords_ignore_case_accents_and_simple_plurals(keyword: str, text: str) -> None:
    assert (
        check_field("title", text, FieldRules(require_keywords=True), CheckContext(keywords=(keyword,))) == []
    )


def test_brand_ignores_case_and_accents() -> None:
    rules = FieldRules(require_brand=True)
    assert check_field("title", "CELIO chemise", rules, CheckContext(brand="Célio")) == []
    assert check_field("title", "Chemise L\u2019ORÉAL", rules, CheckContext(brand="L'Oréal")) == []
    assert check_field("title", "Chemise", rules, CheckContext()) == []  # no brand given: no check


def test_known_words_and_brand_may_be_written_in_capitals() -> None:
    rules = FieldRules(no_all_caps=True)
    assert rule_ids("Ordinateur ASUS", rules, FR) == ["title.all_caps"]
    assert rule_ids("Ordinateur ASUS", rules, CheckContext(known_words=("Asus",))) == []
    assert rule_ids("Montre KAIROS WATCH", rules, CheckContext(brand="Kairos Watch")) == []


def test_all_caps_names_each_word_once() -> None:
    found = check_field("title", "SUPER montre SUPER USB-C PROMO", FieldRules(no_all_caps=True), FR)
    assert [v.text for v in found] == ["SUPER", "PROMO"]


def test_repeated_words_name_the_word() -> None:
    found = check_field("title", "Montre, MONTRE, montrE", FieldRules(max_word_repeats=2), FR)
    assert [(v.rule, v.text) for v in found] == [("words.repeated", "montre")]


def test_contacts_name_the_number_or_address() -> None:
    text = "Tél. 06 12 34 56 78, +33 6 12 34 56 78 ou sav@kairos.fr"
    found = check_field("title", text, FieldRules(no_contacts=True), FR)
    assert [v.text for v in found] == ["06 12 34 56 78", "+33 6 12 34 56 78", "sav@kairos.fr"]


def test_promotional_and_price_name_what_they_found() -> None:
    rules = FieldRules(no_promotional=True, no_prices=True)
    found = check_field("title", "Montre Livraison Gratuite 149,90 € -20 %", rules, FR)
    assert [(v.rule, v.text) for v in found] == [
        ("title.promotional", "Livraison Gratuite"),
        ("title.promotional", "-20 %"),
        ("title.price", "149,90 €"),
    ]


def test_ordinary_french_words_are_not_promotional_in_french_copy() -> None:
    rules = FieldRules(no_promotional=True)
    assert "sale" in words("not-promotional.fr.txt")
    assert rule_ids("Panier à linge sale", rules, FR) == []
    assert rule_ids("Laundry basket, sale", rules, EN) == ["title.promotional"]
    assert rule_ids("Laundry basket, sale", rules, CheckContext()) == ["title.promotional"]


@pytest.mark.parametrize(
    ("brand", "copy", "found"),
    [
        ("Coca-Cola", "Coca Cola zéro 33 cl", True),
        ("L'Oréal", "L\u2019OREAL Paris crème", True),
        ("Fnac (Paris)", "Fnac Lyon enceinte", False),  # words in brackets are not an optional ending
        ("Fnac (Paris)", "FNAC (paris) enceinte", True),
        ("Kairos", "Kairoschrono montre", False),
    ],
)
def test_the_brand_is_found_like_a_listed_phrase(brand: str, copy: str, found: bool) -> None:
    missing = check_field("title", copy, R(require_brand=True), CheckContext(brand=brand))
    assert (missing == []) is found


def write_user_list(home: Path, name: str, text: str) -> None:
    folder = home / "wordlists"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")


def test_a_user_promotional_list_adds_phrases_and_exceptions(isolated_home: Path) -> None:
    rules = FieldRules(no_promotional=True)
    assert rule_ids("Montre prix fou", rules, FR) == []
    assert rule_ids("Montre offre spéciale pompiers", rules, FR) == ["title.promotional"]
    write_user_list(
        isolated_home, "promotional.fr.txt", "# mes ajouts\nprix fou\n!offre spéciale pompiers\n#1 du rayon\n"
    )
    found = check_field("title", "Montre PRIX FOU, #1 du rayon", rules, FR)
    assert [v.text for v in found] == ["PRIX FOU", "#1 du rayon"]  # "#1" is a phrase, "# " a comment
    assert rule_ids("Montre offre spéciale pompiers", rules, FR) == []  # the user's exception
    assert rule_ids("Montre offre spéciale", rules, FR) == ["title.promotional"]
    assert rule_ids("Montre prix fou", rules, EN) == ["title.promotional"]  # French lists apply to all copy


def test_a_user_list_in_the_copys_own_language_applies(isolated_home: Path) -> None:
    rules, german = FieldRules(no_promotional=True), CheckContext(language="de-DE")
    write_user_list(isolated_home, "promotional.de.txt", "versandkostenfrei\n")
    write_user_list(isolated_home, "not-promotional.de.txt", "sale\n")
    assert rule_ids("Uhr versandkostenfrei", rules, german) == ["title.promotional"]
    assert rule_ids("Uhr versandkostenfrei", rules, FR) == []
    assert rule_ids("Sale Uhr", rules, german) == []


def test_user_word_lists_change_acronyms_and_stop_words(isolated_home: Path) -> None:
    caps, repeats = FieldRules(no_all_caps=True), FieldRules(max_word_repeats=1)
    assert rule_ids("Montre GPS KRX noire", caps, FR) == ["title.all_caps"]
    assert rule_ids("Montre pour homme pour femme", repeats, FR) == []
    write_user_list(isolated_home, "acronyms.txt", "KRX\n")
    write_user_list(isolated_home, "stopwords.txt", "!pour\n")
    assert rule_ids("Montre GPS KRX noire", caps, FR) == []
    assert rule_ids("Montre pour homme pour femme", repeats, FR) == ["words.repeated"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_listed_phrase_is_caught(language: str) -> None:
    rules, context = FieldRules(no_promotional=True), CheckContext(language=language)
    for phrase in load_list(f"promotional.{language}.txt")[0]:
        assert rule_ids(f"Montre {phrase} noire", rules, context) == ["title.promotional"], phrase


def test_wordlists_are_data_with_comments() -> None:
    french, english = words("promotional.fr.txt"), words("promotional.en.txt")
    assert {"livraison gratuite", "soldes", "prix casse", "offre limitee", "meilleur prix"} <= set(french)
    assert {"free shipping", "sale", "discount", "best price", "limited offer", "buy now"} <= set(english)
    assert not any(p.startswith("#") for p in (*french, *english))
    assert {"usb-c", "amoled", "gps", "wi-fi"} <= words("acronyms.txt")
    assert {"the", "and", "pour", "avec"} <= words("stopwords.txt")


def test_html_violations_name_the_tag() -> None:
    found = check_field("description", "<p>Texte</p><table><tr><td>x</td></tr></table>", HTML, FR)
    assert [v.text for v in found] == ["<table>", "<tr>", "<td>"]
    assert "<table>" in found[0].message
    script = check_field("description", '<p onclick="x()">a</p><script>b</script>', HTML, FR)
    assert [v.rule for v in script] == ["html.script"]
    assert "onclick" in script[0].text and "<script>" in script[0].text


def test_sanitize_removes_script_and_attributes() -> None:
    dirty = (
        '<p onclick="steal()" style="color:red">Montre <script>alert(1)</script><b class="x">étanche</b></p>'
    )
    assert sanitize_html(dirty, ["p", "b"]) == "<p>Montre <b>étanche</b></p>"


def test_sanitize_keeps_the_text_of_tags_it_drops() -> None:
    assert sanitize_html("<div><p>Texte <i>fin</i></p></div>", ["p"]) == "<p>Texte fin</p>"
    assert (
        sanitize_html("<p>Voir <a href='https://kairos.fr'>le site</a></p>", ["p", "a"])
        == "<p>Voir le site</p>"
    )
    assert sanitize_html("<p>a</p><script>b</script><style>c</style>", ["p", "script", "style"]) == "<p>a</p>"


def test_sanitize_links_when_allowed() -> None:
    html = (
        '<p><a href="https://kairos.fr" target="_blank" onclick="x()">ok</a>'
        '<a href="javascript:alert(1)">ko</a></p>'
    )
    assert sanitize_html(html, ["p"], allow_links=True) == (
        '<p><a href="https://kairos.fr" rel="nofollow noopener noreferrer">ok</a>'
        '<a rel="nofollow noopener noreferrer">ko</a></p>'
    )


def test_field_checks_lists_every_check_once() -> None:
    defined = {
        obj
        for name, obj in vars(checks).items()
        if name.startswith("check_") and inspect.isfunction(obj) and name != "check_field"
    }
    assert set(FIELD_CHECKS) == defined
    assert len(FIELD_CHECKS) == len(defined)
    for check in FIELD_CHECKS:
        assert list(inspect.signature(check).parameters) == ["field", "text", "rules", "context"]


def _seo_violations(profile_name: str, seo_title: str, meta: str) -> set[str]:
    from copyassist.outputs.copywriting import SeoOutput
    from copyassist.rules.profiles import load_profile
    from copyassist.rules.validate import validate_output

    output = SeoOutput(seo_title=seo_title, meta_description=meta, keywords=["lampe", "bureau", "led"])
    found = validate_output(output, load_profile(profile_name), CheckContext(language="en"))
    return {f"{v.field}:{v.rule}" for v in found if v.severity == "error"}


@pytest.mark.parametrize("profile_name", ["shopify", "meta-tags", "generic"])
def test_an_injected_offer_in_the_seo_fields_is_caught(profile_name: str) -> None:
    rules = _seo_violations(
        profile_name,
        "Desk lamp BUY NOW at http://evil.example",
        "Call +33 6 12 34 56 78 or mail a@evil.example",
    )
    assert {"seo_title:url", "seo_title:title.promotional"} <= rules, rules
    assert "meta_description:contact" in rules, rules


def test_every_published_field_of_every_profile_refuses_links_and_contacts() -> None:
    from copyassist.rules.base import FIELD_KINDS
    from copyassist.rules.profiles import list_profiles, load_profile

    for name, _ in list_profiles():
        profile = load_profile(name)
        for kind in FIELD_KINDS:
            rules = profile.rules_for(kind)
            assert rules.no_urls and rules.no_contacts, f"{name}.{kind}"


def test_a_headline_with_no_channel_rules_still_refuses_links() -> None:
    from copyassist.outputs.copywriting import ProductDescription
    from copyassist.rules.profiles import load_profile
    from copyassist.rules.validate import validate_output

    output = ProductDescription(
        headline="See www.evil.example now",
        description="<p>A lamp.</p>",
        call_to_action="Write to a@evil.example",
    )
    found = validate_output(output, load_profile("generic"), CheckContext(language="en"))
    rules = {(v.field, v.rule) for v in found}
    assert ("headline", "url") in rules and ("call_to_action", "contact") in rules, rules
