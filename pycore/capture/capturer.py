"""Stores a batch of captured rows: dedupe by identity, watermark, health, one write.

Identity is ``<chat key>|<message id>``, never the text, so a row re-rendered a
thousand times is one record and two equal texts in the same minute are two.
Every insert or update takes the next value of a global change sequence that is
persisted in ``meta`` with the same write, so it survives restarts.
"""

from __future__ import annotations

import asyncio
import random
from collections import OrderedDict
from dataclasses import replace
from typing import Callable

from pycore.capture import expand, quotes
from pycore.capture.chat_signals import is_group, track_unread
from pycore.capture.ids import parse_node_id
from pycore.capture.interpret import Interpreted, chat_key, interpret, is_placeholder
from pycore.capture.merge import merge, merge_fields
from pycore.capture.timestamps import fill_times
from pycore.chatkey import TITLE_PREFIX, display_title
from pycore.clock import Clock
from pycore.protocol.capture import CaptureBatch, CaptureResult, ChatHealth, MessagesCaptured
from pycore.protocol.records import ChatRecord, MessageRecord
from pycore.storage.base import Range, Storage, WriteOp

SEQ_META_KEY = "messages.seq"
CACHE_SIZE = 20_000  # recently seen records kept in memory so re-renders never read storage
MEMO_SIZE = 5_000  # interpretations of recently seen raw nodes
HEALTH_FLUSH_SECONDS = 60.0  # problems seen on otherwise unchanged batches are written at most this often


class ChangeSequence:
    """The global ``seq`` counter of the messages store (meta key ``messages.seq``)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.value: int | None = None

    async def load(self) -> int:
        if self.value is None:
            rec = await self.storage.get("meta", SEQ_META_KEY)
            self.value = int(rec["value"]) if rec else 0
        return self.value

    def meta_op(self, value: int) -> WriteOp:
        return WriteOp(op="put", store="meta", record={"key": SEQ_META_KEY, "value": value})


QUOTE_LOOKBACK = 300  # stored messages of the chat searched for a quote's original
OPEN_QUOTES = 500  # per chat: quotes whose original was not stored yet (it may arrive later, scrolling up)


def empty_health(chat: str) -> dict:
    return ChatHealth(chat=chat).model_dump()


class Capturer:
    def __init__(
        self, storage: Storage, clock: Clock, emit: Callable[[MessagesCaptured], None], rng: random.Random | None = None
    ) -> None:
        self.storage = storage
        self.rng = rng or random.Random()
        self.clock = clock
        self.emit = emit
        self.seq = ChangeSequence(storage)
        self._records: OrderedDict[str, dict] = OrderedDict()
        self._chats: dict[str, dict | None] = {}
        self._health: dict[str, dict] = {}
        self._health_flushed: dict[str, float] = {}
        self._memo: OrderedDict[tuple, Interpreted | None] = OrderedDict()
        self._open_quotes: dict[str, OrderedDict[str, dict]] = {}
        # Batches may arrive while one is awaiting storage: one at a time keeps seq unique.
        self._lock = asyncio.Lock()

    # -- cached reads ---------------------------------------------------------
    async def _record(self, key: str) -> dict | None:
        if key in self._records:
            self._records.move_to_end(key)
            return self._records[key]
        return await self.storage.get("messages", key)

    def _remember(self, rec: dict) -> None:
        self._records[rec["key"]] = rec
        self._records.move_to_end(rec["key"])
        while len(self._records) > CACHE_SIZE:
            self._records.popitem(last=False)

    async def _chat(self, key: str) -> dict | None:
        if key not in self._chats:
            self._chats[key] = await self.storage.get("chats", key)
        return self._chats[key]

    async def health(self, chat: str) -> dict:
        if chat not in self._health:
            self._health[chat] = await self.storage.get("capture_state", chat) or empty_health(chat)
        return self._health[chat]

    def _interpret(self, node, chat: str, batch: CaptureBatch) -> Interpreted | None:
        """interpret(), remembered per exact raw facts: re-renders repeat them verbatim."""
        # A row without a sender line is dated from the bubble against today: the minute matters.
        minute = None if node.pre_plain_text else int(batch.observed_at // 60)
        memo_key = (chat, batch.locale, batch.utc_offset_min, minute, node.model_dump_json())
        if memo_key in self._memo:
            self._memo.move_to_end(memo_key)
            done = self._memo[memo_key]
        else:
            done = interpret(node, chat, locale=batch.locale, utc_offset_min=batch.utc_offset_min,
                             observed_at=batch.observed_at)
            self._memo[memo_key] = done
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        # fill_times writes into fields: hand out a copy
        return None if done is None else replace(done, fields=dict(done.fields))

    # -- the batch ------------------------------------------------------------
    async def capture(self, batch: CaptureBatch) -> CaptureResult:
        async with self._lock:
            return await self._capture(batch)

    async def _capture(self, batch: CaptureBatch) -> CaptureResult:
        now = self.clock.now()
        chat = chat_key(batch.chat, [parse_node_id(n.data_id, n.testid) for n in batch.nodes])
        nodes = [n for n in batch.nodes if not is_placeholder(n)]  # rows drawn empty are no message
        items: list[Interpreted] = []
        unknown = 0
        for node in nodes:
            it = self._interpret(node, chat, batch)
            if it is None:
                unknown += 1
            else:
                items.append(it)
        fill_times([(it.fields, it.day) for it in items], observed_at=batch.observed_at)

        seen: dict[str, dict] = {}  # one entry per identity, in DOM order
        for it in items:
            seen[it.key] = merge_fields(seen[it.key], it.fields) if it.key in seen else it.fields
        await self._resolve_quotes(chat, seen)

        seq = await self.seq.load()
        new: list[dict] = []
        updated: list[dict] = []
        known: dict[str, dict] = {}  # stored records this batch saw again, as they stay
        for key, fields in seen.items():
            old = await self._record(key)
            if old is not None:
                known[key] = old
            if old is None:
                seq += 1
                rec = MessageRecord(key=key, seq=seq, first_seen=now, last_seen=now, **fields).model_dump()
                new.append(rec)
                continue
            changes = merge(old, fields)
            if changes:
                seq += 1
                updated.append({**old, **changes, "seq": seq, "last_seen": now})
        for rec in await self._quotes_answered(chat, new, seen):
            seq += 1
            updated.append({**rec, "seq": seq, "last_seen": now})

        health = dict(await self.health(chat))
        self._count_health(health, batch, nodes, items, unknown, new, now)
        ops = [WriteOp(op="put", store="messages", record=r) for r in new + updated]
        # A JID says itself whether it is a group; a chat known by its title needs the page's signals.
        group = chat.startswith(TITLE_PREFIX) and is_group(
            batch.chat, serialized_group=any(it.id.is_group or it.id.participant for it in items),
            authors={it.fields["author"] for it in items if it.fields["direction"] == "in" and it.fields["author"]})
        chat_rec = await self._updated_chat(chat, batch.chat.title, new, updated, group)
        if chat_rec is not None:
            ops.append(WriteOp(op="put", store="chats", record=chat_rec))
        # Clean re-renders write nothing: their counters ride along with the next real write.
        troubled = unknown > 0 or any(not it.clean for it in items)
        since = now - self._health_flushed.get(chat, float("-inf"))
        flush_health = bool(ops) or (troubled and since >= HEALTH_FLUSH_SECONDS)
        if ops:
            ops.append(self.seq.meta_op(seq))
        if flush_health:
            ops.append(WriteOp(op="put", store="capture_state", record=health))
        if ops:
            await self.storage.apply(ops)  # one transaction; caches change only after it succeeded
        self._health[chat] = health
        if flush_health:
            self._health_flushed[chat] = now
        if chat_rec is not None:
            self._chats[chat] = chat_rec
        for rec in new + updated:
            self._remember(rec)
            if rec.get("quoted") and not rec.get("quoted_id"):
                waiting = self._open_quotes.setdefault(chat, OrderedDict())
                waiting[rec["key"]] = rec
                if len(waiting) > OPEN_QUOTES:
                    waiting.popitem(last=False)
        final = {**known, **{r["key"]: r for r in new + updated}}
        rows = [(it.raw, final.get(it.key, it.fields)) for it in items]
        result = CaptureResult(
            chat=chat, new=len(new), updated=len(updated), unchanged=len(seen) - len(new) - len(updated), unknown=unknown,
            expand=expand.plan(rows, hidden=batch.hidden, rng=self.rng),
        )
        if new or updated:
            self.seq.value = seq
            result.seq_from, result.seq_to = seq - len(new) - len(updated) + 1, seq
            self.emit(
                MessagesCaptured(
                    chat=chat,
                    new=[r["key"] for r in new],
                    updated=[r["key"] for r in updated],
                    seq_from=result.seq_from,
                    seq_to=seq,
                )
            )
        return result

    async def _resolve_quotes(self, chat: str, seen: dict[str, dict]) -> None:
        """Quotes without an id point at the newest matching message before them (pycore.capture.quotes)."""
        open_quotes = [f for f in seen.values() if f.get("quoted") and not f.get("quoted_id")]
        if not open_quotes:
            return
        newest = max((f["ts"] for f in open_quotes if f["ts"] is not None), default=None)
        upper = [chat, newest + 60] if newest is not None else [chat, []]
        stored = await self.storage.query("messages", index="by_chat_ts_seq", range=Range(lower=[chat], upper=upper),
                                          limit=QUOTE_LOOKBACK, reverse=True)
        candidates = stored + list(seen.values())
        for fields in open_quotes:
            fields["quoted_id"] = quotes.resolve(fields, candidates)

    async def _quotes_answered(self, chat: str, new: list[dict], seen: dict[str, dict]) -> list[dict]:
        """Stored quotes whose original only arrived now (rows are often read bottom up): their ids."""
        waiting = self._open_quotes.get(chat)
        if not waiting or not new:
            return []
        out = []
        for key in [k for k in waiting if k not in seen]:
            found = quotes.resolve(waiting[key], new)
            if found is None:
                continue
            del waiting[key]
            rec = await self._record(key)
            if rec is not None and not rec.get("quoted_id"):
                out.append({**rec, "quoted_id": found})
        return out

    @staticmethod
    def _count_health(health: dict, batch: CaptureBatch, nodes, items: list[Interpreted], unknown: int, new, now) -> None:
        track_unread(health, batch.chat, sum(1 for r in new if r["direction"] == "in"))
        health["nodes_seen"] += len(nodes)
        health["nodes_clean"] += sum(1 for it in items if it.clean)
        health["nodes_unknown"] += unknown
        health["hidden_batches"] += int(batch.hidden)
        health["last_capture"] = now
        health["count"] += len(new)
        for rec in new:
            ts = rec["ts"]
            if ts is None:
                continue
            if health["oldest_ts"] is None or ts < health["oldest_ts"]:
                health["oldest_ts"], health["oldest_id"] = ts, rec["id"]
            if health["newest_ts"] is None or ts >= health["newest_ts"]:
                health["newest_ts"], health["newest_id"] = ts, rec["id"]
        seen = health["nodes_seen"]
        # What WhatsApp counted but capture has not stored yet makes the figure fall below 100 %.
        health["clean_share"] = round(health["nodes_clean"] / (seen + health.get("missing", 0)), 4) if seen else None

    async def _updated_chat(self, chat: str, title: str, new: list[dict], updated: list[dict], group: bool) -> dict | None:
        """The chat record after this batch, or None when it does not change."""
        old = await self._chat(chat)
        shown = display_title(title)
        rec = dict(old) if old else ChatRecord(key=chat, title=shown or chat, is_group=chat.endswith("@g.us")).model_dump()
        if shown and rec["title"] != shown:
            rec["title"] = shown  # the name as WhatsApp shows it now (emoji included)
        rec["is_group"] = rec["is_group"] or group
        rec["message_count"] += len(new)
        newest = max((r for r in new + updated if r["ts"] is not None), key=lambda r: (r["ts"], r["seq"]), default=None)
        if newest is not None and (rec.get("last_ts") is None or newest["ts"] >= rec["last_ts"]):
            rec["last_ts"] = newest["ts"]
            rec["preview"] = newest["text"][:200] or None
        return None if rec == old else rec
