"""The core's structured log: what happened and why, for the diagnostics page (view, export)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.protocol.base import Command, Event, Model, command, event

Level = Literal["debug", "info", "warning", "error"]
ContextValue = str | int | float | bool | None


class LogEntry(Model):
    ts: float
    level: Level
    kind: str = Field(description="the part of the core that wrote it: capture, sending, search…")
    message: str
    context: dict[str, ContextValue] = Field(default_factory=dict)


@event("core.log")
class CoreLog(LogEntry, Event):
    """A warning or an error, as it happens (the diagnostics page shows them live)."""


@event("storage.error")
class StorageFailed(Event):
    """IndexedDB refused a write or a read (after retries). The caller keeps its data and retries;
    the pages say so until a write succeeds again."""

    command: str = Field(description="the command whose storage call failed")
    message: str
    retryable: bool
    ts: float


class LogList(Model):
    entries: list[LogEntry]
    dropped: int = Field(description="older entries no longer kept (the log keeps the newest 1,000)")


@command("core.logs", LogList, sources={"page"})
class GetLogs(Command):
    """The newest log entries, oldest first."""

    level: Level = Field(default="info", description="this level and above")
    limit: int = Field(default=500, ge=1, le=1000)
