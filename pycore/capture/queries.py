"""Reading what capture stored: pages of a chat's messages, the chat list, and the questions
other features ask about the record (did this chat ever write? did this text go out?)."""

from __future__ import annotations

from dataclasses import dataclass

from typing import Protocol

from pycore.capture.protocol import ChatList, ListChats, ListMessages, MessageList
from pycore.chatkey import ChatKey
from pycore.clock import Clock
from pycore.protocol.records import ChatRecord
from pycore.storage.base import Range, Storage
from pycore.storage.ranges import TOP, in_capture_order, in_time_order
from pycore.textfold import fold

MINUTE = 60.0  # captured message times have minute precision
INBOUND_PAGE = 100  # messages read at a time, newest first, looking for one the contact sent


class ScannedChats(Protocol):
    async def scanned_only(self, captured: list[dict], limit: int) -> list[dict]:
        """Chat records for chats known only from the chat-list scan (none of ``captured``)."""


@dataclass
class MessageQueries:
    storage: Storage
    clock: Clock
    scanned: ScannedChats

    async def list_messages(self, cmd: ListMessages) -> MessageList:
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
        rows = await self.storage.query(
            "messages", index=index, range=Range(lower=lower, upper=upper), limit=cmd.limit + 1, reverse=cmd.newest_first
        )
        if has_cursor:
            rows = [r for r in rows if r["seq"] != cmd.cursor_seq]
        rows = rows[: cmd.limit]
        page = MessageList(messages=rows)
        if len(rows) == cmd.limit:
            page.next_cursor_ts, page.next_cursor_seq = rows[-1]["ts"], rows[-1]["seq"]
        return page

    async def list_chats(self, cmd: ListChats) -> ChatList:
        active = await self.storage.query("chats", index="by_last_ts", reverse=True, limit=cmd.limit)
        if len(active) < cmd.limit:  # chats with no dated message yet come last
            seen = {c["key"] for c in active}
            rest = [c for c in await self.storage.query("chats") if c["key"] not in seen]
            active += rest[: cmd.limit - len(active)]
        if cmd.with_scanned and len(active) < cmd.limit:
            active += await self.scanned.scanned_only(active, cmd.limit - len(active))
        return ChatList(chats=active)

    # -- questions of the send gate ---------------------------------------------------------
    async def title(self, chat: str) -> str:
        rec = await self.storage.get("chats", chat)
        if rec:
            return ChatRecord.model_validate(rec).title
        return ChatKey.parse(chat).fallback_title()

    async def has_inbound(self, chat: str) -> bool:
        """Whether the contact ever wrote in this chat (the send gate asks before each send). Read
        newest first, a page at a time, until one is found: a chat the contact writes in has one among
        its newest, and reading a long chat whole held each send up (0.4 s at 20,000 messages)."""
        through = None
        while True:
            rows = await self.storage.query("messages", index="by_chat_seq", range=in_capture_order(chat, through),
                                            reverse=True, limit=INBOUND_PAGE, fields=("direction", "seq"))
            if any(r.get("direction") == "in" for r in rows):
                return True
            if len(rows) < INBOUND_PAGE:
                return False
            through = rows[-1]["seq"] - 1  # seqs are whole numbers: the page's last one is left out

    async def outgoing_since(self, since: float) -> list[tuple[str, str]]:
        """Captured outgoing texts since ``since`` (core time; page times are wall-clock times)."""
        rows = await self.storage.query("messages", index="by_ts", range=Range(lower=self.clock.wall(since) - MINUTE),
                                        fields=("chat", "text", "direction", "type"))
        return [(r["chat"], r.get("text") or "") for r in rows if r.get("direction") == "out" and r.get("type") == "text"]

    async def was_sent(self, chat: str, text: str, after: float, before: float) -> str:
        """"sent" when an outgoing message with this text was captured in the chat between after and
        before (core times), else "unknown": absence is no proof, the capture may not have seen the chat."""
        lo, hi = self.clock.wall(after), self.clock.wall(before)
        rows = await self.storage.query("messages", index="by_chat_ts_seq", range=in_time_order(chat, lo - MINUTE, hi + MINUTE),
                                        fields=("direction", "text"))
        want = fold(text)
        if any(r.get("direction") == "out" and fold(r.get("text", "")) == want for r in rows):
            return "sent"
        return "unknown"
