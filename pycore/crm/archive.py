"""The CRM's part of the backup archive, of one person's data and of an erase (the privacy
feature's ``ArchivePart`` port, filled in by pycore.features)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pycore.crm.activity import Activity
from pycore.crm.context import ACTIVITY, DEFS, EVENTS, NOTES, RECORDS, REMINDERS, Context
from pycore.crm.export import Exporter
from pycore.crm.protocol import ActivityDoc, CrmRecordDoc, EventDoc, NoteDoc, ReminderDoc
from pycore.crm.records import Records
from pycore.crm.roster import Roster
from pycore.storage.base import WriteOp

Stores = dict[str, list[dict[str, Any]]]
STORES = (RECORDS, DEFS, NOTES, REMINDERS, EVENTS, ACTIVITY)
DOCS = {RECORDS: CrmRecordDoc, NOTES: NoteDoc, REMINDERS: ReminderDoc, EVENTS: EventDoc, ACTIVITY: ActivityDoc}
DEF_PREFIXES = ("tag:", "pipeline:", "field:", "settings", "meta:")


class Person(Protocol):
    chats: tuple[str, ...]
    groups: tuple[str, ...] | None


def _definition(d: Any) -> dict:
    # Definitions are checked where they are read (Roster.put_def); here only their shape.
    if not isinstance(d, dict) or not isinstance(d.get("key"), str) or not d["key"].startswith(DEF_PREFIXES):
        raise ValueError("crm definition without a known key")
    return d


@dataclass
class CrmPart:
    ctx: Context
    exporter: Exporter
    records: Records
    activity: Activity
    name: str = "crm"
    version: int = 1
    holds_people: bool = True

    def _forget(self) -> None:
        self.ctx.roster = Roster()  # reloaded from storage on the next read

    async def dump(self) -> Stores:
        return {s: await self.ctx.storage.query(s) for s in STORES}

    def validate(self, stores: Stores) -> Stores:
        out = {s: [DOCS[s].model_validate(r).model_dump() for r in stores.get(s, [])] for s in DOCS}
        out[DEFS] = [_definition(d) for d in stores.get(DEFS, [])]
        return out

    async def load(self, stores: Stores) -> int:
        ops = [WriteOp(op="put", store=s, record=r) for s, rows in stores.items() for r in rows]
        if ops:
            await self.ctx.storage.apply(ops)
        self._forget()
        return len(ops)

    async def count(self) -> int:
        return sum([await self.ctx.storage.count(s) for s in (RECORDS, NOTES, REMINDERS, EVENTS)])

    async def about(self, person: Person) -> Stores:
        out: Stores = {s: [] for s in (RECORDS, NOTES, REMINDERS, EVENTS, ACTIVITY)}
        seen: set[tuple[str, str]] = set()
        for chat in person.chats:
            part = await self.exporter.export_person(chat)
            for store, docs in ((RECORDS, part.records), (NOTES, part.notes), (REMINDERS, part.reminders),
                                (EVENTS, part.events), (ACTIVITY, part.activity)):
                for doc in docs:
                    d = doc.model_dump()
                    ident = (store, d.get("id") or d.get("key") or d.get("chat"))
                    if ident not in seen:
                        seen.add(ident)
                        out[store].append(d)
        return out

    async def erase(self, person: Person) -> int:
        n = 0
        for chat in person.chats:
            done = await self.records.erase(chat, None)
            n += done.records + done.notes + done.reminders + done.events
        await self.activity.rederive([*person.chats, *(person.groups or ())])  # their messages are gone: derived texts go too
        return n

    async def erase_all(self) -> int:
        n = await self.count()
        await self.ctx.storage.apply([WriteOp(op="clear", store=s) for s in STORES])
        self._forget()
        return n
