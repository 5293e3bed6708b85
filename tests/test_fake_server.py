"""The benchmarks' fake OpenAI-compatible server, driven through the real openai SDK on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import httpx
import openai
import pytest

import copyassist
from copyassist import errors
from copyassist.backends.openai_errors import translate_error
from copyassist.batch.limiter import RateLimiter, parse_reset
from copyassist.outputs.copywriting import ProductDescription
from tests.helpers import fake


def client(base_url: str, timeout: float = 5.0) -> openai.AsyncOpenAI:
    http = httpx.AsyncClient(timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=8))
    return openai.AsyncOpenAI(
        api_key="not-needed", base_url=base_url, max_retries=0, timeout=timeout, http_client=cast(Any, http)
    )


MESSAGES = [
    {"role": "system", "content": "You write product titles."},
    {"role": "user", "content": "Write the title.\n- Name: Lampe de bureau LED\n- Brand: Lumen\n"},
]


def test_one_chat_call_answers_valid_json_for_the_schema(serve: Any, example_product: dict[str, Any]) -> None:
    base_url, server = serve()
    prepared = copyassist.prepare("product-description", example_product, language="fr")
    backend = copyassist.OpenAIBackend(name="compatible", model="fake-model", base_url=base_url)
    request = backend.request(prepared.prompt)
    assert request["response_format"]["type"] == "json_schema"

    async def main() -> Any:
        sdk = client(base_url)
        try:
            models = await sdk.models.list()
            raw = await sdk.chat.completions.with_raw_response.create(**request)
            return [m.id for m in models.data], raw.headers, raw.parse()
        finally:
            await sdk.close()

    model_ids, headers, response = asyncio.run(main())
    assert model_ids == ["fake-model"]
    assert not any(name.startswith("x-ratelimit-") for name in headers)  # no limits, no headers
    choice = response.choices[0]
    assert choice.finish_reason == "stop"
    answer = json.loads(choice.message.content)
    output = ProductDescription.model_validate(answer)
    assert str(example_product["title"]) in output.headline  # made from the product data
    assert response.usage.prompt_tokens > 100 and response.usage.completion_tokens > 5
    assert server.calls_for(request["messages"]) == 1


def test_the_rpm_limit_answers_a_real_429_with_retry_after(serve: Any) -> None:
    base_url, server = serve(rpm=2)

    async def main() -> tuple[list[Any], openai.RateLimitError]:
        sdk = client(base_url)
        try:
            seen: list[Any] = []
            for _ in range(2):
                raw = await sdk.chat.completions.with_raw_response.create(
                    model="m", messages=cast(Any, MESSAGES)
                )
                seen.append(raw.headers)
            with pytest.raises(openai.RateLimitError) as refused:
                await sdk.chat.completions.create(model="m", messages=cast(Any, MESSAGES))
            return seen, refused.value
        finally:
            await sdk.close()

    seen, error = asyncio.run(main())
    assert [h["x-ratelimit-remaining-requests"] for h in seen] == ["1", "0"]
    assert seen[0]["x-ratelimit-limit-requests"] == "2"
    assert 59 < parse_reset(seen[1]["x-ratelimit-reset-requests"]) <= 60
    headers = error.response.headers
    assert 59 <= int(headers["retry-after"]) <= 60 and 59_000 < int(headers["retry-after-ms"]) <= 60_000
    assert headers["x-ratelimit-remaining-requests"] == "0"
    translated = translate_error(error)  # what the tool makes of it
    assert isinstance(translated, errors.RateLimitError) and 59 < (translated.retry_after or 0) <= 60
    limiter = RateLimiter(None, None)
    limiter.observe_headers(dict(headers))
    limiter.penalize(translated.retry_after)
    assert limiter.stats().paused_for > 59
    stats = server.stats()
    assert (stats["requests"], stats["ok"], stats["rate_limited"]) == (3, 2, 1)


def test_the_tpm_limit_counts_tokens(serve: Any) -> None:
    base_url, _ = serve(tpm=100)
    big = [{"role": "user", "content": "- Name: " + "word " * 100}]  # ~130 tokens: never fits

    with httpx.Client(base_url=base_url) as http:
        small = http.post("/chat/completions", json={"model": "m", "messages": MESSAGES})
        refused = http.post("/chat/completions", json={"model": "m", "messages": big})
    assert small.status_code == 200 and int(small.headers["x-ratelimit-remaining-tokens"]) < 100
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert "x-ratelimit-reset-tokens" in refused.headers


def test_stats_count_calls_per_prompt(serve: Any) -> None:
    base_url, server = serve()
    other = [{"role": "user", "content": "- Name: Something else"}]
    with httpx.Client(base_url=base_url) as http:
        for messages in (MESSAGES, MESSAGES, other, MESSAGES):
            assert (
                http.post("/chat/completions", json={"model": "m", "messages": messages}).status_code == 200
            )
        stats = http.get(base_url.removesuffix("/v1") + "/stats").json()
        summary = http.get(base_url.removesuffix("/v1") + "/stats?prompts=0").json()
    assert stats["by_prompt"] == {fake.prompt_hash(MESSAGES): 3, fake.prompt_hash(other): 1}
    assert stats["ok_by_prompt"] == stats["by_prompt"]
    assert (stats["requests"], stats["ok"], stats["rate_limited"]) == (4, 4, 0)
    assert summary["prompts"] == 2 and summary["prompts_called_more_than_once"] == 1
    assert "by_prompt" not in summary
    assert server.calls_for(MESSAGES) == 3 and server.stats()["requests"] == 4
    server.reset()
    assert server.stats()["requests"] == 0


def test_a_short_window_enforces_the_minute_limit_pro_rata() -> None:
    window = fake.SlidingWindow(rpm=120, tpm=None, window=1.0)  # 2 requests in any second
    assert window.admit(0.0, 10) is None and window.admit(0.1, 10) is None
    assert window.admit(0.2, 10) == pytest.approx(0.8)  # the first one leaves the window at 1.0
    headers = window.headers(0.2)
    assert headers["x-ratelimit-limit-requests"] == "120" and headers["x-ratelimit-remaining-requests"] == "0"
    assert window.admit(1.05, 10) is None
    assert window.headers(1.05)["x-ratelimit-remaining-requests"] == "0"
    assert window.headers(1.2)["x-ratelimit-remaining-requests"] == "60"  # one of two left, per minute


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("error_rate", openai.InternalServerError),
        ("drop_rate", openai.APIConnectionError),
        ("timeout_rate", openai.APITimeoutError),
        ("malformed_rate", json.JSONDecodeError),
    ],
)
def test_faults_are_injected_and_counted(serve: Any, option: str, expected: type[Exception]) -> None:
    base_url, server = serve(**{option: 1.0}, slow_seconds=3.0)

    async def main() -> None:
        sdk = client(base_url, timeout=0.3)
        try:
            response = await sdk.chat.completions.create(
                model="m", messages=cast(Any, MESSAGES), response_format={"type": "json_object"}
            )
            json.loads(response.choices[0].message.content or "")
        finally:
            await sdk.close()

    with pytest.raises(expected):
        asyncio.run(main())
    kind = option.removesuffix("_rate")
    assert server.stats()["faults"][kind] == 1


def test_faults_depend_on_the_prompt_and_attempt_only() -> None:
    first = fake.FakeServer(fake.FakeOptions(error_rate=0.3, drop_rate=0.2, seed=5))
    second = fake.FakeServer(fake.FakeOptions(error_rate=0.3, drop_rate=0.2, seed=5))
    keys = [(fake.prompt_hash([{"content": str(i)}]), attempt) for i in range(200) for attempt in (1, 2)]
    outcomes = [first._fault(key, attempt) for key, attempt in keys]
    assert outcomes == [second._fault(key, attempt) for key, attempt in reversed(keys)][::-1]
    assert 0.4 < sum(o is not None for o in outcomes) / len(outcomes) < 0.6


def test_it_serves_64_calls_at_once(serve: Any) -> None:
    base_url, server = serve(latency=0.5, jitter=0.05)

    async def main() -> list[int]:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10.0) as http:
            bodies = [
                {"model": "m", "messages": [{"role": "user", "content": f"- Name: P{i}"}]} for i in range(64)
            ]
            answers = await asyncio.gather(*(http.post("/chat/completions", json=body) for body in bodies))
            return [answer.status_code for answer in answers]

    assert asyncio.run(main()) == [200] * 64
    assert server.stats()["max_in_flight"] == 64
