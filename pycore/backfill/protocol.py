"""History backfill of one chat: the side panel asks, the active WhatsApp tab scrolls
the conversation up step by step as the core tells it, and the capture loop stores
what renders. Pacing (batches of 50 messages, human-like pauses) is decided here."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event

JobState = Literal["running", "cancelled", "done", "failed"]


class BackfillStatus(Model):
    job_id: str
    chat: str
    state: JobState
    loaded: int = Field(default=0, description="messages stored by this backfill (across resumes)")
    start_count: int = Field(default=0, description="messages of the chat stored when the job first started")
    batches: int = Field(default=0, description="batches of 50 completed")
    reached_start: bool = False
    watermark_id: str | None = Field(default=None, description="the oldest message stored when the job (re)started")
    limit: int | None = None
    pace: float = 1.0
    reason: str | None = Field(default=None, description="stable code when failed: chat_not_open, no_scroller, interrupted (no tab went on with it)…")
    started_at: float
    updated_at: float


@command("backfill.start", BackfillStatus)
class StartBackfill(Command):
    """Start (or resume from the stored watermark) the backfill of a chat open in the active tab."""

    chat: ChatKeyStr
    limit: int | None = Field(default=None, ge=1, le=1_000_000, description="stop after this many messages")
    pace: float = Field(default=1.0, ge=0.001, le=10.0, description="multiplies every pause (support and tests)")


@command("backfill.cancel", BackfillStatus)
class CancelBackfill(Command):
    chat: ChatKeyStr


@command("backfill.status", BackfillStatus)
class BackfillStatusQuery(Command):
    chat: ChatKeyStr


class BackfillStep(Model):
    action: Literal["scroll", "stop"]
    pause_s: float = Field(default=0.0, description="wait this long before the next progress report")
    catching_up: bool = Field(default=False, description="still scrolling through history captured before")
    state: JobState


@command("backfill.progress", BackfillStep, sources={"content"})
class ReportBackfill(Command):
    """The content script's report after each step; the reply is the next step."""

    job_id: str = Field(min_length=1, max_length=64)
    chat: ChatKeyStr | None = Field(default=None, description="chat key of the last capture (the open chat)")
    rows: int = Field(ge=0, description="message rows rendered in the conversation now")
    top_ids: list[str] = Field(default_factory=list, max_length=20, description="raw data-id/testid of the top rows")
    error: str | None = Field(default=None, max_length=64, description="why the content script cannot go on")


@event("backfill.requested", tabs=True)
class BackfillRequested(Event):
    """To the WhatsApp tabs: the active one scrolls the chat's history (if it is open there)."""

    job_id: str
    chat: str


@event("backfill.progress", tabs=True)
class BackfillProgress(BackfillStatus):
    """For the UI; also tells the content script that a job was cancelled."""
