"""Importing a WhatsApp chat export ("Exportar conversa"): read the file, propose the chat it
belongs to and who is who, preview, then import in batches with progress, cancel, resume and
roll back. The file arrives first through transfer.begin / transfer.put (pycore.transfers).

Nothing is written before history_import.start. An import is a job stored with its progress:
every batch of messages is written in one transaction with the job's new position and the keys
it added, so an interrupted import is resumed from there or rolled back exactly; never left
half-written in an unknown state.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.capture.protocol import MAX_ATTR
from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.protocol.records import Direction, MessageType

DateOrder = Literal["dmy", "mdy"]
Role = Literal["me", "contact", "member"]
JobState = Literal["running", "paused", "interrupted", "failed", "done", "rolling_back", "rolled_back"]
CandidateReason = Literal["phone", "name", "author", "group", "contact"]
MAX_AUTHORS = 1024
Id = Field(min_length=1, max_length=64)


class ExportProblem(Model):
    """Why a file cannot be imported, with the line when known, in both languages."""

    code: str
    line: int | None = None
    message_pt: str
    message_en: str


class AuthorInfo(Model):
    name: str
    count: int
    phone: str | None = Field(default=None, description="digits, when the name is a phone number")
    role: Role = Field(description="the proposed role: the user ('você'), the contact of a 1:1 chat, a group member")


class ExportSummary(Model):
    file_name: str
    chat_name: str | None
    phone: str | None
    platform: Literal["android", "ios"]
    locale: str | None
    date_order: str
    needs_date_order: bool = Field(description="the dates read both ways: ask the user once, then read again")
    ambiguous_dates: list[str] = Field(description="a few dates as written, for that question")
    messages: int
    first_local: str = Field(description="the first message's time as written in the file (ISO, no zone)")
    last_local: str
    authors: list[AuthorInfo]
    looks_like_group: bool
    attachments: int = Field(description="media files inside the zip (listed, not stored)")
    missing_attachments: int
    suspect_lines: list[int] = Field(description="lines that looked like a message line but cannot be one (kept as text)")


class ChatCandidate(Model):
    chat: str
    title: str
    is_group: bool
    phone: str | None = None
    message_count: int = 0
    last_ts: float | None = None
    score: float
    reasons: list[CandidateReason]
    exists: bool = Field(description="a captured chat or a scanned contact (false: a new chat Mettri would create)")


class ReadResult(Model):
    upload_id: str
    problem: ExportProblem | None = None
    summary: ExportSummary | None = None
    candidates: list[ChatCandidate] = Field(default_factory=list, description="best first")
    new_chat: ChatCandidate | None = Field(default=None, description="a chat to create when none of the candidates is it")


@command("history_import.read", ReadResult, sources={"page"})
class ReadExport(Command):
    """Read an uploaded export: its summary, or the problem (with the line) that stops it; and
    which chat it probably belongs to."""

    upload_id: str = Id
    date_order: DateOrder | None = Field(default=None, description="the user's answer when needs_date_order")


class AuthorRole(Model):
    name: str = Field(min_length=1, max_length=MAX_ATTR)
    role: Role


class ImportPlan(Model):
    upload_id: str = Id
    chat: ChatKeyStr
    chat_title: str | None = Field(default=None, max_length=MAX_ATTR, description="names the chat if it is new")
    is_group: bool = False
    authors: list[AuthorRole] = Field(max_length=MAX_AUTHORS, description="who is who; authors left out are contacts/members")
    date_order: DateOrder | None = None
    utc_offset_min: int = Field(ge=-14 * 60, le=14 * 60, description="-new Date().getTimezoneOffset(), as capture uses")


class PreviewMessage(Model):
    ts: float
    direction: Direction
    author: str | None
    type: MessageType
    text: str


class ImportPreview(Model):
    total: int
    to_add: int
    already_stored: int = Field(description="already in Mettri (captured or imported before): left as they are")
    incoming: int
    outgoing: int
    system: int
    media: int
    deleted: int
    first_ts: float
    last_ts: float
    first: list[PreviewMessage]
    last: list[PreviewMessage]


@command("history_import.preview", ImportPreview, sources={"page"})
class PreviewImport(ImportPlan, Command):
    """What importing with this chat and these roles would store: counts, first and last messages.
    Writes nothing."""


class ImportJob(Model):
    id: str
    file_name: str
    chat: str
    chat_title: str
    state: JobState
    total: int
    done: int = Field(description="messages of the file processed so far")
    added: int
    already_stored: int
    started_at: float
    updated_at: float
    error: str | None = None
    can_resume: bool
    can_roll_back: bool


@command("history_import.start", ImportJob, sources={"page"})
class StartImport(ImportPlan, Command):
    """Import in the background; history_import.progress follows it."""


class JobRef(Command):
    job_id: str = Id


@command("history_import.cancel", ImportJob, sources={"page"})
class CancelImport(JobRef):
    """Stop after the batch being written: the job is paused, to be resumed or rolled back."""


@command("history_import.resume", ImportJob, sources={"page"})
class ResumeImport(JobRef):
    """Continue a paused, interrupted or failed import from its last written batch."""


@command("history_import.rollback", ImportJob, sources={"page"})
class RollBackImport(JobRef):
    """Remove every message this import added (messages it found already stored stay)."""


class JobList(Model):
    jobs: list[ImportJob]


@command("history_import.jobs", JobList, sources={"page"})
class ListJobs(Command):
    """Imports, newest first."""

    limit: int = Field(default=20, ge=1, le=200)


@event("history_import.progress")
class ImportProgress(Event):
    job: ImportJob
