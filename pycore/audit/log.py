"""The audit log: every decision of the gate (and every erase or import later), readable and
exportable by the user. Writers get :meth:`AuditLog.entry` ops to apply with their own writes."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass

from pycore.audit.protocol import AuditRecord
from pycore.ids import sortable_id
from pycore.protocol.decisions import Check, Decision
from pycore.storage.base import Range, Storage, WriteOp

PREVIEW_CHARS = 80
CSV_FIELDS = list(AuditRecord.model_fields)
STORE = "audit"


@dataclass
class AuditLog:
    storage: Storage
    rng: random.Random

    def entry(
        self, ts: float, action: str, decision: Decision | Check, *, chat: str | None = None,
        origin: str | None = None, outbox_id: str | None = None, text: str = "",
    ) -> WriteOp:
        rec = AuditRecord(
            id=sortable_id(ts, self.rng), ts=ts, action=action, verdict=decision.verdict, code=decision.code,
            reason_pt=decision.reason_pt, reason_en=decision.reason_en, chat=chat, origin=origin,
            outbox_id=outbox_id, preview=text[:PREVIEW_CHARS],
        )
        return WriteOp(op="put", store=STORE, record=rec.model_dump())

    async def page(self, limit: int, cursor: str | None) -> tuple[list[AuditRecord], str | None]:
        """Newest first; ``cursor`` is the id of the last record of the previous page."""
        rng = Range(upper=cursor) if cursor else None
        rows = await self.storage.query(STORE, range=rng, limit=limit + 2, reverse=True)
        rows = [r for r in rows if r["id"] != cursor][: limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        return [AuditRecord.model_validate(r) for r in rows], (rows[-1]["id"] if more else None)

    async def export(self, fmt: str) -> tuple[str, int]:
        rows = [AuditRecord.model_validate(r).model_dump() for r in await self.storage.query(STORE, index="by_ts")]
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=1), len(rows)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue(), len(rows)
