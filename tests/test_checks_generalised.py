"""The checks recognise a defect's shape, not only the phrases of the evaluation set.

Every example here is new wording (none is in the word lists or in benchmarks/eval/), in
French and English; each failed on the checks before they generalised.
"""

from __future__ import annotations

import pytest

from copyassist.rules import claims
from copyassist.rules.base import CheckContext, FieldRules, Profile

RULES = FieldRules()


def _rules(found: list[object]) -> set[str]:
    return {v.rule for v in found}  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ claims.health


@pytest.mark.parametrize(
    ("language", "copy"),
    [
        ("fr", "Ce baume soulage efficacement les douleurs articulaires de votre chien."),
        ("fr", "Un complément qui renforce ses défenses naturelles tout l'hiver."),
        ("fr", "Ce shampooing stoppe la chute des cheveux en quatre semaines."),
        ("fr", "Une tisane qui prévient les migraines."),
        ("fr", "Gel anti-arthrose pour chiens âgés."),
        ("en", "This serum treats thinning hair in four weeks."),
        ("en", "A chew that eases joint stiffness and supports your dog's immune system."),
        ("en", "Helps prevent eczema flare-ups."),
        ("en", "Clinically proven to reduce dandruff."),
    ],
)
def test_health_claims_are_found_by_their_shape(language: str, copy: str) -> None:
    found = claims.check_health("description", copy, RULES, CheckContext(language=language))
    assert _rules(found) == {"claims.health"}


@pytest.mark.parametrize(
    ("language", "copy"),
    [
        ("fr", "Une veste qui protège du froid et du vent."),
        ("fr", "Un coussin qui soulage la pression sur le dos pendant les longs trajets."),
        ("fr", "Une crème qui apaise la peau après le soleil."),
        ("en", "A jacket that protects against cold and wind."),
        ("en", "Dog treats made with chicken and rice."),
        ("en", "Reduces noise for a calmer commute."),
    ],
)
def test_ordinary_benefits_are_no_health_claim(language: str, copy: str) -> None:
    assert claims.check_health("description", copy, RULES, CheckContext(language=language)) == []


# ------------------------------------------------------------------------------ claims.superlative


@pytest.mark.parametrize(
    ("language", "copy"),
    [
        ("en", "The warmest down jacket you will ever wear."),
        ("en", "The lightest tent on the market."),
        ("en", "The world's thinnest wallet."),
        ("en", "A finish without equal."),
        ("fr", "Une finition hors pair."),
        ("fr", "Un couteau meilleur que tous ceux du marché."),
        ("fr", "Une qualité à nul autre pareille."),
        ("fr", "Rien ne vaut ce couteau en cuisine."),
    ],
)
def test_superlatives_are_found_by_their_shape(language: str, copy: str) -> None:
    found = claims.check_superlatives("description", copy, RULES, CheckContext(language=language))
    assert _rules(found) == {"claims.superlative"}


@pytest.mark.parametrize(
    ("language", "copy"),
    [
        # A comparison with something named, and a superlative within the seller's own range,
        # are proved by the seller's catalogue: no unverifiable claim.
        ("fr", "Plus léger que le modèle précédent, il se glisse dans un sac."),
        ("fr", "Le plus léger de notre gamme de sacs à dos."),
        ("en", "The lightest jacket of our range."),
        ("en", "The most compact model in our collection."),
        ("en", "The latest model, with a brighter screen."),
        ("en", "Get the most of every ride, anywhere."),
        ("fr", "Stable même sur un sol inégal."),
    ],
)
def test_relative_comparisons_are_no_superlative(language: str, copy: str) -> None:
    assert claims.check_superlatives("description", copy, RULES, CheckContext(language=language)) == []


# ------------------------------------------------------------------------------ claims.environmental_fr


@pytest.mark.parametrize(
    "copy",
    [
        "Une gourde qui respecte la nature.",
        "Un coton durablement produit.",
        "Livraison au bilan carbone neutre.",
        "Un emballage sans impact sur la planète.",
        "Des serviettes douces pour la planète.",
        "Une livraison aux émissions de CO2 compensées.",
        "Un choix plus responsable pour votre salle de bain, une routine plus verte.",
        "Une brosse nature-friendly.",
    ],
)
def test_environmental_claims_are_found_by_their_shape(copy: str) -> None:
    found = claims.check_environmental_fr("description", copy, RULES, CheckContext(language="fr"))
    assert _rules(found) == {"claims.environmental_fr"}


@pytest.mark.parametrize(
    "copy",
    [
        "Un pull vert sapin en laine.",  # the colour
        "Une semelle durable et résistante.",  # long-lasting
        "Un savon solide pour une démarche zéro déchet.",  # an approach, kept out by the list
        "Une crème sans impact sur la peau sensible.",
        "Primée par le ministère de la Transition écologique.",
    ],
)
def test_environmental_exceptions_hold(copy: str) -> None:
    assert claims.check_environmental_fr("description", copy, RULES, CheckContext(language="fr")) == []


def test_environmental_shapes_apply_to_english_copy_on_a_french_channel() -> None:
    profile = Profile(name="fr-shop", french_environmental_claims=True)
    checks = claims.claims_checks(profile)
    found = [
        v
        for check in checks
        for v in check("description", "A carbon-neutral bottle.", RULES, CheckContext(language="en"))
    ]
    assert "claims.environmental_fr" in _rules(found)
