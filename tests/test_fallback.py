"""The fallback title compares words with the checks' own fold."""

from __future__ import annotations

from copyassist.rules.fallback import fallback_title


def test_each_word_once_whatever_its_ligatures_and_apostrophes() -> None:
    product = {
        "title": "Théière l\u2019Originale",
        "brand": "Cœur Vert",
        "attributes": {"modèle": "L'Originale", "couleur": "coeur"},
    }
    assert fallback_title(product) == "Cœur Vert Théière l\u2019Originale"


# A variable product as the feeds give it: the stock, the weight and every option of its variants.
SWEATSHIRT = {
    "title": "Sweatshirt bio",
    "brand": "Atelier Nord",
    "category": "Vêtements > Sweats",
    "attributes": {
        "Stock": "80919",
        "Quantité": "80919",
        "Poids (kg)": "0.5",
        "Weight": "500 g",
        "Couleur": "Noir, Rouge, Vert",
        "Taille": "S, M, L",
        "Matière": "Coton bio",
        "Fournisseur": "Textiles du Nord",
    },
}


def test_only_title_worthy_data_goes_in() -> None:
    title = fallback_title(SWEATSHIRT, channel="amazon")
    assert title == "Atelier Nord Sweatshirt bio Coton"  # no stock, weight, option list or supplier


def test_a_variant_s_own_colour_and_size_go_in_where_the_channel_wants_them() -> None:
    variant = {"title": "Sweatshirt bio", "attributes": {"Couleur": "Noir", "Taille": "M", "pointure": "42"}}
    assert fallback_title(variant, channel="google-shopping") == "Sweatshirt bio Noir M"
    assert fallback_title(variant, channel="shopify") == "Sweatshirt bio"  # one title over its variants
    assert fallback_title(variant) == "Sweatshirt bio"


def test_no_product_name_no_fallback_title() -> None:
    assert fallback_title({"brand": "Atelier Nord", "category": "Vêtements > Sweats"}) is None


def test_a_fallback_that_breaks_an_error_rule_is_not_used() -> None:
    """The product's own name carries a URL: the rule-built title would carry it too, so it never
    stands in for the model's copy (and so never fills a seller's column, even with overwrite)."""
    import copyassist
    from tests.helpers import FakeBackend

    product = {"title": "Lampe LED www.evil.example", "brand": "Lumio"}
    backend = FakeBackend([{"title": "Lampe LED [produit]"}] * 2)
    result = copyassist.generate("product-title", product, backend=backend, language="fr", max_attempts=2)
    assert result.status != "fallback"
    assert result.status not in ("ok", "repaired")  # flagged: it stays in its review column
