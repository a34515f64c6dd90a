"""Suggested replies waiting for the user's click, one per chat, kept in ``meta``.

A suggestion is only text: the tab shows it next to WhatsApp's composer and nothing goes
out until the user clicks; sending goes through the gate (``suggestion.approve`` mode "send").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from pycore.clock import Clock
from pycore.ports import ChatNames
from pycore.sending.protocol import Origin, SendResult
from pycore.storage.base import Range, Storage, WriteOp
from pycore.suggestions.protocol import (
    ModelNote, ModelState, SuggestedReply, Suggestion, SuggestionCleared, SuggestionOffered,
)

PREFIX = "suggestion:"


class SendRequests(Protocol):
    async def request(self, chat: str, text: str, origin: Origin) -> SendResult: ...


@dataclass
class Suggestions:
    storage: Storage
    clock: Clock
    emit: Callable
    names: ChatNames
    sender: SendRequests

    async def offer(self, chat: str, text: str) -> Suggestion:
        return await self.offer_replies(chat, [SuggestedReply(text=text, source="manual")])

    async def offer_replies(self, chat: str, replies: list[SuggestedReply], model: ModelState = "off",
                            note: ModelNote | None = None) -> Suggestion:
        """Keep the chat's proposed replies (replacing any still waiting) and tell the tab; ``model``
        says whether the language model was asked, is being asked, answered or failed (``note``)."""
        s = Suggestion(chat=chat, chat_title=await self.names.title(chat), text=replies[0].text,
                       offered_at=self.clock.now(), replies=replies, model=model, note=note)
        await self.storage.put("meta", {"key": PREFIX + chat, "value": s.model_dump()})
        self.emit(SuggestionOffered(suggestion=s))
        return s

    async def current(self, chat: str) -> Suggestion | None:
        rec = await self.storage.get("meta", PREFIX + chat)
        return Suggestion.model_validate(rec["value"]) if rec else None

    async def pending(self) -> list[Suggestion]:
        rows = await self.storage.query("meta", range=Range(lower=PREFIX, upper=PREFIX + "\uffff"))
        return [Suggestion.model_validate(r["value"]) for r in rows]

    async def rekey_ops(self, alias: str, canonical: str) -> list[WriteOp]:
        """A suggestion waiting under ``alias`` waits under ``canonical`` (unless one is there already)."""
        old = await self.storage.get("meta", PREFIX + alias)
        if old is None:
            return []
        ops = [WriteOp(op="delete", store="meta", key=PREFIX + alias)]
        if await self.storage.get("meta", PREFIX + canonical) is None:
            moved = {**old["value"], "chat": canonical}
            ops.append(WriteOp(op="put", store="meta", record={"key": PREFIX + canonical, "value": moved}))
        return ops

    async def clear(self, chat: str) -> None:
        if await self.storage.get("meta", PREFIX + chat):
            await self.storage.delete_many("meta", [PREFIX + chat])
            self.emit(SuggestionCleared(chat=chat))

    async def approve(self, chat: str, text: str, send: bool) -> SendResult | None:
        """The user's click settles the waiting suggestion; "send" goes through the gate."""
        await self.clear(chat)
        return await self.sender.request(chat, text, "suggestion") if send else None
