"""The batch rate limiter, on virtual time: no test waits on the wall clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Awaitable, Coroutine, Iterator, Mapping
from typing import Any, TypeVar

import pytest

from copyassist.batch.limiter import RateLimiter, parse_reset

T = TypeVar("T")


class VirtualTime:
    """A clock and a sleep for the limiter; ``run`` jumps to the next deadline whenever every
    task is blocked, so a simulated hour takes milliseconds."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def _idle(self) -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass, waking sleepers in deadline order."""
        target = self.now + seconds
        await self._idle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            if future.done():  # cancelled: its acquire was woken another way
                continue
            self.now = max(self.now, deadline)
            future.set_result(None)
            await self._idle()
        self.now = target
        await self._idle()

    async def run(self, *awaitables: Awaitable[T]) -> list[T]:
        tasks = [asyncio.ensure_future(a) for a in awaitables]
        await self._idle()
        while not all(task.done() for task in tasks):
            live = [s for s in self._sleepers if not s[2].done()]
            assert live, "deadlock: tasks blocked with no sleeper to wake"
            await self.advance(max(0.0, min(live)[0] - self.now))
        return [task.result() for task in tasks]


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` with a wall-clock safety net: a bug must fail, not hang the suite."""
    return asyncio.run(asyncio.wait_for(main, timeout=10))


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


#: The mechanism tests below use round numbers: a 2 s burst that starts full, the full limit (no
#: headroom, no probe), recovery from 30 s after a 429 at +0.005 a second. The defaults have their own
#: tests further down.
MECHANISM: dict[str, Any] = {
    "burst_seconds": 2.0, "token_burst_seconds": 2.0, "quiet": 30.0, "recovery": 0.005,
    "start_full": True, "headroom": 1.0, "probe": False, "decrease": 0.5, "told_decrease": 0.5,
    "slack_seconds": 0.0,
}  # fmt: skip


def limiter(vt: VirtualTime, rpm: float | None = None, tpm: float | None = None, **kw: Any) -> RateLimiter:
    return RateLimiter(rpm, tpm, clock=vt.clock, sleep=vt.sleep, **{**MECHANISM, **kw})


async def granted(
    vt: VirtualTime, lim: RateLimiter, tokens: int, log: list[tuple[int, float]], i: int
) -> None:
    await lim.acquire(tokens)
    log.append((i, vt.now))


def windows(times: list[float], width: float = 60.0) -> Iterator[list[float]]:
    """Every window of ``width`` seconds that starts at a grant."""
    for start in times:
        yield [t for t in times if start <= t < start + width]


def test_parse_reset() -> None:
    assert parse_reset("1s") == 1.0
    assert parse_reset("6m0s") == 360.0
    assert parse_reset("20ms") == pytest.approx(0.02)
    assert parse_reset("1h2m3.5s") == pytest.approx(3723.5)
    assert parse_reset("7.66s") == pytest.approx(7.66)
    assert parse_reset(" 0.5 ") == 0.5
    assert parse_reset("0") == 0.0
    for bad in ("", "soon", "1x", "-1s", "-3", "nan", "inf", "1s 2m", "s"):
        with pytest.raises(ValueError):
            parse_reset(bad)


def test_rpm_is_respected_over_a_simulated_minute(vt: VirtualTime) -> None:
    async def main() -> list[tuple[int, float]]:
        lim = limiter(vt, rpm=60)  # 1/s, burst of 2 s
        log: list[tuple[int, float]] = []
        await vt.run(*(granted(vt, lim, 10, log, i) for i in range(150)))
        return log

    log = run(main())
    times = [t for _, t in log]
    assert [i for i, _ in log] == list(range(150))  # first come, first served
    assert times[:3] == [0.0, 0.0, pytest.approx(1.0)]
    assert max(len(w) for w in windows(times)) <= 60 + 2  # the rate plus the burst, never more
    assert len([t for t in times if t < 60.0]) >= 60  # and not slower than asked
    assert times[-1] == pytest.approx(148.0)


def test_tpm_big_request_is_served_in_order_and_not_starved(vt: VirtualTime) -> None:
    async def main() -> list[tuple[int, float]]:
        lim = limiter(vt, tpm=6000)  # 100 tokens/s, burst of 200
        log: list[tuple[int, float]] = []
        sizes = [50, 1000, 50, 50]
        await vt.run(*(granted(vt, lim, size, log, i) for i, size in enumerate(sizes)))
        return log

    log = run(main())
    assert [i for i, _ in log] == [0, 1, 2, 3]  # the small ones did not overtake the big one
    # 50 at once; the big one once the bucket is full again (0.5 s), leaving a debt of 800;
    # then 50 more each time the debt is repaid
    assert [t for _, t in log] == pytest.approx([0.0, 0.5, 9.0, 9.5])


def test_tpm_is_respected_with_big_and_small_requests(vt: VirtualTime) -> None:
    rng = random.Random(7)
    sizes = [rng.choice([20, 80, 300, 2500, 9000]) for _ in range(300)]

    async def main() -> list[tuple[int, float]]:
        lim = limiter(vt, tpm=60_000)  # 1000 tokens/s, burst of 2000
        log: list[tuple[int, float]] = []
        await vt.run(*(granted(vt, lim, size, log, i) for i, size in enumerate(sizes)))
        return log

    log = run(main())
    assert [i for i, _ in log] == list(range(300))
    times = [t for _, t in log]
    for start in times:
        spent = sum(sizes[i] for i, t in log if start <= t < start + 60.0)
        assert spent <= 60_000 + 2000 + max(sizes)
    assert times[-1] == pytest.approx((sum(sizes) - sizes[-1] - 2000) / 1000, abs=10)


def test_settle_gives_back_and_charges(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt, tpm=6000)  # 100 tokens/s, burst of 200
        await lim.acquire(200)
        lim.settle(200, 50)  # 150 back
        await lim.acquire(150)
        assert vt.now == 0.0
        lim.settle(150, 450)  # 300 more than estimated: a debt of 300
        await vt.run(lim.acquire(100))
        assert vt.now == pytest.approx(4.0)
        assert lim.stats().tokens == 50 + 450 + 100

    run(main())


def test_settle_wakes_the_waiting_head_early(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt, tpm=6000)
        await lim.acquire(200)
        waiter = asyncio.ensure_future(lim.acquire(200))  # would wait 2 s
        await vt.advance(0.5)
        assert not waiter.done()
        lim.settle(200, 0)  # the first call failed: all of it comes back
        await vt.advance(0.0)
        assert waiter.done()
        assert vt.now == 0.5

    run(main())


def test_headers_lower_the_budget(vt: VirtualTime) -> None:
    async def call(lim: RateLimiter, tokens: int = 1) -> None:
        await lim.acquire(tokens)
        lim.settle(tokens, tokens)

    async def main() -> None:
        lim = limiter(vt, rpm=600, tpm=600_000)  # far more than the server says is left
        lim.observe_headers({"x-ratelimit-remaining-requests": "2", "x-ratelimit-reset-requests": "6s"})
        await call(lim)
        await call(lim)
        await vt.run(call(lim))
        assert vt.now == pytest.approx(6.0)  # nothing left until the reset

        # with the limit known, what is left refills steadily: (62 - 2) / 6 s = 10 requests/s
        lim.observe_headers(
            {
                "X-RateLimit-Limit-Requests": "62",
                "X-RateLimit-Remaining-Requests": "2",
                "X-RateLimit-Reset-Requests": "6s",
                "x-ratelimit-limit-tokens": "6100",
                "x-ratelimit-remaining-tokens": "100",
                "x-ratelimit-reset-tokens": "1m0s",
            }
        )
        start = vt.now
        await call(lim)
        await call(lim)
        await vt.run(call(lim))
        assert vt.now - start == pytest.approx(0.1)
        await vt.run(call(lim, 300))  # 97 tokens left at 0, refilling at (6100 - 100) / 60 s
        assert vt.now - start == pytest.approx((300 - 97) / 100)

    run(main())


def test_calls_in_flight_count_against_what_the_server_says_is_left(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt)
        for _ in range(3):  # sent; the server has likely not counted them in its answer
            await lim.acquire(10)
        lim.observe_headers({"x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "10s"})
        await lim.acquire(10)
        await lim.acquire(10)
        await vt.run(lim.acquire(10))
        assert vt.now == pytest.approx(10.0)
        for _ in range(6):
            lim.settle(10, 10)
        lim.observe_headers({"x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "10s"})
        for _ in range(5):  # all settled: the five are there
            await lim.acquire(10)
        assert vt.now == pytest.approx(10.0)

    run(main())


def test_headers_alone_pace_a_limiter_without_rpm_or_tpm(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt)
        await lim.acquire(10**6)  # no limit at all
        lim.observe_headers({"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "20ms"})
        await vt.run(lim.acquire(10))
        assert vt.now == pytest.approx(0.02)
        assert lim.stats().rpm is None and lim.stats().tpm is None

    run(main())


class BrokenHeaders(Mapping[str, str]):
    def __getitem__(self, key: str) -> str:
        raise RuntimeError("broken")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("broken")

    def __len__(self) -> int:
        return 1


def test_malformed_headers_are_ignored(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt, rpm=600)
        for headers in (
            {"x-ratelimit-remaining-requests": "lots", "x-ratelimit-reset-requests": "soon"},
            {"x-ratelimit-remaining-requests": "-1", "x-ratelimit-remaining-tokens": "-1"},  # Azure
            {"x-ratelimit-remaining-requests": "nan", "x-ratelimit-remaining-tokens": "inf"},
            {"x-ratelimit-remaining-requests": "", "x-ratelimit-limit-requests": "0"},
            {"retry-after": "tomorrow", "x-ratelimit-reset-tokens": "6m0s"},
            BrokenHeaders(),
            {"x-ratelimit-remaining-requests": None, 3: 4},
        ):
            lim.observe_headers(headers)  # type: ignore[arg-type]
        for _ in range(10):
            await lim.acquire(5)
        assert vt.now == 0.0
        # a usable remaining with a malformed reset holds for one second, not forever
        lim.observe_headers({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "??"})
        await vt.run(lim.acquire(1))
        assert vt.now == pytest.approx(1.0)

    run(main())


def test_penalize_pauses_every_waiter_cuts_the_rate_then_recovers(vt: VirtualTime) -> None:
    async def main() -> list[tuple[int, float]]:
        lim = limiter(vt, rpm=60)
        log: list[tuple[int, float]] = []
        tasks = [asyncio.ensure_future(granted(vt, lim, 1, log, i)) for i in range(7)]
        await vt.advance(0.0)
        assert [i for i, _ in log] == [0, 1]  # the burst went, five are waiting
        lim.penalize(10.0)  # a 429 with retry-after: 10
        stats = lim.stats()
        assert (stats.rate_limited, stats.decreases, stats.factor) == (1, 1, 0.5)
        assert stats.rpm == pytest.approx(30.0) and stats.paused_for == 10.0
        assert stats.waiting == 5
        await vt.run(*tasks)
        # nobody before the retry-after; then half the rate: one every 2 s
        assert [t for _, t in log[2:]] == pytest.approx([10.0, 12.0, 14.0, 16.0, 18.0])
        # 30 s without a 429 after the pause, then +0.005 a second
        await vt.advance(40.0 - vt.now)
        assert lim.stats().factor == pytest.approx(0.5)
        await vt.advance(50.0)
        assert lim.stats().factor == pytest.approx(0.75)
        assert lim.stats().rpm == pytest.approx(45.0)
        await vt.advance(100.0)
        assert lim.stats().factor == 1.0 and lim.stats().rpm == pytest.approx(60.0)
        return log

    run(main())


def test_a_burst_of_429s_cuts_the_rate_once(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt, rpm=1000, tpm=100_000)
        for _ in range(20):  # the 429s of every call that was in flight
            lim.penalize(None)
        stats = lim.stats()
        assert (stats.rate_limited, stats.decreases, stats.factor) == (20, 1, 0.5)
        assert stats.tpm == pytest.approx(50_000) and stats.paused_for == 1.0  # default pause
        await vt.advance(6.5)  # past the pause and the cooldown: a new 429 cuts again
        lim.penalize(2.0)
        assert lim.stats().factor == pytest.approx(0.25)
        for _ in range(5):
            await vt.advance(10.0)
            lim.penalize(0.0)
        assert lim.stats().factor == pytest.approx(0.1)  # never below min_factor
        await vt.advance(200.0)
        lim.penalize(float("nan"))  # a nonsense retry-after is the default pause
        assert lim.stats().paused_for == 1.0
        lim.penalize(float("inf"))
        assert lim.stats().paused_for == 120.0  # capped

    run(main())


def test_penalize_without_limits_slows_down_to_the_rate_the_server_answered(vt: VirtualTime) -> None:
    """Sent at 2 a second, one in two refused: the server lets 60 a minute through, not 120."""

    async def main() -> None:
        lim = limiter(vt)
        for n in range(120):
            await lim.acquire(100)
            lim.settle(100, 100 if n % 2 else 0, answered=bool(n % 2))
            await vt.advance(0.5)
        assert lim.stats().rpm is None
        lim.penalize(None)
        assert lim.stats().rpm == pytest.approx(60.0, rel=0.02)
        start = vt.now
        await vt.run(*(lim.acquire(100) for _ in range(4)))
        # the 1 s pause, then one request a second from an empty bucket
        assert vt.now - start == pytest.approx(4.0, rel=0.02)

    run(main())


def test_a_cancelled_waiter_leaves_the_queue(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt, rpm=60)
        await lim.acquire(1)
        await lim.acquire(1)
        head = asyncio.ensure_future(lim.acquire(1))
        second = asyncio.ensure_future(lim.acquire(1))
        third = asyncio.ensure_future(lim.acquire(1))
        await vt.advance(0.0)
        head.cancel()
        second.cancel()
        await vt.run(third)
        assert vt.now == pytest.approx(1.0)
        assert lim.stats().waiting == 0 and lim.stats().requests == 3

    run(main())


def test_defaults_space_calls_evenly_for_servers_that_enforce_per_second(vt: VirtualTime) -> None:
    """A 1,200 RPM limit enforced as 20 in any second: the defaults stay under it, at 95%."""

    async def main() -> list[tuple[int, float]]:
        lim = RateLimiter(1200, None, clock=vt.clock, sleep=vt.sleep)
        log: list[tuple[int, float]] = []
        await vt.run(*(granted(vt, lim, 100, log, i) for i in range(200)))
        return log

    times = [t for _, t in run(main())]
    assert max(len(w) for w in windows(times, width=1.0)) <= 20
    assert times[-1] == pytest.approx(199 / 19.4)  # at 97% of the limit from the start


def test_defaults_recover_from_a_429_within_seconds(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(600, None, clock=vt.clock, sleep=vt.sleep)
        lim.penalize(1.0)
        assert lim.stats().factor == 0.95  # a limit it was told: the 429 came from bunching
        await vt.advance(1.0 + 5.0 + 1.0)  # the pause, 5 s quiet, then +0.05 a second
        assert lim.stats().factor == pytest.approx(1.0)

    run(main())


def test_a_429_cuts_harder_when_the_limit_is_only_measured(vt: VirtualTime) -> None:
    async def main() -> None:
        told = RateLimiter(600, None, clock=vt.clock, sleep=vt.sleep, probe=False)
        untold = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep, probe=False)
        stated = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep, probe=False)
        stated.observe_headers({"x-ratelimit-limit-requests": "600", "x-ratelimit-remaining-requests": "500"})
        refused = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep, probe=False)
        refused.observe_headers(
            {"x-ratelimit-limit-requests": "600", "x-ratelimit-remaining-requests": "0"}, refused=True
        )
        for lim in (told, untold, stated, refused):
            lim.penalize(1.0)
        factors = [lim.stats().factor for lim in (told, stated, untold, refused)]
        assert factors == [0.95, 0.95, 0.8, 0.8]  # a limit stated only on a refusal: it was over it

    run(main())


def test_the_server_stated_limit_paces_a_run_given_none(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep)
        await lim.acquire(10)
        lim.settle(10, 10)
        lim.observe_headers({"x-ratelimit-limit-requests": "600", "x-ratelimit-remaining-requests": "599",
                             "x-ratelimit-reset-requests": "100ms"})  # fmt: skip
        assert lim.stats().rpm == pytest.approx(582.0)  # 97% of what the server states
        start = vt.now
        await vt.run(*(lim.acquire(10) for _ in range(20)))
        assert vt.now - start == pytest.approx(19 / 9.7)

    run(main())


def test_with_no_limit_known_calls_in_flight_ramp_up_from_one(vt: VirtualTime) -> None:
    """One call first, then two at a time, then four...: never a concurrency's worth at once
    before anything is known of the limit."""

    async def main() -> None:
        lim = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep)
        waiting = [asyncio.ensure_future(lim.acquire(10)) for _ in range(15)]
        for allowance in (1, 2, 4, 8):
            await vt.advance(0.2)
            granted = [task for task in waiting if task.done()]
            assert len(granted) == allowance  # held while the allowance is out
            waiting = [task for task in waiting if not task.done()]
            for _ in granted:
                lim.settle(10, 10)  # answered, no limits stated: the allowance doubles
        await vt.advance(0.0)
        assert not waiting

    run(main())


def test_a_call_that_fails_frees_its_place_without_growing_the_ramp(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep)
        await lim.acquire(10)
        others = [asyncio.ensure_future(lim.acquire(10)) for _ in range(3)]
        await vt.advance(0.2)
        lim.settle(10, 0, answered=False)  # a 500, say: the next call may go, alone
        await vt.advance(0.2)
        assert sum(task.done() for task in others) == 1
        lim.settle(10, 10)
        await vt.advance(0.2)
        assert all(task.done() for task in others)  # answered: two at a time now

    run(main())


def test_a_stated_limit_ends_the_ramp(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep)
        await lim.acquire(10)
        lim.settle(10, 10)
        lim.observe_headers({"x-ratelimit-limit-requests": "60000",
                             "x-ratelimit-remaining-requests": "59999"})  # fmt: skip
        start = vt.now
        await vt.run(*(lim.acquire(10) for _ in range(20)))  # none settled: paced by rate alone
        assert vt.now - start == pytest.approx(19 / 970)

    run(main())


def test_buckets_fill_from_the_first_call_not_from_creation(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(600, 60_000, clock=vt.clock, sleep=vt.sleep)
        await vt.advance(30.0)  # a slow start (reading the feed...) saves up no burst
        start = vt.now
        await vt.run(*(lim.acquire(50) for _ in range(10)))
        # tokens: 970/s from empty, so the first call waits for the bucket (30 ms: 29.1 tokens, it
        # goes once full); then requests bind: 9.7/s, less the 20 ms of slack saved up meanwhile
        assert vt.now - start == pytest.approx(0.03 + 9 / 9.7 - 0.02)

    run(main())


def test_a_measured_rate_is_kept_and_creeps_up_after_a_quiet_spell(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(None, None, clock=vt.clock, sleep=vt.sleep, probe=False)
        for _ in range(4):  # an early 429, after four answers in the first second
            await lim.acquire(10)
            lim.settle(10, 10)
        await vt.advance(1.0)
        lim.penalize(0.5)
        assert lim.stats().rpm == pytest.approx(4 * 60 * 0.97)  # what was answered, less headroom
        await vt.advance(0.5 + 5.0 + 100.0)  # pause, quiet, then +0.2% a second
        await lim.acquire(10)
        assert lim.stats().rpm == pytest.approx(4 * 60 * 0.97 * 1.2)  # still paced, a little faster

    run(main())


def test_only_the_calls_granted_after_the_answered_one_are_taken_as_uncounted(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = limiter(vt)
        answered = await lim.acquire(10)
        for _ in range(2):  # sent after it: the server's answer to it could not count them
            await lim.acquire(10)
        left = {"x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "10s"}
        lim.observe_headers(left, answered)
        for _ in range(3):  # 5 left when it arrived, less the 2 sent since
            await lim.acquire(10)
        assert vt.now == 0.0
        await vt.run(lim.acquire(10))
        assert vt.now == pytest.approx(10.0)

    run(main())


def test_a_call_that_comes_late_gives_its_lateness_back_to_the_next(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(1200, None, clock=vt.clock, sleep=vt.sleep)  # 97%: 19.4 a second
        spacing = 1 / 19.4
        await lim.acquire(10)
        await vt.advance(spacing + 0.015)  # the event loop was busy: 15 ms late
        await lim.acquire(10)
        await vt.run(lim.acquire(10))
        assert vt.now == pytest.approx(2 * spacing)  # back on schedule: nothing lost
        await vt.advance(spacing + 0.5)  # a long stall saves up no burst past the slack
        start = vt.now
        await vt.run(*(lim.acquire(10) for _ in range(3)))
        assert vt.now - start == pytest.approx(2 * spacing - 0.02)

    run(main())


def test_after_a_429_a_late_call_no_longer_lets_the_next_go_early(vt: VirtualTime) -> None:
    async def main() -> None:
        lim = RateLimiter(1200, None, clock=vt.clock, sleep=vt.sleep)
        spacing = 1 / 19.4
        await lim.acquire(10)
        for _ in range(5):  # a server that counts over short windows, and says so
            lim.penalize(0.0)
        await vt.advance(spacing + 0.015)
        await lim.acquire(10)
        late = vt.now
        await vt.run(lim.acquire(10))
        # nearly the full spacing (20 ms / 32 of slack left), at the rate cut once
        assert vt.now - late == pytest.approx(spacing / 0.95 - 0.02 / 32)

    run(main())
