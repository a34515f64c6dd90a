"""Handing the next job to the tab: which entry, and when (scheduler.py), then mark it
``sending`` and count it in the limiter's log in one transaction before it leaves the core."""

from __future__ import annotations

import math

from pycore.chatkey import ChatKey
from pycore.reasons import check, combine
from pycore.sending import outbox, pacing, scheduler
from pycore.sending.entries import EntryWriter
from pycore.sending.limits import message_limits
from pycore.sending.pause import PauseState
from pycore.sending.ports import ChatNames, PageState, Suppression
from pycore.sending.protocol import Job, NextResult, OutboxRecord
from pycore.sending.rate_limiter import DAY, KindLimits, RateLimiter
from pycore.sending.records import PaceTarget, SendLog, WarmupStart
from pycore.sending.settings import SendingSettings
from pycore.sending.settling import REPORT_GRACE_S, Settling
from pycore.storage.base import WriteOp
from pycore.textfold import fold

JOB_TTL_S = scheduler.JOB_TTL_S
HIDDEN_RETRY_S = 15.0
SAFE_MODE_RETRY_S = 30.0
OFFLINE_RETRY_S = 10.0
DUE_BATCH = 10  # due entries looked at per poll; a cooldown rarely holds back more than a few


class HandOut:
    def __init__(
        self, entries: EntryWriter, limiter: RateLimiter, settling: Settling, pause: PauseState,
        suppression: Suppression, names: ChatNames, page: PageState,
    ) -> None:
        self.entries = entries
        self.storage = entries.storage
        self.clock = entries.clock
        self.rng = entries.rng
        self.limiter = limiter
        self.settling = settling
        self.pause = pause
        self.suppression = suppression
        self.names = names
        self.page = page
        self.pacing_model: pacing.PacingModel | None = None  # None: the default model for the minute limit

    async def warmup_started(self, s: SendingSettings) -> float | None:
        if s.warmup_started_at is not None:
            return s.warmup_started_at
        rec = await self.storage.get("ratelimit", "warmup")
        return WarmupStart.model_validate(rec).started_at if rec else None

    async def limits(self, s: SendingSettings) -> tuple[KindLimits, int | None, int]:
        return message_limits(s, await self.warmup_started(s), self.clock.now())

    async def next_job(self, s: SendingSettings, visible: bool) -> NextResult:
        result = await self._poll(s, visible)
        while result is None:  # entries were blocked on the way (opt-out): look again
            result = await self._poll(s, visible)
        if result.retry_at is not None:
            # The tab waits a duration, not until a time: its clock and the core's may differ.
            result.retry_in = max(0.0, result.retry_at - self.clock.now())
        return result

    async def _poll(self, s: SendingSettings, visible: bool) -> NextResult | None:
        now = self.clock.now()
        inflight = await self.settling.recover(expired_only=True)
        if inflight:
            return NextResult(retry_at=(inflight[0].expires_at or now) + REPORT_GRACE_S, wait_code="in_flight")
        if await self.pause.current():
            return NextResult(wait_code="sending_paused")
        if self.page.read_only():
            return NextResult(retry_at=now + SAFE_MODE_RETRY_S, wait_code="safe_mode")
        if self.page.offline():
            # WhatsApp is reconnecting or loading: a job would reach a page that cannot send.
            return NextResult(retry_at=now + OFFLINE_RETRY_S, wait_code="whatsapp_offline")
        if not visible and s.block_when_hidden:
            return NextResult(retry_at=now + HIDDEN_RETRY_S, wait_code="tab_hidden")
        due = await outbox.in_state(self.storage, "approved", until=now, limit=DUE_BATCH)
        late = [r for r in due if self.late(r, s, now)]
        if late:
            await self.hold_late(late, s, now)
            return None  # look again without them
        if not due:
            later = await outbox.in_state(self.storage, "approved", limit=1)
            return NextResult(retry_at=later[0].next_at if later else None, wait_code="scheduled" if later else "idle")
        limits, _, _ = await self.limits(s)
        day_log = await self.limiter.log("message", now - max(DAY, s.recipient_cooldown_s))  # ordered by ts
        stats = await self.limiter.stats("message", limits, log=day_log, now=now)
        pace_at = await self._pace_target(due[0].text, day_log[-1] if day_log else None, s, now)
        recent = [r for r in day_log if r.end > now - scheduler.recent_span(s)]
        soonest = max((stats.next_allowed_at, "rate_limited"), (pace_at, "pacing"))
        similar = scheduler.similar_by_text(s.bulk_similarity)
        best: tuple[float, str, OutboxRecord | None] = (math.inf, "idle", None)
        blocked_ops: list[WriteOp] = []
        for rec in due:
            if await self.suppression.is_opted_out(rec.chat):
                blocked_ops += self.entries.block_ops(rec, check("opted_out", "block"), now)
                continue
            norm = rec.norm or fold(rec.text)
            ready_at, code = scheduler.entry_ready(rec.chat, norm, rec.origin, soonest, recent, s, now, similar)
            if ready_at < best[0]:
                best = (ready_at, code, rec)
            if ready_at <= max(now, soonest[0]):
                break  # nothing later in the queue can be ready sooner
        if blocked_ops:
            await self.storage.apply(blocked_ops)
        ready_at, code, chosen = best
        if chosen is None:
            return None if blocked_ops else NextResult(wait_code="idle")
        if ready_at > now:
            return NextResult(retry_at=ready_at, wait_code=code)
        return await self._hand_out(chosen, limits, s)

    @staticmethod
    def late(rec: OutboxRecord, s: SendingSettings, now: float) -> bool:
        """A scheduled message past its time by more than the tolerance (the browser or WhatsApp was
        closed): it must not go out silently late. Once confirmed, it is not held again."""
        confirmed = rec.decision is not None and any(c.code == "late_schedule" for c in rec.decision.checks)
        return rec.origin == "schedule" and not confirmed and now - rec.next_at > s.schedule_tolerance_min * 60

    async def hold_late(self, late: list[OutboxRecord], s: SendingSettings, now: float) -> None:
        """Back to 'queued' with the reason: outbox.approve sends it (now), outbox.cancel drops it."""
        ops: list[WriteOp] = []
        held = []
        for rec in late:
            c = check("late_schedule", "warn", minutes=s.schedule_tolerance_min)
            rec = outbox.move(rec, "queued", now, decision=combine([*(rec.decision.checks if rec.decision else []), c]))
            ops += [outbox.put(rec), self.entries.audit_op(rec, c, now)]
            held.append(rec)
        await self.storage.apply(ops)
        for rec in held:
            self.entries.changed(rec)

    async def _hand_out(self, rec: OutboxRecord, limits: KindLimits, s: SendingSettings) -> NextResult:
        now = self.clock.now()
        token = f"{self.rng.getrandbits(64):016x}"
        rec = outbox.move(rec, "sending", now, attempt=token, attempt_at=now, expires_at=now + JOB_TTL_S)
        ops = [outbox.put(rec), WriteOp(op="delete", store="ratelimit", key="pace")]
        # Counted now, for as long as the tab may take: the windows hold whenever it really sends.
        ops += await self.limiter.hit_ops(
            "message", f"{rec.id}:{token}", limits, span=JOB_TTL_S, chat=rec.chat,
            norm=rec.norm or fold(rec.text)[: outbox.NORM_CHARS], stranger=rec.stranger, ref=rec.id,
        )
        if s.warmup_started_at is None and await self.storage.get("ratelimit", "warmup") is None:
            ops.append(WriteOp(op="put", store="ratelimit", record=WarmupStart(started_at=now).model_dump()))
        await self.storage.apply(ops)
        self.entries.changed(rec)
        title = await self.names.title(rec.chat)
        phone = ChatKey.parse(rec.chat).phone
        return NextResult(
            job=Job(id=rec.id, attempt=token, chat=rec.chat, chat_title=title, find=[t for t in (title, phone) if t],
                    text=rec.text, expires_at=now + JOB_TTL_S, expires_in=JOB_TTL_S)
        )

    async def _pace_target(self, text: str, last: SendLog | None, s: SendingSettings, now: float) -> float:
        """When pacing allows the next send; drawn once per previous send and persisted, so polling
        does not re-roll. ``last``: the latest send of the last day (older ones no longer hold pacing back)."""
        last_id = last.id if last else None
        rec = await self.storage.get("ratelimit", "pace")
        if rec and rec.get("after") == last_id:
            return PaceTarget.model_validate(rec).at
        model = self.pacing_model or pacing.for_limits(s.per_minute)
        at = now + pacing.delay_before_next(model, self.rng, text, last.ts if last else None, now, now)
        await self.storage.put("ratelimit", PaceTarget(after=last_id, at=at).model_dump())
        return at
