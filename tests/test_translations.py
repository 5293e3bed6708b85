"""Translated strings are written one way, ``{language: text}``, and read through ``localized``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from copyassist import attempts
from copyassist.drafts import document
from copyassist.drafts.study import TITLES
from copyassist.outputs import copywriting, market, plan
from copyassist.outputs import study as study_outputs
from copyassist.outputs.market import label, lead
from copyassist.outputs.study import Swot

TABLES: dict[str, Mapping[str, Any]] = {
    "attempts._REPAIR": {"": attempts._REPAIR},
    "attempts._CUT_OFF": {"": attempts._CUT_OFF},
    "copywriting._LABELS": copywriting._LABELS,
    "market._LABELS": market._LABELS,
    "plan._LABELS": plan._LABELS,
    "outputs.study._LABELS": study_outputs._LABELS,
    "study.TITLES": TITLES,
    "document.MARKS": {"": document.MARKS},
    "document.TEXT": {"": document.TEXT},
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_entry_has_french_and_english(name: str) -> None:
    for key, texts in TABLES[name].items():
        assert set(texts) == {"fr", "en"}, f"{name}[{key!r}]"
        assert all(isinstance(text, (str, dict)) and text for text in texts.values())


def test_a_regional_language_code_reads_its_language() -> None:
    assert label("summary", "fr-FR") == "Synthèse" and lead("summary", "fr_CA") == "Synthèse :"
    assert label("summary", "en-GB") == "Summary" and lead("summary", "en") == "Summary:"
    assert label("summary", "de") == "Summary", "a language with no table reads English"


def test_a_study_section_is_headed_in_the_language_asked() -> None:
    swot = Swot(strengths=["Prix"], weaknesses=[], opportunities=[], threats=[], figures=[])
    assert swot.as_text("fr-FR").startswith("## Forces\n- Prix")
    assert swot.as_text("en").startswith("## Strengths\n- Prix")
