"""Writing outbox entries: the entry, its audit line and any other op in one transaction,
then the pages hear of it. Every part of the gate writes through here."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from pycore.clock import Clock
from pycore.reasons import combine
from pycore.sending import outbox
from pycore.sending.ports import AuditWriter
from pycore.sending.protocol import Check, Decision, OutboxChanged, OutboxRecord
from pycore.storage.base import Storage, WriteOp


@dataclass
class EntryWriter:
    storage: Storage
    clock: Clock
    rng: random.Random
    emit: Callable
    audit: AuditWriter

    async def write(self, rec: OutboxRecord, extra: list[WriteOp] | None = None) -> OutboxRecord:
        await self.storage.apply([outbox.put(rec)] + (extra or []))
        self.changed(rec)
        return rec

    def changed(self, rec: OutboxRecord) -> None:
        self.emit(OutboxChanged(id=rec.id, state=rec.state, campaign_id=rec.campaign_id))

    def audit_op(self, rec: OutboxRecord, decision: Decision | Check, now: float, action: str | None = None) -> WriteOp:
        return self.audit.entry(now, action or "outbox." + rec.state, decision, chat=rec.chat, origin=rec.origin,
                                outbox_id=rec.id, text=rec.text)

    def block_ops(self, rec: OutboxRecord, c: Check, now: float) -> list[WriteOp]:
        rec = outbox.move(rec, "blocked", now, decision=combine([c]))
        return [outbox.put(rec), self.audit_op(rec, c, now)]
