"""First and last message of every chat, for the card, the "waiting for an answer" rule, the last
activity filter and the timeline.

Derived data, caught up from capture's change sequence like the search index: a watermark in
``crm_defs`` says which messages were seen, so a restart (or a capture the listener missed) is caught
up at the next run, and history from before the CRM existed is read once. Captures and imports
only poke it; nobody waits for it.

Messages carry minute-precision times: an outgoing and an incoming message in the same minute
are taken as answered (the outgoing one counts as the last).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Callable

from pycore.crm.context import ACTIVITY, DEFS, Context
from pycore.crm.protocol import ActivityDoc
from pycore.storage.base import WriteOp

META_KEY = "meta:activity_seq"  # in crm_defs: the change sequence of the last message read
BATCH = 2000
PREVIEW = 200


def _later(ts: float, direction: str, last_ts: float | None, last_dir: str | None) -> bool:
    if last_ts is None or ts > last_ts:
        return True
    return ts == last_ts and direction == "out" and last_dir == "in"


def absorb(doc: dict | None, chat: str, msg: dict) -> dict | None:
    """The chat's activity after seeing ``msg``; None when it changes nothing."""
    direction, ts = msg.get("direction"), msg.get("ts")
    if direction not in ("in", "out") or ts is None or msg.get("type") == "system":
        return None
    cur = dict(doc) if doc else ActivityDoc(chat=chat).model_dump()
    text = (msg.get("text") or "")[:PREVIEW] or None
    changed = False
    if cur["first_ts"] is None or ts < cur["first_ts"]:
        cur.update(first_ts=ts, first_dir=direction, first_text=text)
        changed = True
    if _later(ts, direction, cur["last_ts"], cur["last_dir"]) or msg.get("key") == cur["last_key"]:
        if (cur["last_ts"], cur["last_dir"], cur["last_key"], cur["last_text"]) != (ts, direction, msg.get("key"), text):
            cur.update(last_ts=ts, last_dir=direction, last_key=msg.get("key"), last_text=text)
            changed = True
    return cur if changed else None


@dataclass
class Activity:
    ctx: Context
    spawn: Callable
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _task: asyncio.Task | None = None
    _dirty: bool = False

    def poke(self) -> None:
        """New messages were stored: catch up in the background (coalesced)."""
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = self.spawn(self._run())

    async def _run(self) -> None:
        while self._dirty:
            self._dirty = False
            await self.catch_up()

    async def rederive(self, chats: list[str]) -> None:
        """Messages of these chats were removed (a person erased, with their messages in groups):
        their activity is derived again from what each still holds, so no first or last text of a
        removed message stays behind. Only these chats are read: a rebuild read every message stored."""
        async with self._lock:
            r = await self.ctx.ready()
            ops, docs = [], []
            for chat in dict.fromkeys(chats):
                doc = None
                for m in await self.ctx.messages.in_chat(chat):
                    doc = absorb(doc, chat, m) or doc
                if doc is None:
                    ops.append(WriteOp(op="delete", store=ACTIVITY, key=chat))
                    r.activity.pop(chat, None)
                else:
                    ops.append(WriteOp(op="put", store=ACTIVITY, record=doc))
                    docs.append(doc)
            if not ops:
                return
            await self.ctx.storage.apply(ops)
            for doc in docs:
                r.set_activity(doc)
            r.set_merges(r.primary_of)  # forget what was derived from the old activity
            keys = sorted({k for k in map(r.resolve, chats) if k in r.records})
            if keys:
                self.ctx.changed(keys, activity_only=True)

    async def catch_up(self, max_batches: int | None = None) -> int:
        """Read messages changed since the watermark; return how many were read."""
        async with self._lock:
            r = await self.ctx.ready()
            st = self.ctx.storage
            mark = await st.get(DEFS, META_KEY)
            seq = int(mark["value"]) if mark else 0
            seen = batches = 0
            while max_batches is None or batches < max_batches:
                msgs = await self.ctx.messages.changed_after(seq, BATCH)
                if not msgs:
                    break
                changed: dict[str, dict] = {}
                for m in msgs:
                    chat = m.get("chat")
                    if not isinstance(chat, str):
                        continue
                    new = absorb(changed.get(chat) or r.activity.get(chat), chat, m)
                    if new is not None:
                        changed[chat] = new
                seq = max(seq, max(int(m.get("seq") or 0) for m in msgs))
                ops = [WriteOp(op="put", store=ACTIVITY, record=d) for d in changed.values()]
                await st.apply(ops + [WriteOp(op="put", store=DEFS, record={"key": META_KEY, "value": seq})])
                for doc in changed.values():
                    r.set_activity(doc)
                keys = sorted({k for k in map(r.resolve, changed) if k in r.records})
                if keys:
                    self.ctx.changed(keys, activity_only=True)
                seen += len(msgs)
                batches += 1
                if len(msgs) < BATCH:
                    break
            return seen
