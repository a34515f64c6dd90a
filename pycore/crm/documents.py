"""What the CRM gives search (its RecordSource port): the searchable texts of records, and the
records or chats a tag/stage filter stands for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator

from pycore.crm.context import NOTES, Context
from pycore.crm.records import record_range
from pycore.crm.values import format_value
from pycore.search.protocol import RecordDocument
from pycore.storage.base import Range

NOTE_PAGE = 5000


@dataclass
class Documents:
    ctx: Context

    async def documents(self, keys: list[str] | None) -> list[RecordDocument]:
        r = await self.ctx.ready()
        wanted = list(r.records) if keys is None else [k for k in keys if k in r.records]
        out: list[RecordDocument] = []
        build = RecordDocument
        for i, key in enumerate(wanted):
            if i and i % 1000 == 0:
                await self.ctx.clock.sleep(0)  # a full load makes tens of thousands: let commands run
            rec = r.records.get(key)
            if rec is None:
                continue
            title = r.name_of(key, rec)
            for fid, value in rec["fields"].items():
                fdef = r.fields.get(fid)
                if fdef is None or value is None:
                    continue
                options = {o["id"]: o["label"] for o in fdef.get("options", [])}
                text = format_value(fdef["type"], value, "pt_BR", options)
                if fdef["type"] == "money":
                    text = f"R$ {text}"
                out.append(build(id=f"field:{key}:{fid}", record=key, kind="field", ref=fid, label=fdef["label"],
                                 title=title, text=text, ts=rec["updated_at"]))
        async for notes in self._notes(wanted if keys is not None else None):
            for n in notes:
                if n.get("deleted_at") is not None or n["record"] not in r.records:
                    continue
                out.append(build(id=f"note:{n['id']}", record=n["record"], kind="note", ref=n["id"], label=None,
                                 title=r.name_of(n["record"]), text=n["text"], ts=n["created_at"]))
        return out

    async def _notes(self, keys: list[str] | None) -> AsyncIterator[list[dict]]:
        """The notes of ``keys`` (None: every note, read in pages with a pause between them, so a
        start-up load of tens of thousands never holds other commands up for long)."""
        st = self.ctx.storage
        if keys is not None:
            for key in keys:
                yield await st.query(NOTES, index="by_record_ts", range=record_range(key))
            return
        after: str | None = None
        while True:
            page = await st.query(NOTES, range=Range(lower=after) if after is not None else None, limit=NOTE_PAGE + 1)
            if after is not None and page and page[0]["id"] == after:
                page = page[1:]
            if not page:
                return
            yield page
            after = page[-1]["id"]
            await self.ctx.clock.sleep(0)

    async def record_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        r = await self.ctx.ready()
        keys = set(r.records)
        for t in tags:
            keys &= r.by_tag.get(t, set())
        if stages:
            keys &= r.keys_in(stages)
        return keys

    async def chat_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        r = await self.ctx.ready()
        return {c for k in await self.record_keys(tags, stages) for c in r.chats_of(k)}
