"""Pausing every queue: by the user, or by the core when WhatsApp warns, logs out or opens
elsewhere. Only the user resumes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from pycore.clock import Clock
from pycore.reasons import check
from pycore.sending.ports import AuditWriter
from pycore.sending.protocol import PauseReason, SendingPaused, SendingResumed
from pycore.sending.records import PauseRecord
from pycore.storage.base import Storage, WriteOp


@dataclass
class PauseState:
    storage: Storage
    clock: Clock
    rng: random.Random
    emit: Callable
    audit: AuditWriter

    async def current(self) -> PauseRecord | None:
        rec = await self.storage.get("ratelimit", "pause")
        return PauseRecord.model_validate(rec) if rec and rec.get("paused") else None

    async def pause(self, reason: PauseReason, detail: str = "") -> None:
        now = self.clock.now()
        c = check(f"pause_{reason}", "warn")
        await self.storage.apply([
            WriteOp(op="put", store="ratelimit", record=PauseRecord(reason=reason, detail=detail, at=now).model_dump()),
            self.audit.entry(now, "sending.pause", c, text=detail),
        ])
        self.emit(SendingPaused(reason=reason, detail=detail, ts=now, reason_pt=c.reason_pt, reason_en=c.reason_en))

    async def resume(self) -> None:
        now = self.clock.now()
        await self.storage.apply([
            WriteOp(op="delete", store="ratelimit", key="pause"),
            self.audit.entry(now, "sending.resume", check("ok", "allow")),
        ])
        self.emit(SendingResumed(ts=now))
