"""A minimal sliding-window limiter for the scraper's 10 contact openings per minute.

Local on purpose: the sender's general rate limiter (token bucket, per-hour and
per-day budgets) lives with the sending feature; this only guards scraping.
"""

from __future__ import annotations

from collections import deque


class SlidingWindow:
    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._hits and now - self._hits[0] >= self.window:
            self._hits.popleft()

    def used(self, now: float) -> int:
        self._expire(now)
        return len(self._hits)

    def try_acquire(self, now: float) -> tuple[bool, float]:
        """(allowed, seconds until the next slot frees when refused)."""
        self._expire(now)
        if len(self._hits) < self.limit:
            self._hits.append(now)
            return True, 0.0
        return False, round(self._hits[0] + self.window - now, 3)
