"""Injected time and randomness, so every rule that depends on them is tested exactly."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""

    async def sleep(self, seconds: float) -> None:
        """Wait; a fake clock advances instead."""

    def wall(self, t: float) -> float:
        """A time of this clock as the wall clock saw it: times read from the page are wall times.
        The identity, except for a development build's movable clock (pycore/dev/clock.py)."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    def wall(self, t: float) -> float:
        return t

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock for tests: time moves only when told to (or when slept)."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def wall(self, t: float) -> float:
        return t

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)


def seeded_random(seed: int | None = None) -> random.Random:
    return random.Random(seed)
