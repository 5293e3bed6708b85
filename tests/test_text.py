"""Text as a person reads it and as the checks compare it: visible text, feed HTML, folding."""

from __future__ import annotations

import re

import pytest

from copyassist.rules.text import (
    Hit,
    count_chars,
    count_words,
    find_folded,
    fold,
    fold_with_map,
    html_to_text,
    visible_text,
)


def test_counting_as_a_person_sees_it() -> None:
    assert count_chars("<p>Bonjour&nbsp;!</p>") == 9
    assert visible_text("<p>Bonjour&nbsp;!</p>") == "Bonjour\u00a0!"
    assert count_chars("Cafe\u0301") == 4  # a decomposed accent is one character
    assert count_chars("Crème brûlée") == 12  # 15 bytes in UTF-8
    assert count_chars("<p>Un</p>\n\n<p>Deux</p>") == len("Un Deux")
    assert count_chars("<p>A&amp;B <script>alert(1)</script><!-- note --></p>") == 3  # "A&B"
    assert count_chars("5 < 10 & 7 > 3") == len("5 < 10 & 7 > 3")  # not HTML: left as it is
    assert count_words("<p>Bonjour&nbsp;! Ça va ?</p>") == 3
    assert count_words("Smart  watch\tblack") == 3


def test_html_to_text_keeps_the_layout() -> None:
    assert html_to_text("<h2>Atouts</h2><ul><li>Léger</li><li>Solide &amp; durable</li></ul><p>Fin.</p>") == (
        "Atouts\n\n- Léger\n- Solide & durable\n\nFin."
    )
    assert html_to_text("Prix < 20 € & livraison") == "Prix < 20 € & livraison"
    assert html_to_text("  plain text \n") == "plain text"
    assert html_to_text("Ligne 1<br>Ligne 2<BR/>Ligne 3") == "Ligne 1\nLigne 2\nLigne 3"
    assert html_to_text("<div>A</div><div>B</div>") == "A\n\nB"  # a block ends, another starts
    assert html_to_text("<p>Prix <b>bas</b><script>x()</script><style>p{}</style></p>") == "Prix bas"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("Tom &amp; Jerry", "Tom & Jerry"),  # entities without a tag are still HTML
        ("<p>Un<!-- note --> deux</p>", "Un deux"),
        (
            "<table><tr><td>Poids</td><td>2 kg</td></tr><tr><td>Taille</td><td>M</td></tr></table>",
            "Poids 2 kg\n\nTaille M",
        ),
        ("<p>Coton<o:p></o:p></p>", "Coton"),  # Word's HTML
        ("<!DOCTYPE html><p>Texte</p>", "Texte"),
        ("<p>5 < 10 et 7 > 3</p>", "5 < 10 et 7 > 3"),  # a lone < is text, not a tag
    ],
)
def test_html_to_text_reads_what_feeds_hold(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_visible_text_and_html_to_text_read_the_same_words() -> None:
    html = "<h2>Atouts</h2><ul><li>Léger</li><li>Solide</li></ul><table><tr><td>a</td><td>b</td></tr></table>"
    assert visible_text(html) == "Atouts Léger Solide a b"
    assert " ".join(html_to_text(html).replace("- ", "").split()) == visible_text(html)


def test_fold() -> None:
    assert fold("Étanche") == fold("ETANCHE") == "etanche"
    assert fold("Cœur d\u2019ÉTÉ") == "coeur d'ete"
    assert fold("STRAßE") == "strasse"


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"])
def test_every_dash_folds_to_a_hyphen(dash: str) -> None:
    assert fold(f"Éco{dash}responsable") == "eco-responsable"


def test_apostrophes_spaces_and_ordinals_fold_to_one_form() -> None:
    assert {fold(f"l{a}eau") for a in "'\u2019\u2018\u02bc\u00b4`"} == {"l'eau"}
    assert {fold(f"a{s}b") for s in " \u00a0\u202f\u2009"} == {"a b"}
    assert fold("nº1") == fold("n°1") == "n°1"


def test_fold_with_map_points_back_at_the_original() -> None:
    folded, index = fold_with_map("Cœur")
    assert folded == "coeur" and index == (0, 1, 1, 2, 3)


def test_find_folded_reports_matches_as_written() -> None:
    assert find_folded(re.compile(r"coeur d'ete"), "Un CŒUR D\u2019ÉTÉ !") == [Hit("CŒUR D\u2019ÉTÉ", 3, 13)]
    assert find_folded(re.compile(r"\s+"), "a  b") == []  # blank matches are not hits
    assert find_folded(re.compile("x"), "") == []
