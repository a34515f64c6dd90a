"""A person's timeline: several sources merged newest first, paged by a (time, id) cursor.

Sources: the first and last message of each of the person's chats (derived from capture),
notes, reminders, and the entries the CRM writes itself (stage changes, reminders done, sends
through the gate, imports, merges and splits). Each source is read from its own index up to
the cursor, one page (and one more item) at a time.

Message times are the page's wall-clock times and the CRM's are the core's; they are the same
clock except in a development build whose clock was moved forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycore.bilingual import filled
from pycore.crm.context import EVENTS, NOTES, REMINDERS, Context
from pycore.crm.cursor import cursor_at, parse_cursor
from pycore.crm.protocol import CrmLabel, CrmTimeline, CrmTimelineItem
from pycore.crm.records import LOW, record_range
from pycore.crm.texts import TIMELINE
from pycore.storage.base import Range

PREVIEW = 200


def summary(kind: str, data: dict[str, Any]) -> CrmLabel:
    named = {k: (data.get(f"{k}_pt", data.get(k, "")), data.get(f"{k}_en", data.get(k, "")))
             for k in ("pipeline", "before", "after", "stage")}
    return CrmLabel(**filled(TIMELINE[kind], **named, file=data.get("file", ""), other=data.get("other", ""),
                             count=data.get("count", "")))


@dataclass
class Timeline:
    ctx: Context

    async def _indexed(self, store: str, key: str, before: tuple[float, str] | None, want: int) -> list[dict]:
        upper = [key, before[0]] if before else record_range(key).upper
        return await self.ctx.storage.query(store, index="by_record_ts", range=Range(lower=[key, LOW], upper=upper),
                                            limit=want * 2, reverse=True)

    async def page(self, chat: str, cursor: str | None, limit: int) -> CrmTimeline:
        r = await self.ctx.ready()
        key = r.resolve(chat)
        before = parse_cursor(cursor)
        want = limit + 1
        items: list[CrmTimelineItem] = []

        def add(ident: str, kind: str, ts: float, text: str | None, ref: str | None, data: dict[str, Any],
                chat_key: str | None = None, due_at: float | None = None) -> None:
            if before is not None and (ts, ident) >= before:
                return
            items.append(CrmTimelineItem(id=ident, kind=kind, ts=ts, summary=summary(kind, data), text=text, ref=ref,
                                         chat=chat_key, due_at=due_at))

        for c in r.chats_of(key):
            a = r.activity.get(c)
            if a is None:
                continue
            if a.get("first_ts") is not None:
                add(f"first:{c}", "first_message", a["first_ts"], a.get("first_text"), None, {}, c)
            if a.get("last_ts") is not None and a.get("last_key") and a["last_ts"] != a.get("first_ts"):
                add(f"last:{c}", "last_message", a["last_ts"], a.get("last_text"), a.get("last_key"), {}, c)
        for doc in await self._indexed(NOTES, key, before, want):
            if doc.get("deleted_at") is None:
                add(f"note:{doc['id']}", "note", doc["created_at"], doc["text"], doc["id"], {})
        for doc in await self._indexed(REMINDERS, key, before, want):
            add(f"reminder:{doc['id']}", "reminder", doc["created_at"], doc["text"], doc["id"], {}, None, doc["due_at"])
        entries = [doc for c in r.chats_of(key) for doc in await self._indexed(EVENTS, c, before, want)]
        for doc in entries:
            data = doc.get("data", {})
            text = data.get("text") if isinstance(data.get("text"), str) else None
            ref = data.get("reminder") or data.get("outbox") or None
            add(doc["id"], doc["kind"], doc["ts"], text[:PREVIEW] if text else None, ref, data,
                data.get("chat") if isinstance(data.get("chat"), str) else None)
        items.sort(key=lambda i: (i.ts, i.id), reverse=True)
        page = items[:limit]
        more = len(items) > limit
        return CrmTimeline(items=page, next_cursor=cursor_at(page[-1].ts, page[-1].id) if more and page else None)
