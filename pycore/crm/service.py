"""The CRM feature: one object the composition root builds and the handlers call.

Its parts share one Context (storage, clock, the in-memory roster, one write lock):
definitions (tags, pipelines, fields, settings), records, notes, reminders, the timeline,
activity (first/last message per chat, derived from capture), identity (contact merges),
lists and boards, CSV import and export, search documents, and the data export / erase the
export feature uses (``export_all``, ``export_person``, ``erase_person``).
"""

from __future__ import annotations

import random
from typing import Callable

from pycore.clock import Clock
from pycore.crm import csv_export, listing
from pycore.crm.activity import Activity
from pycore.crm.context import EVENTS, Context
from pycore.crm.csv_import import Importer
from pycore.crm.defs import Definitions
from pycore.crm.documents import Documents
from pycore.crm.events import entry
from pycore.crm.archive import CrmPart
from pycore.crm.export import Exporter
from pycore.crm.identity import Identity
from pycore.crm.notes import Notes
from pycore.crm.ports import KnownChats, Merges, Messages
from pycore.crm.protocol import CrmBoard, CrmErased, CrmExport, CrmExportFile, CrmFilters, CrmList
from pycore.crm.records import Records
from pycore.crm.reminders import Reminders
from pycore.crm.timeline import Timeline
from pycore.storage.base import WriteOp
from pycore.ports import Emit
from pycore.search.protocol import RecordDocument
from pycore.storage.base import Storage

SEND_PREVIEW = 200


class Crm:
    def __init__(self, storage: Storage, clock: Clock, rng: random.Random, emit: Emit, *, merges: Merges,
                 messages: Messages, known: KnownChats, spawn: Callable) -> None:
        self.ctx = Context(storage, clock, rng, emit, merges, messages, known)
        self.spawn = spawn
        self.identity = Identity(self.ctx)
        self.ctx.converge = self.identity.converge
        self.defs = Definitions(self.ctx)
        self.records = Records(self.ctx)
        self.notes = Notes(self.ctx)
        self.reminders = Reminders(self.ctx)
        self.timeline = Timeline(self.ctx)
        self.activity = Activity(self.ctx, spawn)
        self.importer = Importer(self.ctx)
        self.documents_source = Documents(self.ctx)
        self.exporter = Exporter(self.ctx)
        self.archive_part = CrmPart(self.ctx, self.exporter, self.records, self.activity)  # privacy's port

    # -- start and what other features tell it -----------------------------------------------------
    async def warm(self) -> None:
        """Load (and reconcile merges), purge old deleted notes, catch up with messages. Start-up work
        run in the background: every command also loads on first use."""
        await self.ctx.ready()
        await self.notes.purge()
        await self.activity.catch_up()

    def contacts_changed(self, keys: list[str]) -> None:
        """contacts.changed: these contacts may have been merged or split; applied before the next read."""
        if self.ctx.pending_identity is not None:
            self.ctx.pending_identity |= set(keys)
        if self.ctx.roster.loaded:
            self.spawn(self.ctx.ready())

    def messages_changed(self) -> None:
        """Messages were captured or imported: the first/last message summaries catch up in the background."""
        self.activity.poke()

    async def record_send(self, entry_id: str, chat: str, text: str, origin: str, ts: float) -> None:
        """A message went out through the send gate: a line in the person's timeline (once per outbox entry)."""
        async with self.ctx.writing() as r:
            key = r.resolve(chat)
            op = entry(self.ctx, key, "send", ts, {"outbox": entry_id, "chat": chat, "text": text[:SEND_PREVIEW],
                                                       "origin": origin}, ident=f"send:{entry_id}")
            await self.ctx.commit(ops=[op], quiet=True)
            self.ctx.changed([key])

    async def record_import(self, job_id: str, chat: str, file: str, added: int, ts: float) -> None:
        """A chat export added messages to the person's chat: a line in their timeline (once per import)."""
        async with self.ctx.writing() as r:
            key = r.resolve(chat)
            op = entry(self.ctx, key, "history_import", ts, {"job": job_id, "chat": chat, "file": file, "count": added},
                       ident=f"import:{job_id}")
            await self.ctx.commit(ops=[op], quiet=True)
            self.ctx.changed([key])

    async def forget_import(self, job_id: str, chat: str) -> None:
        """An import rolled back: what it added is gone, and so is its line."""
        async with self.ctx.writing() as r:
            key = r.resolve(chat)
            await self.ctx.commit(ops=[WriteOp(op="delete", store=EVENTS, key=f"import:{job_id}")], quiet=True)
            self.ctx.changed([key])

    # -- lists ---------------------------------------------------------------------------------
    def _times(self) -> tuple[float, float]:
        now = self.ctx.now()
        return now, self.ctx.clock.wall(now)

    async def list(self, filters: CrmFilters, sort: str, descending: bool, offset: int, limit: int) -> CrmList:
        r = await self.ctx.ready()
        return listing.listing(r, filters, sort, descending, offset, limit, *self._times())

    async def board(self, pipeline: str | None, filters: CrmFilters, per_stage: int) -> CrmBoard:
        r = await self.ctx.ready()
        return listing.board(r, pipeline or r.settings["default_pipeline"], filters, per_stage, *self._times())

    async def export_csv(self, filters: CrmFilters, lang: str, utc_offset_min: int) -> CrmExportFile:
        r = await self.ctx.ready()
        now, wall = self._times()
        keys = listing.sort_keys(r, listing.select(r, filters, now, wall), "name", False, r.settings["default_pipeline"])
        return csv_export.export(r, keys, lang, now, utc_offset_min)

    # -- search's port (RecordSource) ----------------------------------------------------------------
    async def documents(self, keys: list[str] | None) -> list[RecordDocument]:
        return await self.documents_source.documents(keys)

    async def record_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        return await self.documents_source.record_keys(tags, stages)

    async def chat_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        return await self.documents_source.chat_keys(tags, stages)

    # -- the export feature's reads and erase ----------------------------------------------------------
    async def export_all(self) -> CrmExport:
        return await self.exporter.export_all()

    async def export_person(self, chat: str) -> CrmExport:
        return await self.exporter.export_person(chat)

    async def erase_person(self, chat: str) -> CrmErased:
        return await self.records.erase(chat, None)
