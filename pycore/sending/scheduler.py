"""When each queued message may go out: one answer for the real hand-out and for the
campaign dry run's estimate, so the estimate is the scheduler's own, not a second model.

Pure functions over the log of sends. What holds a message back:
- the limiter's windows and bucket, and pacing since the last send (the same for every entry);
- the recipient's cooldown since the last message to the same chat;
- for campaigns, the bulk cap: at most ``bulk_per_hour`` near-identical texts in any hour.
"""

from __future__ import annotations

import bisect
from collections import deque
from typing import Callable, Iterable

from pycore.sending.policy import is_bulk_candidate, similarity
from pycore.sending.rate_limiter import HOUR, KindLimits, window_next_free
from pycore.sending.records import SendLog
from pycore.sending.settings import SendingSettings

JOB_TTL_S = 20.0  # the tab must press send within this time of receiving a job, or not at all
SIMULATED = "sim:"  # id prefix of the sends simulate() adds

Similar = Callable[[str, SendLog], bool]  # is a logged send near-identical to this normalised text?


def similar_by_text(threshold: float) -> Similar:
    return lambda norm, r: similarity(norm, r.norm) >= threshold


def recent_span(s: SendingSettings) -> float:
    """How far back the per-entry rules look."""
    return max(HOUR, s.recipient_cooldown_s)


def cooldown_until(chat: str, recent: Iterable[SendLog], s: SendingSettings) -> float:
    return max((r.ts + s.recipient_cooldown_s for r in recent if r.chat == chat), default=0.0)


def bulk_until(norm: str, recent: Iterable[SendLog], s: SendingSettings, now: float, similar: Similar) -> float:
    """Campaign texts: at most bulk_per_hour near-identical sends in any hour."""
    if not is_bulk_candidate(norm):
        return 0.0
    ends = sorted(r.end for r in recent if r.end > now - HOUR and similar(norm, r))
    if len(ends) < s.bulk_per_hour:
        return 0.0
    return ends[len(ends) - s.bulk_per_hour] + HOUR


def entry_ready(
    chat: str, norm: str, origin: str, soonest: tuple[float, str], recent: list[SendLog],
    s: SendingSettings, now: float, similar: Similar,
) -> tuple[float, str]:
    """(when this entry may go, the code of what holds it back longest)."""
    waits = [soonest, (cooldown_until(chat, recent, s), "recipient_cooldown")]
    if origin == "campaign":
        waits.append((bulk_until(norm, recent, s, now, similar), "bulk_throttled"))
    return max(waits, key=lambda w: w[0])


def simulate(
    entries: list[tuple[str, str, str]], now: float, limits: KindLimits, log: list[SendLog],
    s: SendingSettings, pace_delay_s: float, similar: Similar,
) -> list[float]:
    """Send times of ``entries`` (chat, norm, origin), one after another, if each went as soon as
    :func:`entry_ready` allows, with pacing at its mean delay and every send counted like a hand-out."""
    ends = sorted(r.end for r in log)
    horizon = recent_span(s)
    recent: deque[SendLog] = deque(sorted(log, key=lambda r: r.end))
    last = max((r.ts for r in log), default=None)
    times: list[float] = []
    t = now
    for i, (chat, norm, origin) in enumerate(entries):
        windows_at = max([t] + [window_next_free(ends, w, t)[1] for w in limits.windows])
        pace_at = t if last is None else max(t, last + pace_delay_s)
        soonest = max((windows_at, "rate_limited"), (pace_at, "pacing"))
        while recent and recent[0].end <= t - horizon:
            recent.popleft()
        ready, _ = entry_ready(chat, norm, origin, soonest, list(recent), s, t, similar)
        # Moving later only empties windows: one more pass settles it.
        ready = max([ready] + [window_next_free(ends, w, ready)[1] for w in limits.windows])
        rec = SendLog(id=f"{SIMULATED}{i}", kind="message", ts=ready, span=JOB_TTL_S, end=ready + JOB_TTL_S, chat=chat, norm=norm)
        bisect.insort(ends, rec.end)
        recent.append(rec)
        times.append(ready)
        last = t = ready
    return times
