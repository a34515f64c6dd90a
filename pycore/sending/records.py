"""What the sending side keeps besides the outbox: the log of sends the limiter counts
(store ``sends``) and its small state records (store ``ratelimit``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.protocol.base import Model
from pycore.sending.protocol import LimitKind, PauseReason


class SendLog(Model):
    """One action that did or may have happened. ``span``: how late after ``ts`` the real action
    may have come (a job handed to the tab may be performed up to its expiry); ``end = ts + span``."""

    id: str
    kind: LimitKind
    ts: float
    span: float = 0.0
    end: float
    chat: str | None = None
    norm: str = Field(default="", description="normalised text (messages): the bulk rule compares these")
    stranger: bool = False
    ref: str | None = Field(default=None, description="the outbox entry")
    confirmed: bool = False


class Bucket(Model):
    key: str  # "bucket:<kind>"
    tokens: float
    updated_at: float
    factor: float = 1.0  # this interval's jittered refill rate


class PauseRecord(Model):
    key: Literal["pause"] = "pause"
    paused: bool = True
    reason: PauseReason
    detail: str = ""
    at: float


class PaceTarget(Model):
    """When pacing lets the next send go: drawn once per previous send, so polling never re-rolls it."""

    key: Literal["pace"] = "pace"
    after: str | None
    at: float


class WarmupStart(Model):
    key: Literal["warmup"] = "warmup"
    started_at: float
