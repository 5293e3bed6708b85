"""One retry loop for single calls and paced batch calls, the Backend protocol, and debug logs."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import copyassist
from copyassist import errors
from copyassist.backends import Backend, Completion, LocalBackend, OpenAIBackend, Prompt, Usage
from copyassist.backends.retry import NO_RETRY, RetryPolicy, acall_with_retries, call_with_retries
from copyassist.batch.api import run_batch
from copyassist.batch.limiter import RateLimiter
from copyassist.batch.pacing import PacedBackend
from copyassist.batch.store import Store

API = "https://api.openai.com/v1/chat/completions"
PRODUCT = {"title": "Montre connectée Kairos S2", "brand": "Kairos"}
SERVER_ERROR = errors.ServerError("boom", status_code=503)


def chat_answer(title: str) -> dict[str, Any]:
    return {
        "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": json.dumps({"title": title})}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }  # fmt: skip


def test_the_policy_alone_decides_whether_and_how_long_to_wait() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0)
    assert policy.wait_before_retry(1, SERVER_ERROR) == 0.0
    assert policy.wait_before_retry(3, SERVER_ERROR) is None  # the last attempt
    assert policy.wait_before_retry(1, errors.BadRequestError("no")) is None  # not transient
    assert policy.wait_before_retry(1, errors.RateLimitError("slow", retry_after=7.0)) == 7.0
    assert NO_RETRY.wait_before_retry(1, SERVER_ERROR) is None


def test_the_sync_and_async_drivers_follow_the_same_policy() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0)

    def failing(times: int) -> tuple[list[int], Any]:
        calls: list[int] = []

        def call() -> str:
            calls.append(1)
            if len(calls) <= times:
                raise SERVER_ERROR
            return "done"

        return calls, call

    slept: list[float] = []
    calls, call = failing(2)
    assert call_with_retries(call, policy, slept.append) == "done" and len(calls) == 3
    calls, call = failing(3)
    with pytest.raises(errors.ServerError):
        call_with_retries(call, policy, slept.append)
    assert len(calls) == 3 and slept == [0.0] * 4

    async def asleep(seconds: float) -> None:
        slept.append(seconds)

    async def acall() -> str:
        return call()

    calls, call = failing(2)
    assert asyncio.run(acall_with_retries(acall, policy, asleep)) == "done" and len(calls) == 3


class CountingBackend:
    """Fails its first ``failures`` calls with a 503; records the retry policy of every call."""

    name = "fake"
    model = "fake-model"
    structured_mode = "json_object_schema"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.retry = RetryPolicy(max_attempts=2)
        self.policies: list[RetryPolicy | None] = []

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        raise NotImplementedError

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        self.policies.append(retry)
        if len(self.policies) <= self.failures:
            raise SERVER_ERROR
        return Completion(json.dumps({"title": "Montre connectée Kairos S2"}), self.model, Usage(50, 5))

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def test_a_paced_backend_retries_itself_and_leaves_the_callers_backend_alone(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,title,brand\nA,Montre connectée Kairos S2,Kairos\n", "utf-8")
    inner = CountingBackend(failures=2)
    own_policy = inner.retry
    policy = RetryPolicy(max_attempts=4, base_delay=0, max_delay=0)
    paced = PacedBackend(inner, RateLimiter(None, None), policy)
    with Store(tmp_path / "s.sqlite3") as store:
        summary = run_batch(feed, tmp_path / "out.csv", template="product-title", backend=paced, store=store)
    assert summary.totals.counts["ok"] == 1
    assert inner.retry is own_policy  # not switched off behind the caller's back
    assert inner.policies == [NO_RETRY] * 3  # each paced attempt asks for one try, no stacking
    assert (paced.stats.calls, paced.stats.retries) == (3, 2)


def test_every_backend_declares_and_implements_aclose() -> None:
    assert inspect.iscoroutinefunction(Backend.aclose)
    for backend in (OpenAIBackend, LocalBackend, PacedBackend):
        assert inspect.iscoroutinefunction(backend.aclose), backend


@respx.mock
def test_429s_and_retries_are_logged_at_debug(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setattr("copyassist.backends.retry.time.sleep", lambda seconds: None)
    respx_mock.post(API).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "7"}, json={"error": {"message": "slow down"}}),
            httpx.Response(200, json=chat_answer("Montre connectée Kairos S2 GPS")),
        ]
    )
    backend = OpenAIBackend(model="gpt-4.1-mini", api_key="sk-t", retry=RetryPolicy(base_delay=0))
    caplog.set_level(logging.DEBUG, logger="copyassist")
    copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    records = {r.name: r for r in caplog.records if r.levelno == logging.DEBUG}
    rate_limited = records["copyassist.backends.openai_backend"].getMessage()
    assert "429" in rate_limited and "retry-after 7.0 s" in rate_limited
    retried = records["copyassist.backends.retry"].getMessage()
    assert "attempt 1 of 4" in retried and "RateLimitError" in retried and "retrying in 7.00 s" in retried


@respx.mock
def test_a_step_down_is_logged_at_debug(
    caplog: pytest.LogCaptureFixture, respx_mock: respx.MockRouter
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["response_format"]["type"] == "json_schema":
            return httpx.Response(422, json={"detail": "response_format type json_schema not supported"})
        return httpx.Response(200, json=chat_answer("Montre connectée Kairos S2 GPS"))

    respx_mock.post("http://127.0.0.1:8765/v1/chat/completions").mock(side_effect=answer)
    backend = OpenAIBackend(name="compatible", model="m", base_url="http://127.0.0.1:8765/v1")
    caplog.set_level(logging.DEBUG, logger="copyassist")
    copyassist.generate("product-title", PRODUCT, language="fr", backend=backend)
    messages = [r.getMessage() for r in caplog.records if r.name == "copyassist.backends.openai_backend"]
    assert messages == [
        "compatible refused structured-output mode json_schema; stepping down to json_object_schema"
    ]


def test_a_retry_is_logged_at_debug_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    policy = RetryPolicy(base_delay=0, max_delay=0)
    policy.wait_before_retry(1, SERVER_ERROR)
    assert caplog.records == []
