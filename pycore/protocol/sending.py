"""Commands, events and models of the sending side: one gate for every outbound message.

Every decision the gate takes is ``allow``, ``warn`` or ``block`` with a stable
code and a reason in pt-BR and English (see ``pycore.sending.reasons``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pycore.protocol.base import Command, Event, Model, command, event

Verdict = Literal["allow", "warn", "block"]
Origin = Literal["manual", "suggestion", "campaign", "schedule"]
EntryState = Literal["queued", "approved", "sending", "verify", "sent", "failed", "blocked", "cancelled"]
LimitKind = Literal["message", "scrape", "search"]
PauseReason = Literal["user", "warning_banner", "logged_out", "other_window", "too_many_messages"]
CeilingSide = Literal["max", "min"]

TEXT_FIELD = Field(max_length=70_000, description="checked by the policy (65,536 chars max)")


# -- shared models --------------------------------------------------------------
class Check(Model):
    code: str
    verdict: Verdict
    reason_pt: str
    reason_en: str


class Decision(Model):
    """The worst of the checks decides; ``code`` is that check's code ("ok" when all allow)."""

    verdict: Verdict
    code: str
    reason_pt: str
    reason_en: str
    checks: list[Check] = Field(default_factory=list)


class OutboxEntry(Model):
    id: str
    chat: str
    text: str
    origin: Origin
    state: EntryState
    created_at: float
    updated_at: float
    next_at: float = Field(description="not handed to the tab before this time")
    decision: Decision | None = None
    campaign_id: str | None = None
    attempt: str | None = Field(default=None, description="token of the current/last send attempt")
    attempt_at: float | None = None
    expires_at: float | None = None
    tries: int = Field(default=0, description="failures before sending (retried with backoff)")
    sent_at: float | None = None
    message_id: str | None = None
    error: str | None = None


class WindowStats(Model):
    name: str
    seconds: float
    limit: int
    used: int
    remaining: int
    next_free_at: float


class LimitStats(Model):
    kind: LimitKind
    windows: list[WindowStats]
    bucket_tokens: float
    next_allowed_at: float


class Job(Model):
    """What the tab must do now: open ``chat``, insert ``text``, press send, then report."""

    id: str
    attempt: str
    chat: str
    chat_title: str = Field(description="the chat's name as WhatsApp shows it: how the tab finds the chat")
    text: str
    expires_at: float = Field(description="do not press send after this time; report failed_before_send instead")
    expires_in: float = Field(default=20.0, description="the same as seconds from now: the tab times itself with its own clock")


# -- send -------------------------------------------------------------------------
class SendResult(Model):
    decision: Decision
    outbox_id: str | None = Field(default=None, description="None only when nothing was stored")
    state: EntryState | None = None
    eta: float | None = Field(default=None, description="earliest time the gate may hand it to the tab")


@command("send.request", SendResult)
class SendRequest(Command):
    """Ask the gate to send one message; it is checked, audited and queued in the outbox."""

    chat: str = Field(min_length=1, max_length=256)
    text: str = TEXT_FIELD
    origin: Origin = "manual"
    scheduled_at: float | None = None
    needs_approval: bool = Field(default=False, description="store as 'queued' until outbox.approve")


class OutboxListResult(Model):
    entries: list[OutboxEntry]
    next_cursor: str | None = None


@command("outbox.list", OutboxListResult)
class OutboxList(Command):
    """Outbox entries, newest first, optionally of one state or campaign."""

    state: EntryState | None = None
    campaign_id: str | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, description="next_cursor of the previous page")


class EntryResult(Model):
    entry: OutboxEntry


@command("outbox.cancel", EntryResult)
class OutboxCancel(Command):
    """Cancel a queued/approved entry (not one being sent)."""

    id: str


@command("outbox.approve", EntryResult)
class OutboxApprove(Command):
    """Approve a 'queued' entry: only approved entries are ever handed to the tab."""

    id: str


@command("outbox.resolve", EntryResult)
class OutboxResolve(Command):
    """The user settles an entry in 'verify' the lookup could not decide: it was sent, or send it again."""

    id: str
    sent: bool


# -- content script side ----------------------------------------------------------
class NextResult(Model):
    job: Job | None = None
    retry_at: float | None = Field(default=None, description="ask again at this time (None: when outbox.changed)")
    retry_in: float | None = Field(default=None, description="the same as seconds from now, by the core's clock: what the tab waits")
    wait_code: str | None = Field(default=None, description="why there is no job now")


@command("sender.next", NextResult, sources={"content"})
class SenderNext(Command):
    """The tab asks for the job it should perform now; the gate decides timing."""

    visible: bool = Field(default=True, description="document.visibilityState == 'visible'")


class ReportResult(Model):
    state: EntryState
    accepted: bool


@command("sender.report", ReportResult, sources={"content"})
class SenderReport(Command):
    """The tab's outcome of a job."""

    job_id: str
    attempt: str
    outcome: Literal["sent", "failed_before_send", "failed_unknown"]
    message_id: str | None = None
    error: str | None = Field(default=None, max_length=500)


# -- pause, settings, stats -------------------------------------------------------
class SendingStatus(Model):
    paused: bool
    pause_reason: PauseReason | None = None
    paused_at: float | None = None
    stats: list[LimitStats] = Field(default_factory=list)
    warmup_day: int | None = None
    day_limit: int


@command("sending.pause", SendingStatus)
class SendingPause(Command):
    """Pause every queue (the user, or the tab on a ban signal) until sending.resume."""

    reason: PauseReason = "user"
    detail: str = Field(default="", max_length=500)


@command("sending.resume", SendingStatus, sources={"page"})
class SendingResume(Command):
    """Only the user resumes (from an extension page)."""


@command("sending.status", SendingStatus)
class SendingStatusCmd(Command):
    """Paused or not, and the limiter's windows."""


class SettingsAdjustment(Model):
    field: str
    requested: Any
    applied: Any
    reason_pt: str
    reason_en: str


class SettingsResult(Model):
    settings: dict[str, Any]
    safe_mode: bool = Field(description="true when every setting is at its safe default")
    adjusted: list[SettingsAdjustment] = Field(default_factory=list)
    ceilings: dict[str, dict[CeilingSide, float]] = Field(
        default_factory=dict, description='per setting, the hard bound no value passes: {"per_minute": {"max": 30}}'
    )


@command("sending.settings.get", SettingsResult)
class SettingsGet(Command):
    """Current sending settings and the hard ceilings."""


@command("sending.settings.set", SettingsResult, sources={"page"})
class SettingsSet(Command):
    """Change some settings; values past the hard ceilings are clamped and reported in ``adjusted``.
    ``{"safe_mode": true}`` restores safe mode (every default)."""

    values: dict[str, Any]


class HitResult(Model):
    allowed: bool
    retry_at: float


@command("ratelimit.hit", HitResult)
class RateLimitHit(Command):
    """Count one scrape or search if the limits allow it now (the tab asks before acting)."""

    kind: Literal["scrape", "search"]


# -- audit -------------------------------------------------------------------------
class AuditRecord(Model):
    id: str
    ts: float
    action: str
    verdict: Verdict
    code: str
    reason_pt: str
    reason_en: str
    chat: str | None = None
    origin: str | None = None
    outbox_id: str | None = None
    preview: str = ""


class AuditListResult(Model):
    records: list[AuditRecord]
    next_cursor: str | None = None


@command("audit.list", AuditListResult, sources={"page"})
class AuditList(Command):
    """The audit log, newest first."""

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = None


class ExportResult(Model):
    format: Literal["csv", "json"]
    filename: str
    text: str
    count: int


@command("audit.export", ExportResult, sources={"page"})
class AuditExport(Command):
    """The whole audit log as CSV or JSON text (the page saves it)."""

    format: Literal["csv", "json"] = "csv"


# -- opt-out ---------------------------------------------------------------------------
class OptoutRecord(Model):
    chat: str
    opted_out: bool
    since: float
    source: str


class OptoutListResult(Model):
    records: list[OptoutRecord]


@command("optout.list", OptoutListResult, sources={"page"})
class OptoutList(Command):
    """The suppression list (contacts who asked not to receive messages)."""


@command("optout.set", OptoutRecord, sources={"page"})
class OptoutSet(Command):
    """The user records an opt-out or an opt-in (e.g. the contact asked in person)."""

    chat: str = Field(min_length=1)
    opted_out: bool
    note: str = Field(default="", max_length=500)


class ConsentEvent(Model):
    id: str
    chat: str
    ts: float
    kind: Literal["opt_out", "opt_in"]
    source: Literal["message", "user"]
    text: str


class ConsentHistoryResult(Model):
    events: list[ConsentEvent]


@command("optout.history", ConsentHistoryResult, sources={"page"})
class OptoutHistory(Command):
    """Consent history of one chat, oldest first."""

    chat: str


class ScanResult(Model):
    changes: list[ConsentEvent]


@command("optout.scan", ScanResult)
class OptoutScan(Command):
    """Scan captured message records for opt-out / opt-in requests (inbound only)."""

    records: list[dict[str, Any]] = Field(max_length=5000)


# -- suggestions ---------------------------------------------------------------------
class SuggestionResult(Model):
    mode: Literal["insert", "send"]
    text: str
    send: SendResult | None = None


@command("suggestion.approve", SuggestionResult)
class SuggestionApprove(Command):
    """The user approved a suggested reply: insert it in the composer, or send it through the gate."""

    chat: str = Field(min_length=1, max_length=256)
    text: str = TEXT_FIELD
    mode: Literal["insert", "send"] = "insert"


# -- campaigns ---------------------------------------------------------------------------
class Recipient(Model):
    chat: str = Field(min_length=1, max_length=256)
    vars: dict[str, str] = Field(default_factory=dict)


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
    template: str = TEXT_FIELD
    recipients: list[Recipient] = Field(min_length=1, max_length=5000)


@command("campaign.dry_run", DryRunResult, sources={"page"})
class CampaignDryRun(CampaignSpec, Command):
    """What would happen, per recipient, without storing or sending anything."""


class CampaignInfo(Model):
    id: str
    name: str
    state: Literal["draft", "running", "paused", "done", "cancelled"]
    created_at: float
    approved_at: float | None = None
    total: int
    counts: dict[str, int] = Field(default_factory=dict)
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


# -- events ----------------------------------------------------------------------------
@event("sending.paused")
class SendingPaused(Event):
    reason: PauseReason
    detail: str
    ts: float
    reason_pt: str
    reason_en: str


@event("sending.resumed")
class SendingResumed(Event):
    ts: float


@event("outbox.changed")
class OutboxChanged(Event):
    """An entry changed state; the tab asks sender.next again."""

    id: str
    state: EntryState
    campaign_id: str | None = None


@event("campaign.progress")
class CampaignProgress(Event):
    id: str
    state: str
    counts: dict[str, int]
    total: int


@event("optout.changed")
class OptoutChanged(Event):
    chat: str
    opted_out: bool
    source: str


# -- suggestions waiting for the user's click --------------------------------------------
class Suggestion(Model):
    chat: str
    chat_title: str = Field(description="how the tab recognises the open chat")
    text: str
    offered_at: float


class SuggestionList(Model):
    suggestions: list[Suggestion]


@command("suggestion.offer", Suggestion, sources={"page"})
class SuggestionOffer(Command):
    """Keep a suggested reply for a chat (one per chat): the tab shows it with approve buttons. Nothing is sent."""

    chat: str = Field(min_length=1, max_length=256)
    text: str = Field(min_length=1, max_length=70_000)


@command("suggestion.pending", SuggestionList)
class SuggestionPending(Command):
    """Every suggestion still waiting for a click (the tab asks when it starts)."""


@command("suggestion.dismiss", SuggestionList)
class SuggestionDismiss(Command):
    """The user dismissed the suggestion of ``chat``; returns what is left."""

    chat: str = Field(min_length=1, max_length=256)


@event("suggestion.offered")
class SuggestionOffered(Event):
    suggestion: Suggestion


@event("suggestion.cleared")
class SuggestionCleared(Event):
    """Approved or dismissed: the tab removes its bar."""

    chat: str
