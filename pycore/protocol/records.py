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
TsSource = Literal["pre_plain", "bubble", "bubble_guess", "neighbour", "observed"]


class MessageRecord(Model):
    key: str = Field(description='"<chat>|<id>": the identity used for deduplication')
    chat: str = Field(description="chat key: a JID (…@c.us, …@g.us, …@lid, …@newsletter) or 'title:<name>'")
    id: str = Field(description="WhatsApp's message id (the 3EB0…/3A…/bare id part)")
    seq: int = Field(description="change sequence: bumped on every insert or update (drives incremental indexing)")
    ts: float | None = Field(default=None, description="when it was sent, epoch seconds (minute precision)")
    ts_source: TsSource | None = Field(
        default=None, description="evidence of ts: the sender line, the bubble's time under a day divider, "
        "the bubble's time on an assumed day, a neighbour's time, the moment it was seen"
    )
    ts_inferred: bool = Field(default=False, description="ts was inferred; replaced when better evidence arrives")
    direction: Direction
    author: str | None = None
    author_jid: str | None = None
    type: MessageType = "text"
    text: str = ""
    text_complete: bool = Field(default=True, description='false while only the part before "Read more" is known')
    quoted: str | None = Field(default=None, description="the quoted message's text")
    quoted_author: str | None = Field(default=None, description="the quoted message's author as WhatsApp shows it")
    quoted_id: str | None = Field(default=None, description="the quoted message's id, when known")
    forwarded: bool = False
    status: Status | None = None
    first_seen: float
    last_seen: float
    replaces: str | None = Field(
        default=None, description="key of a record of the same message this one took the place of (an imported copy, or the same message under a chat key identity linked to this one; search drops it)"
    )


class ChatRecord(Model):
    key: str
    title: str
    is_group: bool = False
    last_ts: float | None = None
    unread: int = 0
    preview: str | None = None
    message_count: int = 0
    norm_title: str | None = Field(default=None, description="the title as compared (pycore.chatkey.normalize_title)")
    twins: int = Field(default=1, description="chats Mettri knows that show this same title (2+: the name alone is ambiguous)")
    ambiguous: bool = Field(
        default=False, description="another chat shows the same name and Mettri can tell this one apart only by its "
        "messages (no phone or JID): sends need the history on screen to prove it"
    )
    aliases: list[str] = Field(default_factory=list, description="keys that turned out to name this same chat")
