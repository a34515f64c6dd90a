"""A clock tests can move forward: the wall clock plus an offset only ``debug.clock.advance`` changes.

Installed only in development builds (the extension loaded unpacked: its manifest
has no ``update_url``), so a store install cannot be told to skip its waits.
The offset is kept in ``meta`` and restored before any other start-up hook, so
the core's time never goes backwards across a restart.
"""

from __future__ import annotations

from pycore.clock import Clock
from pycore.protocol.debug import ClockAdvance, ClockMoved, ClockState

META_KEY = "debug.clock"


class WarpClock:
    def __init__(self, base: Clock, offset: float = 0.0) -> None:
        self.base = base
        self.offset = offset

    def now(self) -> float:
        return self.base.now() + self.offset

    def wall(self, t: float) -> float:
        """A time of this clock as the wall clock saw it (page-observed times are wall times)."""
        return t - self.offset

    async def sleep(self, seconds: float) -> None:
        await self.base.sleep(seconds)


def install(core) -> None:
    """Register debug.clock.advance; ``core.clock`` must be a WarpClock."""
    clock: WarpClock = core.clock

    async def restore() -> None:
        rec = await core.storage.get("meta", META_KEY)
        if rec:
            clock.offset = max(clock.offset, float(rec["offset"]))

    async def advance(cmd: ClockAdvance) -> ClockState:
        clock.offset += cmd.seconds
        await core.storage.put("meta", {"key": META_KEY, "offset": clock.offset})
        core.emit(ClockMoved(now=clock.now(), offset=clock.offset))
        return ClockState(now=clock.now(), offset=clock.offset)

    core.on(ClockAdvance, advance)
    # First of the start-up hooks: the gate's recovery must already see the restored time.
    core._start_hooks.insert(0, restore)
