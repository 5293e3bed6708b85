"""Retries for transient provider errors: exponential backoff with full jitter.

The SDK's own retries are switched off (``max_retries=0``) so that this is the only layer.
A ``RateLimitError`` that carries ``retry_after`` waits at least that long. Whether and how long
to wait is decided in one place, ``RetryPolicy.wait_before_retry`` (through ``_Tries``, which also
keeps the 429s a policy waits out apart from its attempts); the sync and async drivers only call,
sleep and call again.

A 429 says "not now", not "no": with ``rate_limit_patience`` a policy retries 429s without
counting them as attempts for that many seconds, so a row is not failed by a limit the run can
wait out; with ``limiter_waits`` the wait itself is left to the caller's rate limiter, which
holds every call of the run (the batch's ``PacedBackend``).
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
    #: seconds one call keeps retrying 429s, none counted as an attempt (0: a 429 is an attempt)
    rate_limit_patience: float = 0.0
    #: after a 429, retry at once: the caller's rate limiter holds the call until it may go
    limiter_waits: bool = False

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


class _Tries:
    """The failures of one call so far: attempts, and since when 429s are being waited out."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self.policy, self._clock = policy, clock
        self.attempt = 1
        self._limited_since: float | None = None

    def wait_after(self, error: BackendError) -> float | None:
        """Seconds to wait before the next try; None: give up and raise ``error``."""
        policy = self.policy
        if isinstance(error, RateLimitError) and policy.rate_limit_patience > 0:
            now = self._clock()
            if self._limited_since is None:
                self._limited_since = now
            if now - self._limited_since < policy.rate_limit_patience:
                return 0.0 if policy.limiter_waits else policy.delay(self.attempt, error)
        wait = policy.wait_before_retry(self.attempt, error)
        self.attempt += 1
        return wait


def call_with_retries(
    call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] | None = None
) -> T:
    tries = _Tries(policy, time.monotonic)
    while True:
        try:
            return call()
        except BackendError as error:
            wait = tries.wait_after(error)
            if wait is None:
                raise
        (sleep or time.sleep)(wait)


async def acall_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    tries = _Tries(policy, clock)
    while True:
        try:
            return await call()
        except BackendError as error:
            wait = tries.wait_after(error)
            if wait is None:
                raise
        if wait > 0:
            await (sleep or asyncio.sleep)(wait)
