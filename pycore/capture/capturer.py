"""Turns a batch of raw rows from the open conversation into stored messages, with the
chat's watermark and capture health, in one write (through the MessageStore).

A row re-rendered a thousand times is one record; two equal texts in the same minute are
two. Clean re-renders write nothing; their health counters ride along with the next write.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Callable

from pycore.capture.ids import parse_node_id
from pycore.capture.interpret import Interpreted, chat_key, interpret
from pycore.capture.merge import merge_fields
from pycore.capture.protocol import CaptureBatch, CaptureResult, ChatHealth, ChatHint, MessagesCaptured
from pycore.capture.store import MessageStore, Written
from pycore.clock import Clock
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage, WriteOp

MEMO_SIZE = 5_000  # interpretations of recently seen raw nodes
HEALTH_FLUSH_SECONDS = 60.0  # problems seen on otherwise unchanged batches are written at most this often


def fill_missing_ts(items: list[Interpreted]) -> None:
    """Rows without data-pre-plain-text (media) take the time of the row before them
    in the DOM (rows are in time order, minute precision), else of the row after."""
    last = None
    for it in items:
        if it.fields["ts"] is None:
            it.fields["ts"] = last
        last = it.fields["ts"] if it.fields["ts"] is not None else last
    nxt = None
    for it in reversed(items):
        if it.fields["ts"] is None:
            it.fields["ts"] = nxt
        nxt = it.fields["ts"] if it.fields["ts"] is not None else nxt


def empty_health(chat: str) -> ChatHealth:
    return ChatHealth(chat=chat)


class Capturer:
    def __init__(self, storage: Storage, clock: Clock, emit: Callable, store: MessageStore) -> None:
        self.storage = storage
        self.clock = clock
        self.emit = emit
        self.store = store
        self._health: dict[str, ChatHealth] = {}
        self._health_flushed: dict[str, float] = {}
        self._memo: OrderedDict[tuple, Interpreted | None] = OrderedDict()

    # -- health ---------------------------------------------------------------------------
    async def health(self, chat: str) -> ChatHealth:
        if chat not in self._health:
            rec = await self.storage.get("capture_state", chat)
            self._health[chat] = ChatHealth.model_validate(rec) if rec else empty_health(chat)
        return self._health[chat]

    async def all_health(self) -> list[ChatHealth]:
        stored = {h["chat"]: ChatHealth.model_validate(h) for h in await self.storage.query("capture_state")}
        stored.update(self._health)
        return [stored[k] for k in sorted(stored)]

    async def stored_count(self, chat: str) -> tuple[int, str | None]:
        """(messages captured in ``chat``, id of the oldest): the backfill's progress and watermark."""
        h = await self.health(chat)
        return h.count, h.oldest_id

    # -- the batch ------------------------------------------------------------------------
    def _interpret(self, node, chat: str, batch: CaptureBatch) -> Interpreted | None:
        """interpret(), remembered per exact raw facts: re-renders repeat them verbatim."""
        memo_key = (chat, batch.locale, batch.utc_offset_min, node.data_id, node.testid, node.pre_plain_text,
                    node.text, node.quoted, node.has_media, *map(tuple, (node.classes, node.icons, node.labels, node.testids)))
        if memo_key in self._memo:
            self._memo.move_to_end(memo_key)
            done = self._memo[memo_key]
        else:
            done = interpret(node, chat, locale=batch.locale, utc_offset_min=batch.utc_offset_min)
            self._memo[memo_key] = done
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        # fill_missing_ts writes into fields: hand out a copy
        return None if done is None else replace(done, fields=dict(done.fields))

    async def capture(self, batch: CaptureBatch) -> CaptureResult:
        now = self.clock.now()
        try:
            chat = chat_key(batch.chat, [parse_node_id(n.data_id, n.testid) for n in batch.nodes])
        except ValueError as exc:
            raise CoreError("invalid_args", f"the batch names no chat: {exc}") from None
        items: list[Interpreted] = []
        unknown = len(batch.rejected)  # rows that did not validate count as rows not understood
        for node in batch.nodes:
            it = self._interpret(node, chat, batch)
            if it is None:
                unknown += 1
            else:
                items.append(it)
        fill_missing_ts(items)
        seen: dict[str, dict] = {}  # one entry per identity, in DOM order
        for it in items:
            seen[it.key] = merge_fields(seen[it.key], it.fields) if it.key in seen else it.fields
        # Rows of another chat (a serialized id names it) are credited to that chat's own health.
        chats = {it.chat for it in items} | {chat}
        hints = {c: ChatHint(title=batch.chat.title if c == chat else None) for c in chats}
        troubled = unknown > 0 or any(not it.clean for it in items)
        healths = {c: (await self.health(c)).model_copy() for c in chats}
        flushed: list[bool] = []

        def health_ops(written: Written) -> list[WriteOp]:
            for c, h in healths.items():
                mine = [it for it in items if it.chat == c]
                self._count_health(h, batch, mine, unknown if c == chat else 0, [r for r in written.new if r["chat"] == c], now)
            since = now - self._health_flushed.get(chat, float("-inf"))
            if written.changed or (troubled and since >= HEALTH_FLUSH_SECONDS):
                flushed.append(True)
                return [WriteOp(op="put", store="capture_state", record=h.model_dump()) for h in healths.values()]
            return []

        written = await self.store.write(seen, now, hints, health_ops)
        self._health.update(healths)
        if flushed:
            for c in chats:
                self._health_flushed[c] = now
        result = CaptureResult(chat=chat, new=len(written.new), updated=len(written.updated),
                               unchanged=len(seen) - written.changed, unknown=unknown, rejected=batch.rejected,
                               seq_from=written.seq_from, seq_to=written.seq_to)
        if written.changed:
            self.emit(MessagesCaptured(
                chat=chat, new=[r["key"] for r in written.new], updated=[r["key"] for r in written.updated],
                seq_from=written.seq_from, seq_to=written.seq_to,
            ))
        return result

    @staticmethod
    def _count_health(h: ChatHealth, batch: CaptureBatch, items: list[Interpreted], unknown: int, new: list[dict],
                      now: float) -> None:
        h.nodes_seen += len(items) + unknown
        h.nodes_clean += sum(1 for it in items if it.clean)
        h.nodes_unknown += unknown
        h.hidden_batches += int(batch.hidden)
        h.last_capture = now
        h.count += len(new)
        for rec in new:
            ts = rec["ts"]
            if ts is None:
                continue
            if h.oldest_ts is None or ts < h.oldest_ts:
                h.oldest_ts, h.oldest_id = ts, rec["id"]
            if h.newest_ts is None or ts >= h.newest_ts:
                h.newest_ts, h.newest_id = ts, rec["id"]
        h.clean_share = round(h.nodes_clean / h.nodes_seen, 4) if h.nodes_seen else None
