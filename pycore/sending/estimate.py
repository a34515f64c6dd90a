"""A campaign's timing, estimated by the scheduler itself (scheduler.simulate) from the log of
sends as it is now, with pacing at its mean delay."""

from __future__ import annotations

from dataclasses import dataclass

from pycore.sending import pacing, scheduler
from pycore.sending.policy import similarity
from pycore.sending.protocol import SendingSettings
from pycore.sending.rate_limiter import DAY, KindLimits, RateLimiter
from pycore.sending.records import SendLog
from pycore.textfold import fold


@dataclass
class Estimate:
    times: list[float]
    similarity: float
    warmup_day: int | None
    day_limit: int
    day_used: int


async def estimate(
    limiter: RateLimiter, s: SendingSettings, limits: KindLimits, day: int | None, day_limit: int,
    sendable: list[tuple[str, str]], now: float,
) -> Estimate:
    log = await limiter.log("message", now - DAY)
    norms = [fold(text) for _, text in sendable]
    sims = [similarity(norms[0], n) for n in norms[1:]]
    mean_sim = sum(sims) / len(sims) if sims else 0.0
    bulk = mean_sim >= s.bulk_similarity

    def similar(norm: str, r: SendLog) -> bool:
        # The campaign's own simulated sends are as alike as its texts are on average.
        if r.id.startswith(scheduler.SIMULATED):
            return bulk
        return similarity(norm, r.norm) >= s.bulk_similarity

    mean_len = sum(len(t) for _, t in sendable) / len(sendable) if sendable else 0
    delay = pacing.for_limits(s.per_minute).mean_delay(int(mean_len))
    times = scheduler.simulate([(c, n, "campaign") for (c, _), n in zip(sendable, norms)], now, limits, log, s, delay, similar)
    return Estimate(times=times, similarity=mean_sim, warmup_day=day, day_limit=day_limit,
                    day_used=sum(1 for r in log if r.end > now - DAY))
