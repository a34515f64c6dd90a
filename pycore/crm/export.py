"""Everything the CRM keeps, for a backup/export (all of it, or one person's part)."""

from __future__ import annotations

from dataclasses import dataclass

from pycore.crm import views
from pycore.crm.context import ACTIVITY, EVENTS, NOTES, RECORDS, REMINDERS, Context
from pycore.crm.protocol import ActivityDoc, CrmExport, CrmRecordDoc, EventDoc, NoteDoc, ReminderDoc
from pycore.crm.records import record_range


@dataclass
class Exporter:
    ctx: Context

    def _defs(self) -> dict:
        r = self.ctx.roster
        return dict(tags=[views.tag(t) for t in views.ordered(r.tags)],
                    pipelines=[views.pipeline(p) for p in views.ordered(r.pipelines)],
                    fields=[views.field(f) for f in views.ordered(r.fields)], settings=views.settings(r.settings))

    async def export_all(self) -> CrmExport:
        await self.ctx.ready()
        st = self.ctx.storage
        return CrmExport(
            **self._defs(),
            records=[CrmRecordDoc.model_validate(d) for d in await st.query(RECORDS)],
            notes=[NoteDoc.model_validate(d) for d in await st.query(NOTES)],
            reminders=[ReminderDoc.model_validate(d) for d in await st.query(REMINDERS)],
            events=[EventDoc.model_validate(d) for d in await st.query(EVENTS)],
            activity=[ActivityDoc.model_validate(d) for d in await st.query(ACTIVITY)],
        )

    async def export_person(self, chat: str) -> CrmExport:
        """One person (any of their chat keys): their record, notes, reminders, timeline entries and
        first/last message summaries, with the definitions their data refers to."""
        r = await self.ctx.ready()
        key = r.resolve(chat)
        st = self.ctx.storage
        rec = r.get(key)

        async def mine(store: str) -> list[dict]:
            owners = r.chats_of(key) if store == EVENTS else (key,)
            return [row for k in owners for row in await st.query(store, index="by_record_ts", range=record_range(k))]

        activity = [d for d in await st.get_many(ACTIVITY, list(r.chats_of(key))) if d]
        return CrmExport(
            **self._defs(),
            records=[CrmRecordDoc.model_validate(rec)] if rec else [],
            notes=[NoteDoc.model_validate(d) for d in await mine(NOTES)],
            reminders=[ReminderDoc.model_validate(d) for d in await mine(REMINDERS)],
            events=[EventDoc.model_validate(d) for d in await mine(EVENTS)],
            activity=[ActivityDoc.model_validate(d) for d in activity],
        )
