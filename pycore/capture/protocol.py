"""Capture protocol: the raw facts the content script reads from message nodes,
and the commands to store and read back messages, chats and capture health.

The content script only reads attributes and text (extension/content/read-dom.js);
every interpretation (ids, dates, direction, type, ticks) happens in pycore.capture.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Bound, BoundList, Command, Cut, CutList, Event, Model, command, event, validate_cut
from pycore.protocol.records import ChatRecord, MessageRecord

# Bounds: a longer string is cut (code points), a longer list is shortened; a batch over
# MAX_NODES_PER_BATCH is refused. A row that still does not validate is left out, not its batch.
MAX_NODES_PER_BATCH = 500
MAX_TEXT = 65_536  # WhatsApp's own message length limit
MAX_ATTR = 512
MAX_LIST = 64


Attr = Cut(MAX_ATTR)
# A row's strings: bounded in compiled code, cut by CaptureBatch's validator (validate_cut).
RowAttr = Bound(MAX_ATTR)
RowText = Bound(MAX_TEXT)
RowAttrs = BoundList(MAX_LIST, MAX_ATTR)


class RawMessageNode(Model):
    """What read-dom.js saw on one message row, uninterpreted."""

    data_id: RowAttr | None = Field(default=None, description="data-id of the row or its nearest descendant carrying one")
    testid: RowAttr | None = Field(default=None, description='data-testid of the row, e.g. "conv-msg-3B66…" (2026)')
    classes: RowAttrs = Field(default_factory=list, description="class tokens that matter: message-in, message-out")
    pre_plain_text: RowAttr | None = Field(default=None, description="data-pre-plain-text, e.g. '[8:19 PM, 6/13/2026] bundaa: '")
    text: RowText = Field(default="", description="message text, emoji from img data-plain-text/alt")
    quoted: RowText | None = Field(default=None, description="text of the quoted block, if any")
    icons: RowAttrs = Field(default_factory=list, description="data-icon values inside the row")
    labels: RowAttrs = Field(default_factory=list, description="aria-label / title / svg <title> values inside the row")
    testids: RowAttrs = Field(default_factory=list, description="data-testid values inside the row (image-thumb …)")
    has_media: bool = Field(default=False, description="an <img src=blob:…> or <video> inside the row")
    virtualized: bool = Field(default=False, description='a data-virtualized="true" wrapper: drawn without content')
    texts: RowAttrs = Field(
        default_factory=list,
        description="visible text blocks outside the message text and the quote, in order (time, duration, "
        "file name and size line, author line, a system row's text), each cut to 512 characters",
    )
    day_labels: BoundList(3, MAX_ATTR) = Field(
        default_factory=list, description="texts of the nearest rows above that are not messages "
        "(day dividers such as 'HOJE', 'YESTERDAY', '03/07/2026'), nearest first"
    )
    quoted_author: RowAttr | None = Field(default=None, description="the quoted message's author line, apart from its text")
    quoted_id: RowAttr | None = Field(default=None, description="a data-id inside the quote, when WhatsApp draws one")
    truncated: bool = Field(default=False, description='a "Read more" / "Ler mais" control follows the text')


class DrawerFacts(Model):
    """The contact-info drawer, read on demand (paced by ratelimit.hit scrape) when the name alone
    cannot tell the open chat apart: the phone number or "~ push name" it shows."""

    title: Attr | None = Field(default=None, description="the name at the top of the drawer")
    texts: CutList(16, MAX_ATTR) = Field(default_factory=list, description="its other text lines, in order")


class ChatFacts(Model):
    title: Attr = Field(default="", description="conversation header title")
    header_testid: Attr | None = None
    composer_label: Attr | None = Field(default=None, description="composer aria-label (2026: includes the chat name)")
    jid: Attr | None = Field(default=None, description="the chat JID when the content script knows it (rare)")
    subtitle: Attr | None = Field(default=None, description="the header's second line (a group lists its participants)")
    list_row: bool = Field(default=False, description="the open chat's row was found in the chat list")
    unread_label: Attr | None = Field(default=None, description="that row's unread badge aria-label, e.g. '3 unread messages'")
    unread_text: Cut(64) | None = Field(default=None, description="that badge's text")
    # -- who the open chat is, beyond its name (pycore.identity) --
    header_texts: CutList(8, MAX_ATTR) = Field(
        default_factory=list, description="the header's other visible texts (a phone number, '~ push name', a status)")
    avatar: Attr | None = Field(default=None, description="the header avatar image's src (a JID when it carries one)")
    list_titles: CutList(120, MAX_ATTR) | None = Field(
        default=None, description="names of the chat-list rows drawn now (the open chat's first batch): twins show here")
    drawer: DrawerFacts | None = Field(default=None, description="the contact-info drawer, when the core asked for it")
    key_hint: Attr | None = Field(
        default=None, description="the key the core gave this same open chat in an earlier batch (opaque to the tab)")


class ChatHint(Model):
    """What a writer of messages (capture, an import) knows about a chat."""

    title: str | None = Field(default=None, description="names the chat when its record is created")
    shown_title: str | None = Field(default=None, description="the name WhatsApp shows now: the record follows it")
    is_group: bool = Field(default=False, description="a signal that the chat is a group (once a group, always)")
    twins: int | None = Field(default=None, description="chats known to show this same title (pycore.identity)")
    ambiguous: bool | None = Field(default=None, description="told apart from its twins only by its messages")


class Expansion(Model):
    row: Attr = Field(description="the row's data-id or conv-msg testid")
    wait_s: float = Field(ge=0, description="pause before clicking its 'Read more', as a reader would")


class CaptureResult(Model):
    chat: str = Field(description="the chat key the batch was stored under")
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unknown: int = Field(default=0, description="nodes whose shape was not understood (counted, not stored)")
    rejected: list[int] = Field(default_factory=list, description="indexes of rows that did not validate (left out)")
    seq_from: int | None = None
    seq_to: int | None = None
    expand: list[Expansion] = Field(
        default_factory=list, description="long texts of this batch to open, in order (the open chat only)"
    )
    identity: str = Field(default="jid", description="how the chat was told apart: jid, phone, drawer, overlap, "
                          "hint, title (its name alone, no twin known) or minted (a twin it cannot yet name)")
    read_drawer: bool = Field(default=False, description="the name is shared: read the contact-info drawer (ask "
                              "ratelimit.hit scrape first) and send it with the next batch")
    ambiguous: bool = Field(default=False, description="another chat shows this name and this one has no phone or JID")


_NODES: TypeAdapter[list[RawMessageNode]] = TypeAdapter(list[RawMessageNode], config={"defer_build": True})


@command("capture.batch", CaptureResult, sources={"content"})
class CaptureBatch(Command):
    """A debounced batch of message rows from the open conversation. A row that does not validate
    is left out and reported (``CaptureResult.rejected``); the rest of the batch is stored."""

    chat: ChatFacts
    nodes: list[RawMessageNode] = Field(max_length=MAX_NODES_PER_BATCH)
    _rejected: list[int] = PrivateAttr(default_factory=list)
    hidden: bool = Field(default=False, description="document.hidden when observed: only the last row renders")
    observed_at: float = Field(description="epoch seconds when the batch was read")
    locale: str | None = Field(default=None, max_length=35, description="<html lang>, e.g. 'pt-BR'; orders dates")
    utc_offset_min: int = Field(
        default=0, ge=-14 * 60, le=14 * 60, description="local minus UTC in minutes: -new Date().getTimezoneOffset()"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _rows_one_by_one(cls, data: Any, handler: Any) -> "CaptureBatch":
        rejected: list[int] = []
        if isinstance(data, dict) and isinstance(data.get("nodes"), list) and len(data["nodes"]) <= MAX_NODES_PER_BATCH:
            try:  # every row in one call: 500 calls from Python cost more than the validation itself
                good = validate_cut(_NODES.validate_python, data["nodes"])
            except ValidationError:
                good = []
                for i, node in enumerate(data["nodes"]):
                    try:
                        good.append(validate_cut(RawMessageNode.model_validate, node))
                    except ValidationError:
                        rejected.append(i)
            data = {**data, "nodes": good}
        batch = handler(data)
        batch._rejected = rejected  # noqa: SLF001 - its own attribute, set by its own validator
        return batch

    @property
    def rejected(self) -> list[int]:
        """Indexes of the rows left out because they did not validate."""
        return self._rejected


class OpenChatNow(Model):
    chat: str | None = Field(description="the chat key of the conversation the active tab shows (its last capture)")
    title: str | None = Field(description="its title as WhatsApp shows it")
    since: float | None = Field(description="when the tab's capture first named it (epoch seconds)")


@command("capture.open_chat", OpenChatNow)
class GetOpenChat(Command):
    """The conversation open in the active WhatsApp tab, as its last capture named it (null before any
    capture since the core started). Pages follow it with the event ``capture.chat_opened``."""


@event("capture.chat_opened", tabs=True)
class ChatOpened(OpenChatNow):
    """The active tab's capture names another conversation than before: the user opened it (or the
    core just started). Emitted once per change, after the batch is stored."""


@event("messages.captured")
class MessagesCaptured(Event):
    """New or changed messages are stored; search and UI catch up on their own time."""

    chat: str
    new: list[str] = Field(default_factory=list, description="message keys inserted")
    updated: list[str] = Field(default_factory=list, description="message keys changed")
    seq_from: int
    seq_to: int


class MessageList(Model):
    messages: list[MessageRecord]
    next_cursor_ts: float | None = Field(default=None, description="pass back as cursor_ts for the next page")
    next_cursor_seq: int | None = Field(default=None, description="pass back as cursor_seq for the next page")


@command("messages.list", MessageList)
class ListMessages(Command):
    chat: ChatKeyStr
    limit: int = Field(default=50, ge=1, le=1000)
    order_by: Literal["ts", "seq"] = Field(
        default="ts", description="ts: conversation order (undated rows omitted); seq: capture order, every row"
    )
    newest_first: bool = True
    cursor_ts: float | None = Field(default=None, description="page after this record (from next_cursor_ts)")
    cursor_seq: int | None = Field(default=None, description="page after this record (from next_cursor_seq)")


class ChatList(Model):
    chats: list[ChatRecord]


@command("chats.list", ChatList)
class ListChats(Command):
    """Chats ordered by last activity, newest first; chats without activity last."""

    limit: int = Field(default=100, ge=1, le=5000)
    with_scanned: bool = Field(
        default=False, description="then, up to limit, the chats known only from the chat-list scan (no messages yet)"
    )


class ChatHealth(Model):
    chat: str
    count: int = 0
    oldest_ts: float | None = None
    oldest_id: str | None = None
    newest_ts: float | None = None
    newest_id: str | None = None
    nodes_seen: int = 0
    nodes_clean: int = 0
    nodes_unknown: int = 0
    hidden_batches: int = 0
    last_capture: float | None = None
    clean_share: float | None = Field(
        default=None, description="nodes_clean / (nodes_seen + missing), None before any node: below 1 while incomplete"
    )
    missing: int = Field(default=0, description="messages WhatsApp counted in the open chat that are not stored yet")
    unread: int = Field(default=0, description="the open chat's unread count last seen in the chat list")
    new_in_since_read: int = Field(default=0, description="incoming messages stored since that count was 0")


class HealthList(Model):
    chats: list[ChatHealth]


@command("capture.health", HealthList)
class CaptureHealth(Command):
    """Watermark and capture-health figures; one chat, or all when chat is omitted."""

    chat: ChatKeyStr | None = None
