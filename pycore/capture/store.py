"""The one writer of the ``messages`` and ``chats`` stores: capture and imports both write here.

Identity is ``<chat key>|<message id>``, never the text. A known message only moves forward
(merge.py): ticks never go back, a deleted message stays deleted. Every insert or update takes
the next value of a global change sequence, persisted in ``meta`` with the same write, so search
indexes captures and imports alike and a restart never reuses a value.

Everything goes through one lock and one record cache: a writer that went around the cache would
leave a stale record in it, and the next sighting would be merged against that stale record (a
status moving backwards).

One chat, one key: when pycore.identity learns that two keys name the same chat (a title key
and the JID the page later proved), ``move_chat`` moves every message of the weaker key to the
stronger one in one transaction (a message seen under both keys becomes one record, merged
forward; the moved record names the key it ``replaces`` so search drops the old document).

Removals (an import rolled back, a person erased) go through here too.

Search, the CRM's activity and the other followers read what changed after their own seq. The
newest records written are kept in seq order (``changed_after``), so a follower one or a few
batches behind reads them from memory instead of reading back from IndexedDB what was just put
there: those reads came between capture's writes on the same store and held each next write back.

A message imported from a chat export has no WhatsApp id, so it is stored under an id made from
its content (pycore.history_import). When capture later sees it under its real id, the ``twins``
port finds that copy and the store moves it to the real key (``replaces`` names the old one, so
search drops it): one message, one record.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from pydantic import TypeAdapter

from pycore.capture.merge import merge
from pycore.capture.protocol import ChatHint
from pycore.chatkey import ChatKey, display_title, normalize_title
from pycore.protocol.records import ChatRecord, MessageRecord
from pycore.storage.base import Range, Storage, WriteOp
from pycore.storage.ranges import in_capture_order, in_time_order

SEQ_META_KEY = "messages.seq"
# How many removals of messages there have been, counted in each removal's own transaction: search's
# start trusts a snapshot checked against storage before the last removal without counting again.
REMOVALS_META_KEY = "messages.removals"
# How many messages are stored, kept by each write in its own transaction: IndexedDB counts a store by
# walking it (1.4 s at a million messages, holding up every other read), and the options page and the
# metrics show the number each time they open. A profile from before is counted once (count()).
COUNT_META_KEY = "messages.count"
# The defaults of MessageRecord's optional fields, for records built without validating each one.
RECORD_DEFAULTS = {name: f.default for name, f in MessageRecord.model_fields.items() if not f.is_required()}
_RECORDS: TypeAdapter[list[MessageRecord]] = TypeAdapter(list[MessageRecord], config={"defer_build": True})
CACHE_SIZE = 20_000  # recently seen records kept in memory so re-renders never read storage
LOG_SIZE = 20_000  # the newest records written, in seq order, for followers catching up


@dataclass
class Written:
    new: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    known: dict[str, dict] = field(default_factory=dict)  # the stored records this write saw again, as they were
    seq_from: int | None = None
    seq_to: int | None = None
    replaced: list[str] = field(default_factory=list)  # keys of imported copies moved to their real key

    @property
    def changed(self) -> int:
        return len(self.new) + len(self.updated)


ExtraOps = Callable[[Written], list[WriteOp]]


class Twins(Protocol):
    async def find(self, sightings: dict[str, dict]) -> dict[str, dict]:
        """For sightings not stored under their own key (key -> fields), the stored record that is the
        same message under another key (an imported copy), if any; never one record for two sightings."""


def chat_of(key: str) -> str:
    """The chat part of a message key ("<chat>|<id>"; ids hold no "|")."""
    return key.rsplit("|", 1)[0]


def chat_messages(chat: str) -> Range:
    """Every message key of one chat, as a primary-key range ("<chat>|" up to "<chat>}")."""
    return Range(lower=chat + "|", upper=chat + "}")


class MessageStore:
    def __init__(self, storage: Storage, twins: Twins | None = None, log_size: int = LOG_SIZE) -> None:
        self.storage = storage
        self.twins = twins
        self.lock = asyncio.Lock()  # one writer at a time keeps seq unique
        self._seq: int | None = None
        self._records: OrderedDict[str, dict] = OrderedDict()
        self._chats: dict[str, dict | None] = {}
        # Every stored message record with seq > _log_from, in seq order (None: not known yet). Only
        # this store writes messages, so what it wrote since it read the seq is all there is above it.
        self._log: OrderedDict[str, dict] = OrderedDict()
        self._log_from: int | None = None
        self._log_size = log_size
        self._count: int | None = None  # the kept count (None: not read yet, or not kept in this profile yet)
        self._count_read = False

    # -- reads ----------------------------------------------------------------------------
    async def seq(self) -> int:
        if self._seq is None:
            rec = await self.storage.get("meta", SEQ_META_KEY)
            self._seq = int(rec["value"]) if rec else 0
            self._log_from = self._seq  # nothing is stored above the persisted seq
        return self._seq

    async def removals(self) -> int:
        """The removals of messages so far (REMOVALS_META_KEY)."""
        rec = await self.storage.get("meta", REMOVALS_META_KEY)
        return int(rec["value"]) if rec else 0

    async def removal(self) -> WriteOp:
        """The write that counts one more removal: part of the removal's own transaction."""
        return WriteOp(op="put", store="meta", record={"key": REMOVALS_META_KEY, "value": await self.removals() + 1})

    async def count(self) -> int:
        """How many messages are stored (COUNT_META_KEY); counted once, and kept from then on, in a
        profile that does not keep it yet."""
        async with self.lock:
            if await self._kept_count() is None:
                n = await self.storage.count("messages")
                await self.storage.apply([self._counted(n)])
                self._count = n
            return self._count

    async def _kept_count(self) -> int | None:
        if not self._count_read:
            rec = await self.storage.get("meta", COUNT_META_KEY)
            # Where the change sequence never moved (a new profile) the store is empty or nearly: it is
            # counted at once, and the count kept from the first write on.
            seq = await self.storage.get("meta", SEQ_META_KEY)  # not seq(): that starts the change log
            self._count = int(rec["value"]) if rec else (await self.storage.count("messages") if not seq or not seq["value"] else None)
            self._count_read = True
        return self._count

    async def _apply_counted(self, ops: list[WriteOp], delta: int) -> None:
        """Applies ``ops`` (a change of ``delta`` messages) in one transaction with the count's write
        (none while the profile does not keep a count yet); the count follows once it committed."""
        n = await self._kept_count()
        if n is not None and delta:
            ops = ops + [self._counted(n + delta)]
        if ops:
            await self.storage.apply(ops)
        if n is not None:
            self._count = n + delta

    @staticmethod
    def _counted(n: int) -> WriteOp:
        return WriteOp(op="put", store="meta", record={"key": COUNT_META_KEY, "value": n})

    def emptied(self) -> WriteOp:
        """The count's write for a change that empties the messages store (``forget_cached`` after it)."""
        return self._counted(0)

    async def changed_after(self, after: int, limit: int) -> list[dict]:
        """Stored message records with seq > ``after``, in seq order, at most ``limit``: from memory
        when it holds all of them, else from the ``by_seq`` index."""
        if self._log_from is not None and after >= self._log_from:
            out: list[dict] = []
            for rec in reversed(self._log.values()):
                if rec["seq"] <= after:
                    break
                out.append(rec)
            out.reverse()
            return out[:limit]
        return await self.storage.query("messages", index="by_seq", range=Range(lower=after + 1), limit=limit)

    async def records(self, keys: list[str], known: dict[str, dict | None] | None = None) -> dict[str, dict]:
        """The stored records among ``keys``: from the cache, then from ``known`` (what the caller read
        itself; None = absent), the rest in one read."""
        found = {k: self._records[k] for k in keys if k in self._records}
        missing = [k for k in keys if k not in found]
        if known is not None:
            found.update({k: known[k] for k in missing if known.get(k) is not None})
            missing = [k for k in missing if k not in known]
        for key, rec in zip(missing, await self.storage.get_many("messages", missing)):
            if rec is not None:
                found[key] = rec
        return found

    def remembered(self, keys: list[str]) -> list[dict] | None:
        """The records of ``keys`` as this store last wrote or read them, from its memory alone; None
        when one of them is not there (then storage has to be asked)."""
        found = [r for k in keys if (r := self._records.get(k)) is not None]
        return found if len(found) == len(keys) else None

    async def chat(self, key: str) -> dict | None:
        if key not in self._chats:
            self._chats[key] = await self.storage.get("chats", key)
        return self._chats[key]

    # -- the write --------------------------------------------------------------------------
    async def write(
        self, sightings: dict[str, dict], now: float, hints: dict[str, ChatHint], extra: ExtraOps | None = None,
        known: dict[str, dict | None] | None = None, validated: bool = False,
    ) -> Written:
        """Store one batch of sightings (message key -> MessageRecord fields, ``chat`` and ``id``
        included) in one transaction with the chats they touch, the new seq and ``extra(written)``.
        ``known``: stored records of some keys as the caller just read them (spares a read).
        ``validated``: the caller built every field with MessageRecord's types itself (an import of
        100,000 messages): new records are not validated one by one (30 µs each under Pyodide)."""
        async with self.lock:
            return await self._write(sightings, now, hints, extra, known, validated)

    async def _write(self, sightings: dict[str, dict], now: float, hints: dict[str, ChatHint], extra: ExtraOps | None,
                     known: dict[str, dict | None] | None = None, validated: bool = False) -> Written:
        seq = await self.seq()
        olds = await self.records(list(sightings), known)
        unseen = {k: f for k, f in sightings.items() if k not in olds}
        twins = await self.twins.find(unseen) if self.twins is not None and unseen else {}
        out = Written(known=olds)
        for key, fields in sightings.items():
            old = olds.get(key)
            twin = twins.get(key) if old is None else None
            if twin is not None:  # an imported copy: it moves to this key, forward-merged
                seq += 1
                out.updated.append({**twin, **merge(twin, fields), "key": key, "id": fields["id"], "seq": seq,
                                    "last_seen": now, "replaces": twin["key"]})
                out.replaced.append(twin["key"])
                continue
            if old is None:
                seq += 1
                out.new.append({**(RECORD_DEFAULTS if validated else {}), **fields, "key": key, "seq": seq,
                                "first_seen": now, "last_seen": now})
                continue
            changes = merge(old, fields)
            if changes:
                seq += 1
                out.updated.append({**old, **changes, "seq": seq, "last_seen": now})
        if out.new and not validated:  # the new records as MessageRecord makes them, in one call for the batch
            out.new = _RECORDS.dump_python(_RECORDS.validate_python(out.new))
        if out.changed:
            out.seq_from, out.seq_to = seq - out.changed + 1, seq
        chats = await self._chats_after(out, hints)
        ops = [WriteOp(op="delete", store="messages", key=k) for k in out.replaced]
        ops += [WriteOp(op="put", store="messages", record=r) for r in out.new + out.updated]
        ops += [WriteOp(op="put", store="chats", record=c) for c in chats]
        if out.changed:
            ops.append(WriteOp(op="put", store="meta", record={"key": SEQ_META_KEY, "value": seq}))
        ops += extra(out) if extra else []
        # One transaction; caches change only after it succeeded. A moved imported copy is one out, one in.
        await self._apply_counted(ops, len(out.new))
        self._seq = seq
        for c in chats:
            self._chats[c["key"]] = c
        for key in out.replaced:
            self._records.pop(key, None)
        self._logged(out.replaced, out.new + out.updated)
        for rec in out.new + out.updated:
            self._remember(rec)
        return out

    # -- removals and restores ----------------------------------------------------------------
    async def remove(self, keys: list[str], extra: list[WriteOp] | None = None) -> None:
        """Delete messages (an import rolled back, a person's messages erased) in one transaction
        with ``extra``; their chats' count, last activity and preview are then recounted from
        what is left (idempotent: a removal interrupted between the two is finished by repeating it)."""
        async with self.lock:
            keys = list(dict.fromkeys(keys))
            stored = len(await self.records(keys)) if await self._kept_count() is not None else 0
            ops = [WriteOp(op="delete", store="messages", key=k) for k in keys] + [await self.removal()]
            await self._apply_counted(ops + (extra or []), -stored)
            for key in keys:
                self._records.pop(key, None)
            self._logged(keys, [])
            await self._recount({chat_of(k) for k in keys})

    async def in_chat(self, chat: str) -> list[dict]:
        """Every stored message of one chat, in the order they were stored."""
        return await self.storage.query("messages", index="by_chat_seq", range=in_capture_order(chat))

    async def remove_chats(self, chats: Iterable[str], extra: list[WriteOp] | None = None) -> None:
        """Delete chats with all their messages, in one transaction with ``extra``."""
        async with self.lock:
            chats = sorted(set(chats))
            ops: list[WriteOp] = []
            kept = await self._kept_count() is not None
            gone_messages = 0
            for chat in chats:
                # A title key may itself hold "|": then another chat's keys share the prefix; delete one by one.
                others = await self.storage.query("chats", range=chat_messages(chat), limit=1)
                if others:
                    rows = await self.in_chat(chat)
                    ops += [WriteOp(op="delete", store="messages", key=r["key"]) for r in rows]
                    gone_messages += len(rows)
                else:
                    ops.append(WriteOp(op="delete", store="messages", range=chat_messages(chat)))
                    gone_messages += await self.storage.count("messages", range=chat_messages(chat)) if kept else 0
                ops.append(WriteOp(op="delete", store="chats", key=chat))
            ops.append(await self.removal())
            await self._apply_counted(ops + (extra or []), -gone_messages)
            gone = set(chats)
            for key in [k for k, r in self._records.items() if r.get("chat") in gone]:
                del self._records[key]
            self._logged([k for k, r in self._log.items() if r.get("chat") in gone], [])
            for chat in chats:
                self._chats[chat] = None

    async def restore(self, messages: list[dict], chats: list[dict]) -> int:
        """Put whole records back (an archive restored into an empty profile): each message takes
        a fresh seq, in its old order, so search indexes them like new ones."""
        async with self.lock:
            seq = await self.seq()
            records = []
            for rec in sorted(messages, key=lambda r: r.get("seq") or 0):
                seq += 1
                records.append(MessageRecord.model_validate({**rec, "seq": seq}).model_dump())
            ops = [WriteOp(op="put", store="messages", record=r) for r in records]
            ops += [WriteOp(op="put", store="chats", record=ChatRecord.model_validate(c).model_dump()) for c in chats]
            ops.append(WriteOp(op="put", store="meta", record={"key": SEQ_META_KEY, "value": seq}))
            added = 0
            if await self._kept_count() is not None:
                keys = list(dict.fromkeys(r["key"] for r in records))
                added = len(keys) - len(await self.records(keys))
            await self._apply_counted(ops, added)
            self._seq = seq
            self._logged([], records)
            for c in chats:
                self._chats.pop(c["key"], None)
            return len(records)

    def forget_cached(self) -> None:
        """Drop what is remembered of records and chats (after everything was erased)."""
        self._count_read = False
        self._records.clear()
        self._chats.clear()
        self._log.clear()  # nothing is stored above the seq now
        self._log_from = self._seq

    async def _recount(self, chats: set[str]) -> None:
        ops = []
        for chat in sorted(chats):
            old = await self.storage.get("chats", chat)
            if old is None:
                continue
            count = await self.storage.count("messages", index="by_chat_seq", range=in_capture_order(chat))
            newest = await self.storage.query("messages", index="by_chat_ts_seq", range=in_time_order(chat),
                                              limit=1, reverse=True)
            rec = {**old, "message_count": count, "last_ts": newest[0]["ts"] if newest else None,
                   "preview": (newest[0]["text"][:200] or None) if newest else None}
            if rec != old:
                ops.append(WriteOp(op="put", store="chats", record=rec))
            self._chats[chat] = rec
        if ops:
            await self.storage.apply(ops)

    def _logged(self, deleted: Iterable[str], written: list[dict]) -> None:
        """The change log after a committed write: deleted keys leave it, written records join it
        at the end in seq order (a key written again moves there); the oldest go past its size."""
        for key in deleted:
            self._log.pop(key, None)
        for rec in sorted(written, key=lambda r: r["seq"]):
            self._log.pop(rec["key"], None)
            self._log[rec["key"]] = rec
        while len(self._log) > self._log_size:
            _, oldest = self._log.popitem(last=False)
            self._log_from = oldest["seq"]

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

        for chat in dict.fromkeys(r["chat"] for r in out.new + out.updated):
            await record(chat)  # once per chat, not once per message: a batch's records share one or two
        for rec, is_new in [(r, True) for r in out.new] + [(r, False) for r in out.updated]:
            c = changed[rec["chat"]]
            c["message_count"] += int(is_new)
            if rec["ts"] is not None and (c.get("last_ts") is None or rec["ts"] >= c["last_ts"]):
                c["last_ts"] = rec["ts"]
                c["preview"] = rec["text"][:200] or None
        for chat, hint in hints.items():  # a chat seen with nothing new still gets its record
            c = await record(chat)
            shown = display_title(hint.shown_title or "")
            if shown and c["title"] != shown:
                c["title"] = shown  # the name as WhatsApp shows it now (emoji included): renames follow
            if c.get("norm_title") != normalize_title(c["title"]):
                c["norm_title"] = normalize_title(c["title"]) or None
            c["is_group"] = c["is_group"] or hint.is_group
            if hint.twins is not None:
                c["twins"] = hint.twins
            if hint.ambiguous is not None:
                c["ambiguous"] = hint.ambiguous
        return [c for key, c in changed.items() if c != self._chats.get(key)]

    @staticmethod
    def _new_chat(chat: str, hint: ChatHint | None) -> dict:
        key = ChatKey.parse(chat)
        title = display_title((hint.title if hint else None) or "") or key.fallback_title()
        return ChatRecord(key=chat, title=title, is_group=key.is_group or bool(hint and hint.is_group),
                          norm_title=normalize_title(title) or None).model_dump()

    # -- one chat under two keys -----------------------------------------------------------
    async def move_chat(self, alias: str, canonical: str, now: float, extra: list[WriteOp] | None = None) -> Written:
        """Every message of ``alias`` moves to ``canonical`` (merged forward where the same message
        is already there), the chat records become one, in one transaction with ``extra``."""
        async with self.lock:
            rows = await self.in_chat(alias)
            rows = [MessageRecord.model_validate(r).model_dump() for r in rows]  # older records lack newer fields
            seq = await self.seq()
            olds = await self.records([f"{canonical}|{r['id']}" for r in rows])
            out = Written(known=olds)
            for r in rows:
                key = f"{canonical}|{r['id']}"
                seq += 1
                old = olds.get(key)
                if old is None:
                    out.new.append({**r, "key": key, "chat": canonical, "seq": seq, "replaces": r["key"]})
                else:
                    both = {**old, **merge(old, r), "seq": seq, "replaces": r["key"],
                            "first_seen": min(old["first_seen"], r["first_seen"]), "last_seen": max(old["last_seen"], r["last_seen"])}
                    out.updated.append(both)
            if out.changed:
                out.seq_from, out.seq_to = seq - out.changed + 1, seq
            canon_rec, alias_rec = await self.chat(canonical), await self.chat(alias)
            chat = merged_chat(canon_rec, alias_rec, canonical, out) if canon_rec or alias_rec or rows else None
            ops = [WriteOp(op="delete", store="messages", key=r["key"]) for r in rows]
            ops += [WriteOp(op="put", store="messages", record=r) for r in out.new + out.updated]
            ops.append(WriteOp(op="delete", store="chats", key=alias))
            if chat is not None:
                ops.append(WriteOp(op="put", store="chats", record=chat))
            if out.changed:
                ops.append(WriteOp(op="put", store="meta", record={"key": SEQ_META_KEY, "value": seq}))
            await self._apply_counted(ops + (extra or []), len(out.new) - len(rows))  # the alias's rows out, the new keys in
            self._seq = seq
            self._chats[alias] = None
            if chat is not None:
                self._chats[canonical] = chat
            for r in rows:
                self._records.pop(r["key"], None)
            self._logged([r["key"] for r in rows], out.new + out.updated)
            for rec in out.new + out.updated:
                self._remember(rec)
            return out


def merged_chat(canon: dict | None, alias: dict | None, key: str, moved: Written) -> dict:
    """The chat record of ``key`` after ``alias``'s messages joined it: its own name wins (it is the
    stronger key's), counts add up, the newest activity and preview win, aliases are remembered."""
    base = dict(canon) if canon else {**(alias or {}), "key": key, "message_count": 0, "aliases": []}
    if not base.get("title"):
        base["title"] = ChatKey.parse(key).fallback_title()
    base["norm_title"] = normalize_title(base["title"]) or None
    base["message_count"] = base.get("message_count", 0) + len(moved.new)
    if alias:
        base["is_group"] = bool(base.get("is_group") or alias.get("is_group"))
        if alias.get("last_ts") is not None and (base.get("last_ts") is None or alias["last_ts"] > base["last_ts"]):
            base["last_ts"], base["preview"] = alias["last_ts"], alias.get("preview")
        base["unread"] = max(base.get("unread", 0), alias.get("unread", 0))
    names = [*(base.get("aliases") or []), alias["key"] if alias else None, *((alias or {}).get("aliases") or [])]
    base["aliases"] = sorted({a for a in names if a and a != key})
    base["ambiguous"] = False if ChatKey.parse(key).is_jid else bool(base.get("ambiguous"))
    return ChatRecord.model_validate(base).model_dump()
