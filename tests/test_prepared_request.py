"""Requests sent as prepared JSON through the SDK's own ``post``, on httpx or on aiohttp."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import httpx
import openai
import pytest
import respx

import copyassist
from copyassist import errors
from copyassist.backends import OpenAIBackend
from copyassist.backends.retry import RetryPolicy
from copyassist.backends.transport import http_choice

API = "https://api.openai.com/v1/chat/completions"
ONE_TRY = RetryPolicy(max_attempts=1, base_delay=0.0, max_delay=0.0)


def answer(content: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}, **extra,
    }  # fmt: skip


def _prompt(example_product: dict[str, Any], **options: Any) -> Any:
    return copyassist.prepare("product-title", example_product, language="fr", **options).prompt


def _backend(**kwargs: Any) -> OpenAIBackend:
    return OpenAIBackend(
        name="openai", model="gpt-4.1-mini", api_key="sk-test-secret", retry=ONE_TRY, **kwargs
    )


@respx.mock
def test_the_prepared_body_is_what_the_sdk_create_sends(
    example_product: dict[str, Any], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=answer('{"title": "T"}')))
    prompt = _prompt(example_product, params={"temperature": 0.3, "seed": 7})
    backend = _backend()

    async def both() -> None:
        sdk = openai.AsyncOpenAI(
            api_key="sk-test-secret", max_retries=0, http_client=cast(Any, httpx.AsyncClient())
        )
        await sdk.chat.completions.create(**backend.request(prompt))
        await backend.acomplete(prompt)
        await sdk.close()
        await backend.aclose()

    asyncio.run(both())
    backend.complete(prompt)  # the sync path too
    by_sdk, *ours = [call.request for call in route.calls]
    assert len(ours) == 2
    for request in ours:
        assert json.loads(request.content) == json.loads(by_sdk.content)
        assert "é" in request.content.decode() and b'{"model":"gpt-4.1-mini",' in request.content
        for header in ("authorization", "content-type", "accept"):
            assert request.headers[header] == by_sdk.headers[header]
    sent = json.loads(by_sdk.content)
    assert sent["seed"] == 7 and sent["temperature"] == 0.3 and "é" in by_sdk.content.decode()


@respx.mock
def test_the_answer_is_read_from_plain_json(
    example_product: dict[str, Any], respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(API).mock(
        return_value=httpx.Response(
            200, json=answer('{"title": "T"}'), headers={"x-ratelimit-remaining-requests": "9"}
        )
    )
    completion = _backend().complete(_prompt(example_product))
    assert completion.text == '{"title": "T"}' and completion.model == "gpt-4.1-mini"
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (12, 3)
    assert completion.finish_reason == "stop"
    assert completion.rate_limits == {"x-ratelimit-remaining-requests": "9"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>proxy error</html>", "not a chat completion"),
        (json.dumps({"choices": []}).encode(), "no choices"),
        (json.dumps({"object": "error"}).encode(), "not a chat completion"),
    ],
)
@respx.mock
def test_an_answer_that_is_not_a_completion_is_a_server_error(
    example_product: dict[str, Any], respx_mock: respx.MockRouter, body: bytes, message: str
) -> None:
    respx_mock.post(API).mock(return_value=httpx.Response(200, content=body))
    with pytest.raises(errors.ServerError, match=message):
        _backend().complete(_prompt(example_product))


@respx.mock
def test_a_refusal_in_the_json_is_a_content_filter_error(
    example_product: dict[str, Any], respx_mock: respx.MockRouter
) -> None:
    refused = answer("")
    refused["choices"][0]["message"]["refusal"] = "I cannot\n help with that"
    respx_mock.post(API).mock(return_value=httpx.Response(200, json=refused))
    with pytest.raises(errors.ContentFilterError, match="the model refused: I cannot help with that"):
        _backend().complete(_prompt(example_product))


@respx.mock
def test_a_retry_sends_the_same_bytes(example_product: dict[str, Any], respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(500, json={"error": {"message": "boom"}}),
            httpx.Response(200, json=answer("x")),
        ]
    )
    backend = _backend()
    backend.retry = RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0)
    asyncio.run(backend.acomplete(_prompt(example_product)))
    first, second = route.calls
    assert first.request.content == second.request.content


def test_http_choice_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPYASSIST_HTTP", "httpx")
    assert http_choice() == "httpx"
    monkeypatch.setenv("COPYASSIST_HTTP", "aiohttp")
    assert http_choice() == "aiohttp"  # aiohttp is installed with the dev extras (openai[aiohttp])
    monkeypatch.setenv("COPYASSIST_HTTP", "auto")
    assert http_choice() == "aiohttp"
    monkeypatch.setenv("COPYASSIST_HTTP", "curl")
    with pytest.raises(errors.ConfigError, match="COPYASSIST_HTTP must be auto, httpx or aiohttp"):
        http_choice()


def test_the_aiohttp_transport_against_a_real_server(serve: Any, example_product: dict[str, Any]) -> None:
    base_url, server = serve(rpm=6000)  # a limit: every answer carries x-ratelimit-* headers
    backend = OpenAIBackend(name="compatible", model="fake-model", base_url=base_url, http="aiohttp")
    prompt = copyassist.prepare("product-title", example_product, language="fr").prompt

    async def calls() -> list[Any]:
        try:
            return await asyncio.gather(*(backend.acomplete(prompt) for _ in range(5)))
        finally:
            await backend.aclose()

    completions = asyncio.run(calls())
    assert all(json.loads(c.text)["title"] for c in completions)
    assert all(c.usage.input_tokens > 0 for c in completions)
    assert any(key.startswith("x-ratelimit-") for key in completions[0].rate_limits)
    assert server.calls_for(backend.request(prompt)["messages"]) == 5


async def _complete_once(backend: OpenAIBackend, prompt: Any) -> Any:
    try:
        return await backend.acomplete(prompt)
    finally:
        await backend.aclose()


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ({"error_rate": 1.0}, errors.ServerError, "500"),
        ({"drop_rate": 1.0}, errors.ProviderConnectionError, "cannot reach the model server"),
        ({"timeout_rate": 1.0, "slow_seconds": 10}, errors.ProviderTimeoutError, "did not answer in time"),
    ],
)
@pytest.mark.parametrize("http", ["aiohttp", "httpx"])
def test_either_transport_gives_the_same_errors(
    serve: Any, example_product: dict[str, Any], fault: dict[str, float], error: type, message: str, http: str
) -> None:
    base_url, _ = serve(**fault)
    backend = OpenAIBackend(name="compatible", model="fake-model", base_url=base_url, http=cast(Any, http),
                            retry=ONE_TRY, timeout=1.0)  # fmt: skip
    prompt = copyassist.prepare("product-title", example_product, language="fr").prompt

    with pytest.raises(error, match=message):
        asyncio.run(_complete_once(backend, prompt))


def test_the_aiohttp_transport_reports_an_unreachable_server(example_product: dict[str, Any]) -> None:
    backend = OpenAIBackend(
        name="compatible",
        model="m",
        base_url="http://127.0.0.1:9/v1",
        http="aiohttp",
        retry=ONE_TRY,
        timeout=5,
    )
    prompt = copyassist.prepare("product-title", example_product, language="fr").prompt

    with pytest.raises(errors.ProviderConnectionError):
        asyncio.run(_complete_once(backend, prompt))


def test_a_batch_run_goes_through_aiohttp_unless_told_otherwise(
    serve: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from copyassist.batch import api
    from copyassist.batch.store import Store
    from tests.helpers import write_lamp_feed as write_feed

    base_url, _ = serve()
    chosen: list[str] = []
    built = api._backend

    def spied(*args: Any) -> Any:
        backend = built(*args)
        chosen.append(backend.http)
        original = backend.aclose

        async def aclose() -> None:  # what the run used, read before its clients close
            chosen.append(backend.http)
            await original()

        backend.aclose = aclose
        return backend

    monkeypatch.setattr(api, "_backend", spied)
    feed = write_feed(tmp_path / "feed.csv", 3)
    for setting, expected in ((None, "aiohttp"), ("httpx", "httpx")):
        if setting is None:
            monkeypatch.delenv("COPYASSIST_HTTP")
        else:
            monkeypatch.setenv("COPYASSIST_HTTP", setting)
        chosen.clear()
        with Store(tmp_path / f"store-{expected}.sqlite3") as store:
            summary = api.run_batch(feed, tmp_path / f"out-{expected}.csv", template="product-title",
                                    provider="compatible", base_url=base_url, model="fake-model",
                                    store=store, language="fr")  # fmt: skip
        assert summary.totals.counts["ok"] == 3
        assert chosen == ["auto", expected]  # chosen at the first call, from the environment
    assert OpenAIBackend(model="m", api_key="k").http == "httpx"  # a library backend stays on httpx
