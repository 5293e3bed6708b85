"""Validation inside generation: re-asking with the violations, statuses, the title fallback."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

import copyassist
from copyassist import errors
from copyassist.backends import Completion, OpenAIBackend, Prompt, Usage, build_request
from copyassist.backends.retry import RetryPolicy
from copyassist.rules.fallback import fallback_title
from tests.helpers import FakeBackend

API = "https://api.openai.com/v1/chat/completions"
GOOD = "Kairos S2 montre connectée GPS étanche 5 ATM écran AMOLED noir graphite"
TOO_LONG_AND_PROMO = "LIVRAISON GRATUITE " + "Montre connectée Kairos S2 GPS " * 5


def answer(content: dict[str, Any], prompt_tokens: int = 300) -> dict[str, Any]:
    return {
        "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": json.dumps(content, ensure_ascii=False)}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 30,
                  "total_tokens": prompt_tokens + 30},
    }  # fmt: skip


@respx.mock
def test_a_rule_broken_then_fixed_is_repaired(
    example_product: dict[str, Any], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(200, json=answer({"title": TOO_LONG_AND_PROMO}, 300)),
            httpx.Response(200, json=answer({"title": GOOD}, 400)),
        ]
    )
    backend = OpenAIBackend(model="gpt-4.1-mini", api_key="sk-t", retry=RetryPolicy(base_delay=0))
    result = copyassist.generate(
        "product-title", example_product, language="fr", channel="google-shopping", backend=backend
    )
    assert result.status == "repaired" and result.attempts == 2
    assert result.output.title == GOOD  # type: ignore[attr-defined]
    assert (result.usage.input_tokens, result.usage.output_tokens) == (700, 60)
    second = json.loads(route.calls[1].request.content)["messages"]
    assert second[-2]["content"] == json.dumps({"title": TOO_LONG_AND_PROMO}, ensure_ascii=False)
    feedback = second[-1]["content"]
    assert "title" in feedback and "150" in feedback  # the limit it broke is named
    assert "LIVRAISON GRATUITE" in feedback  # the offending text is quoted back


def test_a_clean_first_answer_is_ok_and_asks_once(example_product: dict[str, Any]) -> None:
    backend = FakeBackend([{"title": GOOD}])
    result = copyassist.generate(
        "product-title", example_product, language="fr", channel="amazon", backend=backend
    )
    assert result.status == "ok" and result.violations == [] and len(backend.calls) == 1


def test_warnings_only_are_flagged_without_asking_again(example_product: dict[str, Any]) -> None:
    backend = FakeBackend([{"title": "La meilleure montre connectée Kairos S2 GPS"}])
    result = copyassist.generate("product-title", example_product, language="fr", backend=backend)
    assert result.status == "flagged" and len(backend.calls) == 1
    assert result.violations and all(v.severity == "warning" for v in result.violations)


def test_when_every_attempt_fails_a_labelled_fallback_title_is_offered(
    example_product: dict[str, Any],
) -> None:
    backend = FakeBackend([{"title": TOO_LONG_AND_PROMO}])
    result = copyassist.generate(
        "product-title",
        example_product,
        language="fr",
        channel="google-shopping",
        backend=backend,
        max_attempts=2,
    )
    assert result.status == "fallback" and len(backend.calls) == 2
    built = fallback_title(example_product, 150, "google-shopping")  # the channel asked for
    assert result.output.title == built  # type: ignore[attr-defined]
    assert built is not None and built.startswith("Kairos Montre connectée") and "Noir graphite" in built
    assert result.to_dict()["status"] == "fallback"
    assert {v.rule for v in result.rejected} >= {"title.promotional", "length.max_chars"}


def test_the_fallback_fits_the_channel_limit() -> None:
    product = {
        "title": "Cocotte en fonte émaillée ronde 24 cm",
        "brand": "Maison Vidal",
        "attributes": {"couleur": "Rouge cerise", "contenance": "4,2 L", "matière": "Fonte"},
    }
    title = fallback_title(product, 40)
    assert title is not None and len(title) <= 40 and title.startswith("Maison Vidal Cocotte")
    assert fallback_title({"brand": "X"}) is None


def test_other_templates_that_never_pass_keep_the_best_answer_flagged(
    example_product: dict[str, Any],
) -> None:
    bad = {"bullets": ["LIVRAISON GRATUITE sur la montre !!!"]}
    worse = {"bullets": ["LIVRAISON GRATUITE !!!", "Lorem ipsum dolor sit amet consectetur"]}
    backend = FakeBackend([bad, worse, worse])
    result = copyassist.generate("bullets", example_product, language="fr", channel="amazon", backend=backend)
    assert result.status == "flagged" and result.attempts == 3
    assert result.output.bullets == bad["bullets"]  # type: ignore[attr-defined]
    assert any(v.severity == "error" for v in result.violations)


def test_no_parsable_answer_at_all_is_an_output_error() -> None:
    backend = FakeBackend(["Désolé, voici du texte libre."])
    with pytest.raises(errors.OutputError) as caught:
        copyassist.generate("faq", {"title": "Lampe"}, language="fr", backend=backend, max_attempts=2)
    assert caught.value.attempts == 2 and caught.value.last_output == "Désolé, voici du texte libre."


class CutOnceBackend(FakeBackend):
    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        if not self.calls:
            self.calls.append(build_request(prompt, self.structured_mode).messages)
            raise errors.OutputTruncatedError(
                "cut", partial_output='{"title": "Montre', usage=Usage(500, 300)
            )
        return super().complete(prompt)


def test_a_cut_off_answer_is_asked_again_shorter_and_its_tokens_count(
    example_product: dict[str, Any],
) -> None:
    backend = CutOnceBackend([{"title": GOOD}])
    result = copyassist.generate("product-title", example_product, language="fr", backend=backend)
    assert result.status == "repaired" and result.attempts == 2
    assert result.usage.input_tokens == 500 + 100 and result.usage.output_tokens == 300 + 20
    assert "coupée" in backend.calls[-1][-1]["content"]


def test_a_channel_that_requires_french_refuses_english_copy(example_product: dict[str, Any]) -> None:
    backend = FakeBackend([{"title": GOOD}])
    with pytest.raises(errors.ConfigError, match="language='fr'"):
        copyassist.generate(
            "product-title", example_product, language="en", channel="cdiscount", backend=backend
        )
    assert backend.calls == []  # refused before anything was paid for
