"""Closing a send attempt: the tab's report, the user's answer, or evidence after a crash.

Never twice: an entry still ``sending`` after its expiry (the tab died, the browser closed)
becomes ``verify`` and is settled only by evidence (the capture saw the message: sent) or by
the user (it went out; it did not: send it again). Nothing proves a message did not go out.
"""

from __future__ import annotations

from pycore.protocol.base import CoreError
from pycore.reasons import check, combine
from pycore.sending import outbox
from pycore.sending.entries import EntryWriter
from pycore.sending.ports import SendEvidence
from pycore.sending.protocol import OutboxRecord, ReportResult
from pycore.sending.records import SendLog
from pycore.storage.base import WriteOp

REPORT_GRACE_S = 10.0  # after a job's expiry, a missing report turns the entry into 'verify'
REFUSALS = {"chat_ambiguous": "chat_ambiguous"}  # the tab's errors that end a send (-> reason code)


def send_id(rec: OutboxRecord) -> str:
    """The limiter's log record of the entry's current attempt."""
    return f"{rec.id}:{rec.attempt}"


class Settling:
    def __init__(self, entries: EntryWriter, evidence: SendEvidence) -> None:
        self.entries = entries
        self.evidence = evidence
        self.storage = entries.storage
        self.clock = entries.clock

    async def report(self, job_id: str, attempt: str, outcome: str, message_id: str | None, error: str | None) -> ReportResult:
        rec = await outbox.get(self.storage, job_id)
        if rec.attempt != attempt or rec.state not in ("sending", "verify"):
            return ReportResult(state=rec.state, accepted=False)  # stale or repeated: change nothing
        now = self.clock.now()
        if outcome == "sent":
            rec = await self.settle(rec, "sent", message_id=message_id)
        elif outcome == "failed_unknown":
            if rec.state == "verify":  # the core already knew it could not tell
                return ReportResult(state="verify", accepted=True)
            rec = outbox.move(rec, "verify", now, error=error)
            await self.entries.write(rec, [self.entries.audit_op(rec, check("verify", "warn"), now)])
        elif error in REFUSALS:
            # The tab could not tell the chat apart from another of the same name: trying again
            # would not tell it either. Blocked with its reason, never sent to a guess.
            why = check(REFUSALS[error], "block")
            rec = outbox.move(rec, "blocked", now, decision=combine([why]), error=error)
            await self.entries.write(rec, [self.entries.audit_op(rec, why, now),
                                           WriteOp(op="delete", store="sends", key=send_id(rec))])
        else:
            rec = await self.settle(rec, "not_sent", error=error or "failed before sending")
        return ReportResult(state=rec.state, accepted=True)

    async def resolve(self, entry_id: str, sent: bool) -> OutboxRecord:
        """The user's answer to an entry in ``verify``."""
        rec = await outbox.get(self.storage, entry_id)
        if rec.state != "verify":
            raise CoreError("conflict", f"outbox entry {entry_id} is {rec.state}, not verify")
        now = self.clock.now()
        code = "resolved_sent" if sent else "resolved_not_sent"
        answer = self.entries.audit_op(rec, check(code, "allow"), now, action="outbox.resolve")
        if sent:
            return await self.settle(rec, "sent", extra=[answer])
        # The user asks for it again: not a failed try (no backoff, never 'failed'); the limits still pace it.
        rec = outbox.move(rec, "approved", now, next_at=now, error="not sent (user)")
        return await self.entries.write(rec, [WriteOp(op="delete", store="sends", key=send_id(rec)), answer])

    async def settle(
        self, rec: OutboxRecord, verdict: str, message_id: str | None = None, error: str | None = None,
        extra: list[WriteOp] | None = None,
    ) -> OutboxRecord:
        """Close an attempt: sent (keep it in the log), or provably not sent (free its slot, retry with backoff)."""
        now = self.clock.now()
        log_id = send_id(rec)
        if verdict == "sent":
            rec = outbox.move(rec, "sent", now, sent_at=now, message_id=message_id)
            ops = [self.entries.audit_op(rec, check("sent", "allow"), now)]
            logged = await self.storage.get("sends", log_id)
            if logged:
                confirmed = SendLog.model_validate(logged).model_copy(update={"confirmed": True})
                ops.append(WriteOp(op="put", store="sends", record=confirmed.model_dump()))
        else:
            tries = rec.tries + 1
            retry = tries < outbox.MAX_TRIES
            rec = outbox.move(rec, "approved" if retry else "failed", now, tries=tries, error=error,
                              next_at=now + outbox.backoff(tries, self.entries.rng) if retry else rec.next_at)
            ops = [WriteOp(op="delete", store="sends", key=log_id)]
            if not retry:
                ops.append(self.entries.audit_op(rec, check("failed", "block", error=error or "?"), now))
        return await self.entries.write(rec, ops + (extra or []))

    async def recover(self, expired_only: bool = False) -> list[OutboxRecord]:
        """On start (and before each hand-out): 'sending' past its expiry -> 'verify'; settle what the
        evidence can. Returns the entries still in flight (a tab may be performing them now)."""
        now = self.clock.now()
        inflight = []
        for rec in await outbox.in_state(self.storage, "sending"):
            if expired_only and now <= (rec.expires_at or now) + REPORT_GRACE_S:
                inflight.append(rec)
                continue
            rec = outbox.move(rec, "verify", now)
            await self.entries.write(rec, [self.entries.audit_op(rec, check("verify", "warn"), now)])
        for rec in await outbox.in_state(self.storage, "verify"):
            # Before the expiry the tab may still press send and report it itself.
            if rec.expires_at is not None and now > rec.expires_at + REPORT_GRACE_S:
                verdict = await self.evidence.was_sent(rec.chat, rec.text, rec.attempt_at or rec.expires_at, rec.expires_at)
                if verdict == "sent":
                    await self.settle(rec, "sent")
        return inflight
