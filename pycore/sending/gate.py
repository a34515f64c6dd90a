"""The send gate: policy -> rate limiter -> outbox, for every outbound message.

Nothing here runs in the background. The tab (or an offscreen timer) drives
sending by asking :meth:`SendGate.next_job`; the gate answers with a job to do
now or the time to ask again, and :meth:`SendGate.report` closes the job.

Never twice: an entry is marked ``sending`` with a fresh attempt token and the
send is counted in the limiter's log in ONE transaction before the job leaves
the core. A report must carry that token. An entry still ``sending`` after its
expiry (the tab died, the browser closed) becomes ``verify`` and is settled only
by evidence: the capture saw the message (sent), or the lookup proves it did
not go out (approved again), or the user decides.
"""

from __future__ import annotations

import asyncio
import functools
import math
import random
from typing import Any, Callable

from pycore.clock import Clock
from pycore.protocol.base import CoreError
from pycore.protocol.sending import (
    ConsentEvent, Decision, Job, LimitStats, NextResult, OptoutChanged, OutboxChanged, ReportResult,
    SendingPaused, SendingResumed, SendingStatus, SendResult,
)
from pycore.sending import audit, optout, outbox, pacing, policy
from pycore.sending import settings as settings_mod
from pycore.sending.ids import sortable_id
from pycore.sending.lookups import Lookups, default_lookups
from pycore.sending.rate_limiter import DAY, KindLimits, RateLimiter, Window
from pycore.sending.reasons import WINDOW_NAMES, check, combine
from pycore.sending.settings import SendingSettings
from pycore.storage.base import Storage, WriteOp

JOB_TTL_S = 20.0  # the tab must press send within this time of receiving a job, or not at all
REPORT_GRACE_S = 10.0  # then a missing report turns the entry into 'verify'
HOUR = 3600.0
HIDDEN_RETRY_S = 15.0
DUE_BATCH = 10  # due entries looked at per poll; a cooldown rarely holds back more than a few


SAFE_MODE_RETRY_S = 30.0


async def _default_title(chat: str) -> str:
    return chat[len("title:"):] if chat.startswith("title:") else chat.split("@")[0]


def serialized(method):
    """Run a gate method under the gate's lock. Two tabs (or a tab and a page) may call at once, and
    storage awaits would interleave their read-then-write of one entry: one message, two jobs."""

    @functools.wraps(method)
    async def run(self, *args, **kwargs):
        async with self.lock:
            return await method(self, *args, **kwargs)

    return run


def warmup_day_limit(s: SendingSettings, started_at: float | None, now: float) -> tuple[int | None, int]:
    """(warm-up day index or None, daily limit): a geometric ramp warmup_start -> per_day over warmup_days."""
    if not s.warmup:
        return None, s.per_day
    day = 0 if started_at is None else max(0, int((now - started_at) // DAY))
    if day >= s.warmup_days - 1 or s.warmup_start >= s.per_day:
        return None, s.per_day
    ratio = (s.per_day / s.warmup_start) ** (day / (s.warmup_days - 1))
    return day, min(s.per_day, round(s.warmup_start * ratio))


class SendGate:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        rng: random.Random,
        emit: Callable[[Any], None] = lambda ev: None,
        lookups: Lookups | None = None,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.rng = rng
        self.emit = emit
        self.lookups = lookups or default_lookups(storage)
        # Read-only safe mode (the self-test could not find the composer or send
        # button with certainty): hand out no job rather than act on the wrong element.
        self.read_only = False
        self.chat_title = _default_title
        self.limiter = RateLimiter(storage, clock, rng)
        self.pacing_model: pacing.PacingModel | None = None  # None: the default model for the minute limit
        self.lock = asyncio.Lock()  # see serialized()

    # -- state ------------------------------------------------------------------
    async def settings(self) -> SendingSettings:
        return await settings_mod.load(self.storage)

    async def _state(self, key: str) -> dict[str, Any] | None:
        return await self.storage.get("ratelimit", key)

    async def message_limits(self, s: SendingSettings) -> tuple[KindLimits, int | None, int]:
        started = s.warmup_started_at
        if started is None:
            rec = await self._state("warmup")
            started = rec["started_at"] if rec else None
        day, day_limit = warmup_day_limit(s, started, self.clock.now())
        limits = KindLimits(
            (Window("minute", 60, s.per_minute), Window("hour", HOUR, s.per_hour), Window("day", DAY, day_limit)),
            bucket_capacity=s.bucket_capacity,
        )
        return limits, day, day_limit

    async def paused(self) -> dict[str, Any] | None:
        rec = await self._state("pause")
        return rec if rec and rec.get("paused") else None

    # -- facts and decisions ---------------------------------------------------------
    async def shared_facts(self, day_log: list[dict[str, Any]] | None = None) -> policy.Facts:
        """The parts of the facts that do not depend on the recipient: recent sends and pending entries."""
        now = self.clock.now()
        if day_log is None:
            day_log = await self.limiter.log("message", now - DAY)
        pending = [r for state in ("approved", "sending", "verify", "queued") for r in await outbox.in_state(self.storage, state)]
        strangers = {r["chat"] for r in day_log if r.get("stranger")} | {r["chat"] for r in pending if r.get("stranger")}
        texts = [(r["chat"], r.get("norm", "")) for r in day_log if r["ts"] > now - HOUR]
        texts += [(r["chat"], r.get("norm") or policy.normalize(r["text"])) for r in pending]
        times = [r["ts"] for r in day_log if r["ts"] > now - HOUR]
        return policy.Facts(
            chat="", text="", origin="", strangers_today=strangers, recent_texts=texts,
            recent_send_times=times, paused=await self.paused() is not None,
        )

    async def facts_for(self, shared: policy.Facts, chat: str, text: str, origin: str) -> policy.Facts:
        is_group = chat.endswith("@g.us")
        return policy.Facts(
            chat=chat, text=text, origin=origin,
            opted_out=await optout.is_opted_out(self.storage, chat),
            is_group=is_group,
            saved_contact=is_group or await self.lookups.saved_contact(chat),
            has_inbound=await self.lookups.has_inbound(chat),
            strangers_today=shared.strangers_today, recent_texts=shared.recent_texts,
            recent_send_times=shared.recent_send_times, paused=shared.paused,
        )

    async def decide(
        self, chat: str, text: str, origin: str, day_log: list[dict[str, Any]] | None = None
    ) -> tuple[Decision, policy.Facts]:
        s = await self.settings()
        facts = await self.facts_for(await self.shared_facts(day_log), chat, text, origin)
        return policy.evaluate(facts, s), facts

    # -- requests ----------------------------------------------------------------------
    @serialized
    async def request(
        self, chat: str, text: str, origin: str, scheduled_at: float | None = None, needs_approval: bool = False
    ) -> SendResult:
        now = self.clock.now()
        day_log = await self.limiter.log("message", now - DAY)
        decision, facts = await self.decide(chat, text, origin, day_log)
        next_at = max(now, scheduled_at or now)
        eta = None
        if decision.verdict != "block":
            limits, _, _ = await self.message_limits(await self.settings())
            stats = await self.limiter.stats("message", limits, log=day_log, now=now)
            eta = max(next_at, stats.next_allowed_at)
            if stats.next_allowed_at > next_at:
                # Not a refusal: the message waits for the window; say which one and for how long.
                window = next((w.name for w in stats.windows if w.next_free_at == stats.next_allowed_at), "bucket")
                minutes = max(1, math.ceil((stats.next_allowed_at - now) / 60))
                pt, en = WINDOW_NAMES[window]
                decision = combine(decision.checks + [check("rate_limited", "warn", window_pt=pt, window_en=en, minutes=minutes)])
        state = "blocked" if decision.verdict == "block" else "queued" if needs_approval else "approved"
        rec = outbox.new_entry(
            now, self.rng, chat=chat, text=text, origin=origin, state=state, decision=decision,
            next_at=next_at, stranger=facts.stranger,
        )
        ops = [outbox.put(rec), audit.entry(now, self.rng, "send.request", decision, chat=chat, origin=origin,
                                            outbox_id=rec["id"], text=text)]
        await self.storage.apply(ops)
        self.emit(OutboxChanged(id=rec["id"], state=state))
        return SendResult(decision=decision, outbox_id=rec["id"], state=state, eta=eta if state == "approved" else None)

    @serialized
    async def cancel(self, entry_id: str) -> dict[str, Any]:
        rec = await outbox.get(self.storage, entry_id)
        rec = outbox.move(rec, "cancelled", self.clock.now())
        await self._write_entry(rec, [audit.entry(self.clock.now(), self.rng, "outbox.cancel", check("cancelled", "allow"),
                                                  chat=rec["chat"], origin=rec["origin"], outbox_id=rec["id"])])
        return rec

    @serialized
    async def approve(self, entry_id: str) -> dict[str, Any]:
        rec = await outbox.get(self.storage, entry_id)
        rec = outbox.move(rec, "approved", self.clock.now(), next_at=max(rec["next_at"], self.clock.now()))
        await self._write_entry(rec)
        return rec

    @serialized
    async def resolve(self, entry_id: str, sent: bool) -> dict[str, Any]:
        rec = await outbox.get(self.storage, entry_id)
        if rec["state"] != "verify":
            raise CoreError("conflict", f"outbox entry {entry_id} is {rec['state']}, not verify")
        now = self.clock.now()
        answer = audit.entry(now, self.rng, "outbox.resolve", check("resolved_sent" if sent else "resolved_not_sent", "allow"),
                             chat=rec["chat"], origin=rec["origin"], outbox_id=rec["id"], text=rec["text"])
        if sent:
            return await self._settle(rec, "sent", extra=[answer])
        # The user asks for it again: not a failed try (no backoff, never 'failed'); the limits still pace it.
        rec = outbox.move(rec, "approved", now, next_at=now, error="not sent (user)")
        await self._write_entry(rec, [WriteOp(op="delete", store="sends", key=f"{rec['id']}:{rec['attempt']}"), answer])
        return rec

    async def _write_entry(self, rec: dict[str, Any], extra: list[WriteOp] | None = None) -> None:
        await self.storage.apply([outbox.put(rec)] + (extra or []))
        self.emit(OutboxChanged(id=rec["id"], state=rec["state"], campaign_id=rec.get("campaign_id")))

    # -- the tab's loop: next / report ---------------------------------------------------------
    @serialized
    async def next_job(self, visible: bool = True) -> NextResult:
        result = await self._poll(visible)
        while result is None:  # entries were blocked on the way (opt-out): look again
            result = await self._poll(visible)
        if result.retry_at is not None:
            # The tab waits a duration, not until a time: its clock and the core's may differ.
            result.retry_in = max(0.0, result.retry_at - self.clock.now())
        return result

    async def _poll(self, visible: bool) -> NextResult | None:
        now = self.clock.now()
        inflight = await self.recover(expired_only=True)
        if inflight:
            return NextResult(retry_at=inflight[0]["expires_at"] + REPORT_GRACE_S, wait_code="in_flight")
        if await self.paused():
            return NextResult(wait_code="sending_paused")
        if self.read_only:
            return NextResult(retry_at=now + SAFE_MODE_RETRY_S, wait_code="safe_mode")
        s = await self.settings()
        if not visible and s.block_when_hidden:
            return NextResult(retry_at=now + HIDDEN_RETRY_S, wait_code="tab_hidden")
        due = await outbox.in_state(self.storage, "approved", until=now, limit=DUE_BATCH)
        if not due:
            later = await outbox.in_state(self.storage, "approved", limit=1)
            return NextResult(retry_at=later[0]["next_at"] if later else None, wait_code="scheduled" if later else "idle")
        limits, _, _ = await self.message_limits(s)
        day_log = await self.limiter.log("message", now - max(DAY, s.recipient_cooldown_s))  # ordered by ts
        stats = await self.limiter.stats("message", limits, log=day_log, now=now)
        pace_at = await self._pace_target(due[0]["text"], day_log[-1] if day_log else None, s, now)
        recent = [r for r in day_log if r["end"] > now - max(HOUR, s.recipient_cooldown_s)]
        soonest, global_code = max((stats.next_allowed_at, "rate_limited"), (pace_at, "pacing"))
        best: tuple[float, str, dict[str, Any] | None] = (math.inf, "idle", None)
        blocked_ops: list[WriteOp] = []
        for rec in due:
            if await optout.is_opted_out(self.storage, rec["chat"]):
                blocked_ops += self._block_ops(rec, check("opted_out", "block"), now)
                continue
            waits = [(soonest, global_code), (self._cooldown_until(rec["chat"], recent, s), "recipient_cooldown")]
            if rec["origin"] == "campaign":
                waits.append((self._bulk_until(rec["text"], recent, s), "bulk_throttled"))
            ready_at, code = max(waits, key=lambda w: w[0])
            if ready_at < best[0]:
                best = (ready_at, code, rec)
            if ready_at <= max(now, soonest):
                break  # nothing later in the queue can be ready sooner
        if blocked_ops:
            await self.storage.apply(blocked_ops)
        ready_at, code, rec = best
        if rec is None:
            return None if blocked_ops else NextResult(wait_code="idle")
        if ready_at > now:
            return NextResult(retry_at=ready_at, wait_code=code)
        return await self._hand_out(rec, limits, s)

    async def _hand_out(self, rec: dict[str, Any], limits: KindLimits, s: SendingSettings) -> NextResult:
        now = self.clock.now()
        token = f"{self.rng.getrandbits(64):016x}"
        rec = outbox.move(rec, "sending", now, attempt=token, attempt_at=now, expires_at=now + JOB_TTL_S)
        ops = [outbox.put(rec), WriteOp(op="delete", store="ratelimit", key="pace")]
        # Counted now, for as long as the tab may take: the windows hold whenever it really sends.
        ops += await self.limiter.hit_ops(
            "message", f"{rec['id']}:{token}", limits, span=JOB_TTL_S, chat=rec["chat"],
            norm=rec.get("norm") or policy.normalize(rec["text"])[: outbox.NORM_CHARS],
            stranger=rec.get("stranger", False), ref=rec["id"],
        )
        if s.warmup_started_at is None and await self._state("warmup") is None:
            ops.append(WriteOp(op="put", store="ratelimit", record={"key": "warmup", "started_at": now}))
        await self.storage.apply(ops)
        self.emit(OutboxChanged(id=rec["id"], state="sending", campaign_id=rec.get("campaign_id")))
        title = await self.chat_title(rec["chat"])
        return NextResult(
            job=Job(id=rec["id"], attempt=token, chat=rec["chat"], chat_title=title, text=rec["text"], expires_at=rec["expires_at"],
                expires_in=JOB_TTL_S)
        )

    @serialized
    async def report(
        self, job_id: str, attempt: str, outcome: str, message_id: str | None = None, error: str | None = None
    ) -> ReportResult:
        rec = await outbox.get(self.storage, job_id)
        if rec["attempt"] != attempt or rec["state"] not in ("sending", "verify"):
            return ReportResult(state=rec["state"], accepted=False)  # stale or repeated: change nothing
        now = self.clock.now()
        if outcome == "sent":
            rec = await self._settle(rec, "sent", message_id=message_id)
        elif outcome == "failed_unknown":
            if rec["state"] == "verify":  # the core already knew it could not tell
                return ReportResult(state="verify", accepted=True)
            rec = outbox.move(rec, "verify", now, error=error)
            await self._write_entry(rec, [self._audit(rec, check("verify", "warn"), now)])
        else:
            rec = await self._settle(rec, "not_sent", error=error or "failed before sending")
        return ReportResult(state=rec["state"], accepted=True)

    async def _settle(
        self, rec: dict[str, Any], verdict: str, message_id: str | None = None, error: str | None = None,
        extra: list[WriteOp] | None = None,
    ) -> dict[str, Any]:
        """Close an attempt: sent (keep it in the log), or provably not sent (free its slot, retry with backoff)."""
        now = self.clock.now()
        send_id = f"{rec['id']}:{rec['attempt']}"
        if verdict == "sent":
            rec = outbox.move(rec, "sent", now, sent_at=now, message_id=message_id)
            log = await self.storage.get("sends", send_id)
            ops = [self._audit(rec, check("sent", "allow"), now)]
            if log:
                ops.append(WriteOp(op="put", store="sends", record=log | {"confirmed": True}))
        else:
            tries = rec["tries"] + 1
            retry = tries < outbox.MAX_TRIES
            rec = outbox.move(rec, "approved" if retry else "failed", now, tries=tries, error=error,
                              next_at=now + outbox.backoff(tries, self.rng) if retry else rec["next_at"])
            ops = [WriteOp(op="delete", store="sends", key=send_id)]
            if not retry:
                ops.append(self._audit(rec, check("failed", "block", error=error or "?"), now))
        await self._write_entry(rec, ops + (extra or []))
        return rec

    def _audit(self, rec: dict[str, Any], c, now: float) -> WriteOp:
        return audit.entry(now, self.rng, "outbox." + rec["state"], c, chat=rec["chat"], origin=rec["origin"],
                           outbox_id=rec["id"], text=rec["text"])

    def _block_ops(self, rec: dict[str, Any], c, now: float) -> list[WriteOp]:
        rec = outbox.move(rec, "blocked", now, decision=combine([c]).model_dump())
        return [outbox.put(rec), self._audit(rec, c, now)]

    async def recover(self, expired_only: bool = False) -> list[dict[str, Any]]:
        """On start (and before each hand-out): 'sending' past its expiry -> 'verify'; settle what the lookup can.

        Returns the entries still in flight (a tab may be performing them now).
        """
        now = self.clock.now()
        inflight = []
        for rec in await outbox.in_state(self.storage, "sending"):
            if expired_only and now <= rec["expires_at"] + REPORT_GRACE_S:
                inflight.append(rec)
                continue
            rec = outbox.move(rec, "verify", now)
            await self._write_entry(rec, [self._audit(rec, check("verify", "warn"), now)])
        for rec in await outbox.in_state(self.storage, "verify"):
            # Before the expiry the tab may still press send: only then is "not there" evidence.
            if now > rec["expires_at"] + REPORT_GRACE_S:
                verdict = await self.lookups.was_sent(rec["chat"], rec["text"], rec["attempt_at"], rec["expires_at"])
                if verdict != "unknown":
                    await self._settle(rec, verdict, error="not sent (verified)")
        return inflight

    # -- opt-out ------------------------------------------------------------------------
    async def apply_consent(self, events: list[ConsentEvent], ops: list[WriteOp]) -> list[ConsentEvent]:
        """Write consent changes (with their audit lines) in one transaction, then tell the pages."""
        now = self.clock.now()
        for ev in events:
            c = check(optout.reason_code(ev), "allow", text=ev.text[:80])
            ops.append(audit.entry(now, self.rng, "optout." + ev.kind, c, chat=ev.chat, text=ev.text))
        if ops:
            await self.storage.apply(ops)
        for ev in events:
            self.emit(OptoutChanged(chat=ev.chat, opted_out=ev.kind == "opt_out", source=ev.source))
        return events

    async def scan_optouts(self, records: list[dict[str, Any]]) -> list[ConsentEvent]:
        """For the capture side: call with newly captured message records (inbound ones are read)."""
        return await self.apply_consent(*await optout.scan(self.storage, records))

    async def set_consent(self, chat: str, opted_out: bool, note: str) -> None:
        now = self.clock.now()
        kind = "opt_out" if opted_out else "opt_in"
        ev, ops = optout.consent_ops(chat, kind, "user", note, now, f"user:{sortable_id(now, self.rng)}")
        await self.apply_consent([ev], ops)

    # -- timing ----------------------------------------------------------------------
    async def _pace_target(self, text: str, last: dict[str, Any] | None, s: SendingSettings, now: float) -> float:
        """When pacing allows the next send; drawn once per previous send and persisted, so polling does not re-roll.

        ``last``: the latest send of the last day (an older one no longer holds pacing back).
        """
        last_id = last["id"] if last else None
        rec = await self._state("pace")
        if rec and rec.get("after") == last_id:
            return rec["at"]
        model = self.pacing_model or pacing.for_limits(s.per_minute)
        at = now + pacing.delay_before_next(model, self.rng, text, last["ts"] if last else None, now, now)
        await self.storage.put("ratelimit", {"key": "pace", "after": last_id, "at": at})
        return at

    def _cooldown_until(self, chat: str, recent: list[dict[str, Any]], s: SendingSettings) -> float:
        return max((r["ts"] + s.recipient_cooldown_s for r in recent if r.get("chat") == chat), default=0.0)

    def _bulk_until(self, text: str, recent: list[dict[str, Any]], s: SendingSettings) -> float:
        """Campaign texts: at most bulk_per_hour near-identical sends in any hour."""
        if not policy.is_bulk_candidate(text):
            return 0.0
        norm = policy.normalize(text)
        now = self.clock.now()
        similar = sorted(
            r["end"] for r in recent
            if r["end"] > now - HOUR and policy.similarity(norm, r.get("norm", "")) >= s.bulk_similarity
        )
        if len(similar) < s.bulk_per_hour:
            return 0.0
        return similar[len(similar) - s.bulk_per_hour] + HOUR

    # -- pause -------------------------------------------------------------------------
    async def pause(self, reason: str, detail: str = "") -> SendingStatus:
        now = self.clock.now()
        c = check(f"pause_{reason}", "warn")
        await self.storage.apply([
            WriteOp(op="put", store="ratelimit", record={"key": "pause", "paused": True, "reason": reason, "detail": detail, "at": now}),
            audit.entry(now, self.rng, "sending.pause", c, text=detail),
        ])
        self.emit(SendingPaused(reason=reason, detail=detail, ts=now, reason_pt=c.reason_pt, reason_en=c.reason_en))
        return await self.status()

    async def resume(self) -> SendingStatus:
        now = self.clock.now()
        await self.storage.apply([
            WriteOp(op="delete", store="ratelimit", key="pause"),
            audit.entry(now, self.rng, "sending.resume", check("ok", "allow")),
        ])
        self.emit(SendingResumed(ts=now))
        return await self.status()

    async def status(self) -> SendingStatus:
        s = await self.settings()
        limits, day, day_limit = await self.message_limits(s)
        stats: list[LimitStats] = [await self.limiter.stats("message", limits)]
        stats += [await self.limiter.stats(kind) for kind in ("scrape", "search")]
        p = await self.paused()
        return SendingStatus(
            paused=p is not None, pause_reason=p["reason"] if p else None, paused_at=p["at"] if p else None,
            stats=stats, warmup_day=day, day_limit=day_limit,
        )
