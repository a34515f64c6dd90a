"""Sliding-window limits over the persisted log of sends, plus a jittered token bucket.

Verbs as in the ``limits`` library: :meth:`RateLimiter.test` (may I act now?),
:meth:`RateLimiter.hit` (count one action if allowed) and :meth:`RateLimiter.stats`
(remaining per window, next allowed time). Every limit applies; the tightest wins.

The log (store ``sends``) is what makes the windows exact and restart-proof: a
window is "the records whose time may fall inside any W-second span", counted
from IndexedDB at each call, never from a counter that a reload could reset.

A logged send carries ``span``: how late after ``ts`` the real action may have
happened (a job handed to the tab may be performed up to its expiry). An action
at ``t`` therefore shares a W-second window with every record whose
``ts + span > t - W``; counting those is exact when ``span`` is 0 and errs on
the safe side otherwise.

Example::

    limiter = RateLimiter(storage, clock, rng)
    if await limiter.hit("search"):
        ...  # act
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from typing import Any, Sequence

from pycore.clock import Clock
from pycore.sending.protocol import LimitKind, LimitStats, WindowStats
from pycore.sending.records import Bucket, SendLog
from pycore.storage.base import Range, Storage, WriteOp

DAY = 86_400.0
HOUR = 3600.0
KEEP_LOG_S = 2 * DAY  # longer than the longest window; older records are pruned
FAR = 1e18
MAX_SPAN_S = 3600.0  # spans are job expiries: far below this


@dataclass(frozen=True)
class Window:
    name: str
    seconds: float
    limit: int


@dataclass(frozen=True)
class KindLimits:
    windows: tuple[Window, ...]
    bucket_capacity: float = 20.0
    refill_per_s: float = 1.0
    jitter: float = 0.2  # the refill rate of each interval is drawn in [1-j, 1+j] x refill_per_s


# The limits of the actions other than messages (the product design: 10 contact scrapes and
# 30 WhatsApp searches a minute). Message limits come from the user's settings (limits.py).
FIXED_LIMITS: dict[str, KindLimits] = {
    "scrape": KindLimits((Window("minute", 60, 10),)),
    "search": KindLimits((Window("minute", 60, 30),)),
}


def window_next_free(ends: Sequence[float], window: Window, now: float) -> tuple[int, float]:
    """(used, next free time) of one window, given the sorted end times ``ts + span`` of the log.

    A record counts while ``end > t - W``; room appears when the oldest surplus record leaves.
    """
    start = bisect.bisect_right(ends, now - window.seconds)
    used = len(ends) - start
    if used < window.limit:
        return used, now
    return used, ends[start + used - window.limit] + window.seconds


def bucket_tokens(state: Bucket | None, limits: KindLimits, now: float) -> float:
    if state is None:
        return limits.bucket_capacity
    rate = limits.refill_per_s * state.factor
    elapsed = max(0.0, now - state.updated_at)
    return min(limits.bucket_capacity, state.tokens + elapsed * rate)


def bucket_next(state: Bucket | None, limits: KindLimits, now: float) -> float:
    tokens = bucket_tokens(state, limits, now)
    if tokens >= 1.0:
        return now
    rate = limits.refill_per_s * (state.factor if state else 1.0)
    return now + (1.0 - tokens) / rate


def send_record(send_id: str, kind: LimitKind, ts: float, span: float = 0.0, **extra: Any) -> SendLog:
    return SendLog(id=send_id, kind=kind, ts=ts, span=span, end=ts + span, **extra)


class RateLimiter:
    def __init__(self, storage: Storage, clock: Clock, rng: random.Random) -> None:
        self.storage = storage
        self.clock = clock
        self.rng = rng

    async def log(self, kind: LimitKind, since: float) -> list[SendLog]:
        """Send records of ``kind`` that end after ``since`` (ordered by ts)."""
        rows = await self.storage.query(
            "sends", index="by_kind_ts", range=Range(lower=[kind, since - MAX_SPAN_S], upper=[kind, FAR])
        )
        return [r for r in map(SendLog.model_validate, rows) if r.end > since]

    async def bucket(self, kind: LimitKind) -> Bucket | None:
        rec = await self.storage.get("ratelimit", f"bucket:{kind}")
        return None if rec is None else Bucket.model_validate(rec)

    @staticmethod
    def _limits(kind: LimitKind, limits: KindLimits | None) -> KindLimits:
        if limits is not None:
            return limits
        if kind not in FIXED_LIMITS:
            raise ValueError(f"the limits of {kind!r} come from the settings: pass them")
        return FIXED_LIMITS[kind]

    async def stats(
        self, kind: LimitKind, limits: KindLimits | None = None, log: list[SendLog] | None = None,
        now: float | None = None,
    ) -> LimitStats:
        """``log``: the records of ``kind`` ending in the longest window, when the caller already has them.
        ``now``: the caller's "now", so a free window compares equal to it (a real clock moves between calls)."""
        limits = self._limits(kind, limits)
        now = self.clock.now() if now is None else now
        longest = max(w.seconds for w in limits.windows)
        if log is None:
            log = await self.log(kind, now - longest)
        ends = sorted(r.end for r in log if r.end > now - longest)
        windows = []
        for w in limits.windows:
            used, free_at = window_next_free(ends, w, now)
            windows.append(
                WindowStats(
                    name=w.name, seconds=w.seconds, limit=w.limit, used=used,
                    remaining=max(0, w.limit - used), next_free_at=free_at,
                )
            )
        state = await self.bucket(kind)
        next_allowed = max([bucket_next(state, limits, now)] + [w.next_free_at for w in windows])
        return LimitStats(
            kind=kind, windows=windows, bucket_tokens=bucket_tokens(state, limits, now), next_allowed_at=next_allowed
        )

    async def test(self, kind: LimitKind, limits: KindLimits | None = None) -> bool:
        return (await self.stats(kind, limits)).next_allowed_at <= self.clock.now()

    async def hit_ops(
        self, kind: LimitKind, send_id: str, limits: KindLimits | None = None, span: float = 0.0, **extra: Any
    ) -> list[WriteOp]:
        """The writes that count one action now: a log record, the bucket, pruning of old records.

        The caller applies them in the same transaction as its own state change.
        """
        limits = self._limits(kind, limits)
        now = self.clock.now()
        tokens = max(0.0, bucket_tokens(await self.bucket(kind), limits, now) - 1.0)
        factor = 1.0 + self.rng.uniform(-limits.jitter, limits.jitter)
        old = await self.storage.query("sends", index="by_ts", range=Range(upper=now - KEEP_LOG_S), limit=200)
        bucket = Bucket(key=f"bucket:{kind}", tokens=tokens, updated_at=now, factor=factor)
        return [
            WriteOp(op="put", store="sends", record=send_record(send_id, kind, now, span, **extra).model_dump()),
            WriteOp(op="put", store="ratelimit", record=bucket.model_dump()),
        ] + [WriteOp(op="delete", store="sends", key=r["id"]) for r in old]

    async def hit(self, kind: LimitKind, limits: KindLimits | None = None) -> bool:
        """Count one action if every limit allows it now."""
        if not await self.test(kind, limits):
            return False
        send_id = f"{kind}:{self.clock.now():.6f}:{self.rng.getrandbits(32):08x}"
        await self.storage.apply(await self.hit_ops(kind, send_id, limits))
        return True
