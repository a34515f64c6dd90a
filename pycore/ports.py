"""Port types several features declare: the seams ``pycore.features`` fills in."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol

from pycore.protocol.decisions import Check, Decision
from pycore.storage.base import WriteOp

Emit = Callable[[Any], None]  # send an event to the pages and the WhatsApp tab (pycore.app.EventBus.emit)


class AuditWriter(Protocol):
    def entry(
        self, ts: float, action: str, decision: Decision | Check, *, chat: str | None = None,
        origin: str | None = None, outbox_id: str | None = None, text: str = "",
    ) -> WriteOp:
        """The write that records one decision, applied with the writer's own writes."""


class ChatNames(Protocol):
    async def title(self, chat: str) -> str:
        """The chat's name as WhatsApp shows it (how the tab finds the chat)."""

    async def shown(self, chat: str) -> str:
        """The chat's name as pages show it: title(), but a number never seen with a name is written
        as people write it (title() gives its digits)."""


async def shown_titles(names: ChatNames, chats: Iterable[str]) -> dict[str, str]:
    """The names pages show for these chats, each once: pages never parse a chat key."""
    return {chat: await names.shown(chat) for chat in dict.fromkeys(chats)}


class Presence(Protocol):
    def require_ready(self) -> None:
        """Raise whatsapp_not_ready (text in pt-BR and English) unless a connected WhatsApp tab is active."""
