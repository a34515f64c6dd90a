"""Stored record shapes shared by the capture, search, CRM and sending modules.

These are what IndexedDB holds (as dicts) and what the UI receives.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.protocol.base import Model

Direction = Literal["in", "out", "system"]
MessageType = Literal[
    "text", "image", "video", "voice", "document", "sticker", "system", "deleted", "unknown"
]
Status = Literal["pending", "sent", "delivered", "read"]


class MessageRecord(Model):
    key: str = Field(description='"<chat>|<id>": the identity used for deduplication')
    chat: str = Field(description="chat key: a JID (…@c.us, …@g.us, …@lid, …@newsletter) or 'title:<name>'")
    id: str = Field(description="WhatsApp's message id (the 3EB0…/3A…/bare id part)")
    seq: int = Field(description="change sequence: bumped on every insert or update (drives incremental indexing)")
    ts: float | None = Field(default=None, description="when it was sent, epoch seconds (minute precision)")
    direction: Direction
    author: str | None = None
    author_jid: str | None = None
    type: MessageType = "text"
    text: str = ""
    quoted: str | None = None
    forwarded: bool = False
    status: Status | None = None
    first_seen: float
    last_seen: float
    replaces: str | None = Field(
        default=None, description="key of the imported copy this captured message took the place of (search drops it)"
    )


class ChatRecord(Model):
    key: str
    title: str
    is_group: bool = False
    last_ts: float | None = None
    unread: int = 0
    preview: str | None = None
    message_count: int = 0
