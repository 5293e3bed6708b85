"""variants: N answers to one generation, each checked, the best the copy; n= or separate calls."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import httpx
import pytest
import respx

import copyassist
from copyassist import errors
from copyassist.backends import OpenAIBackend
from copyassist.backends.base import Usage
from copyassist.backends.choices import split_usage
from copyassist.backends.retry import RetryPolicy
from copyassist.prices import estimate_cost
from tests.test_local_backend import FakeLlama, fake_llama_cpp  # noqa: F401 (a fixture)

API = "https://api.openai.com/v1/chat/completions"
SERVER = "http://127.0.0.1:8999/v1"
GOOD = "Montre connectée Kairos S2 GPS étanche 5 ATM noir graphite"
EMOJI_URL = "Montre connectée Kairos S2 GPS 🔥🔥 https://x.example"  # two errors
SHOUTED = "MONTRE CONNECTÉE KAIROS S2 GPS ÉTANCHE"  # all caps: errors too


def answer(
    titles: list[str], prompt_tokens: int = 300, completion_tokens: int = 60, **extra: Any
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4.1-mini",
        "choices": [
            {
                "index": i,
                "message": {"role": "assistant", "content": json.dumps({"title": t})},
                "finish_reason": extra.get("finish", {}).get(i, "stop"),
            }
            for i, t in enumerate(titles)
        ],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }


def sent(call: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(call.request.content)
    return body


@pytest.fixture
def openai_backend() -> OpenAIBackend:
    return OpenAIBackend(
        name="openai", model="gpt-4.1-mini", api_key="sk-test", retry=RetryPolicy(max_attempts=1)
    )


@pytest.fixture
def server_backend() -> OpenAIBackend:
    return OpenAIBackend(
        name="compatible", model="gpt-4.1-mini", base_url=SERVER, retry=RetryPolicy(max_attempts=1)
    )


def test_n_is_sent_each_candidate_checked_and_the_best_is_the_copy(
    openai_backend: OpenAIBackend, example_product: dict[str, Any]
) -> None:
    with respx.mock() as mock:
        route = mock.post(API).mock(return_value=httpx.Response(200, json=answer([EMOJI_URL, SHOUTED, GOOD])))
        result = copyassist.generate(
            "product-title", example_product, language="fr", backend=openai_backend, variants=3
        )

    assert len(route.calls) == 1 and sent(route.calls[0])["n"] == 3
    assert result.copy == GOOD and result.status == "ok" and result.attempts == 1
    assert [c.number for c in result.candidates] == [1, 2, 3]
    assert [c.chosen for c in result.candidates] == [False, False, True]
    assert [c.status for c in result.candidates] == ["flagged", "flagged", "ok"]
    rules = {v.rule for v in result.candidates[0].violations}
    assert {"emoji", "url"} <= rules and result.candidates[2].violations == []
    # per-candidate spend adds up to the call's, in tokens and in dollars
    assert sum((c.usage for c in result.candidates), Usage()) == result.usage == Usage(300, 60)
    total = estimate_cost("gpt-4.1-mini", 300, 60)
    assert total is not None and result.cost == pytest.approx(total)
    assert sum(c.cost or 0 for c in result.candidates) == pytest.approx(total)
    assert [c["chosen"] for c in result.to_dict()["candidates"]] == [False, False, True]


def test_one_variant_changes_nothing(openai_backend: OpenAIBackend, example_product: dict[str, Any]) -> None:
    with respx.mock() as mock:
        route = mock.post(API).mock(return_value=httpx.Response(200, json=answer([GOOD])))
        result = copyassist.generate("product-title", example_product, language="fr", backend=openai_backend)
    assert "n" not in sent(route.calls[0])
    assert result.candidates == [] and "candidates" not in result.to_dict()


def test_only_the_chosen_candidate_is_re_asked(
    openai_backend: OpenAIBackend, example_product: dict[str, Any]
) -> None:
    with respx.mock() as mock:
        route = mock.post(API).mock(
            side_effect=[
                httpx.Response(200, json=answer([EMOJI_URL, SHOUTED + " 🔥", "Montre Kairos S2 🔥"])),
                httpx.Response(200, json=answer([GOOD], prompt_tokens=400, completion_tokens=20)),
            ]
        )
        result = copyassist.generate(
            "product-title", example_product, language="fr", backend=openai_backend, variants=3
        )

    assert len(route.calls) == 2
    repair = sent(route.calls[1])
    assert "n" not in repair  # one answer to a re-ask
    handed_back = json.loads(repair["messages"][-2]["content"])
    assert handed_back == {"title": "Montre Kairos S2 🔥"}  # the one with the fewest errors
    chosen = next(c for c in result.candidates if c.chosen)
    assert chosen.number == 3 and chosen.status == result.status == "repaired" and result.copy == GOOD
    assert [c.status for c in result.candidates if not c.chosen] == ["flagged", "flagged"]
    assert result.usage == Usage(700, 80) == sum((c.usage for c in result.candidates), Usage())
    assert chosen.usage.input_tokens == 100 + 400


def test_a_cut_off_choice_stays_a_candidate_without_copy(
    openai_backend: OpenAIBackend, example_product: dict[str, Any]
) -> None:
    body = answer([GOOD, "Montre connectée Kai"], finish={1: "length"})
    body["choices"][1]["message"]["content"] = '{"title": "Montre connectée Kai'
    with respx.mock() as mock:
        mock.post(API).mock(return_value=httpx.Response(200, json=body))
        result = copyassist.generate(
            "product-title", example_product, language="fr", backend=openai_backend, variants=2
        )
    assert result.copy == GOOD
    cut = result.candidates[1]
    assert cut.status == "failed" and cut.output is None and "cut off" in cut.problem


def test_a_server_refusing_n_gets_separate_calls_from_then_on(
    server_backend: OpenAIBackend, example_product: dict[str, Any]
) -> None:
    refusal = {"error": {"message": "n must be 1 when using this sampler", "type": "BadRequestError"}}
    calls: list[dict[str, Any]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        calls.append(body)
        if body.get("n", 1) > 1:
            return httpx.Response(400, json=refusal)
        title = [SHOUTED, GOOD, EMOJI_URL][(len(calls) - 2) % 3]
        return httpx.Response(200, json=answer([title], prompt_tokens=100, completion_tokens=20))

    params = {"temperature": 0.7, "seed": 7}
    with respx.mock() as mock:
        mock.post(f"{SERVER}/chat/completions").mock(side_effect=reply)
        result = copyassist.generate(
            "product-title", example_product, language="fr", backend=server_backend, variants=3, params=params
        )
        assert [c.get("n") for c in calls] == [3, None, None, None]
        assert server_backend.structured_mode == "json_schema"  # a refusal of n is not one of the mode
        assert len({c["seed"] for c in calls[1:]}) == 3  # each call its own answer
        assert result.copy == GOOD and [c.chosen for c in result.candidates] == [False, True, False]
        assert result.usage == Usage(300, 60) == sum((c.usage for c in result.candidates), Usage())

        copyassist.generate(
            "product-title", example_product, language="fr", backend=server_backend, variants=3
        )
        assert [c.get("n") for c in calls[4:]] == [None, None, None]  # remembered: no n sent again


def test_a_server_answering_fewer_choices_is_made_up_with_separate_calls(
    server_backend: OpenAIBackend, example_product: dict[str, Any]
) -> None:
    with respx.mock() as mock:
        route = mock.post(f"{SERVER}/chat/completions").mock(
            side_effect=[
                httpx.Response(200, json=answer([SHOUTED], prompt_tokens=100, completion_tokens=20)),
                httpx.Response(200, json=answer([GOOD], prompt_tokens=100, completion_tokens=20)),
            ]
        )
        result = copyassist.generate(
            "product-title", example_product, language="fr", backend=server_backend, variants=2
        )
    assert [sent(c).get("n") for c in route.calls] == [2, None]
    assert server_backend.one_choice_per_call
    assert result.copy == GOOD and len(result.candidates) == 2 and result.usage == Usage(200, 40)


@pytest.mark.parametrize("bad", [0, 11, -1, "3", 2.5, True])
def test_variants_outside_1_to_10_is_a_one_line_error(
    openai_backend: OpenAIBackend, example_product: dict[str, Any], bad: Any
) -> None:
    with respx.mock() as mock:  # nothing is sent
        with pytest.raises(errors.ConfigError, match="variants must be a whole number from 1 to 10"):
            copyassist.generate(
                "product-title", example_product, language="fr", backend=openai_backend, variants=bad
            )
        assert not mock.calls


def test_usage_split_sums_exactly_and_follows_length() -> None:
    shares = split_usage(Usage(301, 61), ["a" * 10, "b" * 40, ""])
    assert sum(shares, Usage()) == Usage(301, 61)
    assert shares[1].output_tokens > shares[0].output_tokens > shares[2].output_tokens == 0
    assert sorted(s.input_tokens for s in shares) == [100, 100, 101]


def test_separate_calls_give_each_choice_its_seed_and_keep_a_cut_off_one() -> None:
    from copyassist.backends import OutputSpec, Prompt
    from copyassist.backends.choices import combined, separate_calls

    seen: list[Any] = []

    def call(prompt: Prompt) -> Any:
        seen.append((prompt.choices, prompt.params.get("seed")))
        if len(seen) == 2:
            raise errors.OutputTruncatedError("cut", partial_output='{"title": "Mon', usage=Usage(10, 50))
        return copyassist.Completion(text=f"answer {len(seen)}", model="m", usage=Usage(10, 5))

    prompt = Prompt([{"role": "user", "content": "x"}], OutputSpec("T", {}), {"seed": 3}, choices=3)
    merged = combined(separate_calls(call, prompt, 3), "m")
    assert seen == [(1, 3), (1, 1003), (1, 2003)]
    assert [(c.text, c.finish_reason) for c in merged.choices] == [
        ("answer 1", None),
        ('{"title": "Mon', "length"),
        ("answer 3", None),
    ]
    assert merged.usage == Usage(30, 60)


def test_separate_calls_that_all_fail_raise_with_every_calls_cost() -> None:
    from copyassist.backends import OutputSpec, Prompt
    from copyassist.backends.choices import combined, separate_calls

    def filtered(prompt: Prompt) -> Any:
        raise errors.ContentFilterError("filtered", usage=Usage(10, 0))

    prompt = Prompt([{"role": "user", "content": "x"}], OutputSpec("T", {}), choices=2)
    with pytest.raises(errors.ContentFilterError) as raised:
        combined(separate_calls(filtered, prompt, 2), "m")
    assert raised.value.usage == Usage(20, 0)

    def down(prompt: Prompt) -> Any:
        if prompt.params:
            raise errors.ServerError("down")
        return copyassist.Completion(text="a", model="m", usage=Usage(10, 5))

    calls = iter([{}, {"x": 1}])
    with pytest.raises(errors.ServerError) as failed:
        separate_calls(lambda p: down(replace(p, params=next(calls))), prompt, 2)
    assert failed.value.usage == Usage(10, 5)  # the first answer was paid for


def test_async_generation_falls_back_when_the_server_refuses_n(
    server_backend: OpenAIBackend, example_product: dict[str, Any]
) -> None:
    refusal = {"error": {"message": "Only one completion choice is allowed"}}
    titles = iter([SHOUTED, GOOD])

    def reply(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("n"):
            return httpx.Response(400, json=refusal)
        return httpx.Response(200, json=answer([next(titles)], prompt_tokens=100, completion_tokens=20))

    async def go() -> Any:
        try:
            return await copyassist.agenerate(
                "product-title", example_product, language="fr", backend=server_backend, variants=2
            )
        finally:
            await server_backend.aclose()

    with respx.mock() as mock:
        route = mock.post(f"{SERVER}/chat/completions").mock(side_effect=reply)
        result = asyncio.run(go())
    assert len(route.calls) == 3 and result.copy == GOOD
    assert [c.status for c in result.candidates] == ["flagged", "ok"]


def test_the_cost_cap_reserves_every_answer() -> None:
    from copyassist.backends import OutputSpec, Prompt
    from copyassist.budget import CappedBackend, CostCap

    capped = CappedBackend(
        OpenAIBackend(name="openai", model="gpt-4.1-mini", api_key="sk-test"), CostCap(1.0)
    )
    prompt = Prompt([{"role": "user", "content": "Titre"}], OutputSpec("T", {}), {"max_tokens": 100})
    assert capped.worst_cost(replace(prompt, choices=3)) == pytest.approx(3 * capped.worst_cost(prompt))


def test_cli_generate_variants_prints_every_candidate(
    monkeypatch: pytest.MonkeyPatch, example_product: dict[str, Any], tmp_path: Any
) -> None:
    from typer.testing import CliRunner

    from copyassist.cli import app

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    product = tmp_path / "product.json"
    product.write_text(json.dumps(example_product), "utf-8")
    with respx.mock() as mock:
        route = mock.post(API).mock(return_value=httpx.Response(200, json=answer([SHOUTED, GOOD])))
        shown = CliRunner().invoke(
            app,
            [
                "generate",
                "product-title",
                "-p",
                str(product),
                "--lang",
                "fr",
                "--variants",
                "2",
                "--json",
            ],
        )
        assert shown.exit_code == 0, shown.output
        payload = json.loads(shown.stdout)
        assert sent(route.calls[0])["n"] == 2
        assert payload["text"] == GOOD and [c["chosen"] for c in payload["candidates"]] == [False, True]
        refused = CliRunner().invoke(
            app, ["generate", "product-title", "-p", str(product), "--variants", "0"]
        )
    assert refused.exit_code != 0 and "variants must be a whole number from 1 to 10" in refused.output
    assert len(route.calls) == 1


def test_the_embedded_model_makes_one_call_per_candidate(fake_llama_cpp: Any) -> None:  # noqa: F811
    from copyassist.backends.local import LocalBackend

    backend = LocalBackend(fake_llama_cpp)
    result = copyassist.generate(
        "product-title", {"title": "Kairos S2 montre connectée"}, language="fr", backend=backend, variants=3
    )
    sent_to_llama = FakeLlama.instances[-1].sent
    assert len(sent_to_llama) == 3 and all("n" not in arguments for arguments in sent_to_llama)
    assert len(result.candidates) == 3 and sum(c.chosen for c in result.candidates) == 1
    assert result.usage == Usage(300, 30) and all(c.cost == 0.0 for c in result.candidates)
