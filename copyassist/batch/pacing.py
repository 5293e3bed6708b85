"""A backend wrapper that paces every call of a batch through one shared rate limiter.

Every model call of the run, repairs included, goes through ``acomplete`` here: it waits for
the limiter, sends, tells the limiter what the call really cost and what the server's
rate-limit headers say, and retries transient failures itself. The wrapped backend's own
retries are switched off, so retries are never stacked.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

from copyassist.backends.base import Backend, Completion, Prompt, StructuredMode
from copyassist.backends.request import build_request
from copyassist.backends.retry import NO_RETRY, RetryPolicy
from copyassist.batch.limiter import RateLimiter
from copyassist.errors import BackendError, RateLimitError
from copyassist.tokens import count_message_tokens


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
        self.policy = policy or RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=60.0)
        self.stats = CallStats()
        self._sleep = sleep
        if hasattr(inner, "retry"):
            inner.retry = NO_RETRY

    @property
    def structured_mode(self) -> StructuredMode:
        return self.inner.structured_mode

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        raise NotImplementedError("a paced backend is driven by the async batch runner")

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        # what the provider counts against the TPM limit: the prompt plus the completion allowed
        sent = build_request(prompt, self.structured_mode).messages
        estimate = count_message_tokens(sent, self.model).tokens + int(prompt.params.get("max_tokens") or 0)
        attempt = 1
        while True:
            await self.limiter.acquire(estimate)
            self.stats.calls += 1
            try:
                completion = await self.inner.acomplete(prompt)
            except BackendError as error:
                self.limiter.settle(estimate, 0)
                if isinstance(error, RateLimitError):
                    self.stats.rate_limited += 1
                    self.limiter.penalize(error.retry_after)
                if not error.retryable or attempt >= self.policy.max_attempts:
                    raise
                self.stats.retries += 1
                await self._sleep(self.policy.delay(attempt, error))
                attempt += 1
                continue
            self.limiter.settle(estimate, completion.usage.total_tokens)
            if completion.rate_limits:
                self.limiter.observe_headers(completion.rate_limits)
            return completion

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        """Close the wrapped backend's async clients (on this loop) and its sync ones."""
        await self.inner.aclose()
        self.inner.close()
