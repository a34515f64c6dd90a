"""Campaigns: one template, many recipients, a dry run and explicit approval before anything is queued."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.sending.protocol import Decision

CampaignState = Literal["draft", "running", "paused", "done", "cancelled"]


class Recipient(Model):
    chat: ChatKeyStr
    vars: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict, max_length=64, description="values of the template's {{variables}}")


class RecipientPlan(Model):
    chat: str
    text: str | None
    decision: Decision


class DryRunResult(Model):
    recipients: list[RecipientPlan]
    counts: dict[str, int]
    risk_score: int
    risk_factors: dict[str, float]
    estimated_seconds: float
    estimated_finish_at: float


class CampaignSpec(Model):
    name: str = Field(default="", max_length=200)
    template: str = Field(default="", max_length=70_000, description="the text with {{variables}}; empty with template_id")
    template_id: str | None = Field(default=None, max_length=64, description="a saved template (templates.*) instead of a text")
    recipients: list[Recipient] = Field(min_length=1, max_length=5000)
    locale: str = Field(default="pt-BR", max_length=35, description="the page's locale: how dates and money are written")
    utc_offset_min: int = Field(default=-180, ge=-14 * 60, le=14 * 60)


@command("campaign.dry_run", DryRunResult, sources={"page"})
class CampaignDryRun(CampaignSpec, Command):
    """What would happen, per recipient, without storing or sending anything."""


class CampaignInfo(Model):
    id: str
    name: str
    state: CampaignState
    created_at: float
    approved_at: float | None = None
    total: int
    counts: dict[str, int] = Field(default_factory=dict)
    plan: DryRunResult | None = None


class CampaignRecord(Model):
    """What the campaigns store holds."""

    id: str
    name: str
    template: str
    template_id: str | None = None
    recipients: list[Recipient]
    state: CampaignState
    created_at: float
    approved_at: float | None = None
    locale: str = "pt-BR"
    utc_offset_min: int = -180
    plan: DryRunResult | None = None


class CampaignResult(Model):
    campaign: CampaignInfo


@command("campaign.create", CampaignResult, sources={"page"})
class CampaignCreate(CampaignSpec, Command):
    """Store a draft campaign with its dry run; nothing is queued before campaign.approve."""


class CampaignRef(Command):
    id: str


@command("campaign.approve", CampaignResult, sources={"page"})
class CampaignApprove(CampaignRef):
    """The user's explicit approval: queue every recipient that was not blocked."""


@command("campaign.status", CampaignResult, sources={"page"})
class CampaignStatus(CampaignRef):
    """Progress: outbox entries of the campaign counted by state."""


@command("campaign.pause", CampaignResult, sources={"page"})
class CampaignPause(CampaignRef):
    """Hold the campaign's approved entries (back to 'queued')."""


@command("campaign.resume", CampaignResult, sources={"page"})
class CampaignResume(CampaignRef):
    """Release the held entries (back to 'approved')."""


@command("campaign.cancel", CampaignResult, sources={"page"})
class CampaignCancel(CampaignRef):
    """Cancel every entry not yet handed to the tab."""


class CampaignListResult(Model):
    campaigns: list[CampaignInfo]


@command("campaign.list", CampaignListResult, sources={"page"})
class CampaignList(Command):
    """Campaigns, newest first (without their plans)."""


@event("campaign.progress", tabs=True)
class CampaignProgress(Event):
    id: str
    state: CampaignState
    counts: dict[str, int]
    total: int
