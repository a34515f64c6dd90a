"""Reminders (follow-ups): a due time and a text per person; done, snoozed, overdue.

The core does not fire them: the extension's alarms and notifications do. The core answers what
is due, in order (``due``), including what came due while nobody was watching: a reminder stays
due until the UI says it showed it (``notified``) or the user marks it done, so a browser
closed over its due time shows it at the next start. ``open_due`` is set only while a reminder
is open, so the ``by_open_due`` index lists exactly the open ones in due order.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycore.crm import events, views
from pycore.crm.context import REMINDERS, Context
from pycore.crm.protocol import REMINDER_MAX, CrmDue, CrmReminder, ReminderDoc, RemindersChanged
from pycore.crm.records import new_record, record_range
from pycore.crm.texts import fail
from pycore.storage.base import Range, WriteOp

DAY = 86400.0
EPSILON = 1e-6


def clean(text: str) -> str:
    out = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if not out:
        raise fail("invalid_args", "reminder_empty")
    if len(out) > REMINDER_MAX:
        raise fail("invalid_args", "reminder_too_long", limit=REMINDER_MAX)
    return out


def end_of_day(now: float, utc_offset_min: int) -> float:
    """The end of the local day that contains ``now`` (exclusive), as epoch seconds."""
    local = now + utc_offset_min * 60
    return (local // DAY + 1) * DAY - utc_offset_min * 60


@dataclass
class Reminders:
    ctx: Context

    def view(self, doc: dict) -> CrmReminder:
        return views.reminder(self.ctx.roster, doc, self.ctx.now())

    async def _load(self, rid: str, version: int | None = None) -> dict:
        doc = await self.ctx.storage.get(REMINDERS, rid)
        if doc is None:
            raise fail("not_found", "unknown_reminder")
        if version is not None:
            self.ctx.check_version(doc["version"], version, lambda: self.view(doc).model_dump())
        return doc

    async def _save(self, doc: dict, extra: list[WriteOp] | None = None, records: list[dict] | None = None) -> CrmReminder:
        await self.ctx.commit(records=records or [], ops=[WriteOp(op="put", store=REMINDERS, record=doc), *(extra or [])],
                              quiet=True)
        self.ctx.roster.set_reminder(doc)
        await self._changed([doc["record"]])
        return self.view(doc)

    async def _changed(self, keys: list[str]) -> None:
        self.ctx.changed(keys)
        self.ctx.emit(RemindersChanged(next_due_at=await self.next_due()))

    async def add(self, chat: str, due_at: float, text: str) -> CrmReminder:
        text = clean(text)
        async with self.ctx.writing() as r:
            key = r.resolve(chat)
            now = self.ctx.now()
            records = []
            if r.get(key) is None:  # a reminder makes the record (version 0: nothing was overwritten)
                records.append(new_record(key, now, await self.ctx.title_of(chat)))
            doc = ReminderDoc(id=self.ctx.sortable(now), record=key, origin=key, text=text, due_at=due_at,
                              open_due=due_at, created_at=now, updated_at=now).model_dump()
            return await self._save(doc, records=records)

    async def update(self, rid: str, version: int, due_at: float | None, text: str | None) -> CrmReminder:
        async with self.ctx.writing():
            doc = await self._load(rid, version)
            new = dict(doc)
            if text is not None:
                new["text"] = clean(text)
            if due_at is not None and due_at != doc["due_at"]:
                new.update(due_at=due_at, notified_at=None, open_due=due_at if doc.get("done_at") is None else None)
            if new == doc:
                return self.view(doc)
            new.update(version=doc["version"] + 1, updated_at=self.ctx.now())
            return await self._save(new)

    async def done(self, rid: str, version: int, done: bool) -> CrmReminder:
        async with self.ctx.writing():
            doc = await self._load(rid, version)
            if (doc.get("done_at") is not None) == done:
                return self.view(doc)
            now = self.ctx.now()
            new = {**doc, "done_at": now if done else None, "open_due": None if done else doc["due_at"],
                   "version": doc["version"] + 1, "updated_at": now}
            extra = [events.entry(self.ctx, doc["record"], "reminder_done", now, {"reminder": rid, "text": doc["text"]},
                                  origin=doc["origin"])] if done else []
            return await self._save(new, extra)

    async def snooze(self, rid: str, version: int, minutes: int | None, until: float | None) -> CrmReminder:
        async with self.ctx.writing():
            doc = await self._load(rid, version)
            if doc.get("done_at") is not None:
                raise fail("conflict", "reminder_done", current=self.view(doc).model_dump())
            now = self.ctx.now()
            due = until if until is not None else now + 60.0 * (minutes or 10)
            new = {**doc, "due_at": due, "open_due": due, "notified_at": None, "snoozed": doc.get("snoozed", 0) + 1,
                   "version": doc["version"] + 1, "updated_at": now}
            return await self._save(new)

    async def delete(self, rid: str, version: int) -> int:
        async with self.ctx.writing():
            doc = await self._load(rid, version)
            await self.ctx.storage.apply([WriteOp(op="delete", store=REMINDERS, key=rid)])
            self.ctx.roster.drop_reminder(doc)
            await self._changed([doc["record"]])
            return 1

    # -- what is due ----------------------------------------------------------------------------
    async def _open(self, upper: float | None = None, lower: float | None = None, limit: int | None = None) -> list[dict]:
        rng = Range(lower=lower, upper=upper) if upper is not None or lower is not None else None
        return await self.ctx.storage.query(REMINDERS, index="by_open_due", range=rng, limit=limit)

    async def next_due(self) -> float | None:
        rows = await self._open(lower=self.ctx.now() + EPSILON, limit=1)
        return rows[0]["due_at"] if rows else None

    async def due(self) -> CrmDue:
        await self.ctx.ready()
        now = self.ctx.now()
        rows = [d for d in await self._open(upper=now) if d.get("notified_at") is None]
        nxt = await self.next_due()
        return CrmDue(due=[self.view(d) for d in rows], next_due_at=nxt,
                      next_due_in=None if nxt is None else round(nxt - now, 3))

    async def notified(self, ids: list[str]) -> int:
        async with self.ctx.writing():
            docs = [d for d in await self.ctx.storage.get_many(REMINDERS, list(dict.fromkeys(ids))) if d]
            now = self.ctx.now()
            new = [{**d, "notified_at": now} for d in docs if d.get("notified_at") is None]
            if new:
                await self.ctx.storage.apply([WriteOp(op="put", store=REMINDERS, record=d) for d in new])
            return len(new)

    async def open_of(self, key: str) -> list[CrmReminder]:
        rows = await self.ctx.storage.query(REMINDERS, index="by_record_ts", range=record_range(key))
        return sorted((self.view(d) for d in rows if d.get("done_at") is None), key=lambda v: (v.due_at, v.id))

    async def list(self, scope: str, chat: str | None, utc_offset_min: int, limit: int, offset: int) -> tuple[list[CrmReminder], int]:
        r = await self.ctx.ready()
        now = self.ctx.now()
        key = r.resolve(chat) if chat else None
        if scope == "done":
            rows = (await self.ctx.storage.query(REMINDERS, index="by_record_ts", range=record_range(key)) if key
                    else await self.ctx.storage.query(REMINDERS))
            rows = sorted((d for d in rows if d.get("done_at") is not None), key=lambda d: (-d["done_at"], d["id"]))
        else:
            upper = {"today": end_of_day(now, utc_offset_min) - EPSILON, "overdue": now, "open": None}[scope]
            rows = await self._open(upper=upper)
            if key:
                rows = [d for d in rows if d["record"] == key]
        return [self.view(d) for d in rows[offset:offset + limit]], len(rows)
