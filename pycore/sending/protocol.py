"""Commands, events and models of the sending side: one gate for every outbound message.

Every decision the gate takes is ``allow``, ``warn`` or ``block`` with a stable
code and a reason in pt-BR and English (see ``pycore.sending.reasons``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.protocol.decisions import Check, Decision, Verdict  # noqa: F401  (re-used by the models below)

Origin = Literal["manual", "suggestion", "campaign", "schedule"]
EntryState = Literal["queued", "approved", "sending", "verify", "sent", "failed", "blocked", "cancelled"]
LimitKind = Literal["message", "scrape", "search"]
PauseReason = Literal["user", "warning_banner", "logged_out", "other_window", "too_many_messages"]

TEXT_FIELD = Field(max_length=70_000, description="checked by the policy (65,536 chars max)")


# -- shared models --------------------------------------------------------------
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


class OutboxRecord(OutboxEntry):
    """What the outbox store holds: the public entry plus what only the gate reads."""

    norm: str = Field(default="", description="the normalised text, for the bulk rule (computed once)")
    stranger: bool = Field(default=False, description="the recipient never wrote and is not saved")


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
    find: list[str] = Field(default_factory=list, description="what to type in WhatsApp's search box to find the "
                            "chat when no drawn row matches, in order: its name, then its phone number when known")
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

    chat: ChatKeyStr
    text: str = TEXT_FIELD
    origin: Origin = "manual"
    scheduled_at: float | None = None
    needs_approval: bool = Field(default=False, description="store as 'queued' until outbox.approve")


class OutboxListResult(Model):
    entries: list[OutboxEntry]
    next_cursor: str | None = None
    titles: dict[str, str] = Field(
        default_factory=dict, description="each listed chat's name as WhatsApp shows it (a number never seen with a name: "
        "as people write it), by chat key (pages never parse keys)"
    )


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


class OutboxAlarmResult(Model):
    next_in: float | None = Field(description="seconds (core clock) until the next approved entry's time, None when none waits")
    due: int = Field(description="approved entries whose time has come (up to 10)")


@command("outbox.alarm", OutboxAlarmResult, sources={"page"})
class OutboxAlarm(Command):
    """The service worker's alarm for scheduled messages: when the next one is due and, with ``wake``
    (the alarm fired), an ``outbox.due`` event that makes a WhatsApp tab's send loop ask at once."""

    wake: bool = False


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


class SendingSettings(Model):
    """The gate's settings; the defaults are the safest. The user may relax them, never past the ceilings."""

    per_minute: int = Field(default=20, ge=1)
    per_hour: int = Field(default=200, ge=1)
    per_day: int = Field(default=1000, ge=1)
    bucket_capacity: int = Field(default=20, ge=1)
    # Warm-up for new numbers: the daily limit grows from warmup_start to per_day over warmup_days.
    warmup: bool = True
    warmup_start: int = Field(default=20, ge=1)
    warmup_days: int = Field(default=10, ge=1)
    warmup_started_at: float | None = Field(default=None, description="set at the first send; the user may backdate it")
    unsolicited: Literal["block", "warn"] = "block"
    strangers_per_day: int = Field(default=5, ge=0)
    bulk_per_hour: int = Field(default=3, ge=1)
    bulk_similarity: float = Field(default=0.6, gt=0, le=1)
    recipient_cooldown_s: float = Field(default=30.0, ge=0)
    block_when_hidden: bool = True
    schedule_tolerance_min: int = Field(default=120, ge=1, le=7 * 24 * 60,
                                        description="a scheduled message later than this waits for the user's confirmation")
    # The opt-out list cannot be turned off: the field exists only to say so.
    honour_optouts: Literal[True] = True


class SettingsPatch(Model):
    """Settings to change; a field left out keeps its value."""

    per_minute: int | None = Field(default=None, ge=1)
    per_hour: int | None = Field(default=None, ge=1)
    per_day: int | None = Field(default=None, ge=1)
    bucket_capacity: int | None = Field(default=None, ge=1)
    warmup: bool | None = None
    warmup_start: int | None = Field(default=None, ge=1)
    warmup_days: int | None = Field(default=None, ge=1)
    warmup_started_at: float | None = None
    unsolicited: Literal["block", "warn"] | None = None
    strangers_per_day: int | None = Field(default=None, ge=0)
    bulk_per_hour: int | None = Field(default=None, ge=1)
    bulk_similarity: float | None = Field(default=None, gt=0, le=1)
    recipient_cooldown_s: float | None = Field(default=None, ge=0)
    block_when_hidden: bool | None = None
    schedule_tolerance_min: int | None = Field(default=None, ge=1, le=7 * 24 * 60)


CeilingField = Literal[
    "per_minute", "per_hour", "per_day", "bucket_capacity", "warmup_start", "strangers_per_day",
    "bulk_per_hour", "bulk_similarity", "recipient_cooldown_s",
]


class Ceiling(Model):
    """A bound no setting can pass: a maximum (or, for a cooldown, a minimum)."""

    field: CeilingField
    bound: float
    side: Literal["max", "min"]


class SettingsAdjustment(Model):
    field: CeilingField
    requested: float
    applied: float
    reason_pt: str
    reason_en: str


class SettingsResult(Model):
    settings: SendingSettings
    at_defaults: bool = Field(description="every setting is at its safe default")
    adjusted: list[SettingsAdjustment] = Field(default_factory=list)
    ceilings: list[Ceiling] = Field(default_factory=list)


@command("sending.settings.get", SettingsResult)
class SettingsGet(Command):
    """Current sending settings and the hard ceilings."""


@command("sending.settings.set", SettingsResult, sources={"page"})
class SettingsSet(Command):
    """Change some settings; values past the hard ceilings are clamped and reported in ``adjusted``.
    ``reset`` first restores every default (keeping the warm-up start date)."""

    values: SettingsPatch = Field(default_factory=SettingsPatch)
    reset: bool = False


class HitResult(Model):
    allowed: bool
    retry_at: float


@command("ratelimit.hit", HitResult)
class RateLimitHit(Command):
    """Count one scrape or search if the limits allow it now (the tab asks before acting)."""

    kind: Literal["scrape", "search"]


# -- events ----------------------------------------------------------------------------
@event("sending.paused", tabs=True)
class SendingPaused(Event):
    reason: PauseReason
    detail: str
    ts: float
    reason_pt: str
    reason_en: str


@event("sending.resumed", tabs=True)
class SendingResumed(Event):
    ts: float


@event("outbox.due", tabs=True)
class OutboxDue(Event):
    """Scheduled messages came due (the worker's alarm): the tab asks sender.next now."""

    count: int


@event("outbox.changed", tabs=True)
class OutboxChanged(Event):
    """An entry changed state; the tab asks sender.next again."""

    id: str
    state: EntryState
    campaign_id: str | None = None
