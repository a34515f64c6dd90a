"""A person's record: name, tags, custom field values and deals; the card; bulk changes.

Every change bumps the record's version and is checked against the version the page based it
on (a stale write is refused with the current record). A change that changes nothing writes
nothing and keeps the version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycore.chatkey import ChatKey
from pycore.crm import events, views
from pycore.crm.context import ACTIVITY, EVENTS, NOTES, REMINDERS, Context
from pycore.crm.protocol import NAME_MAX, TAGS_MAX, CrmCard, CrmErased, CrmRow, Lang
from pycore.crm.roster import Roster
from pycore.crm.texts import Invalid, fail
from pycore.crm.values import parse_date, parse_money, parse_value
from pycore.storage.base import Range, WriteOp

VALUE_NAME = ("Valor", "Value")
DATE_NAME = ("Data prevista", "Expected date")
LOW, HIGH = -1e18, 1e18


def new_record(key: str, now: float, title: str | None) -> dict:
    return {"key": key, "is_group": ChatKey.parse(key).is_group, "name": None, "title": title, "tags": [],
            "fields": {}, "deals": {}, "note_count": 0, "absorbed": {}, "version": 0, "created_at": now,
            "updated_at": now}


def bumped(rec: dict, now: float) -> dict:
    return {**rec, "version": rec["version"] + 1, "updated_at": now}


def clean_name(name: str) -> str | None:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())
    if len(text) > NAME_MAX:
        raise fail("invalid_args", "name_too_long", limit=NAME_MAX)
    return text or None


def record_range(key: str) -> Range:
    return Range(lower=[key, LOW], upper=[key, HIGH])


@dataclass
class Records:
    ctx: Context

    # -- reading --------------------------------------------------------------------------------
    def row(self, key: str) -> CrmRow:
        now = self.ctx.now()
        return views.row(self.ctx.roster, key, now, self.ctx.clock.wall(now))

    async def card(self, chat: str, notes_limit: int, notes, reminders) -> CrmCard:
        # Taken before anything is read: every change announced up to it is in what follows.
        seq = self.ctx.change_seq
        r = await self.ctx.ready()
        key = r.resolve(chat)
        row = self.row(key)
        rec = r.get(key)
        if rec is None or not (rec.get("name") or rec.get("title")):
            title = await self.ctx.title_of(chat) or (await self.ctx.title_of(key) if key != chat else None)
            if title:
                row.name = title
        page, cursor = await notes.page(key, None, notes_limit) if notes_limit else ([], None)
        now = self.ctx.now()
        return CrmCard(chat=chat, chats=list(r.chats_of(key)), row=row, notes=page, notes_cursor=cursor,
                       reminders=await reminders.open_of(key), activity=views.activity(r, key, self.ctx.clock.wall(now)),
                       seq=seq)

    # -- writing --------------------------------------------------------------------------------
    async def start(self, r: Roster, chat: str, version: int) -> tuple[str, dict]:
        """The record a write applies to (a new one, version 0, when there is none), version-checked."""
        key = r.resolve(chat)
        rec = r.get(key)
        self.ctx.check_version(rec["version"] if rec else 0, version, lambda: self.row(key).model_dump())
        if rec is None:
            rec = new_record(key, self.ctx.now(), await self.ctx.title_of(chat))
        return key, rec

    async def save(self, old: dict | None, new: dict, ops: list[WriteOp] | None = None) -> CrmRow:
        """Write ``new`` (version bumped) unless it equals ``old``; the row as it is after."""
        if old is not None and new == old and not ops:
            return self.row(new["key"])
        await self.ctx.commit(records=[bumped(new, self.ctx.now())], ops=ops or [])
        row = self.row(new["key"])
        row.seq = self.ctx.change_seq  # the commit's own number: nothing awaited since it
        return row

    @staticmethod
    def tag_ids(r: Roster, ids: list[str]) -> list[str]:
        for t in ids:
            if t not in r.tags:
                raise fail("invalid_args", "unknown_tag")
        return list(dict.fromkeys(ids))

    async def update(self, chat: str, version: int, name: str | None, tags: list[str] | None, add: list[str],
                     remove: list[str], fields: dict[str, Any], lang: Lang) -> CrmRow:
        async with self.ctx.writing() as r:
            key, rec = await self.start(r, chat, version)
            old = r.get(key)
            new = dict(rec)
            if name is not None:
                new["name"] = clean_name(name)
            if tags is not None or add or remove:
                wanted = self.tag_ids(r, tags if tags is not None else rec["tags"])
                wanted += [t for t in self.tag_ids(r, add) if t not in wanted]
                dropped = set(remove)
                new["tags"] = [t for t in wanted if t not in dropped]
                if len(new["tags"]) > TAGS_MAX:
                    raise fail("invalid_args", "too_many_tags", limit=TAGS_MAX)
            if fields:
                values = dict(rec["fields"])
                for fid, raw in fields.items():
                    fdef = r.fields.get(fid)
                    if fdef is None:
                        raise fail("invalid_args", "unknown_field", field=fid)
                    try:
                        value = parse_value(fdef["type"], raw, fdef["label"], lang,
                                            [(o["id"], o["label"]) for o in fdef.get("options", [])])
                    except Invalid as exc:
                        raise exc.error(field=fid) from None
                    if value is None:
                        values.pop(fid, None)
                    else:
                        values[fid] = value
                new["fields"] = values
            return await self.save(old, new)

    async def set_deal(self, chat: str, version: int, pipeline: str | None, stage: str | None, value: Any,
                       expected: str | None, lang: Lang) -> CrmRow:
        async with self.ctx.writing() as r:
            key, rec = await self.start(r, chat, version)
            old = r.get(key)
            pid = pipeline or r.settings["default_pipeline"]
            pdef = r.pipelines.get(pid)
            if pdef is None:
                raise fail("invalid_args", "unknown_pipeline")
            stage_ids = [s["id"] for s in pdef["stages"]]
            if stage is not None and stage not in stage_ids:
                raise fail("invalid_args", "unknown_stage", stage=stage)
            now = self.ctx.now()
            deal = rec["deals"].get(pid)
            ops: list[WriteOp] = []
            if deal is None:
                deal = {"id": self.ctx.new_id("d"), "stage": stage or stage_ids[0], "value_cents": None,
                        "expected_date": None, "stage_since": now, "created_at": now, "updated_at": now}
                ops.append(events.stage_change(self.ctx, key, pid, None, deal["stage"], now))
                changed = True
            else:
                deal, changed = dict(deal), False
                if stage is not None and stage != deal["stage"]:
                    ops.append(events.stage_change(self.ctx, key, pid, deal["stage"], stage, now))
                    deal.update(stage=stage, stage_since=now)
                    changed = True
            try:
                if value is not None:
                    cents = parse_money(value, VALUE_NAME, lang)
                    changed |= cents != deal["value_cents"]
                    deal["value_cents"] = cents
                if expected is not None:
                    day = parse_date(expected, DATE_NAME, lang)
                    changed |= day != deal["expected_date"]
                    deal["expected_date"] = day
            except Invalid as exc:
                raise exc.error() from None
            if not changed:
                return self.row(key)
            deal["updated_at"] = now
            return await self.save(old, {**rec, "deals": {**rec["deals"], pid: deal}}, ops)

    async def remove_deal(self, chat: str, version: int, pipeline: str) -> CrmRow:
        async with self.ctx.writing() as r:
            key, rec = await self.start(r, chat, version)
            deal = rec["deals"].get(pipeline)
            if deal is None:
                raise fail("not_found", "no_deal")
            op = events.stage_change(self.ctx, key, pipeline, deal["stage"], None, self.ctx.now())
            deals = {p: d for p, d in rec["deals"].items() if p != pipeline}
            return await self.save(r.get(key), {**rec, "deals": deals}, [op])

    async def bulk(self, chats: list[str], action: str, tags: list[str], pipeline: str | None,
                   stage: str | None) -> tuple[int, list[str]]:
        """(records unchanged, keys changed): one transaction for all of them."""
        async with self.ctx.writing() as r:
            tags = self.tag_ids(r, tags)
            pid = pipeline or r.settings["default_pipeline"]
            if action == "move_stage":
                pdef = r.pipelines.get(pid)
                if pdef is None:
                    raise fail("invalid_args", "unknown_pipeline")
                if stage not in [s["id"] for s in pdef["stages"]]:
                    raise fail("invalid_args", "unknown_stage", stage=stage or "")
            now = self.ctx.now()
            out: list[dict] = []
            ops: list[WriteOp] = []
            unchanged = 0
            for key in dict.fromkeys(r.resolve(c) for c in chats):
                rec = r.get(key) or new_record(key, now, None)
                if action == "tag":
                    new = {**rec, "tags": rec["tags"] + [t for t in tags if t not in rec["tags"]]}
                elif action == "untag":
                    new = {**rec, "tags": [t for t in rec["tags"] if t not in tags]}
                else:
                    deal = rec["deals"].get(pid)
                    if deal is not None and deal["stage"] == stage:
                        new = rec
                    else:
                        before = deal["stage"] if deal else None
                        base = deal or {"id": self.ctx.new_id("d"), "value_cents": None, "expected_date": None,
                                        "created_at": now}
                        new = {**rec, "deals": {**rec["deals"], pid: {**base, "stage": stage, "stage_since": now,
                                                                        "updated_at": now}}}
                        ops.append(events.stage_change(self.ctx, key, pid, before, stage, now))
                if new == rec:
                    unchanged += 1
                    continue
                out.append(bumped(new, now))
            await self.ctx.commit(records=out, ops=ops)
            return unchanged, [rec["key"] for rec in out]

    # -- erase ----------------------------------------------------------------------------------
    async def erase(self, chat: str, version: int | None) -> CrmErased:
        """Everything the CRM keeps about a person: record (and what merges kept aside in it), notes,
        reminders, timeline entries, and the first/last message summaries of the person's chats."""
        async with self.ctx.writing() as r:
            key = r.resolve(chat)
            rec = r.get(key)
            if version is not None:
                self.ctx.check_version(rec["version"] if rec else 0, version, lambda: self.row(key).model_dump())
            st = self.ctx.storage
            ops: list[WriteOp] = []
            counts, found = {}, {}
            for store, name in ((NOTES, "notes"), (REMINDERS, "reminders"), (EVENTS, "events")):
                owners = r.chats_of(key) if store == EVENTS else (key,)  # sends to any of their chats too
                rows = found[store] = [row for k in owners
                                       for row in await st.query(store, index="by_record_ts", range=record_range(k))]
                ops += [WriteOp(op="delete", store=store, key=row["id"]) for row in rows]
                counts[name] = len(rows)
            chats = [c for c in r.chats_of(key) if c in r.activity]
            ops += [WriteOp(op="delete", store=ACTIVITY, key=c) for c in chats]
            await self.ctx.commit(drop=[key] if rec else [], ops=ops)
            if not rec and ops:
                self.ctx.changed([key])
            for c in chats:
                r.activity.pop(c, None)
            r.set_merges(r.primary_of)  # forget what was derived from those chats
            for rem in found[REMINDERS]:
                r.drop_reminder(rem)
            return CrmErased(records=1 if rec else 0, **counts)
