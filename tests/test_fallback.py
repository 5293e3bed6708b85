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
