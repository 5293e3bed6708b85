"""The rate limiter's parts: token buckets, the server's own word (a gate), grants, stats and
the reset headers' durations. ``copyassist.batch.limiter`` puts them together."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["EPSILON", "Bucket", "Gate", "Grant", "LimiterStats", "parse_reset", "parsed"]

_PART = r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)"
_DURATION = re.compile(f"(?:{_PART})+")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
EPSILON = 1e-9


def parse_reset(value: str) -> float:
    """Seconds in a reset header: ``"1s"``, ``"6m0s"``, ``"20ms"``, ``"1h2m3.5s"`` (Go durations,
    as OpenAI sends them) or a bare number of seconds. ``ValueError`` when malformed."""
    text = value.strip()
    if _DURATION.fullmatch(text):
        return sum(float(n) * _UNITS[unit] for n, unit in re.findall(_PART, text))
    seconds = float(text)  # ValueError on anything else
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a duration: {value!r}")
    return seconds


def parsed(parse: Callable[[str], float], value: str | None) -> float | None:
    """``parse(value)`` when it is a finite number >= 0, else None: headers never raise."""
    try:
        number = parse(value) if value is not None else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


class Bucket:
    def __init__(
        self,
        per_minute: float,
        burst_seconds: float,
        now: float,
        start: float | None = None,
        slack_seconds: float = 0.0,
    ) -> None:
        self.per_second, self.burst_seconds = per_minute / 60.0, burst_seconds  # at factor 1
        self.slack_seconds = slack_seconds
        self.level = self.capacity(1.0) if start is None else min(start, self.capacity(1.0))
        self.updated = now

    def capacity(self, factor: float) -> float:
        rate = self.per_second * factor
        return max(1.0 + rate * self.slack_seconds, rate * self.burst_seconds)

    def refill(self, now: float, factor: float) -> None:
        gained = self.per_second * factor * max(0.0, now - self.updated)
        self.level = min(self.capacity(factor), self.level + gained)
        self.updated = max(self.updated, now)

    def wait(self, need: float, factor: float) -> float:
        missing = min(need, self.capacity(factor)) - self.level
        return 0.0 if missing <= EPSILON else missing / (self.per_second * factor)


@dataclass
class Gate:
    """The server's word: ``remaining`` at ``at``, refilling by ``refill``/s, all back at ``until``."""

    remaining: float
    at: float
    until: float
    refill: float

    def wait(self, need: float, now: float) -> float:
        if now >= self.until:
            return 0.0
        available = self.remaining + self.refill * (now - self.at)
        if need <= available + EPSILON:
            return 0.0
        return min(self.until - now, (need - available) / self.refill if self.refill > 0 else math.inf)


@dataclass(frozen=True)
class Grant:
    """Where one acquire stands in the run: requests and tokens granted up to and including it,
    and the tokens it took itself (what to ``settle``)."""

    requests: int
    tokens: int
    charged: int = 0


@dataclass(frozen=True)
class LimiterStats:
    rpm: float | None  # requests per minute allowed now (None: no limit)
    tpm: float | None  # tokens per minute allowed now (None: no limit)
    factor: float  # the AIMD factor applied to both, 1.0 when no 429 slowed the run
    requests: int  # acquires granted
    tokens: int  # tokens granted, corrected by settle
    waits: int  # acquires that had to wait
    wait_seconds: float  # their total wait
    waiting: int  # acquires queued right now
    rate_limited: int  # 429s reported through penalize
    decreases: int  # times the rates were cut
    paused_for: float  # seconds left of the current 429 pause
