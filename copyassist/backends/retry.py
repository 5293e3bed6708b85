"""Retries for transient provider errors: exponential backoff with full jitter.

The SDK's own retries are switched off (``max_retries=0``) so that this is the only layer.
A ``RateLimitError`` that carries ``retry_after`` waits at least that long. Whether and how long
to wait is decided in one place, ``RetryPolicy.wait_before_retry``; the sync and async drivers
only call, sleep and call again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from copyassist.errors import BackendError, RateLimitError

T = TypeVar("T")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: the longest server-requested wait honoured as is; past it the server is likely wrong
    max_retry_after: float = 120.0

    def delay(self, attempt: int, error: BackendError, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        backoff = (rng or random).uniform(0, ceiling)
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return max(min(error.retry_after, self.max_retry_after), backoff)
        return backoff

    def wait_before_retry(self, attempt: int, error: BackendError) -> float | None:
        """Seconds to wait before trying again after failed attempt ``attempt``; None: give up."""
        if not error.retryable or attempt >= self.max_attempts:
            return None
        wait = self.delay(attempt, error)
        logger.debug(
            "attempt %d of %d failed (%s: %s); retrying in %.2f s",
            attempt, self.max_attempts, type(error).__name__, error, wait,
        )  # fmt: skip
        return wait


NO_RETRY = RetryPolicy(max_attempts=1)


def call_with_retries(
    call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] | None = None
) -> T:
    attempt = 1
    while True:
        try:
            return call()
        except BackendError as error:
            wait = policy.wait_before_retry(attempt, error)
            if wait is None:
                raise
        (sleep or time.sleep)(wait)
        attempt += 1


async def acall_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> T:
    attempt = 1
    while True:
        try:
            return await call()
        except BackendError as error:
            wait = policy.wait_before_retry(attempt, error)
            if wait is None:
                raise
        await (sleep or asyncio.sleep)(wait)
        attempt += 1
