"""A request's way into the outbox: decided by the policy, queued for its time and audited;
then the user's own moves on it (approve a queued one, cancel one not yet handed out)."""

from __future__ import annotations

import math

from pycore.reasons import WINDOW_NAMES, check, combine
from pycore.sending import outbox
from pycore.sending.decide import Decider
from pycore.sending.entries import EntryWriter
from pycore.sending.handout import HandOut
from pycore.sending.protocol import Origin, OutboxRecord, SendResult
from pycore.sending.rate_limiter import DAY
from pycore.sending.settings import SendingSettings
from pycore.storage.base import WriteOp


class Requests:
    def __init__(self, entries: EntryWriter, decider: Decider, handout: HandOut) -> None:
        self.entries = entries
        self.storage = entries.storage
        self.clock = entries.clock
        self.decider = decider
        self.handout = handout

    async def request(
        self, s: SendingSettings, chat: str, text: str, origin: Origin, scheduled_at: float | None, needs_approval: bool,
    ) -> SendResult:
        now = self.clock.now()
        limiter = self.handout.limiter
        day_log = await limiter.log("message", now - DAY)
        decision, facts = await self.decider.decide(s, chat, text, origin, day_log)
        next_at = max(now, scheduled_at or now)
        eta = None
        if decision.verdict != "block":
            limits, _, _ = await self.handout.limits(s)
            stats = await limiter.stats("message", limits, log=day_log, now=now)
            eta = max(next_at, stats.next_allowed_at)
            if stats.next_allowed_at > next_at:
                # Not a refusal: the message waits for the window; say which one and for how long.
                window = next((w.name for w in stats.windows if w.next_free_at == stats.next_allowed_at), "bucket")
                minutes = max(1, math.ceil((stats.next_allowed_at - now) / 60))
                pt, en = WINDOW_NAMES[window]
                decision = combine(decision.checks + [check("rate_limited", "warn", window_pt=pt, window_en=en, minutes=minutes)])
        state = "blocked" if decision.verdict == "block" else "queued" if needs_approval else "approved"
        rec = outbox.new_entry(now, self.entries.rng, chat=chat, text=text, origin=origin, state=state,
                               decision=decision, next_at=next_at, stranger=facts.stranger)
        await self.entries.write(rec, [self.entries.audit_op(rec, decision, now, action="send.request")])
        return SendResult(decision=decision, outbox_id=rec.id, state=state, eta=eta if state == "approved" else None)

    async def cancel(self, entry_id: str) -> OutboxRecord:
        now = self.clock.now()
        rec = outbox.move(await outbox.get(self.storage, entry_id), "cancelled", now)
        return await self.entries.write(rec, [self.entries.audit_op(rec, check("cancelled", "allow"), now, action="outbox.cancel")])

    async def approve(self, entry_id: str) -> OutboxRecord:
        rec = await outbox.get(self.storage, entry_id)
        now = self.clock.now()
        return await self.entries.write(outbox.move(rec, "approved", now, next_at=max(rec.next_at, now)))

    async def enqueue(self, records: list[OutboxRecord], extra: list[WriteOp]) -> None:
        """Store many new entries (a campaign's) with their audit lines in one transaction."""
        now = self.clock.now()
        ops = [op for rec in records for op in (outbox.put(rec), self.entries.audit_op(rec, rec.decision, now, action="campaign.approve"))]
        await self.storage.apply(ops + extra)  # the campaign's progress event tells the pages and the tab

    async def move_many(self, records: list[OutboxRecord], to: str, extra: list[WriteOp]) -> None:
        """Many entries (a campaign's) move together, in one transaction."""
        now = self.clock.now()
        await self.storage.apply([outbox.put(outbox.move(r, to, now)) for r in records] + extra)
