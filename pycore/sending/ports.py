"""What the send gate needs from the rest of the core. ``pycore.features`` hands in an
implementation of each; tests may hand in their own."""

from __future__ import annotations

from typing import Literal, Protocol

from pycore.ports import AuditWriter, ChatNames  # noqa: F401  (shared port types)

Evidence = Literal["sent", "unknown"]


class RecipientFacts(Protocol):
    async def saved_contact(self, chat: str) -> bool:
        """A saved contact (or a group the user is in)."""

    async def has_inbound(self, chat: str) -> bool:
        """The chat ever wrote to the user."""

    async def outgoing_since(self, since: float) -> list[tuple[str, str]]:
        """(chat, text) of outgoing messages captured since ``since``: sends typed by hand count
        for the bulk rule like Mettri's own."""


class SendEvidence(Protocol):
    async def was_sent(self, chat: str, text: str, after: float, before: float) -> Evidence:
        """"sent" when an outgoing message with this text appeared in the chat between after and
        before (core times); otherwise "unknown": absence is no proof, and only the user decides."""


class Suppression(Protocol):
    async def is_opted_out(self, chat: str) -> bool: ...


class PageState(Protocol):
    def read_only(self) -> bool:
        """The self-test could not find the composer or send button with certainty: act on nothing."""

    def offline(self) -> bool:
        """The active WhatsApp tab reported it cannot send now (loading, reconnecting, logged out)."""
