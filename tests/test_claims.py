"""Claims copy must not make: superlatives, health claims, French environmental claims."""

from __future__ import annotations

from pathlib import Path

import pytest

from copyassist.rules import claims
from copyassist.rules.base import CheckContext, FieldRules, Profile, Violation
from copyassist.rules.text import fold
from copyassist.rules.wordlists import PhraseMatcher, parse_lines, phrase_pattern

RULES = FieldRules()
FR = CheckContext(language="fr")
EN = CheckContext(language="en")


def texts(found: list[Violation]) -> list[str]:
    return [v.text for v in found]


@pytest.mark.parametrize(
    ("language", "copy", "expected"),
    [
        ("fr", "Le meilleur casque du marché pour courir.", "Le meilleur"),
        ("fr", "N°1 des ventes en France.", "N°1"),
        ("fr", "Numéro un des montres sport.", "Numéro un"),
        ("fr", "Une autonomie imbattable.", "imbattable"),
        ("fr", "Un confort incomparable au quotidien.", "incomparable"),
        ("fr", "Bracelet garanti à vie.", "garanti à vie"),
        ("fr", "Un écran révolutionnaire.", "révolutionnaire"),
        ("fr", "Un nettoyant 100 % efficace sur toutes les taches.", "100 % efficace"),
        ("fr", "La plus légère de sa catégorie.", "La plus"),
        ("en", "The best running watch for beginners.", "best"),
        ("en", "The #1 choice of runners.", "#1"),
        ("en", "Number one in Europe.", "Number one"),
        ("en", "Unbeatable battery life.", "Unbeatable"),
        ("en", "The most comfortable strap ever made.", "the most"),
        ("en", "Guaranteed for life.", "Guaranteed for life"),
        ("en", "A revolutionary screen.", "revolutionary"),
    ],
)
def test_superlatives_are_flagged(language: str, copy: str, expected: str) -> None:
    found = claims.check_superlatives("description", copy, RULES, CheckContext(language=language))
    assert fold(expected) in [fold(t) for t in texts(found)]
    assert {(v.rule, v.severity, v.field) for v in found} == {
        ("claims.superlative", "warning", "description")
    }


@pytest.mark.parametrize(
    ("language", "copy"),
    [
        ("fr", "Montre connectée avec GPS intégré et 10 jours d'autonomie."),
        ("fr", "Les plus du produit : GPS, écran AMOLED, bracelet silicone."),
        ("fr", "Parfaite pour le fractionné comme pour les sorties longues."),
        ("fr", "Design soigné, finitions soignées, boîtier de 38 g."),
        ("fr", "Plus de 100 modes sport, de plus en plus précis."),
        ("en", "Best before: see the side of the pack."),
        ("en", "Make the most of every run with built-in GPS."),
        ("en", "Perfect for interval training and long runs."),
        ("en", "A 38 g aluminium case and a silicone strap."),
    ],
)
def test_plain_copy_has_no_superlative(language: str, copy: str) -> None:
    assert claims.check_superlatives("title", copy, RULES, CheckContext(language=language)) == []


@pytest.mark.parametrize(
    ("copy", "expected"),
    [
        ("Cette tisane guérit les maux de ventre.", "guérit"),
        ("Une cure qui renforce l'immunité en hiver.", "renforce l'immunité"),
        ("Un thé détox à boire chaque matin.", "détox"),
        ("Gel amincissant pour le ventre.", "amincissant"),
        ("Il prévient les maladies cardiovasculaires.", "prévient les maladies"),
        ("Complément anti-cancer.", "anti-cancer"),
        ("Un baume qui soigne les rhumatismes.", "soigne les"),
        ("This tea cures headaches.", "cures"),
        ("Boosts immunity all winter.", "Boosts immunity"),
        ("A patch that heals wounds twice as fast.", "heals"),
        ("An anti-cancer superfood.", "anti-cancer"),
        ("Prevents disease with daily use.", "Prevents disease"),
        ("A detox tea.", "detox"),
    ],
)
def test_health_claims_are_errors(copy: str, expected: str) -> None:
    found = claims.check_health("bullets[0]", copy, RULES, FR)
    assert fold(expected) in [fold(t) for t in texts(found)]
    assert all(v.rule == "claims.health" and v.severity == "error" for v in found)
    assert all(v.field == "bullets[0]" for v in found)


@pytest.mark.parametrize(
    "copy",
    [
        "Design soigné et finitions soignées.",
        "Suivi du sommeil et de la fréquence cardiaque.",
        "Verre traité anti-rayures.",
        "The self-healing film heals scratches overnight.",
        "The epoxy cures in 24 hours.",
        "Sleep and heart-rate tracking.",
    ],
)
def test_plain_copy_has_no_health_claim(copy: str) -> None:
    assert claims.check_health("description", copy, RULES, FR) == []


@pytest.mark.parametrize(
    ("copy", "expected"),
    [
        ("Gourde biodégradable.", "biodégradable"),
        ("Un emballage respectueux de l'environnement.", "respectueux de l'environnement"),
        ("Une trousse RESPECTUEUSE DE L'ENVIRONNEMENT.", "RESPECTUEUSE DE L'ENVIRONNEMENT"),
        ("Une brosse écologique.", "écologique"),
        ("Livraison neutre en carbone.", "neutre en carbone"),
        ("Fabrication neutre en CO2.", "neutre en CO2"),
        ("Un produit zéro impact.", "zéro impact"),
        ("Un choix bon pour la planète.", "bon pour la planète"),
        ("Une marque éco-responsable.", "éco-responsable"),
        ("Une marque écoresponsable.", "écoresponsable"),
        ("Une marque eco responsable.", "eco responsable"),
        ("An eco-friendly bottle.", "eco-friendly"),
    ],
)
def test_environmental_claims_are_errors(copy: str, expected: str) -> None:
    found = claims.check_environmental_fr("description", copy, RULES, FR)
    assert texts(found) == [expected]
    assert found[0].rule == "claims.environmental_fr"
    assert found[0].severity == "error"
    assert "L.541-9-1" in found[0].message


@pytest.mark.parametrize(
    "copy",
    [
        "Boîtier en aluminium recyclé à 80 %.",
        "Emballage en carton recyclable.",
        "Coloris vert olive.",
        "Primée par le ministère de la Transition écologique.",
    ],
)
def test_precise_environmental_facts_pass(copy: str) -> None:
    assert claims.check_environmental_fr("description", copy, RULES, FR) == []


def test_the_environmental_rule_applies_to_french_copy_or_when_the_channel_asks() -> None:
    plain = Profile(name="shop")
    strict = Profile(name="cdiscount", french_environmental_claims=True)
    assert claims.environmental_fr_applies(plain, FR)
    assert claims.environmental_fr_applies(plain, CheckContext(language="fr-FR"))
    assert not claims.environmental_fr_applies(plain, EN)
    assert claims.environmental_fr_applies(strict, EN)
    used = CheckContext(language="fr", product={"attributes": {"état": "Reconditionné"}})
    assert not claims.environmental_fr_applies(strict, used)


def test_claims_checks_follow_the_profile_and_the_language() -> None:
    copy = "Gourde écologique, la meilleure, qui renforce l'immunité."
    plain = claims.claims_checks(Profile(name="shop"))
    assert len(plain) == 3
    rules_fr = {v.rule for check in plain for v in check("text", copy, RULES, FR)}
    assert rules_fr == {"claims.superlative", "claims.health", "claims.environmental_fr"}
    rules_en = {v.rule for check in plain for v in check("text", copy, RULES, EN)}
    assert rules_en == {"claims.superlative", "claims.health"}

    strict = claims.claims_checks(
        Profile(name="x", french_environmental_claims=True, unverifiable_claims=False)
    )
    assert [v.rule for check in strict for v in check("text", copy, RULES, EN)] == ["claims.environmental_fr"]


def test_brand_and_known_words_are_not_claims() -> None:
    context = CheckContext(language="en", brand="Ultimate Ears", known_words=("Miracle-Gro",))
    copy = "Ultimate Ears speaker, Miracle-Gro compost."
    assert claims.check_superlatives("title", copy, RULES, context) == []
    assert texts(claims.check_superlatives("title", "The ultimate speaker.", RULES, context)) == ["ultimate"]


def test_a_phrase_is_reported_once_per_field() -> None:
    found = claims.check_superlatives("description", "Le meilleur son, le meilleur prix.", RULES, FR)
    assert len(found) == 1


def write_user_list(home: Path, name: str, text: str) -> None:
    folder = home / "wordlists"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")


def test_user_lists_add_phrases_and_exceptions(isolated_home: Path) -> None:
    copy = "Qualité premium, le meilleur ami de vos sorties."
    assert texts(claims.check_superlatives("title", copy, RULES, FR)) == ["le meilleur"]
    write_user_list(isolated_home, "superlatives.fr.txt", "# mes ajouts\nqualité premium\n!le meilleur ami\n")
    assert texts(claims.check_superlatives("title", copy, RULES, FR)) == ["Qualité premium"]


def test_user_list_for_another_language(isolated_home: Path) -> None:
    write_user_list(isolated_home, "health.de.txt", "heilt\n")
    de = CheckContext(language="de")
    assert texts(claims.check_health("title", "Dieser Tee heilt alles.", RULES, de)) == ["heilt"]
    assert claims.check_health("title", "Dieser Tee heilt alles.", RULES, FR) == []


def test_user_environmental_list_extends_the_rule(isolated_home: Path) -> None:
    write_user_list(isolated_home, "environmental.fr.txt", "zéro déchet\n")
    found = claims.check_environmental_fr("title", "Kit zéro déchet", RULES, FR)
    assert texts(found) == ["zéro déchet"]


def test_list_syntax() -> None:
    assert parse_lines(["# comment", "", "#1", "best # inline", "!best before"]) == (
        ["#1", "best"],
        ["best before"],
    )
    matcher = PhraseMatcher(("meilleur(e)(s)", "n°1"), ("meilleure note",))
    assert [h.phrase for h in matcher.find("Les MEILLEURES ventes, nº 1, meilleure note")] == [
        "MEILLEURES",
        "nº 1",
    ]
    assert phrase_pattern("") == ""
