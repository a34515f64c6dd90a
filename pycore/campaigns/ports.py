"""What campaigns need from the send gate: its decisions, its scheduler's estimate, and
queueing or moving a campaign's entries (under the gate's lock, never while one is handed out)."""

from __future__ import annotations

from typing import Protocol

from pycore.protocol.decisions import Decision
from pycore.sending.protocol import EntryState, SendingSettings
from pycore.storage.base import WriteOp


class Estimate(Protocol):
    times: list[float]  # when each sendable recipient's message would go, by the gate's scheduler
    similarity: float  # mean similarity of the texts to the first one
    warmup_day: int | None
    day_limit: int
    day_used: int


class CampaignGate(Protocol):
    async def settings(self) -> SendingSettings: ...

    async def plan(self, drafts: list[tuple[str, str]]) -> list[tuple[Decision, bool]]:
        """(decision, recipient is a stranger) per (chat, text), each seeing the earlier ones as sent."""

    async def estimate(self, sendable: list[tuple[str, str]]) -> Estimate: ...

    async def enqueue_campaign(
        self, campaign_id: str, plans: list[tuple[str, str, Decision, bool]], extra: list[WriteOp]
    ) -> None:
        """Queue (chat, text, decision, stranger) per recipient: blocked ones stored as blocked."""

    async def move_campaign(self, campaign_id: str, from_states: tuple[EntryState, ...], to: EntryState,
                            extra: list[WriteOp]) -> None: ...

    async def campaign_counts(self, campaign_id: str) -> dict[str, int]: ...


class CampaignTexts(Protocol):
    """The templates' renderer (one for templates, quick replies and campaigns)."""

    async def template_text(self, template_id: str) -> str:
        """A saved template's text (not_found when it was deleted)."""

    async def render(self, text: str, chat: str, values: dict[str, str], locale: str,
                     utc_offset_min: int) -> tuple[str | None, list[tuple[str, str]]]:
        """The text for this recipient (the CRM's values, ``values`` winning), or None and the problems
        as (code, variable): code "unknown", "missing" or "malformed"."""
