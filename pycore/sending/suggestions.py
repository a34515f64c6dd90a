"""Suggested replies waiting for the user's click, one per chat, kept in ``meta``.

A suggestion is only text: the tab shows it next to WhatsApp's composer and
nothing goes out until the user clicks; sending goes through the gate
(``suggestion.approve`` mode "send").
"""

from __future__ import annotations

from pycore.protocol.sending import Suggestion, SuggestionCleared, SuggestionOffered
from pycore.storage.base import Range

PREFIX = "suggestion:"


async def offer(core, chat: str, text: str) -> Suggestion:
    gate = core.sending
    s = Suggestion(chat=chat, chat_title=await gate.chat_title(chat), text=text, offered_at=core.clock.now())
    await core.storage.put("meta", {"key": PREFIX + chat, "value": s.model_dump()})
    core.emit(SuggestionOffered(suggestion=s))
    return s


async def pending(core) -> list[Suggestion]:
    rows = await core.storage.query("meta", range=Range(lower=PREFIX, upper=PREFIX + "\uffff"))
    return [Suggestion.model_validate(r["value"]) for r in rows]


async def clear(core, chat: str) -> None:
    if await core.storage.get("meta", PREFIX + chat):
        await core.storage.delete_many("meta", [PREFIX + chat])
        core.emit(SuggestionCleared(chat=chat))
