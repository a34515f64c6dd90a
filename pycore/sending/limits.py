"""The message limits in force now: the user's settings, with the warm-up of a new number."""

from __future__ import annotations

from pycore.sending.rate_limiter import DAY, HOUR, KindLimits, Window
from pycore.sending.settings import SendingSettings


def warmup_day_limit(s: SendingSettings, started_at: float | None, now: float) -> tuple[int | None, int]:
    """(warm-up day index or None, daily limit): a geometric ramp warmup_start -> per_day over warmup_days."""
    if not s.warmup:
        return None, s.per_day
    day = 0 if started_at is None else max(0, int((now - started_at) // DAY))
    if day >= s.warmup_days - 1 or s.warmup_start >= s.per_day:
        return None, s.per_day
    ratio = (s.per_day / s.warmup_start) ** (day / (s.warmup_days - 1))
    return day, min(s.per_day, round(s.warmup_start * ratio))


def message_limits(s: SendingSettings, started_at: float | None, now: float) -> tuple[KindLimits, int | None, int]:
    """(the windows and bucket, the warm-up day or None, today's limit)."""
    day, day_limit = warmup_day_limit(s, started_at, now)
    limits = KindLimits(
        (Window("minute", 60, s.per_minute), Window("hour", HOUR, s.per_hour), Window("day", DAY, day_limit)),
        bucket_capacity=s.bucket_capacity,
    )
    return limits, day, day_limit
