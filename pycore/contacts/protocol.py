"""Contacts from the chat-list scraper; merging a LID contact with its phone contact."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Cut, Empty, Event, Model, command, event

MAX_ROWS = 200
Short = Field(default=None, max_length=512)


class RawChatRow(Model):
    """One chat-list row as MettriReadDom.readChatRow reads it."""

    title: str = Field(min_length=1, max_length=512)
    preview: str | None = Field(default=None, max_length=2000)
    preview_title: str | None = Field(default=None, max_length=2000, description="title attr: the full preview")
    time: str | None = Short
    unread_label: str | None = Field(default=None, max_length=512, description='e.g. "9 unread messages"')
    unread_text: str | None = Field(default=None, max_length=64, description="the badge's text, e.g. '9'")
    labels: list[str] = Field(default_factory=list, max_length=32, description="row aria-labels: muted/pinned chat…")
    icons: list[str] = Field(default_factory=list, max_length=32)
    testid: str | None = Short
    jid: str | None = Short
    is_group: bool | None = None


class ContactRecord(Model):
    key: str = Field(description="the chat JID when known, else 'title:<name>'")
    title: str
    kind: Literal["saved", "number", "push_name", "group"]
    phone: str | None = None
    push_name: str | None = None
    jid: str | None = None
    lid: str | None = None
    is_group: bool = False
    unread: int = 0
    marked_unread: bool = False
    preview: str | None = None
    own_last: bool = False
    time_label: str | None = None
    flags: list[str] = Field(default_factory=list)
    merged_into: str | None = None
    merged_from: list[str] = Field(default_factory=list)
    gained: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="fields taken from each merged contact, so split can give them back"
    )
    first_seen: float
    last_seen: float


class UpsertResult(Model):
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@command("contacts.upsert_rows", UpsertResult, sources={"content"})
class UpsertRows(Command):
    rows: list[RawChatRow] = Field(max_length=MAX_ROWS)


@event("contacts.changed")
class ContactsChanged(Event):
    keys: list[str]


class ContactList(Model):
    contacts: list[ContactRecord]


@command("contacts.list", ContactList)
class ListContacts(Command):
    include_merged: bool = False
    limit: int = Field(default=500, ge=1, le=10_000)


@command("contacts.merge", ContactRecord)
class MergeContacts(Command):
    """The user says two contacts are one person (typically a LID contact and a phone contact)."""

    primary: ChatKeyStr
    secondary: ChatKeyStr
    names: dict[ChatKeyStr, Cut(200)] = Field(
        default_factory=dict, max_length=2,
        description="what the page calls each one: the name of a contact made for a chat the chat list was never scanned for")


class SplitResult(Model):
    primary: ContactRecord
    secondary: ContactRecord


@command("contacts.split", SplitResult)
class SplitContact(Command):
    """Undo a merge: the secondary contact stands alone again."""

    key: ChatKeyStr = Field(description="the contact that was merged into another")


class ScrollStep(Model):
    scroll_px: int
    pause_s: float


class ScrollPlan(Model):
    steps: list[ScrollStep]


@command("contacts.scroll_plan", ScrollPlan, sources={"content"})
class PlanScroll(Command):
    """Human-like scroll steps and pauses for the chat-list scraper."""

    viewport_px: int = Field(ge=50, le=20_000)
    steps: int = Field(default=10, ge=1, le=200)
    rows_so_far: int = Field(default=0, ge=0, description="rows read so far: a longer pause every 50")
    pace: float = Field(default=1.0, ge=0.001, le=10.0, description="multiplies every pause (from contacts.scan)")


class ScanStarted(Model):
    scan_id: str


@command("contacts.scan", ScanStarted)
class ScanContacts(Command):
    """List every chat: the active WhatsApp tab scrolls its chat list and sends the rows."""

    pace: float = Field(default=1.0, ge=0.001, le=10.0, description="multiplies every pause (support and tests)")


@event("contacts.scan_requested", tabs=True)
class ScanRequested(Event):
    scan_id: str
    pace: float


@command("contacts.scan_progress", Empty, sources={"content"})
class ReportScan(Command):
    scan_id: str = Field(min_length=1, max_length=64)
    rows: int = Field(ge=0, description="distinct rows read so far")
    done: bool = False


@event("contacts.scan_progress")
class ScanProgress(Event):
    scan_id: str
    rows: int
    done: bool
