"""The checks recognise a defect's shape, not only the phrases of the evaluation set.

Every example here is new wording (none is in the word lists or in benchmarks/eval/), in
French and English; each failed on the checks before they generalised.
"""

from __future__ import annotations

import pytest

from copyassist.rules import checks, claims, competitors, filler, reask
from copyassist.rules.base import CheckContext, FieldRules, Profile
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_text

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
        ("en", "Stops hair loss and regrows thinning hair."),
        ("fr", "Calme les douleurs et stimule son système immunitaire."),
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
        ("fr", "Un collier qui protège contre les puces et les tiques."),  # what the product is for
        ("en", "A flea collar that protects against fleas."),
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
        "Une lessive en accord avec la nature.",
        "Une livraison à l'empreinte écologique nulle.",
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
        "Au bivouac, respectez la nature et remportez vos déchets.",  # advice, not a claim
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


# ------------------------------------------------------------------------------ leftover.filler


@pytest.mark.parametrize(
    "copy",
    [
        "Bullet 1",
        "Puce 2",
        "Point 3",
        "Item 4",
        "Texte 1",
        "Feature 1:",
        "Caractéristique 2",
        "Bullet point #5",
    ],
)
def test_a_numbered_label_is_filler(copy: str) -> None:
    found = filler.check_filler("bullets[0]", copy, RULES, CheckContext(language="fr"))
    assert _rules(found) == {"leftover.filler"}


def test_numbered_bullets_are_filler_line_by_line() -> None:
    checks = filler.filler_checks("bullets")
    found = [v for c in checks for v in c("bullets", "Bullet 1\nBullet 2\nBullet 3", RULES, CheckContext())]
    assert [v.rule for v in found] == ["leftover.filler"] * 3


@pytest.mark.parametrize(
    "copy", ["Point 3 du guide : serrez la sangle", "Étanche 5 ATM", "Modèle 2", "Taille 38"]
)
def test_copy_with_a_number_is_no_filler(copy: str) -> None:
    assert filler.check_filler("bullets[0]", copy, RULES, CheckContext(language="fr")) == []


# ------------------------------------------------------------------------------ title.all_caps


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("fr", "Enceinte Bluetooth Sonéa Wave, le son d'une JBL pour moins cher"),
        ("en", "Sonéa Wave Bluetooth Speaker, a JBL sound for less"),
    ],
)
def test_a_known_brand_in_capitals_is_no_shouting(language: str, title: str) -> None:
    context = CheckContext(
        language=language, brand="Sonéa", product={"title": "Sonéa Wave", "brand": "Sonéa"}
    )
    caps = FieldRules(no_all_caps=True)
    assert checks.check_all_caps("title", title, caps, context) == []
    assert _rules(competitors.check_competitors("title", title, caps, context)) == {
        "content.competitor_brand"
    }
    shouted = checks.check_all_caps("title", title.replace("Bluetooth", "SUPER"), caps, context)
    assert [v.text for v in shouted] == ["SUPER"]


# ---------------------------------------------------------------- language.mismatch on short fields

TENT_FR = {
    "title": "Tente de randonnée Randa 2 personnes",
    "brand": "Randa",
    "category": "Camping",
    "attributes": {"poids": "1,9 kg", "places": "2 personnes"},
}
TENT_EN = {
    "title": "Randa 2-Person Hiking Tent",
    "brand": "Randa",
    "category": "Camping",
    "attributes": {"weight": "1.9 kg", "sleeps": "2 people"},
}
GENERIC = load_profile("generic")


def _check(field: str, text: str, language: str, product: dict[str, object]) -> set[str]:
    context = CheckContext(language=language, brand="Randa", product=product)
    return _rules(check_text(field, text, GENERIC.rules_for(field), context, GENERIC))


@pytest.mark.parametrize(
    ("language", "product", "title"),
    [
        ("fr", TENT_FR, "Randa 2-Person Backpacking Tent, 1.9 kg"),
        ("fr", TENT_FR, "Lightweight Waterproof Backpacking Shelter for Two"),
        ("en", TENT_EN, "Tente légère et étanche Randa, 1,9 kg"),
        ("en", TENT_EN, "Abri de randonnée imperméable Randa"),
    ],
)
def test_a_short_title_in_the_other_language_is_a_mismatch(
    language: str, product: dict[str, object], title: str
) -> None:
    # Only the language is reported: the rules that compare words and figures with the data
    # (facts.unsupported on "2-Person", content.off_product) stand down for that field.
    assert _check("title", title, language, product) == {"language.mismatch"}


@pytest.mark.parametrize(
    ("language", "product", "title"),
    [
        ("fr", TENT_FR, "Randa Trek 2"),  # the brand and a model
        ("fr", TENT_FR, "Tente Randa 2 personnes ultralight"),  # franglais, words of the data
        ("fr", TENT_FR, "Randa Camping Premium Design"),  # international words
        ("en", TENT_EN, "Randa 2-Person Hiking Tent, 1.9 kg"),
        ("en", TENT_EN, "Randa Camping Premium Design"),
    ],
)
def test_names_and_international_words_are_no_mismatch(
    language: str, product: dict[str, object], title: str
) -> None:
    assert "language.mismatch" not in _check("title", title, language, product)


# ---------------------------------------------------------------- facts.unsupported on leftovers


@pytest.mark.parametrize(("language", "product"), [("fr", TENT_FR), ("en", TENT_EN)])
def test_the_digit_of_a_numbered_filler_is_no_claim(language: str, product: dict[str, object]) -> None:
    assert _check("bullets", "Bullet 3", language, product) == {"leftover.filler"}


@pytest.mark.parametrize(
    ("language", "product", "answer"),
    [
        (
            "fr",
            TENT_FR,
            "Ta réponse n'est pas valide : faq[3].answer est vide. Réponds uniquement avec l'objet JSON.",
        ),
        ("en", TENT_EN, "Your answer is not valid: faq[3].answer is empty. Reply only with the JSON object."),
    ],
)
def test_the_index_of_an_echoed_field_path_is_no_claim(
    language: str, product: dict[str, object], answer: str
) -> None:
    found = _check("faq[0].answer", answer, language, product)
    assert "leftover.prompt_echo" in found
    assert "facts.unsupported" not in found


def test_a_figure_in_real_copy_is_still_checked() -> None:
    assert "facts.unsupported" in _check(
        "description", "Une tente de 3,4 kg pour quatre nuits.", "fr", TENT_FR
    )


def test_a_title_sharing_the_name_with_the_data_is_still_judged() -> None:
    product = {"title": "Chaussures de trail Vantor Peak homme", "brand": "Vantor", "category": "Running"}
    context = CheckContext(language="fr", brand="Vantor", product=product)
    rules = GENERIC.rules_for("title")
    assert _rules(check_text("title", "Vantor Peak Men's Trail Running Shoes", rules, context, GENERIC)) == {
        "language.mismatch"
    }
    franglais = "Sac banane running ultra light waterproof"
    context = CheckContext(language="fr", brand="Vantor", product={"title": "Sac banane running Vantor"})
    assert "language.mismatch" not in _rules(check_text("title", franglais, rules, context, GENERIC))


@pytest.mark.parametrize(
    ("language", "answer"),
    [
        ("en", "faq[0].answer is empty, please fill it in."),
        ("fr", "Le champ bullets[2] est vide, complète-le."),
    ],
)
def test_a_field_path_without_colon_is_an_echo(language: str, answer: str) -> None:
    found = reask.check_tool_request("faq[0].answer", answer, RULES, CheckContext(language=language))
    assert "leftover.prompt_echo" in _rules(found)
