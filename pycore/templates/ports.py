"""What templates need from other features, filled in by pycore.features."""

from __future__ import annotations

from typing import Protocol

from pycore.crm.protocol import CrmCard, CrmDefs


class ContactCards(Protocol):
    """The CRM, read for the variables of a contact."""

    async def card(self, chat: str) -> CrmCard:
        """The contact's card (an empty card for a chat without a record)."""

    async def defs(self) -> CrmDefs:
        """Pipelines with their stages, and the custom fields."""
