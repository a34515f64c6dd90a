"""Capture commands: capture.batch, messages.list, chats.list, capture.health."""

from __future__ import annotations

from pycore.capture.capturer import Capturer, empty_health
from pycore.contacts.rows import scanned_only
from pycore.protocol.capture import (
    CaptureBatch,
    CaptureHealth,
    ChatList,
    HealthList,
    ListChats,
    ListMessages,
    MessageList,
)
from pycore.storage.base import Range

TOP = []  # sorts after every number and string in an IndexedDB key (arrays sort last)


async def list_messages(storage, cmd: ListMessages) -> MessageList:
    """Pages over (chat, ts, seq) or (chat, seq); the cursor is the last record returned."""
    if cmd.order_by == "ts":
        index, cursor = "by_chat_ts_seq", [cmd.cursor_ts, cmd.cursor_seq]
        has_cursor = cmd.cursor_ts is not None and cmd.cursor_seq is not None
    else:
        index, cursor = "by_chat_seq", [cmd.cursor_seq]
        has_cursor = cmd.cursor_seq is not None
    lower, upper = [cmd.chat], [cmd.chat, TOP]
    if has_cursor:
        if cmd.newest_first:
            upper = [cmd.chat, *cursor]
        else:
            lower = [cmd.chat, *cursor]
    rows = await storage.query(
        "messages", index=index, range=Range(lower=lower, upper=upper), limit=cmd.limit + 1, reverse=cmd.newest_first
    )
    if has_cursor:
        rows = [r for r in rows if r["seq"] != cmd.cursor_seq]
    rows = rows[: cmd.limit]
    page = MessageList(messages=rows)
    if len(rows) == cmd.limit:
        page.next_cursor_ts, page.next_cursor_seq = rows[-1]["ts"], rows[-1]["seq"]
    return page


def install(core) -> None:
    capturer = Capturer(core.storage, core.clock, core.emit, core.services.rng)
    core.capturer = capturer  # other features (the sender) may read its sequence

    async def batch(cmd: CaptureBatch):
        return await capturer.capture(cmd)

    async def messages(cmd: ListMessages):
        return await list_messages(core.storage, cmd)

    async def chats(cmd: ListChats):
        active = await core.storage.query("chats", index="by_last_ts", reverse=True, limit=cmd.limit)
        if len(active) < cmd.limit:  # chats with no dated message yet come last
            seen = {c["key"] for c in active}
            rest = [c for c in await core.storage.query("chats") if c["key"] not in seen]
            active += rest[: cmd.limit - len(active)]
        if cmd.with_scanned and len(active) < cmd.limit:
            active += scanned_only(active, await core.storage.query("contacts"))[: cmd.limit - len(active)]
        return ChatList(chats=active)

    async def health(cmd: CaptureHealth):
        if cmd.chat is not None:
            return HealthList(chats=[await capturer.health(cmd.chat)])
        stored = {h["chat"]: h for h in await core.storage.query("capture_state")}
        stored.update(capturer._health)
        return HealthList(chats=[stored.get(k, empty_health(k)) for k in sorted(stored)])

    core.on(CaptureBatch, batch)
    core.on(ListMessages, messages)
    core.on(ListChats, chats)
    core.on(CaptureHealth, health)
