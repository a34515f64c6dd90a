"""Importing message history (a backup or an export) and opening a chat at a message.

``messages.import`` is the bulk path into the messages store: the caller sends
batches (at most MAX_IMPORT records each) and shows its own progress from the
replies; each batch is validated per record and stored in one transaction.
``chat.open`` is how the side panel asks the WhatsApp tab to show a message.
"""

from __future__ import annotations

from pydantic import Field

from pycore.protocol.base import Command, Event, Model, command, event
from pycore.protocol.capture import MAX_ATTR, MAX_TEXT
from pycore.protocol.records import Direction, MessageType, Status

MAX_IMPORT = 5000


class ImportedMessage(Model):
    """One message of a backup/export; its identity is ``<chat>|<id>`` like a captured one."""

    chat: str = Field(min_length=1, max_length=MAX_ATTR)
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


class OpenChatResult(Model):
    chat: str
    title: str
    message_id: str | None
    ts: float | None


@command("chat.open", OpenChatResult, sources={"page"})
class OpenChat(Command):
    """Ask the active WhatsApp tab to open a chat and show one of its messages (event chat.open_requested)."""

    chat: str = Field(min_length=1, max_length=MAX_ATTR)
    message_key: str | None = Field(default=None, max_length=2 * MAX_ATTR + 1)


@event("chat.open_requested")
class ChatOpenRequested(Event):
    """For the active WhatsApp tab: open the chat titled ``title`` and scroll to ``message_id``."""

    chat: str
    title: str
    message_id: str | None
    ts: float | None
    text: str | None = Field(description="the message text (a fallback to find the row)")
