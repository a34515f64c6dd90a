"""Human-like pacing: the delay before the next send.

A person answering chats does not send at a fixed rhythm: there is a thinking
gap (log-normal: mostly short, sometimes long), the time to type the text (grows
with its length, at a speed that varies), and now and then a real pause
(coffee, another customer). Every draw comes from the injected ``rng``.

The delay never goes below ``min_gap_s`` (60 / the per-minute limit: pacing
alone never outruns the minute window) nor below what the limiter requires.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class PacingModel:
    min_gap_s: float = 3.0
    gap_median_s: float = 9.0
    gap_sigma: float = 0.6
    chars_per_s: tuple[float, float] = (4.0, 9.0)  # typing speed range
    typing_cap_s: float = 45.0
    pause_probability: float = 0.08
    pause_s: tuple[float, float] = (30.0, 150.0)

    def typing_s(self, rng: random.Random, text_len: int) -> float:
        return min(self.typing_cap_s, text_len / rng.uniform(*self.chars_per_s))

    def delay(self, rng: random.Random, text_len: int, limit_wait: float = 0.0) -> float:
        """Seconds to wait between the previous send and this one."""
        gap = rng.lognormvariate(math.log(self.gap_median_s), self.gap_sigma)
        pause = rng.uniform(*self.pause_s) if rng.random() < self.pause_probability else 0.0
        return max(self.min_gap_s, gap + self.typing_s(rng, text_len) + pause, limit_wait)

    def mean_delay(self, text_len: int) -> float:
        """Expected delay (for estimates), before the limits."""
        gap = self.gap_median_s * math.exp(self.gap_sigma**2 / 2)
        lo, hi = self.chars_per_s
        typing = min(self.typing_cap_s, text_len * math.log(hi / lo) / (hi - lo))  # E[1/U] for U ~ U(lo, hi)
        pause = self.pause_probability * sum(self.pause_s) / 2
        return max(self.min_gap_s, gap + typing + pause)


def for_limits(per_minute: int) -> PacingModel:
    return PacingModel(min_gap_s=60.0 / per_minute)


def delay_before_next(
    model: PacingModel,
    rng: random.Random,
    text: str,
    last_send_at: float | None,
    now: float,
    limits_allow_at: float,
) -> float:
    """Seconds from ``now`` until the next send may happen: pacing from the last send, and the limits."""
    if last_send_at is None:
        target = now + model.typing_s(rng, len(text))
    else:
        target = last_send_at + model.delay(rng, len(text))
    return max(0.0, target - now, limits_allow_at - now)
