"""The SEO output's keywords: empty, sentence, filler or placeholder keywords and duplicates are
errors, in generation's validation and in ``copyassist check --field keywords=COLUMN``."""

from __future__ import annotations

import pytest

import copyassist
from copyassist.outputs.copywriting import SeoOutput, SeoRewrite
from copyassist.rules.base import CheckContext
from copyassist.rules.keywords import check_keyword_list, split_keywords
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import validate_output

FR = CheckContext(language="fr", brand="Kairos", product={"title": "Montre connectée Kairos S2"})
EN = CheckContext(language="en", brand="Kairos", product={"title": "Kairos S2 smart watch"})


def keyword_rules(keywords: list[str], context: CheckContext) -> list[tuple[str, str]]:
    output = SeoOutput(
        seo_title="Montre connectée Kairos S2", meta_description="Une montre GPS.", keywords=keywords
    )
    found = validate_output(output, load_profile("generic"), context)
    return [(v.rule, v.field) for v in found if v.rule.startswith("keywords.")]


@pytest.mark.parametrize(
    ("keywords", "context", "expected"),
    [
        (
            ["montre connectée", "Montres connectées", "montre GPS"],
            FR,
            [("keywords.duplicate", "keywords[1]")],
        ),
        (["smart watch", "GPS watch", "Smart-Watch"], EN, [("keywords.duplicate", "keywords[2]")]),
        (["montre connectée", " ", "montre GPS"], FR, [("keywords.invalid", "keywords[1]")]),
        (["montre connectée", "Mots-clés", "montre GPS"], FR, [("keywords.invalid", "keywords[1]")]),
        (["smart watch", "keyword", "GPS watch"], EN, [("keywords.invalid", "keywords[1]")]),
        (["smart watch", "[keyword]", "GPS watch"], EN, [("keywords.invalid", "keywords[1]")]),
        (
            ["montre GPS", "Découvrez la montre qui vous suit partout", "montre"],
            FR,
            [("keywords.invalid", "keywords[1]")],
        ),
        (
            ["smart watch", "This watch is the one for your runs.", "GPS"],
            EN,
            [("keywords.invalid", "keywords[1]")],
        ),
    ],
)
def test_bad_keywords(keywords: list[str], context: CheckContext, expected: list[tuple[str, str]]) -> None:
    assert keyword_rules(keywords, context) == expected


@pytest.mark.parametrize(
    ("keywords", "context"),
    [
        (["montre connectée", "montre GPS étanche", "sac à dos de randonnée nordlys 15 l"], FR),
        (["smart watch", "GPS running watch for women", "waterproof watch 5 ATM"], EN),
    ],
)
def test_good_keywords_pass(keywords: list[str], context: CheckContext) -> None:
    assert keyword_rules(keywords, context) == []


def test_the_rewrite_keywords_are_checked_too() -> None:
    output = SeoRewrite(description="La Kairos S2 suit vos sorties.", keywords=["montre", "Montre", "GPS"])
    found = validate_output(output, load_profile("generic"), FR)
    assert [v.rule for v in found if v.rule.startswith("keywords.")] == ["keywords.duplicate"]


def test_a_cell_of_keywords() -> None:
    assert split_keywords("montre, montre GPS, ") == ["montre", "montre GPS"]
    assert split_keywords("montre; montre, GPS") == ["montre", "montre, GPS"]
    assert split_keywords("montre\nmontre GPS") == ["montre", "montre GPS"]
    assert [v.rule for v in check_keyword_list("keywords", split_keywords("a b, , c d"), FR)] == [
        "keywords.invalid"
    ]


def test_copyassist_check_reads_a_keywords_column() -> None:
    rows = [
        {"title": "Montre connectée Kairos S2", "mots": "montre connectée, Montres connectées, montre GPS"},
        {"title": "Sac à dos de randonnée Nordlys 15 L", "mots": "sac à dos, sac de randonnée"},
    ]
    report = copyassist.check(rows, fields={"title": "title", "keywords": "mots"}, language="fr")
    assert [v.rule for v in report.rows[0].violations] == ["keywords.duplicate"]
    assert report.rows[1].violations == []
