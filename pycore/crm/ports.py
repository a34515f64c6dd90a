"""What the CRM needs from other features, filled in by pycore.features."""

from __future__ import annotations

from typing import Protocol


class Merges(Protocol):
    """The contacts feature's merges (it owns them: ``contacts.merge`` / ``contacts.split``)."""

    async def merged_pairs(self) -> dict[str, str]:
        """Every merged contact: secondary key -> the primary it was merged into."""

    async def merged_into(self, keys: list[str]) -> dict[str, str | None]:
        """For each of ``keys`` that is a contact: the primary it is merged into, or None."""


class Messages(Protocol):
    """Capture's messages, read (never written) by the CRM."""

    async def changed_after(self, seq: int, limit: int) -> list[dict]:
        """Message records with a change sequence above ``seq``, in sequence order."""

    async def in_chat(self, chat: str) -> list[dict]:
        """Every message record stored in one chat."""

    async def title(self, chat: str) -> str:
        """The chat's name as WhatsApp shows it (or a fallback from its key)."""


class KnownChats(Protocol):
    async def person_chats(self) -> set[str]:
        """Chat keys of people the page has shown (captured chats and scanned contacts): a CSV row
        whose number matches one of them is filed under that chat's key."""
