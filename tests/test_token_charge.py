"""What a call is charged against the TPM limit: the share of its estimate answers really use.

On virtual time (``tests.test_limiter.VirtualTime``): no test waits on the wall clock."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from copyassist.backends.base import Completion, OutputSpec, Prompt, Usage
from copyassist.backends.retry import NO_RETRY, RetryPolicy
from copyassist.batch.limiter import Grant, RateLimiter
from copyassist.batch.pacing import PacedBackend
from tests.helpers import FakeBackend
from tests.test_limiter import VirtualTime, limiter, run


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def test_the_charge_is_the_estimate_until_answers_teach_their_share() -> None:
    lim = RateLimiter(None, 60_000)
    assert lim.charge_for(640) == 640  # nothing known yet: the whole estimate
    lim.settle(640, 0, answered=False, estimate=640)  # a refusal teaches nothing
    lim.settle(640, 0, estimate=640)  # nor a call that used nothing (it failed)
    lim.settle(640, 100)  # nor a settle without the call's estimate
    assert lim.charge_for(640) == 640
    lim.settle(640, 320, estimate=640)
    assert (lim.charge_for(640), lim.charge_for(1000)) == (320, 500)
    lim.settle(320, 480, estimate=640)  # answers that use more raise it again
    assert 320 < lim.charge_for(640) < 480


def test_a_scaled_call_is_charged_at_its_turn_not_when_it_queued(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt, tpm=6000)  # 100 tokens/s, a full bucket of 200
        first = await lim.acquire(200, scaled=True)
        assert first.charged == 200
        waiter = asyncio.ensure_future(lim.acquire(200, scaled=True))  # queued at a charge of 200
        await vt.advance(0.0)
        lim.settle(first.charged, 100, estimate=200)  # answers use half of their estimate
        grant: Grant = (await vt.run(waiter))[0]
        assert grant.charged == 100
        assert vt.now == pytest.approx(1.0)  # the 100 it is charged, at 100/s, not 2 s for 200
        assert lim.stats().tokens == 100 + 100

    run(main())


def test_what_was_charged_above_the_share_is_not_given_back(vt: VirtualTime) -> None:
    async def main() -> float:
        lim = limiter(vt, tpm=6000)  # 100 tokens/s, a full bucket of 200
        first = await lim.acquire(200, scaled=True)  # before any answer: all 200
        lim.settle(first.charged, 50, estimate=200)  # the share is now 1/4: 50 of 200
        # an unscaled settle would have given 150 back and this one would go at once; the 150
        # charged above the share stay spent, so the 50 wait for the bucket
        await vt.run(lim.acquire(200, scaled=True))
        return vt.now

    assert run(main()) == pytest.approx(0.5)


def test_a_settle_without_the_estimate_still_gives_everything_back(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt, tpm=6000)
        await lim.acquire(200)
        lim.settle(200, 50)
        await lim.acquire(150)
        assert vt.now == 0.0

    run(main())


def _busiest_second(times: list[float], tokens: int) -> float:
    most, end = 0, 0
    for start, at in enumerate(times):
        while end < len(times) and times[end] < at + 1.0:
            end += 1
        most = max(most, (end - start) * tokens)
    return float(most)


async def _paced_run(vt: VirtualTime, scaled: bool, **options: Any) -> tuple[float, float]:
    """64 callers through one limiter at 600k TPM (10k a second): each call is estimated at 640
    tokens (prompt plus max_tokens) and uses 368, counted by the server when it admits the call;
    answers take 150 to 250 ms. The tokens of the busiest second and the steady rate, as
    fractions of the server's 10k a second."""
    lim = RateLimiter(None, 600_000, clock=vt.clock, sleep=vt.sleep, **options)
    rng = random.Random(3)
    sent: list[float] = []
    calls = iter(range(1500))

    async def caller() -> None:
        for _ in calls:
            grant = await lim.acquire(640, scaled=scaled)
            sent.append(vt.now)
            await vt.sleep(rng.uniform(0.15, 0.25))
            if scaled:
                lim.settle(grant.charged, 368, estimate=640)
            else:
                lim.settle(640, 368)

    await vt.run(*(caller() for _ in range(64)))
    steady = sent[150:-150]
    rate = (len(steady) - 1) * 368 / (steady[-1] - steady[0])
    return _busiest_second(sent, 368) / 10_000, rate / 10_000


def test_give_backs_do_not_bunch_sends_over_a_one_second_window(vt: VirtualTime) -> None:
    busiest, rate = run(_paced_run(vt, scaled=True))  # the defaults, as PacedBackend calls them
    assert busiest <= 1.0  # no second over the limit: the server answers no 429
    assert rate == pytest.approx(0.97, abs=0.005)  # and the rate is the headroom's
    # the old way, the whole estimate taken and most of it given back a latency later, with the
    # old half-second bucket: give-backs come back in clumps and let out sends over the limit
    old_busiest, old_rate = run(_paced_run(VirtualTime(), scaled=False, token_burst_seconds=0.5))
    assert old_busiest > 1.0
    assert old_rate == pytest.approx(0.97, abs=0.005)


class Uses(FakeBackend):
    """Answers using ``total`` tokens in all; records the tokens the limiter had granted so far."""

    def __init__(self, limiter: RateLimiter, total: int) -> None:
        super().__init__([{"title": "x"}])
        self.limiter, self.total = limiter, total
        self.granted: list[int] = []

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        self.granted.append(self.limiter.stats().tokens)
        return Completion(text='{"title": "x"}', model=self.model, usage=Usage(self.total - 10, 10),
                          finish_reason="stop")  # fmt: skip


def test_the_paced_backend_charges_the_share_answers_use(vt: VirtualTime) -> None:
    lim = RateLimiter(None, 6_000_000, clock=vt.clock, sleep=vt.sleep)
    inner = Uses(lim, total=60)
    paced = PacedBackend(inner, lim, NO_RETRY)
    spec = OutputSpec("ProductTitle", {"type": "object", "properties": {"title": {"type": "string"}}})
    prompt = Prompt([{"role": "user", "content": "Lampe de bureau " * 20}], spec, {"max_tokens": 500})

    async def main() -> None:
        await vt.run(paced.acomplete(prompt))
        await vt.run(paced.acomplete(prompt))

    run(main())
    first = inner.granted[0]
    second = inner.granted[1] - 60  # the first call settled at the 60 it used
    assert first > 500  # the prompt plus max_tokens, before any answer
    assert second == 60  # then the share of its estimate the answer used
