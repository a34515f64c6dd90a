"""Importing message history (a backup or an export).

``messages.import`` is the bulk path into the messages store: the caller sends
batches (at most MAX_IMPORT records each) and shows its own progress from the
replies; each batch is validated per record and stored in one transaction.
"""

from __future__ import annotations

from pydantic import Field

from pycore.capture.protocol import MAX_ATTR, MAX_TEXT  # the bounds of a captured message
from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.protocol.records import Direction, MessageType, Status

MAX_IMPORT = 5000


class ImportedMessage(Model):
    """One message of a backup/export; its identity is ``<chat>|<id>`` like a captured one."""

    chat: ChatKeyStr
    id: str = Field(min_length=1, max_length=MAX_ATTR)
    ts: float | None = Field(default=None, ge=0, le=4e12)
    direction: Direction
    author: str | None = Field(default=None, max_length=MAX_ATTR)
    type: MessageType = "text"
    text: str = Field(default="", max_length=MAX_TEXT)
    forwarded: bool = False
    status: Status | None = None
    chat_title: str | None = Field(default=None, max_length=MAX_ATTR, description="names the chat if it is new")
    is_group: bool = False


class ImportResult(Model):
    new: int
    updated: int
    unchanged: int
    seq_from: int | None = None
    seq_to: int | None = None
    took_ms: float


@command("messages.import", ImportResult, sources={"page"})
class ImportMessages(Command):
    """Store one batch of imported messages (new ones inserted, known ones moved forward, never back)."""

    records: list[ImportedMessage] = Field(min_length=1, max_length=MAX_IMPORT)


@event("messages.imported")
class MessagesImported(Event):
    """A batch of imported messages is stored (search indexes it in the background)."""

    new: int
    updated: int
    seq_from: int
    seq_to: int
