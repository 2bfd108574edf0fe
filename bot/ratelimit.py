"""How fast one worker may go: a token bucket per worker pseudonym and kind of input.

A worker who sends more than the bucket allows gets one kind "please slow down" notice per
window; what comes after it, until the bucket refills, is dropped unread (neither matched nor
stored, only counted). Buckets live in this process's memory, so with several replicas each
enforces the limit on its own share of the traffic. Channel-free: the service asks `check`.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from bot.config import LimitsConfig

NOTICE_WINDOW = 60.0  # seconds: at most one notice per worker and kind in this time
FORGET_PER_CHECK = 8  # idle buckets dropped at most per check


class Flow(StrEnum):
    """What a worker sends, each with its own limit (buttons are limited more generously)."""

    MESSAGE = "message"  # typed questions and commands
    BUTTON = "button"


class Verdict(Enum):
    ALLOW = "allow"  # handle it
    NOTICE = "notice"  # over the limit: tell the worker, once per window
    DROP = "drop"  # over the limit, already told: say nothing


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    noticed: float | None = None  # when the last notice was given


@dataclass(frozen=True)
class _Rate:
    per_second: float
    burst: float


@dataclass
class RateLimiter:
    """Token buckets per (worker, flow), kept least recently used first, so the buckets of
    workers idle long enough to have refilled are forgotten a few at a time as they age: 50,000
    workers cost memory (~200 bytes a bucket) only while they are active, and there is never
    a pause to sweep them."""

    limits: LimitsConfig
    clock: Callable[[], float] = time.monotonic
    dropped: Counter[Flow] = field(default_factory=Counter)  # over the limit, per flow
    _buckets: OrderedDict[tuple[str, Flow], _Bucket] = field(default_factory=OrderedDict)

    def rate(self, flow: Flow) -> _Rate | None:
        """The flow's refill rate and bucket size; None when the limit is off."""
        if flow is Flow.MESSAGE:
            per_minute, burst = self.limits.messages_per_minute, self.limits.message_burst
        else:
            per_minute, burst = self.limits.buttons_per_minute, self.limits.button_burst
        return _Rate(per_minute / 60.0, float(max(burst, 1))) if per_minute > 0 else None

    def __post_init__(self) -> None:
        rates = [rate for flow in Flow if (rate := self.rate(flow)) is not None]
        # after this long untouched, a bucket is full again and its notice has expired
        self._idle = max([NOTICE_WINDOW] + [r.burst / r.per_second for r in rates])

    def check(self, worker: str, flow: Flow) -> Verdict:
        """Take one token for this input, or say how to treat it when there is none."""
        rate = self.rate(flow)
        if rate is None:
            return Verdict.ALLOW
        now = self.clock()
        self._forget_idle(now)
        bucket = self._buckets.get((worker, flow))
        if bucket is None:
            bucket = self._buckets[(worker, flow)] = _Bucket(rate.burst, now)
        self._buckets.move_to_end((worker, flow))
        bucket.tokens = min(rate.burst, bucket.tokens + (now - bucket.updated) * rate.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ALLOW
        self.dropped[flow] += 1
        if bucket.noticed is None or now - bucket.noticed >= NOTICE_WINDOW:
            bucket.noticed = now
            return Verdict.NOTICE
        return Verdict.DROP

    @property
    def tracked(self) -> int:
        """Buckets held in memory (workers active in about the last minute)."""
        return len(self._buckets)

    def _forget_idle(self, now: float) -> None:
        """Drop the least recently used buckets that have been idle long enough for a new
        bucket to behave the same; a few per check (each check adds at most one), so the
        work is spread out."""
        for _ in range(FORGET_PER_CHECK):
            oldest = next(iter(self._buckets.values()), None)
            if oldest is None or now - oldest.updated < self._idle:
                return
            self._buckets.popitem(last=False)
