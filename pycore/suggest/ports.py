"""What the suggestion engine needs from other features, filled in by pycore.features."""

from __future__ import annotations

from typing import Any, Protocol

from pycore.suggestions.protocol import SuggestedReply
from pycore.templates.protocol import MessageTemplate


class History(Protocol):
    """The search index over captured messages (pycore/search)."""

    async def similar_incoming(self, terms: list[str], limit: int, before_ts: float) -> list[dict[str, Any]]:
        """Incoming messages most relevant to ``terms`` (bm25, best first) older than ``before_ts``:
        {chat, ts, text, rowid, score, ...}. The index is brought up to date first."""

    def following(self, rowid: int, limit: int) -> list[dict[str, Any]]:
        """The messages after ``rowid`` in its chat, oldest first: {ts, direction, type, text}."""


class Messages(Protocol):
    async def newest(self, chat: str) -> dict[str, Any] | None:
        """The chat's newest stored message (by time)."""


class ContactWords(Protocol):
    """Whom a chat is, in the words a reply would use (the templates' variables)."""

    async def names(self, chat: str) -> tuple[str, str]:
        """(full name, first name) of the chat's person, "" where unknown."""


class Texts(Protocol):
    """The templates (pycore/templates): the saved ones and the one renderer."""

    async def all(self) -> list[MessageTemplate]: ...

    async def fill(self, text: str, chat: str) -> str | None:
        """``text`` rendered for the contact of ``chat``; None when a variable has no value."""


class Offers(Protocol):
    async def offer_replies(self, chat: str, replies: list[SuggestedReply]) -> Any: ...
