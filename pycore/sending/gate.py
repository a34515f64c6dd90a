"""The send gate: policy -> rate limiter -> outbox, for every outbound message.

Nothing here runs in the background. The tab drives sending by asking :meth:`SendGate.next_job`;
the gate answers with a job to do now or the time to ask again, and :meth:`SendGate.report`
closes the job. The parts, one seam each:

- requests.py  a request's way in (policy decision, queue, audit) and the user's moves on it
- handout.py   which entry goes next and when (scheduler.py), marked ``sending`` before it leaves
- settling.py  the tab's report, the user's answer, recovery after a crash (never twice)
- pause.py     pausing every queue

Every call runs under one lock: two tabs (or a tab and a page) may call at once, and
storage awaits would interleave their read-then-write of one entry: one message, two jobs.
"""

from __future__ import annotations

import asyncio
import functools
import random
from typing import Callable

from pycore.clock import Clock
from pycore.ports import shown_titles
from pycore.protocol.decisions import Decision
from pycore.sending import outbox
from pycore.sending import settings as settings_mod
from pycore.sending.decide import Decider
from pycore.sending.entries import EntryWriter
from pycore.sending.estimate import Estimate, estimate
from pycore.sending.handout import DUE_BATCH, HandOut
from pycore.sending.pause import PauseState
from pycore.sending.ports import AuditWriter, ChatNames, PageState, RecipientFacts, SendEvidence, Suppression
from pycore.sending.protocol import (
    EntryState,
    LimitStats,
    NextResult,
    Origin,
    OutboxRecord,
    OutboxAlarmResult,
    OutboxDue,
    PauseReason,
    ReportResult,
    SendingStatus,
    SendResult,
    SettingsPatch,
    SettingsResult,
)
from pycore.sending.rate_limiter import RateLimiter
from pycore.sending.requests import Requests
from pycore.sending.settings import SendingSettings
from pycore.sending.settling import Settling
from pycore.storage.base import Storage, WriteOp


def serialized(method):
    @functools.wraps(method)
    async def run(self, *args, **kwargs):
        async with self.lock:
            return await method(self, *args, **kwargs)

    return run


class SendGate:
    def __init__(
        self, storage: Storage, clock: Clock, rng: random.Random, emit: Callable, *,
        recipients: RecipientFacts, evidence: SendEvidence, names: ChatNames, suppression: Suppression,
        audit: AuditWriter, page: PageState,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.emit = emit
        self.lock = asyncio.Lock()
        self.limiter = RateLimiter(storage, clock, rng)
        self.pauses = PauseState(storage, clock, rng, emit, audit)
        self.entries = EntryWriter(storage, clock, rng, emit, audit)
        self.decider = Decider(storage, clock, self.limiter, recipients, suppression, self.pauses)
        self.settling = Settling(self.entries, evidence)
        self.handout = HandOut(self.entries, self.limiter, self.settling, self.pauses, suppression, names, page)
        self.requests = Requests(self.entries, self.decider, self.handout)
        self.names = names

    async def settings(self) -> SendingSettings:
        return await settings_mod.load(self.storage)

    async def titles(self, chats: list[str]) -> dict[str, str]:
        """The names pages show for these chats: a number never seen with a name as people write it."""
        return await shown_titles(self.names, chats)

    # -- requests and the user's moves ---------------------------------------------------
    @serialized
    async def request(self, chat: str, text: str, origin: Origin, scheduled_at: float | None = None,
                      needs_approval: bool = False) -> SendResult:
        return await self.requests.request(await self.settings(), chat, text, origin, scheduled_at, needs_approval)

    @serialized
    async def cancel(self, entry_id: str) -> OutboxRecord:
        return await self.requests.cancel(entry_id)

    @serialized
    async def approve(self, entry_id: str) -> OutboxRecord:
        return await self.requests.approve(entry_id)

    @serialized
    async def resolve(self, entry_id: str, sent: bool) -> OutboxRecord:
        return await self.settling.resolve(entry_id, sent)

    # -- campaigns ----------------------------------------------------------------------------
    async def plan(self, drafts: list[tuple[str, str]]) -> list[tuple[Decision, bool]]:
        return await self.decider.plan(await self.settings(), drafts)

    async def estimate(self, sendable: list[tuple[str, str]]) -> Estimate:
        s = await self.settings()
        limits, day, day_limit = await self.handout.limits(s)
        return await estimate(self.limiter, s, limits, day, day_limit, sendable, self.clock.now())

    @serialized
    async def enqueue_campaign(self, campaign_id: str, plans: list[tuple[str, str, Decision, bool]],
                               extra: list[WriteOp]) -> None:
        now = self.clock.now()
        records = [
            outbox.new_entry(now, self.entries.rng, chat=chat, text=text, origin="campaign",
                             state="blocked" if d.verdict == "block" else "approved", decision=d,
                             campaign_id=campaign_id, stranger=stranger)
            for chat, text, d, stranger in plans
        ]
        await self.requests.enqueue(records, extra)

    @serialized
    async def move_campaign(self, campaign_id: str, from_states: tuple[EntryState, ...], to: EntryState,
                            extra: list[WriteOp]) -> None:
        rows = [r for r in await outbox.of_campaign(self.storage, campaign_id) if r.state in from_states]
        await self.requests.move_many(rows, to, extra)

    async def campaign_counts(self, campaign_id: str) -> dict[str, int]:
        return await outbox.counts(self.storage, campaign_id)

    @serialized
    async def rekey_ops(self, alias: str, canonical: str) -> list[WriteOp]:
        return await outbox.rekey_ops(self.storage, alias, canonical)

    # -- the tab's loop ----------------------------------------------------------------------
    @serialized
    async def next_job(self, visible: bool = True) -> NextResult:
        return await self.handout.next_job(await self.settings(), visible)

    @serialized
    async def report(self, job_id: str, attempt: str, outcome: str, message_id: str | None = None,
                     error: str | None = None) -> ReportResult:
        return await self.settling.report(job_id, attempt, outcome, message_id, error)

    @serialized
    async def recover(self) -> None:
        await self.settling.recover()

    async def alarm(self, wake: bool) -> OutboxAlarmResult:
        """When the next approved entry's time comes (the worker's alarm), and on the alarm a wake-up
        for the tabs' send loops if entries are due. Entries already due are the loop's: they never
        set the alarm (it would ring every second while limits or a missing tab hold them)."""
        now = self.clock.now()
        due = len(await outbox.in_state(self.storage, "approved", until=now, limit=DUE_BATCH))
        if wake and due:
            self.emit(OutboxDue(count=due))
        later = await outbox.first_after(self.storage, "approved", now)
        return OutboxAlarmResult(next_in=later.next_at - now if later else None, due=due)

    # -- pause, status, settings ---------------------------------------------------------------
    async def pause(self, reason: PauseReason, detail: str = "") -> SendingStatus:
        await self.pauses.pause(reason, detail)
        return await self.status()

    async def resume(self) -> SendingStatus:
        await self.pauses.resume()
        return await self.status()

    async def status(self) -> SendingStatus:
        s = await self.settings()
        limits, day, day_limit = await self.handout.limits(s)
        stats: list[LimitStats] = [await self.limiter.stats("message", limits)]
        stats += [await self.limiter.stats(kind) for kind in ("scrape", "search")]
        p = await self.pauses.current()
        return SendingStatus(
            paused=p is not None, pause_reason=p.reason if p else None, paused_at=p.at if p else None,
            stats=stats, warmup_day=day, day_limit=day_limit,
        )

    async def settings_result(self, s: SendingSettings, adjusted=()) -> SettingsResult:
        return SettingsResult(settings=s, at_defaults=settings_mod.at_defaults(s), adjusted=list(adjusted),
                              ceilings=settings_mod.ceilings())

    async def set_settings(self, patch: SettingsPatch, reset: bool) -> SettingsResult:
        new, adjusted = settings_mod.clamp(patch, await self.settings(), reset)
        await self.storage.put("meta", settings_mod.record(new))
        return await self.settings_result(new, adjusted)

    async def permit(self, kind: str) -> tuple[bool, float]:
        """A WhatsApp search or contact read the tab wants to do now: counted if the limits allow."""
        allowed = await self.limiter.hit(kind)
        return allowed, (await self.limiter.stats(kind)).next_allowed_at
