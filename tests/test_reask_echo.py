"""The tool's own re-ask or format instruction returned as copy: flagged (``leftover.prompt_echo``)
in generation, FAQ answers included, and by ``copyassist check`` with no prompt at hand."""

from __future__ import annotations

import pytest

import copyassist
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.reask import check_tool_request, tool_lines
from tests.helpers import FakeBackend

PRODUCT = {"title": "Lampe de bureau LED Lumio", "brand": "Lumio", "attributes": {"puissance": "8 W"}}


@pytest.mark.parametrize(
    "echo",
    [
        "Renvoie l'objet JSON complet et corrigé.",
        "Send the complete, corrected JSON object.",
        "- items[0].answer: ends without a full stop",
        "Réponds uniquement avec l'objet JSON demandé.",
        "Your answer was cut off, sorry.",
    ],
)
def test_any_stretch_of_a_tool_request_is_an_echo_without_a_prompt(echo: str) -> None:
    found = check_tool_request("faq", echo, FieldRules(), CheckContext(language="fr"))
    assert [v.rule for v in found] == ["leftover.prompt_echo"]


@pytest.mark.parametrize(
    "copy",
    [
        "Oui, la lampe se règle à la longueur voulue.",
        "Send it back within the return period stated by the shop.",
        "Your desk lamp, answered in one touch.",
    ],
)
def test_ordinary_copy_is_no_tool_request(copy: str) -> None:
    assert check_tool_request("faq", copy, FieldRules(), CheckContext(language="en")) == []


def test_the_requests_of_both_languages_are_known() -> None:
    lines = {" ".join(line) for line in tool_lines()}
    assert "ta reponse ne convient pas" in lines and "your answer is not valid" in lines


@pytest.mark.parametrize(
    ("language", "question", "placeholder", "echo"),
    [
        (
            "fr",
            "La lampe chauffe-t-elle ?",
            "Non, la [produit] reste froide.",
            "Renvoie l'objet JSON complet et corrigé.",
        ),
        (
            "en",
            "Does the lamp get hot?",
            "No, the [product] stays cool.",
            "Send the complete, corrected JSON object.",
        ),
    ],
)
def test_a_reask_returned_as_an_faq_answer_is_not_repaired(
    language: str, question: str, placeholder: str, echo: str
) -> None:
    """The first answer breaks a rule, the second parrots the re-ask: neither passes."""
    first = {"items": [{"question": question, "answer": placeholder}]}
    parrot = {"items": [{"question": question, "answer": echo}]}
    backend = FakeBackend([first, parrot])
    result = copyassist.generate("faq", PRODUCT, backend=backend, language=language, max_attempts=2)
    assert result.status == "flagged"


def test_copyassist_check_flags_a_reask_in_a_description() -> None:
    rows = [
        {"title": "Lampe de bureau LED Lumio", "description": "Send the complete, corrected JSON object."}
    ]
    report = copyassist.check(rows, channel="generic", language="en")
    assert "leftover.prompt_echo" in {v.rule for v in report.rows[0].violations}
