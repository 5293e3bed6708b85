"""A backend wrapper that paces every call of a batch through one shared rate limiter.

Every model call of the run, repairs included, goes through ``acomplete`` here: each attempt
waits for the limiter, sends, and tells the limiter what the call really cost and what the
server's rate-limit headers say, those of a 429 included. Against a TPM limit a call is
estimated at its prompt plus ``max_tokens`` and charged the share of that estimate the answers
so far used (``RateLimiter.acquire(..., scaled=True)``), so little comes back at ``settle``.
A 429 is not an attempt: the call waits its turn in the limiter and goes again, for up to
``RATE_LIMIT_PATIENCE`` seconds of 429s in a row, so a limit the run was not told about slows
the run down instead of failing rows. Retries are this wrapper's: it drives the one retry loop
(``acall_with_retries``) with its own policy around each paced attempt, and asks the wrapped
backend for single attempts (``retry=NO_RETRY``), so retries are never stacked and the backend
the caller handed in keeps its own policy.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

from copyassist.backends.base import Backend, Completion, Prompt, StructuredMode
from copyassist.backends.request import build_request
from copyassist.backends.retry import NO_RETRY, RetryPolicy, acall_with_retries
from copyassist.batch.limiter import RateLimiter
from copyassist.errors import BackendError, RateLimitError
from copyassist.tokens import count_message_tokens

#: How long one call waits out 429s before its row fails: a run stalled for longer is not
#: going to be let through.
RATE_LIMIT_PATIENCE = 900.0


@dataclasses.dataclass
class CallStats:
    calls: int = 0
    retries: int = 0
    rate_limited: int = 0


class PacedBackend:
    """``inner`` behind ``limiter``, with ``policy`` as the only retry layer."""

    def __init__(
        self,
        inner: Backend,
        limiter: RateLimiter,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.limiter = limiter
        self.policy = policy or RetryPolicy(
            max_attempts=6,
            base_delay=1.0,
            max_delay=60.0,
            rate_limit_patience=RATE_LIMIT_PATIENCE,
            limiter_waits=True,
        )
        self.stats = CallStats()
        self._sleep = sleep

    @property
    def structured_mode(self) -> StructuredMode:
        return self.inner.structured_mode

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        raise NotImplementedError("a paced backend is driven by the async batch runner")

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        # what the provider counts against the TPM limit: the prompt plus the completion allowed
        sent = build_request(prompt, self.structured_mode).messages
        answers = max(1, prompt.choices)  # n answers, or n calls on a server without n
        estimate = (
            count_message_tokens(sent, self.model).tokens + int(prompt.params.get("max_tokens") or 0)
        ) * answers
        tries = 0

        async def paced_attempt() -> Completion:
            nonlocal tries
            tries += 1
            if tries > 1:
                self.stats.retries += 1
            grant = await self.limiter.acquire(estimate, scaled=True)
            self.stats.calls += 1
            try:
                completion = await self.inner.acomplete(prompt, retry=NO_RETRY)
            except BackendError as error:
                self.limiter.settle(grant.charged, 0, answered=False)
                if isinstance(error, RateLimitError):
                    self.stats.rate_limited += 1
                    self.limiter.observe_headers(error.headers, grant, refused=True)
                    self.limiter.penalize(error.retry_after)
                raise
            self.limiter.settle(grant.charged, completion.usage.total_tokens, estimate=estimate)
            if completion.rate_limits:
                self.limiter.observe_headers(completion.rate_limits, grant)
            return completion

        return await acall_with_retries(paced_attempt, self.policy if retry is None else retry, self._sleep)

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        """Close the wrapped backend's async clients (on this loop) and its sync ones."""
        await self.inner.aclose()
        self.inner.close()
