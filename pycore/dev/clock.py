"""A clock tests can move forward: the wall clock plus an offset only ``debug.clock.advance`` changes.

Installed only in development builds (the extension loaded unpacked: its manifest
has no ``update_url``), so a store install cannot be told to skip its waits.
The offset is kept in ``meta`` and restored before any other start-up hook, so
the core's time never goes backwards across a restart.
"""

from __future__ import annotations

from typing import Callable

from pycore.clock import Clock
from pycore.protocol.debug import ClockAdvance, ClockMoved, ClockState
from pycore.storage.base import Storage

META_KEY = "debug.clock"
MAX_MOVES = 1000  # enough for any test session; the oldest are dropped
SINCE_EVER = -1e18


class WarpClock:
    def __init__(self, base: Clock, offset: float = 0.0) -> None:
        self.base = base
        self.offset = offset
        # [core time an offset took effect, offset], oldest first: a time maps back to the wall
        # clock with the offset of its own moment (a send's evidence is looked up after later moves).
        self.moves: list[list[float]] = [[SINCE_EVER, offset]]

    def now(self) -> float:
        return self.base.now() + self.offset

    def move(self, seconds: float) -> None:
        self.offset += seconds
        self.moves = (self.moves + [[self.now(), self.offset]])[-MAX_MOVES:]

    def wall(self, t: float) -> float:
        """A time of this clock as the wall clock saw it (page-observed times are wall times)."""
        offset = self.moves[0][1]
        for at, off in self.moves:
            if at > t:
                break
            offset = off
        return t - offset

    async def sleep(self, seconds: float) -> None:
        await self.base.sleep(seconds)


class ClockControl:
    """debug.clock.advance, and restoring the offset before any other start-up hook."""

    def __init__(self, clock: WarpClock, storage: Storage, emit: Callable) -> None:
        self.clock = clock
        self.storage = storage
        self.emit = emit

    async def restore(self) -> None:
        rec = await self.storage.get("meta", META_KEY)
        if rec and float(rec["offset"]) > self.clock.offset:
            self.clock.offset = float(rec["offset"])
            self.clock.moves = rec.get("moves") or [[SINCE_EVER, self.clock.offset]]  # older builds kept no moves

    async def advance(self, cmd: ClockAdvance) -> ClockState:
        self.clock.move(cmd.seconds)
        await self.storage.put("meta", {"key": META_KEY, "offset": self.clock.offset, "moves": self.clock.moves})
        self.emit(ClockMoved(now=self.clock.now(), offset=self.clock.offset))
        return ClockState(now=self.clock.now(), offset=self.clock.offset)
