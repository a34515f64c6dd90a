"""Commands and events about the core itself."""


from typing import Literal

from pydantic import Field

from pycore.protocol.base import Command, Event, Model, command, event


class PingResult(Model):
    echo: str
    core_version: str
    protocol_version: int
    now: float


@command("core.ping", PingResult)
class Ping(Command):
    """Round trip through the bridge; used by the benchmark and health checks."""

    echo: str = Field(default="", max_length=65536)


class StatusResult(Model):
    core_version: str
    protocol_version: int
    python: str
    schema_version: int
    counts: dict[str, int]
    commands: list[str]


@command("core.status", StatusResult)
class Status(Command):
    """Versions, schema and record counts."""


# The offscreen document's timed start-up stages, in order (extension/offscreen/runtime.js).
BootStageName = Literal["runtime", "packages", "core"]
BootStage = Literal["starting", BootStageName, "ready", "failed"]
# Where the runtime came from: the stored memory snapshot of a fresh runtime, or a full start.
RuntimeFrom = Literal["snapshot", "fresh"]
# The snapshot for the next start: being made (in a worker, after ready), saved, or failed.
SnapshotState = Literal["making", "saved", "failed"]


class BootState(Model):
    stage: BootStage
    error: str | None = None
    stages: dict[BootStageName, int] = Field(default_factory=dict, description="milliseconds each finished stage took")
    startedAt: float | None = None
    readyMs: int | None = Field(default=None, description="milliseconds from document start to ready")
    runtimeFrom: RuntimeFrom | None = None
    snapshotState: SnapshotState | None = None


@command("core.boot_state", BootState)
class GetBootState(Command):
    """Start-up state of the core. Answered by the offscreen document itself, even while
    Python is still loading or after it failed; once the core runs, Python answers "ready"."""


@event("core.boot", tabs=True)
class Boot(Event):
    """Sent by the offscreen document at each start-up stage (same fields as BootState)."""

    stage: BootStage
    error: str | None = None
    stages: dict[BootStageName, int] = Field(default_factory=dict)
    startedAt: float | None = None
    readyMs: int | None = None
    runtimeFrom: RuntimeFrom | None = None
    snapshotState: SnapshotState | None = None
