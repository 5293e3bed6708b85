"""One rate limiter shared by every model call of a batch: requests and tokens per minute.

* Two token buckets, requests and tokens, refilled continuously at ``rpm/60`` and ``tpm/60`` a
  second. A bucket holds ``burst_seconds`` of budget (20 ms of requests, 30 ms of tokens), not a
  minute's: providers enforce a per-minute limit over much shorter periods (OpenAI: "60 RPM may
  be enforced as 1 request per second"), so a minute-sized bucket, or even a 0.5 s one, lets
  out bursts that come back as 429s. The request bucket holds one request more than that, plus
  ``slack_seconds`` (20 ms) of the rate: a call sent late by a busy event loop leaves that much
  for the next, so lateness is not lost to the rate; each 429 halves the slack (the server may
  count over short windows).
  Buckets start (nearly) empty, the request bucket with one request, so that calls go out
  evenly spaced from the first second instead of a burst and then the rate. Rates are
  ``headroom`` (97%) of the limits: sends bunch a little on a busy event loop.
* A request larger than the token bucket goes once the bucket is full and leaves it in debt, so
  the long-run rate holds and a large request is never starved.
* Waiters are served first come, first served: only the head of the queue waits on the clock,
  the others wait for their turn, so small requests never overtake a large one.
* ``settle`` gives back (or charges) the difference between the tokens taken by ``acquire``
  and the real usage of the call. Given an estimate (prompt plus the completion allowed, which
  answers mostly leave unused), ``acquire(estimate, scaled=True)`` takes ``charge_for``: the
  estimate times the share of their estimates the answers so far used (``settle(...,
  estimate=)``; older answers fade by ``usage_memory`` each), reckoned when the call's turn
  comes. Taking the whole estimate and giving most of it back a latency later let sends bunch:
  each give-back lets out calls on top of the rate, whose own give-backs come back a latency
  later again, and the server, which counts what a call uses when it admits it, sees windows
  over its limit. What a call was charged above the share known when it is settled is not
  given back (the first calls, charged before any answer, would come back as a burst).
* ``observe_headers`` keeps the server's last ``x-ratelimit-remaining-*`` as a second gate: what
  is left, less the calls granted after the answered one (given its ``Grant``; else every call
  still in flight) and the acquires that follow, refilling towards ``x-ratelimit-limit-*``
  until ``x-ratelimit-reset-*`` has passed. It only ever holds calls back; malformed, missing or
  negative values (Azure sends -1) are ignored. So call ``settle`` once for every ``acquire``.
* ``penalize`` (after a 429) holds every waiter until ``retry-after`` has passed and multiplies
  the rates by ``decrease``, or by ``told_decrease`` (0.95) when the limit was given or is
  stated on every answer (the 429 then comes from bunching, not from a wrong limit), at most
  once per ``cooldown`` after the pause (the 429s of calls already in flight do not count
  twice), never below ``min_factor``. After ``quiet`` seconds without a 429 the factor climbs
  back by ``recovery`` a second up to 1 (AIMD). A 429's own headers go through
  ``observe_headers`` too (``refused=True``): a server that states its limits only when it
  refuses a call still gets paced at them from its first refusal.
* With no limit known, calls in flight ramp up 1, 2, 4... (``ramp.SlowStart``) until one is.
* With neither rpm nor tpm given nor stated, a 429 sets the request rate to the rate of calls
  the server *answered* over the last minute (``settle(..., answered=True)``): what it let
  through is its limit, while the rate of calls sent, 429s included, can be many times that.
  That measured rate is kept for the run and re-measured at each 429; after ``quiet`` seconds
  without one it creeps up by ``probe_recovery`` a second (at most ``probe_ceiling`` times), so
  a limit measured low at a bursty start is found again, at the cost of a rare 429.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import time
from collections.abc import Awaitable, Callable, Mapping

from copyassist.batch.limiter_parts import EPSILON, Bucket, Gate, Grant, LimiterStats, parse_reset, parsed
from copyassist.batch.ramp import SlowStart

__all__ = ["Grant", "LimiterStats", "RateLimiter", "parse_reset"]

_DEFAULT_RESET = 1.0  # how long a remaining-* header holds when no reset-* came with it
_KINDS = ("requests", "tokens")
_RAMP_WAIT = 60.0  # at most, while a run with no known limit has its allowance of calls out
_MIN_MEASURE = 0.1  # seconds: the shortest span a rate is measured over
_MIN_ANSWERS = 2  # answers needed in the last minute to measure the rate the server lets through


class RateLimiter:
    """Paces a batch: ``await acquire(estimate)`` before each call, ``settle`` after it,
    ``observe_headers`` on its response headers and ``penalize`` on a 429. ``rpm``/``tpm`` of
    None (or 0) mean no limit of that kind. One event loop only; not thread-safe."""

    def __init__(
        self,
        rpm: float | None,
        tpm: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        burst_seconds: float = 0.02,
        token_burst_seconds: float = 0.03,
        decrease: float = 0.8,
        min_factor: float = 0.1,
        cooldown: float = 5.0,
        quiet: float = 5.0,
        recovery: float = 0.05,
        default_pause: float = 1.0,
        max_pause: float = 120.0,
        start_full: bool = False,
        headroom: float = 0.97,
        slack_seconds: float = 0.02,
        told_decrease: float = 0.95,
        probe: bool = True,
        probe_recovery: float = 0.002,
        probe_ceiling: float = 2.0,
        usage_memory: float = 0.98,
    ) -> None:
        self._clock, self._sleep, self.burst_seconds = clock, sleep, burst_seconds
        self._bursts = {"requests": burst_seconds, "tokens": token_burst_seconds}
        self.decrease, self.min_factor, self.cooldown = decrease, max(min_factor, 1e-6), cooldown
        self.quiet, self.recovery = quiet, recovery
        self.default_pause, self.max_pause = default_pause, max_pause
        self.headroom, self.slack_seconds, self.told_decrease = headroom, slack_seconds, told_decrease
        self.probe_recovery, self.probe_ceiling = probe_recovery, probe_ceiling
        now = clock()
        self._buckets: dict[str, Bucket | None] = {
            "requests": Bucket(rpm * headroom, burst_seconds, now, None if start_full else 1.0, slack_seconds)
            if rpm and rpm > 0
            else None,
            "tokens": Bucket(tpm * headroom, token_burst_seconds, now, start=None if start_full else 0.0)
            if tpm and tpm > 0
            else None,
        }
        self._learn = not any(self._buckets.values())
        self._told = not self._learn  # a limit given or stated: a 429 is bunching, not a wrong limit
        self._probe = probe
        self._ramp = SlowStart(enabled=self._learn and probe)  # given no limit: 1, 2, 4... in flight
        self._begun = False
        self._measured: float | None = None  # requests/minute measured at the last 429, if paced so
        self._answers: collections.deque[float] = collections.deque()  # answer times, when learning
        self._first_grant: float | None = None
        self._gates: dict[str, Gate] = {}
        self._in_flight = dict.fromkeys(_KINDS, 0)  # acquired, not settled yet
        self._queue: collections.deque[asyncio.Future[None]] = collections.deque()
        self._kick: asyncio.Future[None] | None = None
        self._paused_until = self._next_decrease = self._recover_from = -math.inf
        self._factor_base = 1.0
        self._requests = self._tokens = self._waits = self._rate_limited = self._decreases = 0
        self._wait_seconds = 0.0
        self._granted_tokens = 0  # tokens of every grant, never corrected: a grant's place in line
        self.usage_memory = usage_memory
        self._used = self._estimated = 0.0  # answers' real and estimated tokens, older ones fading

    async def acquire(self, tokens: int, *, scaled: bool = False) -> Grant:
        """Wait, in turn, until one more request of ``tokens`` tokens is allowed, and take it.

        ``scaled``: ``tokens`` is an estimate; take ``charge_for(tokens)``, reckoned when the
        call's turn comes (answers that came meanwhile count), and settle ``Grant.charged``."""

        def charge() -> int:
            return self.charge_for(tokens) if scaled else max(0, int(tokens))

        started = self._clock()
        if not self._queue and self._take(need := charge(), started) == 0.0:
            return self._grant(need)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(turn)
        try:
            if self._queue[0] is not turn:
                await turn
            while (delay := self._take(need := charge(), self._clock())) > 0.0:
                await self._wait(delay)
        finally:
            was_head = bool(self._queue) and self._queue[0] is turn
            with contextlib.suppress(ValueError):
                self._queue.remove(turn)
            if was_head and self._queue and not self._queue[0].done():
                self._queue[0].set_result(None)
        self._waits += 1
        self._wait_seconds += self._clock() - started
        return self._grant(need)

    def _grant(self, charged: int) -> Grant:
        return Grant(self._requests, self._granted_tokens, charged)

    def charge_for(self, estimate: int) -> int:
        """The tokens to ``acquire`` for a call estimated at ``estimate`` (prompt plus the
        completion allowed): the estimate scaled by the share of their estimates the answers so
        far really used (``settle(..., estimate=)``), the estimate itself before any answer."""
        if self._estimated <= 0:
            return max(0, int(estimate))
        return max(0, math.ceil(estimate * self._used / self._estimated))

    def settle(
        self, estimated: int, actual: int, *, answered: bool = True, estimate: int | None = None
    ) -> None:
        """Correct the token bucket once a call's real usage is known (0 for a failed call);
        ``answered=False`` for a call the server refused or never answered. ``estimated`` is what
        was acquired; ``estimate``, the call's own estimate when ``charge_for`` scaled it, teaches
        ``charge_for`` how much of an estimate answers use."""
        self._tokens += actual - estimated
        back, learnt = estimated - actual, False
        if estimate is not None and answered and estimate > 0 and actual > 0:
            learnt = True
            self._used = self._used * self.usage_memory + actual
            self._estimated = self._estimated * self.usage_memory + estimate
            # what was charged above today's share of an estimate is not given back: spent now,
            # on top of calls charged at that share, it would come out as a burst
            back = min(estimated, self.charge_for(estimate)) - actual
        if answered and self._learn:
            self._answers.append(self._clock())
        if answered:
            self._ramp.answered()
        if self._ramp.active:
            self._wake()  # a place in flight is free
        self._in_flight["requests"] = max(0, self._in_flight["requests"] - 1)
        self._in_flight["tokens"] = max(0, self._in_flight["tokens"] - estimated)
        bucket = self._buckets["tokens"]
        if bucket is None:
            return
        now = self._clock()
        factor = self._factor(now)
        bucket.refill(now, factor)
        bucket.level = min(bucket.capacity(factor), bucket.level + back)
        if back > 0 or learnt:  # the head may go sooner than it planned, or for less
            self._wake()

    def _wake(self) -> None:
        if self._kick is not None and not self._kick.done():
            self._kick.set_result(None)

    def observe_headers(
        self, headers: Mapping[str, str], grant: Grant | None = None, *, refused: bool = False
    ) -> None:
        """Hold calls back when the server's ``x-ratelimit-*`` headers say less is left.

        ``grant``, the one the answered call was sent under: the server counted that call and
        those sent before it, not the ones granted since. Without it, every call in flight is
        taken as not counted yet, which holds back more than needed."""
        try:
            lowered = {str(key).lower(): str(value) for key, value in headers.items()}
        except Exception:  # a broken mapping must never fail a call that succeeded
            return
        now = self._clock()
        for kind in _KINDS:
            remaining = parsed(float, lowered.get(f"x-ratelimit-remaining-{kind}"))
            if remaining is None:
                continue
            limit = parsed(float, lowered.get(f"x-ratelimit-limit-{kind}"))
            if limit:
                self._adopt(kind, limit, now, stated_when_refused=refused)
            reset = parsed(parse_reset, lowered.get(f"x-ratelimit-reset-{kind}"))
            window = _DEFAULT_RESET if reset is None else reset
            refill = 0.0
            if limit is not None and limit > remaining and window > 0:
                refill = (limit - remaining) / window
            self._gates[kind] = Gate(remaining - self._uncounted(kind, grant), now, now + window, refill)

    def _uncounted(self, kind: str, grant: Grant | None) -> float:
        if grant is None:
            return self._in_flight[kind]
        if kind == "requests":
            return self._requests - grant.requests
        return self._granted_tokens - grant.tokens

    def _adopt(self, kind: str, per_minute: float, now: float, stated_when_refused: bool = False) -> None:
        """With no limit of this kind given, pace at the one the server states (``x-ratelimit-
        limit-*``); a limit given by the user stands, the gates and 429s correct it."""
        if self._buckets[kind] is None or (kind == "requests" and self._measured is not None):
            self._measured = None
            start, slack = (1.0, self.slack_seconds) if kind == "requests" else (0.0, 0.0)
            self._buckets[kind] = Bucket(
                per_minute * self.headroom, self._bursts[kind], now, start=start, slack_seconds=slack
            )
            self._learn = False
            # a limit stated on every answer is as good as one given; one stated only on a
            # refusal came from being over it, and later 429s cut as hard as measured ones
            self._told = not stated_when_refused
            self._ramp.finish()

    def penalize(self, retry_after: float | None = None) -> None:
        """After a 429: pause every waiter for ``retry_after`` seconds and cut the rates."""
        now = self._clock()
        self._refill(now)
        self._rate_limited += 1
        self._ramp.finish()
        self._halve_slack()
        valid = retry_after is not None and retry_after >= 0  # NaN is not
        pause = min(retry_after, self.max_pause) if retry_after is not None and valid else self.default_pause
        self._paused_until = max(self._paused_until, now + pause)
        if self._learn and self._first_grant is not None:
            self._prune(now)
            elapsed = min(60.0, max(_MIN_MEASURE, now - self._first_grant))
            answered = len(self._answers) * 60.0 / elapsed
            if len(self._answers) < _MIN_ANSWERS:
                # too few answers to tell a rate from: one call at a time until there are
                if self._probe:
                    self._ramp.restart()
            else:
                self._measured = answered * self.headroom
                self._buckets["requests"] = Bucket(
                    self._measured, self.burst_seconds, now, start=0.0, slack_seconds=self.slack_seconds
                )
                self._recover_from = max(self._recover_from, self._paused_until + self.quiet)
                return  # the measure is the server's own rate: no further cut
        self._factor_base = self._factor(now)
        if now >= self._next_decrease:
            cut = self.told_decrease if self._told else self.decrease
            self._factor_base = max(self.min_factor, self._factor_base * cut)
            self._next_decrease = self._paused_until + self.cooldown
            self._decreases += 1
        self._recover_from = max(self._recover_from, self._paused_until + self.quiet)
        for bucket in self._buckets.values():
            if bucket is not None:
                bucket.level = min(bucket.level, 0.0)

    def _halve_slack(self) -> None:
        """A 429 may say the server counts over windows too short for a late call's follower to
        go early: halve the slack at each one, so that a server that keeps refusing soon gets
        calls at their full spacing."""
        self.slack_seconds /= 2.0
        bucket = self._buckets["requests"]
        if bucket is not None:
            bucket.slack_seconds = self.slack_seconds

    def stats(self) -> LimiterStats:
        now = self._clock()
        factor = self._factor(now)
        rates = {
            kind: None if bucket is None else bucket.per_second * factor * 60.0
            for kind, bucket in self._buckets.items()
        }
        return LimiterStats(
            rpm=rates["requests"],
            tpm=rates["tokens"],
            factor=factor,
            requests=self._requests,
            tokens=self._tokens,
            waits=self._waits,
            wait_seconds=self._wait_seconds,
            waiting=len(self._queue),
            rate_limited=self._rate_limited,
            decreases=self._decreases,
            paused_for=max(0.0, self._paused_until - now),
        )

    def _factor(self, now: float) -> float:
        if self._factor_base >= 1.0 or now <= self._recover_from:
            return self._factor_base
        return min(1.0, self._factor_base + self.recovery * (now - self._recover_from))

    def _refill(self, now: float) -> None:
        factor = self._factor(now)
        if self._measured is not None and (bucket := self._buckets["requests"]) is not None:
            climb = 1.0 + self.probe_recovery * max(0.0, now - self._recover_from)
            bucket.refill(now, factor)  # at the rate it had until now
            bucket.per_second = self._measured * min(self.probe_ceiling, climb) / 60.0
        for bucket in self._buckets.values():
            if bucket is not None:
                bucket.refill(now, factor)

    def _prune(self, now: float) -> None:
        while self._answers and self._answers[0] <= now - 60.0:
            self._answers.popleft()

    def _take(self, need: int, now: float) -> float:
        """0.0 when the request was taken, else the seconds to wait before trying again."""
        if not self._begun:  # buckets start filling at the first call, not at creation
            self._begun = True
            for bucket in self._buckets.values():
                if bucket is not None:
                    bucket.updated = max(bucket.updated, now)
        self._refill(now)
        factor = self._factor(now)
        delay = self._paused_until - now
        if not self._ramp.admits(self._in_flight["requests"]):
            delay = max(delay, _RAMP_WAIT)  # settle wakes the head as soon as a place is free
        amounts = {"requests": 1, "tokens": need}
        for kind in _KINDS:
            bucket = self._buckets[kind]
            if bucket is not None:
                delay = max(delay, bucket.wait(amounts[kind], factor))
            gate = self._gates.get(kind)
            if gate is not None:
                if now >= gate.until:
                    del self._gates[kind]
                else:
                    delay = max(delay, gate.wait(amounts[kind], now))
        if delay > EPSILON:
            return delay
        for kind in _KINDS:
            bucket = self._buckets[kind]
            if bucket is not None:
                bucket.level -= amounts[kind]
            if kind in self._gates:
                self._gates[kind].remaining -= amounts[kind]
            self._in_flight[kind] += amounts[kind]
        self._requests += 1
        self._tokens += need
        self._granted_tokens += need
        if self._learn:
            self._first_grant = now if self._first_grant is None else self._first_grant
            self._prune(now)
        return 0.0

    async def _wait(self, delay: float) -> None:
        """Sleep ``delay`` seconds, or less when ``settle`` gives tokens back meanwhile."""
        kick: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._kick = kick
        sleeper = asyncio.ensure_future(self._sleep(delay))
        try:
            await asyncio.wait((sleeper, kick), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._kick = None
            for future in (sleeper, kick):
                if not future.done():
                    future.cancel()
        if sleeper.done() and not sleeper.cancelled():
            sleeper.result()  # a failing sleep function fails the acquire
