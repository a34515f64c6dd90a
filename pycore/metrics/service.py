"""metrics.summary: the numbers behind the side panel's charts.

The window's messages are read a day at a time, only their direction and time (the direction is
in the records, not in an index), and each is put in its local day once; the messages' total is
the count the store keeps.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import AsyncIterator
from typing import Protocol

from pycore.clock import Clock
from pycore.metrics.protocol import DayCount, GetMetrics, MetricsSummary
from pycore.storage.base import Range, Storage

DAY = 86_400
AUDIT_SCAN_LIMIT = 20_000
# Messages read at most this many at a time: unpacking IndexedDB's answer holds the core's thread
# (a day of 33,000 captured messages read at once held it 118-143 ms).
PAGE = 5_000


def _day_label(start: float, offset_min: int) -> str:
    return _time.strftime("%Y-%m-%d", _time.gmtime(start + offset_min * 60))


class Counted(Protocol):
    async def count(self) -> int:
        """How many there are, without walking them (the message store keeps its count)."""


def day_starts(now: float, utc_offset_min: int, days: int) -> list[float]:
    """The local midnights (epoch seconds) that begin the window's days, oldest first, today last."""
    offset = utc_offset_min * 60
    today = ((now + offset) // DAY) * DAY - offset
    return [today - DAY * i for i in range(days - 1, -1, -1)]


async def _pages(storage: Storage, lower: float, upper: float) -> AsyncIterator[list[dict]]:
    """The messages stamped in [lower, upper], PAGE at a time, each once. A full page is cut before its
    last instant, which is read on its own (a run of equal times would not fit a resumed range) and
    then passed over: bounds are inclusive, the next above it is the next larger float."""
    fields = ("direction", "ts")
    while lower <= upper:
        rows = await storage.query("messages", index="by_ts", range=Range(lower=lower, upper=upper), limit=PAGE, fields=fields)
        if len(rows) < PAGE:
            yield rows
            return
        last = float(rows[-1]["ts"])  # the numeric bounds hold numbers only
        yield [r for r in rows if r["ts"] != last]
        yield await storage.query("messages", index="by_ts", range=Range(eq=last), fields=fields)
        lower = math.nextafter(last, math.inf)


async def summary(storage: Storage, clock: Clock, cmd: GetMetrics, messages: Counted) -> MetricsSummary:
    starts = day_starts(clock.now(), cmd.utc_offset_min, cmd.days)
    first = starts[0]
    audit = await storage.query("audit", index="by_ts", range=Range(lower=first), limit=AUDIT_SCAN_LIMIT, fields=("verdict", "ts"))
    # What really went out: outbox entries confirmed sent (the rate limiter's log is pruned after 2 days).
    sent = await storage.query("outbox", index="by_state_id", range=Range(lower=["sent", ""], upper=["sent", "\uffff"]),
                               fields=("sent_at", "updated_at"))
    sent_ts = [r.get("sent_at") or r.get("updated_at") or 0 for r in sent]
    # Each record is put in its day once: asking every day about every record cost days x records
    # (14 x 42,000 with 3,000 messages a day).
    counts = {name: [0] * len(starts) for name in ("in", "out", "sent", "blocked")}

    def day_of(ts: float | None) -> int:
        return int(((ts or 0) - first) // DAY)

    def tally(name: str, ts: float | None) -> None:
        at = day_of(ts)
        if 0 <= at < len(starts):
            counts[name][at] += 1

    # Captured messages by direction need the records' direction, read a day at a time: one read of
    # the window (42,000 records, 3,000 a day) held the core's thread for 137-198 ms while IndexedDB's
    # answer was unpacked, and a search asked meanwhile waited as long. Bounds are inclusive: a
    # record at midnight comes with both days and counts in the one it begins.
    for i, start in enumerate(starts):
        upper = starts[i + 1] if i + 1 < len(starts) else start + DAY
        async for rows in _pages(storage, start, upper):
            for r in rows:
                if r.get("direction") in ("in", "out") and day_of(r.get("ts")) == i:
                    counts[r["direction"]][i] += 1
    for ts in sent_ts:
        tally("sent", ts)
    for r in audit:
        if r.get("verdict") == "block":
            tally("blocked", r.get("ts"))
    days = [DayCount(day=_day_label(start, cmd.utc_offset_min), captured_in=counts["in"][i], captured_out=counts["out"][i],
                     sent=counts["sent"][i], blocked=counts["blocked"][i])
            for i, start in enumerate(starts)]
    health = await storage.query("capture_state")
    seen = sum(h.get("nodes_seen", 0) for h in health)
    clean = sum(h.get("nodes_clean", 0) for h in health)
    verdicts = [r.get("verdict") for r in audit]
    return MetricsSummary(
        days=days,
        messages_total=await messages.count(),
        chats_total=await storage.count("chats"),
        capture_clean_share=(clean / seen) if seen else None,
        audit_allow=verdicts.count("allow"),
        audit_warn=verdicts.count("warn"),
        audit_block=verdicts.count("block"),
    )
