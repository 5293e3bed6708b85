"""One retry loop for single calls and paced batch calls, the Backend protocol, and debug logs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from copyassist import errors
from copyassist.backends.retry import NO_RETRY, RetryPolicy, acall_with_retries, call_with_retries

SERVER_ERROR = errors.ServerError("boom", status_code=503)


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


def test_a_retry_is_logged_at_debug_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    policy = RetryPolicy(base_delay=0, max_delay=0)
    policy.wait_before_retry(1, SERVER_ERROR)
    assert caplog.records == []
