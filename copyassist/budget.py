"""A spending cap that holds: each call reserves its worst case before it is sent.

A call's worst case is its prompt, counted as it is sent, plus the ``max_tokens`` it may
answer with; the reservation is settled on the call's real usage (what the provider reported,
also for an answer cut off or filtered) once it returns. A call is refused when what is spent,
plus what calls in flight have reserved, plus its own worst case would cross the cap; while
other calls are in flight it waits for them to settle first, since they mostly cost less than
they reserved. So the cap is never crossed by a provider that bills what it reports.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from copyassist import errors
from copyassist.backends.base import Backend, Completion, Prompt, StructuredMode, Usage
from copyassist.backends.request import build_request
from copyassist.backends.retry import RetryPolicy
from copyassist.prices import estimate_cost
from copyassist.tokens import count_message_tokens

#: an offline token count is an estimate, off by 17% at worst (see tokens.estimate_tokens)
_ESTIMATE_MARGIN = 1.2


def prompt_tokens_at_most(messages: list[dict[str, str]], model: str) -> int:
    """The prompt's tokens, with a margin when the count is an offline estimate."""
    count = count_message_tokens(messages, model)
    return count.tokens if count.exact else int(count.tokens * _ESTIMATE_MARGIN) + 1


class CostCap:
    """What a run or a study may spend (USD), what it spent and what calls in flight reserved."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.spent = 0.0
        self.reserved = 0.0
        self.in_flight = 0  # calls reserved and not settled (a float sum never comes back to 0)
        self._settled: asyncio.Event | None = None  # made on the loop that uses it

    def _fits(self, worst: float) -> bool:
        return self.limit is None or self.spent + self.reserved + worst <= self.limit

    def _refused(self, worst: float) -> errors.CostCapReached:
        assert self.limit is not None
        return errors.CostCapReached(
            f"max_cost {self.limit:g} reached: ${self.spent:.4f} spent, and the next call could cost "
            f"${worst:.4f}; raise max_cost to go on",
            limit=self.limit,
        ).with_hint("max_cost")

    def reserve(self, worst: float) -> None:
        """Reserve ``worst`` now, or raise CostCapReached (calls made one at a time)."""
        if not self._fits(worst):
            raise self._refused(worst)
        self.reserved += worst
        self.in_flight += 1

    async def areserve(self, worst: float) -> None:
        """Reserve ``worst``, waiting for calls in flight to settle while it does not fit."""
        # no await between a check and the reservation: calls on one loop cannot interleave there
        while not self._fits(worst) and self.in_flight:
            self._settled = self._settled or asyncio.Event()
            self._settled.clear()
            await self._settled.wait()
        self.reserve(worst)

    def settle(self, worst: float, real: float) -> None:
        """A call reserved with ``worst`` is over and cost ``real``."""
        self.in_flight -= 1
        self.reserved = self.reserved - worst if self.in_flight else 0.0
        self.spent += real
        if self._settled is not None:
            self._settled.set()


class CappedBackend:
    """``inner`` whose every call goes through ``cap``; the rest is ``inner``'s."""

    def __init__(self, inner: Backend, cap: CostCap) -> None:
        if inner.name != "local" and estimate_cost(inner.model, 1, 1) is None:
            raise errors.ConfigError(
                f"a spending cap needs the model's price, and none is known for {inner.model!r}: add it "
                "to a prices file (COPYASSIST_PRICES or prices.json in the copyassist folder) or run "
                "without the cap"
            ).with_hint("max_cost")
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.cap = cap

    @property
    def structured_mode(self) -> StructuredMode:
        return self.inner.structured_mode

    def _cost(self, usage: object, model: str | None = None) -> float:
        if not isinstance(usage, Usage) or self.name == "local":
            return 0.0
        return estimate_cost(model or self.model, usage.input_tokens, usage.output_tokens) or 0.0

    def worst_cost(self, prompt: Prompt) -> float:
        """What the call for ``prompt`` costs at most: its prompt and all of its max_tokens, once
        per answer asked for (a server without ``n`` is sent the prompt once per answer)."""
        tokens = prompt_tokens_at_most(build_request(prompt, self.structured_mode).messages, self.model)
        answers = max(1, prompt.choices)
        return self._cost(Usage(tokens * answers, int(prompt.params.get("max_tokens") or 0) * answers))

    @contextlib.contextmanager
    def _charged(self, worst: float) -> Iterator[list[Completion]]:
        """Settle a reserved call on what it cost: its answer's usage (put in the list), or the
        usage its error carries (a cut-off or filtered answer is paid too)."""
        answered: list[Completion] = []
        real = 0.0
        try:
            yield answered
            real = self._cost(answered[0].usage, answered[0].model) if answered else 0.0
        except errors.CopyAssistError as failed:
            real = self._cost(failed.usage)
            raise
        finally:
            self.cap.settle(worst, real)

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        worst = self.worst_cost(prompt)
        self.cap.reserve(worst)
        with self._charged(worst) as answered:
            answered.append(self.inner.complete(prompt, retry=retry))
        return answered[0]

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        worst = self.worst_cost(prompt)
        await self.cap.areserve(worst)
        with self._charged(worst) as answered:
            answered.append(await self.inner.acomplete(prompt, retry=retry))
        return answered[0]

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.inner.aclose()
