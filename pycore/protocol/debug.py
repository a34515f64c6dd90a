"""Development-only commands. Their handlers exist only in an unpacked (development) build:
a store install answers ``unknown_command`` (see pycore/dev/clock.py)."""

from __future__ import annotations

from pydantic import Field

from pycore.protocol.base import Command, Event, Model, command, event


class ClockState(Model):
    now: float = Field(description="the core's time after the move")
    offset: float = Field(description="seconds the core's clock runs ahead of the wall clock")


@command("debug.clock.advance", ClockState, sources={"page"})
class ClockAdvance(Command):
    """Move the core's clock forward (tests speed up time); never backwards. Development builds only."""

    seconds: float = Field(ge=0, le=30 * 86400)


@event("clock.moved", tabs=True)
class ClockMoved(Event):
    """The core's clock jumped forward: whoever waits on it (the send loop) asks again."""

    now: float
    offset: float
