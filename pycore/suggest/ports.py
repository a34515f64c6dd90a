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

    def remembered(self, keys: list[str]) -> list[dict[str, Any]] | None:
        """These messages as the store last wrote them, from its memory (no read); None when one of
        them is not there."""


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
    async def offer_replies(self, chat: str, replies: list[SuggestedReply], model: str = "off", note: Any = None) -> Any: ...

    async def current(self, chat: str) -> Any:
        """The suggestion waiting for ``chat`` (a Suggestion), or None."""


class Conversation(Protocol):
    async def recent(self, chat: str, limit: int) -> list[dict[str, Any]]:
        """The chat's last ``limit`` stored messages, oldest first: {direction, type, text, ts}."""


class CardFacts(Protocol):
    async def facts(self, chat: str) -> dict[str, Any]:
        """The CRM card as the prompt tells it: {name, stage, tags: [names], fields: [(label, value)]},
        only what has a value."""


class ModelClient(Protocol):
    """The HTTP request to the model, made by the JS host (the offscreen document's fetch adds the key)."""

    async def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        """``request``: {provider, url, body, messages, timeout_ms}. Returns {status, body} from an
        endpoint, {content} from Chrome's built-in model, or {error: timeout | network | unavailable}.
        Always answers within ``timeout_ms`` (it aborts the request itself)."""


class ModelReplies(Protocol):
    async def enabled(self) -> bool: ...

    async def ask(self, chat: str) -> tuple[list[str], Any]:
        """The model's replies, or none and a note (pycore.suggestions.protocol.ModelNote)."""
