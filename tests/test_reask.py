"""Answers are parsed leniently where that is unambiguous; re-asks vary and stop on a repeat."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

import copyassist
from copyassist.attempts import followup_texts, parse_output
from copyassist.outputs import output_model
from tests.helpers import FakeBackend

TITLE = output_model("ProductTitle")
BULLETS = output_model("Bullets")
PRODUCT = {"title": "Kairos S2 montre connectée GPS", "brand": "Kairos", "features": ["GPS", "5 ATM"]}
GOOD = "Kairos S2 montre connectée GPS étanche 5 ATM"
PROMO = "LIVRAISON GRATUITE Kairos S2 montre connectée"


# -- lenient parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "bullets"),
    [
        ('{"bullets": ["Boîtier\nacier", "GPS\tintégré"]}', ["Boîtier\nacier", "GPS\tintégré"]),
        ('{"bullets": ["Boîtier acier", "GPS",]}', ["Boîtier acier", "GPS"]),
        ('{"bullets": ["Boîtier acier"],\n}', ["Boîtier acier"]),
        ('Voici :\n```json\n{"bullets": ["GPS"]}\n```\nBonne journée {sic}', ["GPS"]),
        ('```\n{"bullets": ["a, ]b"]}\n```', ["a, ]b"]),  # a comma inside a string stays
        ('{"bullets": ["dit \\"oui\\",", "GPS",\n]}', ['dit "oui",', "GPS"]),
    ],
)
def test_unambiguous_slips_are_read(raw: str, bullets: list[str]) -> None:
    assert parse_output(raw, BULLETS).bullets == bullets  # type: ignore[attr-defined]


@pytest.mark.parametrize("raw", ['{"bullets": ["a" "b"]}', '{"bullets": [,]}', "no object here"])
def test_real_breakage_is_still_refused(raw: str) -> None:
    with pytest.raises((ValueError, ValidationError)):
        parse_output(raw, BULLETS)


def test_a_raw_newline_in_a_string_no_longer_costs_a_reask() -> None:
    backend = FakeBackend(['{"title": "Kairos S2 montre connectée\nGPS étanche 5 ATM"}', {"title": GOOD}])
    result = copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert len(backend.calls) == 1 and result.output.title.startswith("Kairos S2")  # type: ignore[attr-defined]


# -- re-asks ------------------------------------------------------------------------------------


def _repair_texts(backend: FakeBackend) -> list[str]:
    return [call[-1]["content"] for call in backend.calls[1:]]


def test_each_reask_is_worded_differently_and_sampled_hotter() -> None:
    answers: list[str | dict[str, Any]] = [{"title": f"{PROMO} {n}"} for n in range(4)]
    backend = FakeBackend(answers)
    copyassist.generate(
        "product-title", PRODUCT, language="fr", channel="google-shopping", backend=backend,
        max_attempts=4, params={"seed": 7},
    )  # fmt: skip
    assert len(backend.calls) == 4
    wordings = [text.split("\n", 1)[0] for text in _repair_texts(backend)]
    assert len(set(wordings)) == 3, wordings
    temperatures = [p["temperature"] for p in backend.params]
    assert temperatures == sorted(temperatures) and len(set(temperatures)) == 4
    assert [p["seed"] for p in backend.params] == [7, 8, 9, 10]


def test_an_answer_that_repeats_an_earlier_one_ends_the_attempts() -> None:
    same = json.dumps({"title": PROMO})
    backend = FakeBackend([same, same.replace(": ", ":  "), {"title": GOOD}])
    result = copyassist.generate(
        "product-title", PRODUCT, language="fr", channel="google-shopping", backend=backend, max_attempts=5
    )
    assert len(backend.calls) == 2, "the same answer twice: no third call"
    assert result.attempts == 2 and result.status in ("fallback", "flagged")


def test_different_answers_keep_being_repaired() -> None:
    backend = FakeBackend([{"title": PROMO}, {"title": PROMO + " bis"}, {"title": GOOD}])
    result = copyassist.generate(
        "product-title", PRODUCT, language="fr", channel="google-shopping", backend=backend, max_attempts=3
    )
    assert len(backend.calls) == 3 and result.status == "repaired"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_reask_wording_is_known_to_the_echo_check(language: str) -> None:
    answers: list[str | dict[str, Any]] = [{"title": f"{PROMO} {n}"} for n in range(4)]
    backend = FakeBackend(answers)
    copyassist.generate("product-title", PRODUCT, language=language, channel="google-shopping",
                        backend=backend, max_attempts=4)  # fmt: skip
    known = followup_texts(language)
    for text in _repair_texts(backend):
        head = text.split("\n", 1)[0]
        assert any(head in fixed for fixed in known), head


class CutOffFirst(FakeBackend):
    def complete(self, prompt: Any, *, retry: Any = None) -> Any:
        if not self.calls:
            self.calls.append([])
            self.params.append(dict(prompt.params))
            raise copyassist.errors.OutputTruncatedError("cut", partial_output='{"title": "Kai', usage=None)
        return super().complete(prompt)


def test_a_cut_off_answer_is_asked_again_hotter() -> None:
    backend = CutOffFirst([{"title": GOOD}, {"title": GOOD}])
    result = copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert result.status == "repaired" and backend.params[1]["temperature"] > backend.params[0]["temperature"]
