"""The CRM side of contact merges and splits.

The contacts feature owns merges (``contacts.merge`` / ``contacts.split``); the CRM follows
them. The composition root tells it which contacts changed (``contacts.changed``), and after
loading it reconciles with every merge the contacts hold, so a merge made while the CRM was not
listening (a crash, a restart) is applied at the next start. :meth:`Identity.converge` makes
the CRM data agree with the contacts' merges:

* merge (S into P): S's record joins P's. P keeps what it has; S's name, tags, field values and
  deals fill what P lacks; a deal in a pipeline where P already has one is kept aside (in
  ``absorbed``, with a timeline line saying so). S's notes, reminders and timeline entries move to
  P and remember their origin. P remembers exactly what it took from S (``absorbed[S]``). A chat
  with no record (only sends in its timeline) needs no moving: a person's timeline reads the
  entries of every chat of theirs.
* split: S gets its record back as it was when merged, plus the deals it brought (in their current
  stage); P gives back the name, tags and field values it took (values changed since stay with P);
  notes, reminders and entries written under S go back to S; what was written under P while merged
  stays with P. Nothing is deleted either way.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from pycore.crm import events
from pycore.crm.context import EVENTS, NOTES, REMINDERS, Context
from pycore.crm.records import bumped, new_record, record_range
from pycore.storage.base import WriteOp

ITEMS = (NOTES, REMINDERS, EVENTS)


@dataclass
class Identity:
    ctx: Context

    async def converge(self, keys: set[str] | None) -> None:
        """Apply the contacts' merges of ``keys`` (None: all of them). Runs under the write lock."""
        r = self.ctx.roster
        if keys is None:
            r.set_merges(await self.ctx.merges.merged_pairs())
        else:
            state = await self.ctx.merges.merged_into(sorted(keys))
            for k in keys:
                r.set_merge(k, state.get(k))
        holders = {s: k for k, rec in r.records.items() for s in rec.get("absorbed", {})}
        candidates = set(r.primary_of) | set(holders) if keys is None else set(keys)
        for s in sorted(candidates):
            primary = r.primary_of.get(s)
            target = r.resolve(primary) if primary else None
            holder = holders.get(s)
            if holder is not None and holder != target:
                await self.split(holder, s)
                holder = None
            if target is not None and target != s and holder is None and await self._has_data(s):
                await self.merge(target, s)

    async def _has_data(self, key: str) -> bool:
        """A record, or notes or reminders filed under the key. (Timeline entries alone, such as sends
        to a chat nobody wrote about, need no moving: a person's timeline reads every chat of theirs.)"""
        if self.ctx.roster.get(key) is not None:
            return True
        for store in (NOTES, REMINDERS):
            if await self.ctx.storage.count(store, index="by_record_ts", range=record_range(key)):
                return True
        return False

    async def _items(self, key: str) -> dict[str, list[dict]]:
        return {store: await self.ctx.storage.query(store, index="by_record_ts", range=record_range(key))
                for store in ITEMS}

    async def merge(self, target: str, s: str) -> None:
        r = self.ctx.roster
        now = self.ctx.now()
        ctx = self.ctx
        p_rec = r.get(target) or new_record(target, now, await ctx.title_of(target))
        s_rec = r.get(s)
        new = copy.deepcopy(p_rec)
        absorbed = {"at": now, "record": copy.deepcopy(s_rec), "name": None, "tags": [], "fields": {}, "deals": {}}
        ops: list[WriteOp] = []
        other = r.name_of(s)
        if s_rec is not None:
            if not new.get("name") and s_rec.get("name"):
                new["name"] = absorbed["name"] = s_rec["name"]
            for t in s_rec["tags"]:
                if t not in new["tags"]:
                    new["tags"].append(t)
                    absorbed["tags"].append(t)
            for f, v in s_rec["fields"].items():
                if new["fields"].get(f) is None:
                    new["fields"][f] = absorbed["fields"][f] = v
            for pid, deal in s_rec["deals"].items():
                if pid not in new["deals"]:
                    new["deals"][pid] = deal
                    absorbed["deals"][pid] = deal["id"]
                else:
                    data = events.stage_data(r, pid, None, deal["stage"])
                    data.update(other=other, stage_pt=data.get("after_pt", ""), stage_en=data.get("after_en", ""))
                    ops.append(events.entry(ctx, target, "kept_aside", now, data))
        items = await self._items(s)
        for store, rows in items.items():
            for row in rows:
                row["record"] = target
                ops.append(WriteOp(op="put", store=store, record=row))
        live = sum(1 for n in items[NOTES] if n.get("deleted_at") is None)
        new["note_count"] = new.get("note_count", 0) + live
        new["absorbed"][s] = absorbed
        ops.append(events.entry(ctx, target, "merge", now, {"other": other, "other_key": s}))
        await ctx.commit(records=[bumped(new, now)], drop=[s] if s_rec is not None else [], ops=ops)
        for rem in items[REMINDERS]:
            r.set_reminder(rem)
        if s_rec is None:
            ctx.changed([s])

    async def split(self, holder: str, s: str) -> None:
        r = self.ctx.roster
        ctx = self.ctx
        now = ctx.now()
        h = copy.deepcopy(r.records[holder])
        taken = h["absorbed"].pop(s)
        back = copy.deepcopy(taken.get("record"))
        if taken.get("name") and h.get("name") == taken["name"]:
            h["name"] = None
        h["tags"] = [t for t in h["tags"] if t not in taken.get("tags", [])]
        for f, v in taken.get("fields", {}).items():
            if h["fields"].get(f) == v:
                del h["fields"][f]
        returned_deals = {}
        for pid, deal_id in taken.get("deals", {}).items():
            deal = h["deals"].get(pid)
            if deal is not None and deal["id"] == deal_id:
                returned_deals[pid] = h["deals"].pop(pid)
        items = await self._items(holder)
        ops: list[WriteOp] = []
        moved: dict[str, list[dict]] = {}
        for store, rows in items.items():
            moved[store] = [row for row in rows if row.get("origin") == s]
            for row in moved[store]:
                row["record"] = s
                ops.append(WriteOp(op="put", store=store, record=row))
        live = sum(1 for n in moved[NOTES] if n.get("deleted_at") is None)
        h["note_count"] = max(0, h.get("note_count", 0) - live)
        if back is None and (returned_deals or moved[NOTES] or moved[REMINDERS]):
            back = new_record(s, now, None)
        records = [bumped(h, now)]
        if back is not None:
            back["deals"] = {**back.get("deals", {}), **returned_deals}
            back["note_count"] = live
            records.append(bumped(back, now))
        name_h, name_s = r.name_of(holder), r.name_of(s, back)
        ops.append(events.entry(ctx, holder, "split", now, {"other": name_s, "other_key": s}))
        ops.append(events.entry(ctx, s, "split", now, {"other": name_h, "other_key": holder}))
        await ctx.commit(records=records, ops=ops)
        for rem in moved[REMINDERS]:
            r.set_reminder(rem)
        if back is None:
            ctx.changed([s])
