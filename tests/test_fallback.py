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
