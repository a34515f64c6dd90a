"""Notes: plain text, many per person, timestamped, editable, deletable with undo.

A deleted note is kept (``deleted_at``) so ``crm.note.restore`` can bring it back; it is purged
after PURGE_AFTER. Adding a note needs no version (it cannot overwrite anything) and does not
change the record's version; editing or deleting one carries the note's own version.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycore.crm import views
from pycore.crm.context import NOTES, Context
from pycore.crm.cursor import cursor_at, parse_cursor
from pycore.crm.protocol import NOTE_MAX, CrmNote, NoteDoc
from pycore.crm.records import new_record, record_range
from pycore.crm.roster import Roster
from pycore.crm.texts import fail
from pycore.storage.base import Range, WriteOp

PURGE_AFTER = 30 * 86400.0


def clean(text: str) -> str:
    """Plain text: line breaks and tabs kept, other control characters dropped, ends trimmed."""
    kept = "".join(ch for ch in text.replace("\r\n", "\n").replace("\r", "\n") if ch in "\n\t" or ch.isprintable())
    out = "\n".join(line.rstrip() for line in kept.split("\n")).strip()
    if not out:
        raise fail("invalid_args", "note_empty")
    if len(out) > NOTE_MAX:
        raise fail("invalid_args", "note_too_long", length=len(out), limit=NOTE_MAX)
    return out


@dataclass
class Notes:
    ctx: Context

    async def _load(self, note_id: str) -> dict:
        doc = await self.ctx.storage.get(NOTES, note_id)
        if doc is None:
            raise fail("not_found", "unknown_note")
        return doc

    def _count(self, r: Roster, key: str, delta: int) -> list[dict]:
        rec = r.get(key)
        if rec is None:
            return []
        return [{**rec, "note_count": max(0, rec.get("note_count", 0) + delta)}]

    async def add(self, chat: str, text: str) -> CrmNote:
        text = clean(text)
        async with self.ctx.writing() as r:
            key = r.resolve(chat)
            now = self.ctx.now()
            rec = r.get(key)
            if rec is None:  # the first note makes the record (still version 0: nothing was overwritten)
                rec = new_record(key, now, await self.ctx.title_of(chat))
            doc = NoteDoc(id=self.ctx.sortable(now), record=key, origin=key, text=text, created_at=now,
                          updated_at=now).model_dump()
            rec = {**rec, "note_count": rec.get("note_count", 0) + 1}
            await self.ctx.commit(records=[rec], ops=[WriteOp(op="put", store=NOTES, record=doc)])
            return views.note(doc)

    def _check(self, doc: dict, version: int) -> None:
        self.ctx.check_version(doc["version"], version, lambda: views.note(doc).model_dump())

    async def edit(self, note_id: str, version: int, text: str) -> CrmNote:
        text = clean(text)
        async with self.ctx.writing():
            doc = await self._load(note_id)
            self._check(doc, version)
            if doc.get("deleted_at") is not None:
                raise fail("conflict", "note_deleted", current=views.note(doc).model_dump())
            if doc["text"] == text:
                return views.note(doc)
            new = {**doc, "text": text, "updated_at": self.ctx.now(), "version": doc["version"] + 1}
            await self.ctx.commit(ops=[WriteOp(op="put", store=NOTES, record=new)])
            self.ctx.changed([doc["record"]])
            return views.note(new)

    async def delete(self, note_id: str, version: int) -> CrmNote:
        async with self.ctx.writing() as r:
            doc = await self._load(note_id)
            self._check(doc, version)
            if doc.get("deleted_at") is not None:
                return views.note(doc)
            new = {**doc, "deleted_at": self.ctx.now(), "version": doc["version"] + 1}
            await self.ctx.commit(records=self._count(r, doc["record"], -1), ops=[WriteOp(op="put", store=NOTES, record=new)])
            return views.note(new)

    async def restore(self, note_id: str) -> CrmNote:
        """Undo a deletion (no version needed: it only brings back what the user just removed)."""
        async with self.ctx.writing() as r:
            doc = await self._load(note_id)
            if doc.get("deleted_at") is None:
                return views.note(doc)
            new = {**doc, "deleted_at": None, "version": doc["version"] + 1}
            await self.ctx.commit(records=self._count(r, doc["record"], +1), ops=[WriteOp(op="put", store=NOTES, record=new)])
            return views.note(new)

    async def page(self, key: str, cursor: str | None, limit: int) -> tuple[list[CrmNote], str | None]:
        """Live notes of a record, newest first, after ``cursor``."""
        after = parse_cursor(cursor)
        upper = [key, after[0]] if after else record_range(key).upper
        out: list[dict] = []
        want = limit + 1
        while True:
            rows = await self.ctx.storage.query(NOTES, index="by_record_ts", range=Range(lower=record_range(key).lower, upper=upper),
                                                limit=want * 2, reverse=True)
            live = [d for d in rows if d.get("deleted_at") is None
                    and (after is None or (d["created_at"], d["id"]) < after)]
            out = live[:want]
            if len(out) >= want or len(rows) < want * 2:
                break
            want *= 4  # many deleted notes (or equal times) in the window: read further
        page = out[:limit]
        more = len(out) > limit
        return [views.note(d) for d in page], cursor_at(page[-1]["created_at"], page[-1]["id"]) if more and page else None

    async def list(self, chat: str, cursor: str | None, limit: int) -> tuple[list[CrmNote], str | None]:
        r = await self.ctx.ready()
        return await self.page(r.resolve(chat), cursor, limit)

    async def purge(self) -> int:
        """Drop notes deleted more than PURGE_AFTER ago."""
        old = await self.ctx.storage.query(NOTES, index="by_deleted", range=Range(upper=self.ctx.now() - PURGE_AFTER))
        if old:
            await self.ctx.storage.apply([WriteOp(op="delete", store=NOTES, key=d["id"]) for d in old])
        return len(old)
