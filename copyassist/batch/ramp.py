"""Slow start: how many calls a run that knows no rate limit yet may have in flight.

Given no limit, and none stated by the server yet, a whole concurrency's worth of calls sent at
once comes back as a burst of 429s before anything is learnt. So one call goes first (its
answer's headers may state the limits), then two at a time, then four: the allowance doubles
each time a full allowance of calls has been answered, until the limiter knows a limit (stated
by the server, or measured at a 429) and paces by rate instead, or the allowance is past any
concurrency a run uses. A call that fails another way frees its place without counting.
"""

from __future__ import annotations

__all__ = ["SlowStart"]

CEILING = 1024  # past any concurrency a run uses: the ramp is over


class SlowStart:
    def __init__(self, enabled: bool = True, ceiling: int = CEILING) -> None:
        self.ceiling = ceiling
        self.allowance = 1 if enabled else ceiling
        self._answered = 0  # answers since the allowance last grew

    @property
    def active(self) -> bool:
        return self.allowance < self.ceiling

    def admits(self, in_flight: int) -> bool:
        return not self.active or in_flight < self.allowance

    def answered(self) -> None:
        if not self.active:
            return
        self._answered += 1
        if self._answered >= self.allowance:
            self.allowance, self._answered = min(self.ceiling, self.allowance * 2), 0

    def restart(self) -> None:
        """Back to one call at a time."""
        self.allowance, self._answered = 1, 0

    def finish(self) -> None:
        """A limit is known: the rate, not the ramp, holds calls back from now on."""
        self.allowance, self._answered = self.ceiling, 0
