"""The real openai SDK path, with the provider's HTTP answers mocked by respx."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import copyassist
from copyassist import errors
from copyassist.backends import OpenAIBackend, OutputSpec, Prompt, Usage, get_backend
from copyassist.backends.retry import RetryPolicy
from copyassist.config import Settings

API = "https://api.openai.com/v1/chat/completions"
TITLE = {"title": "Montre connectée Kairos S2 GPS étanche 5 ATM noir graphite"}
PRODUCT = json.loads((Path(__file__).parent.parent / "examples" / "product.json").read_text("utf-8"))


def chat_answer(content: str, finish_reason: str = "stop", model: str = "gpt-4.1-mini") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 321, "completion_tokens": 25, "total_tokens": 346},
    }


@pytest.fixture
def backend() -> OpenAIBackend:
    return OpenAIBackend(
        name="openai",
        model="gpt-4.1-mini",
        api_key="sk-test-secret",
        retry=RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0),
    )


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr("copyassist.backends.retry.time.sleep", waits.append)
    return waits


@respx.mock(assert_all_called=True)
def test_success_sends_strict_schema_and_returns_validated_output(
    backend: OpenAIBackend, example_product: dict[str, Any], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat_answer(json.dumps(TITLE))))
    result = copyassist.generate("product-title", example_product, language="fr", backend=backend)

    assert result.output.title == TITLE["title"]  # type: ignore[attr-defined]
    assert result.status == "ok" and result.attempts == 1
    assert (result.usage.input_tokens, result.usage.output_tokens) == (321, 25)
    assert result.cost is not None and result.cost > 0
    request = json.loads(route.calls.last.request.content)
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-test-secret"
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["title"]
    assert "max_completion_tokens" in request and "max_tokens" not in request
    assert "Kairos" in request["messages"][-1]["content"]


@respx.mock
def test_429_then_success_waits_the_retry_after(
    backend: OpenAIBackend,
    example_product: dict[str, Any],
    slept: list[float],
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(
                429,
                headers={"retry-after": "7"},
                json={"error": {"message": "slow down", "code": "rate_limit_exceeded"}},
            ),
            httpx.Response(200, json=chat_answer(json.dumps(TITLE))),
        ]
    )
    result = copyassist.generate("product-title", example_product, language="fr", backend=backend)
    assert route.call_count == 2
    assert slept == [7.0]
    assert result.output.title == TITLE["title"]  # type: ignore[attr-defined]


@respx.mock
def test_429_retry_after_ms_header_is_read(
    backend: OpenAIBackend, slept: list[float], respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after-ms": "1500"}, json={"error": {"message": "slow"}}),
            httpx.Response(200, json=chat_answer(json.dumps(TITLE))),
        ]
    )
    copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert slept == [1.5]


@respx.mock
def test_401_is_an_authentication_error_without_retry(
    backend: OpenAIBackend, slept: list[float], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(
        return_value=httpx.Response(
            401,
            json={"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}},
        )
    )
    with pytest.raises(errors.AuthenticationError, match="OPENAI_API_KEY") as caught:
        copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert route.call_count == 1 and slept == []
    assert "sk-test-secret" not in str(caught.value)


@respx.mock
def test_exhausted_quota_is_not_retried(
    backend: OpenAIBackend, slept: list[float], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(
        return_value=httpx.Response(
            429,
            json={
                "error": {
                    "message": "You exceeded your current quota",
                    "code": "insufficient_quota",
                }
            },
        )
    )
    with pytest.raises(errors.QuotaExceededError):
        copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert route.call_count == 1


@respx.mock
def test_timeout_is_retried_then_reported(
    backend: OpenAIBackend, slept: list[float], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(side_effect=httpx.ReadTimeout("too slow"))
    with pytest.raises(errors.ProviderTimeoutError):
        copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert route.call_count == 3 and len(slept) == 2


@respx.mock
def test_server_error_then_success(
    backend: OpenAIBackend, slept: list[float], respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(503, json={"error": {"message": "overloaded"}}),
            httpx.Response(200, json=chat_answer(json.dumps(TITLE))),
        ]
    )
    result = copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert route.call_count == 2 and result.attempts == 1


@respx.mock
def test_connection_refused_names_the_base_url_setting(
    slept: list[float], respx_mock: respx.MockRouter
) -> None:
    backend = OpenAIBackend(
        name="compatible",
        model="m",
        base_url="http://127.0.0.1:9/v1",
        retry=RetryPolicy(max_attempts=2, base_delay=0),
    )
    respx_mock.post("http://127.0.0.1:9/v1/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(errors.ProviderConnectionError, match="base_url"):
        copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)


@respx.mock
def test_content_filter_finish_reason(backend: OpenAIBackend, respx_mock: respx.MockRouter) -> None:
    respx_mock.post(API).mock(
        return_value=httpx.Response(200, json=chat_answer("", finish_reason="content_filter"))
    )
    with pytest.raises(errors.ContentFilterError):
        copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)


@respx.mock
def test_content_filter_refusal_of_the_request(backend: OpenAIBackend, respx_mock: respx.MockRouter) -> None:
    body = {
        "error": {
            "message": "The response was filtered due to the prompt triggering content management policy",
            "code": "content_filter",
        }
    }
    respx_mock.post(API).mock(return_value=httpx.Response(400, json=body))
    with pytest.raises(errors.ContentFilterError):
        copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)


@respx.mock
def test_truncated_output_is_reported_with_the_partial_text(
    backend: OpenAIBackend, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(API).mock(
        return_value=httpx.Response(200, json=chat_answer('{"title": "Montre conn', finish_reason="length"))
    )
    spec = OutputSpec("ProductTitle", {"type": "object", "properties": {"title": {"type": "string"}}})
    with pytest.raises(errors.OutputTruncatedError, match="max_tokens") as caught:
        backend.complete(Prompt([{"role": "user", "content": "titre"}], spec, {"max_tokens": 5}))
    assert caught.value.partial_output == '{"title": "Montre conn'
    assert caught.value.usage == Usage(321, 25)


@respx.mock
def test_malformed_json_is_repaired_by_asking_again(
    backend: OpenAIBackend, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(200, json=chat_answer('{"title": "Montre",,}')),
            httpx.Response(200, json=chat_answer(json.dumps(TITLE))),
        ]
    )
    result = copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert result.status == "repaired" and result.attempts == 2
    assert result.usage.input_tokens == 642  # summed over both attempts
    second = json.loads(route.calls[1].request.content)["messages"]
    assert second[-2] == {"role": "assistant", "content": '{"title": "Montre",,}'}
    assert "JSON" in second[-1]["content"] and "corrig" in second[-1]["content"]


@respx.mock
def test_malformed_json_every_time_is_an_output_error(
    backend: OpenAIBackend, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat_answer("Voici un titre : Montre")))
    with pytest.raises(errors.OutputError) as caught:
        copyassist.generate("faq", PRODUCT, language="fr", backend=backend, max_attempts=2)
    assert caught.value.attempts == 2
    assert caught.value.last_output == "Voici un titre : Montre"


@respx.mock
def test_async_generation_uses_the_same_path(backend: OpenAIBackend, respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post(API).mock(return_value=httpx.Response(200, json=chat_answer(json.dumps(TITLE))))
    result = asyncio.run(copyassist.agenerate("product-title", PRODUCT, language="fr", backend=backend))
    assert result.output.title == TITLE["title"]  # type: ignore[attr-defined]
    assert route.call_count == 1


@respx.mock
def test_compatible_server_refusing_json_schema_steps_down_once(
    respx_mock: respx.MockRouter,
) -> None:
    url = "http://127.0.0.1:8765/v1/chat/completions"

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["response_format"]["type"] == "json_schema":
            return httpx.Response(422, json={"detail": "response_format type json_schema not supported"})
        return httpx.Response(200, json=chat_answer(json.dumps(TITLE), model="smollm2"))

    route = respx_mock.post(url).mock(side_effect=answer)
    backend = OpenAIBackend(name="compatible", model="smollm2", base_url="http://127.0.0.1:8765/v1")
    copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    assert backend.structured_mode == "json_object_schema"
    assert route.call_count == 3  # one refusal, then the working mode is remembered
    sent = json.loads(route.calls.last.request.content)
    assert sent["response_format"]["schema"]["properties"]["title"]["type"] == "string"
    assert "max_tokens" in sent


def test_auto_provider_order_and_the_no_backend_message(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_backend(settings=Settings(api_key="sk-x")).name == "openai"
    assert get_backend(settings=Settings(base_url="http://127.0.0.1:1/v1", model="m")).name == "compatible"
    monkeypatch.setattr("copyassist.backends.local_available", lambda: False)
    with pytest.raises(errors.ConfigError) as caught:
        get_backend(settings=Settings())
    message = str(caught.value)
    assert "OPENAI_API_KEY" in message and "OPENAI_BASE_URL" in message and "copyassist[local]" in message


def test_the_key_never_shows_in_reprs() -> None:
    backend = get_backend("openai", settings=Settings(api_key="sk-very-secret"))
    assert "sk-very-secret" not in repr(backend)
    assert "sk-very-secret" not in repr(Settings(api_key="sk-very-secret"))
