"""The one writer of the ``messages`` and ``chats`` stores: capture and imports both write here.

Identity is ``<chat key>|<message id>``, never the text. A known message only moves forward
(merge.py): ticks never go back, a deleted message stays deleted. Every insert or update takes
the next value of a global change sequence, persisted in ``meta`` with the same write, so search
indexes captures and imports alike and a restart never reuses a value.

Everything goes through one lock and one record cache: a writer that went around the cache would
leave a stale record in it, and the next sighting would be merged against that stale record (a
status moving backwards).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from pycore.capture.merge import merge
from pycore.capture.protocol import ChatHint
from pycore.chatkey import ChatKey, display_title
from pycore.protocol.records import ChatRecord, MessageRecord
from pycore.storage.base import Storage, WriteOp

SEQ_META_KEY = "messages.seq"
CACHE_SIZE = 20_000  # recently seen records kept in memory so re-renders never read storage


@dataclass
class Written:
    new: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    known: dict[str, dict] = field(default_factory=dict)  # the stored records this write saw again, as they were
    seq_from: int | None = None
    seq_to: int | None = None

    @property
    def changed(self) -> int:
        return len(self.new) + len(self.updated)


ExtraOps = Callable[[Written], list[WriteOp]]


class MessageStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.lock = asyncio.Lock()  # one writer at a time keeps seq unique
        self._seq: int | None = None
        self._records: OrderedDict[str, dict] = OrderedDict()
        self._chats: dict[str, dict | None] = {}

    # -- reads ----------------------------------------------------------------------------
    async def seq(self) -> int:
        if self._seq is None:
            rec = await self.storage.get("meta", SEQ_META_KEY)
            self._seq = int(rec["value"]) if rec else 0
        return self._seq

    async def records(self, keys: list[str]) -> dict[str, dict]:
        """The stored records among ``keys``: from the cache, the rest in one read."""
        found = {k: self._records[k] for k in keys if k in self._records}
        missing = [k for k in keys if k not in found]
        for key, rec in zip(missing, await self.storage.get_many("messages", missing)):
            if rec is not None:
                found[key] = rec
        return found

    async def chat(self, key: str) -> dict | None:
        if key not in self._chats:
            self._chats[key] = await self.storage.get("chats", key)
        return self._chats[key]

    # -- the write --------------------------------------------------------------------------
    async def write(
        self, sightings: dict[str, dict], now: float, hints: dict[str, ChatHint], extra: ExtraOps | None = None,
    ) -> Written:
        """Store one batch of sightings (message key -> MessageRecord fields, ``chat`` and ``id``
        included) in one transaction with the chats they touch, the new seq and ``extra(written)``."""
        async with self.lock:
            return await self._write(sightings, now, hints, extra)

    async def _write(self, sightings: dict[str, dict], now: float, hints: dict[str, ChatHint], extra: ExtraOps | None) -> Written:
        seq = await self.seq()
        olds = await self.records(list(sightings))
        out = Written(known=olds)
        for key, fields in sightings.items():
            old = olds.get(key)
            if old is None:
                seq += 1
                out.new.append(MessageRecord(key=key, seq=seq, first_seen=now, last_seen=now, **fields).model_dump())
                continue
            changes = merge(old, fields)
            if changes:
                seq += 1
                out.updated.append({**old, **changes, "seq": seq, "last_seen": now})
        if out.changed:
            out.seq_from, out.seq_to = seq - out.changed + 1, seq
        chats = await self._chats_after(out, hints)
        ops = [WriteOp(op="put", store="messages", record=r) for r in out.new + out.updated]
        ops += [WriteOp(op="put", store="chats", record=c) for c in chats]
        if out.changed:
            ops.append(WriteOp(op="put", store="meta", record={"key": SEQ_META_KEY, "value": seq}))
        ops += extra(out) if extra else []
        if ops:
            await self.storage.apply(ops)  # one transaction; caches change only after it succeeded
        self._seq = seq
        for c in chats:
            self._chats[c["key"]] = c
        for rec in out.new + out.updated:
            self._remember(rec)
        return out

    def _remember(self, rec: dict) -> None:
        self._records[rec["key"]] = rec
        self._records.move_to_end(rec["key"])
        while len(self._records) > CACHE_SIZE:
            self._records.popitem(last=False)

    async def _chats_after(self, out: Written, hints: dict[str, ChatHint]) -> list[dict]:
        """Chat records that change with this write: created when new, count, last activity, preview,
        the title WhatsApp shows now, and a group signal (once a group, always a group)."""
        changed: dict[str, dict] = {}

        async def record(chat: str) -> dict:
            if chat not in changed:
                old = await self.chat(chat)
                changed[chat] = dict(old) if old else self._new_chat(chat, hints.get(chat))
            return changed[chat]

        for rec, is_new in [(r, True) for r in out.new] + [(r, False) for r in out.updated]:
            c = await record(rec["chat"])
            c["message_count"] += int(is_new)
            if rec["ts"] is not None and (c.get("last_ts") is None or rec["ts"] >= c["last_ts"]):
                c["last_ts"] = rec["ts"]
                c["preview"] = rec["text"][:200] or None
        for chat, hint in hints.items():  # a chat seen with nothing new still gets its record
            c = await record(chat)
            shown = display_title(hint.shown_title or "")
            if shown and c["title"] != shown:
                c["title"] = shown  # the name as WhatsApp shows it now (emoji included)
            c["is_group"] = c["is_group"] or hint.is_group
        return [c for key, c in changed.items() if c != self._chats.get(key)]

    @staticmethod
    def _new_chat(chat: str, hint: ChatHint | None) -> dict:
        key = ChatKey.parse(chat)
        title = display_title((hint.title if hint else None) or "") or key.fallback_title()
        return ChatRecord(key=chat, title=title, is_group=key.is_group or bool(hint and hint.is_group)).model_dump()
