"""Turns a batch of raw rows from the open conversation into stored messages, with the
chat's watermark and capture health, in one write (through the MessageStore).

A row re-rendered a thousand times is one record; two equal texts in the same minute are
two. A row drawn without content (a placeholder of a virtualized list) is no message.
Clean re-renders write nothing; their health counters ride along with the next write.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from typing import Callable, Protocol

from pycore.capture import expand, quotes
from pycore.capture.chat_signals import is_group, track_unread
from pycore.msgids import MessageId, parse_node_id
from pycore.capture.interpret import Interpreted, interpret, is_placeholder
from pycore.capture.merge import merge_fields
from pycore.capture.protocol import (
    CaptureBatch,
    CaptureResult,
    ChatFacts,
    ChatHealth,
    ChatHint,
    ChatOpened,
    MessagesCaptured,
    OpenChatNow,
    RawMessageNode,
)
from pycore.capture.store import MessageStore, Written
from pycore.capture.timestamps import fill_times
from pycore.chatkey import ChatKey
from pycore.clock import Clock
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage, WriteOp
from pycore.storage.ranges import in_time_order

MEMO_SIZE = 2_000  # interpretations of recently seen rows, with their facts (2 KB each): a chat reopened resends its window
HEALTH_FLUSH_SECONDS = 60.0  # problems seen on otherwise unchanged batches are written at most this often
QUOTE_LOOKBACK = 300  # stored messages of the chat searched for a quote's original
OPEN_QUOTES = 500  # per chat: quotes whose original was not stored yet (it may arrive later, scrolling up)
RECORD_ONLY = ("key", "seq", "first_seen", "last_seen")


class Who(Protocol):
    key: str
    how: str
    twins: int
    ambiguous: bool
    read_drawer: bool
    others: list[str]


class ChatResolver(Protocol):
    async def identify(self, facts: ChatFacts, ids: list[MessageId | None], *, group: bool = False) -> Who:
        """The stored chat this open chat is (pycore.identity); ValueError when nothing names it."""


def empty_health(chat: str) -> ChatHealth:
    return ChatHealth(chat=chat)


def merged_health(c: ChatHealth, a: ChatHealth) -> ChatHealth:
    def pick(x, y, best):
        return y if x is None else x if y is None else best(x, y)

    h = c.model_copy()
    for name in ("count", "nodes_seen", "nodes_clean", "nodes_unknown", "hidden_batches"):
        setattr(h, name, getattr(c, name) + getattr(a, name))
    if a.oldest_ts is not None and (c.oldest_ts is None or a.oldest_ts < c.oldest_ts):
        h.oldest_ts, h.oldest_id = a.oldest_ts, a.oldest_id
    if a.newest_ts is not None and (c.newest_ts is None or a.newest_ts > c.newest_ts):
        h.newest_ts, h.newest_id = a.newest_ts, a.newest_id
    h.last_capture = pick(c.last_capture, a.last_capture, max)
    h.clean_share = round(h.nodes_clean / (h.nodes_seen + h.missing), 4) if h.nodes_seen else None
    return h


class Capturer:
    def __init__(self, storage: Storage, clock: Clock, emit: Callable, store: MessageStore, rng: random.Random,
                 resolver: ChatResolver) -> None:
        self.storage = storage
        self.resolver = resolver
        self.clock = clock
        self.emit = emit
        self.store = store
        self.rng = rng
        self._health: dict[str, ChatHealth] = {}
        self._health_flushed: dict[str, float] = {}
        self._memo: OrderedDict[tuple, tuple[RawMessageNode, Interpreted | None]] = OrderedDict()
        self._open_quotes: dict[str, OrderedDict[str, dict]] = {}
        self._open = OpenChatNow(chat=None, title=None, since=None)

    # -- the open chat ----------------------------------------------------------------------
    def open_chat(self) -> OpenChatNow:
        return self._open

    def _follow_open_chat(self, chat: str, title: str, now: float) -> None:
        """Pages show the open conversation's CRM card: tell them when the capture names another one."""
        if chat == self._open.chat and title == self._open.title:
            return
        self._open = OpenChatNow(chat=chat, title=title or None, since=now)
        self.emit(ChatOpened(**self._open.model_dump()))

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

    async def rekey_ops(self, alias: str, canonical: str) -> list[WriteOp]:
        """The capture figures of two keys of one chat, added up under ``canonical``."""
        a, c = await self.health(alias), await self.health(canonical)
        if a.nodes_seen == 0 and a.count == 0:
            return [WriteOp(op="delete", store="capture_state", key=alias)]
        both = merged_health(c, a).model_copy(update={"chat": canonical})
        return [WriteOp(op="delete", store="capture_state", key=alias),
                WriteOp(op="put", store="capture_state", record=both.model_dump())]

    def forget(self, *chats: str) -> None:
        """Cached figures of chats whose stored record changed under us (a link): read them again."""
        for chat in chats:
            self._health.pop(chat, None)
            self._open_quotes.pop(chat, None)

    async def stored_count(self, chat: str) -> tuple[int, str | None]:
        """(messages captured in ``chat``, id of the oldest): the backfill's progress and watermark."""
        h = await self.health(chat)
        return h.count, h.oldest_id

    # -- the batch ------------------------------------------------------------------------
    def _interpret(self, node, chat: str, batch: CaptureBatch) -> Interpreted | None:
        """interpret(), remembered per row: re-renders repeat a row's facts verbatim. Keyed by the row's
        ids and checked against the facts kept beside them: a row seen once (nearly every row of a
        burst) is not serialised for a key (500 rows' JSON took 7-11 ms of a batch under Pyodide)."""
        # A row without a sender line is dated from the bubble against today: the minute matters.
        minute = None if node.pre_plain_text else int(batch.observed_at // 60)
        memo_key = (chat, batch.locale, batch.utc_offset_min, minute, node.data_id, node.testid)
        hit = self._memo.get(memo_key)
        if hit is not None and hit[0] == node:
            self._memo.move_to_end(memo_key)
            done = hit[1]
        else:
            done = interpret(node, chat, locale=batch.locale, utc_offset_min=batch.utc_offset_min,
                             observed_at=batch.observed_at)
            self._memo[memo_key] = (node, done)
            self._memo.move_to_end(memo_key)
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        # fill_times writes into fields: hand out a copy
        return None if done is None else Interpreted(done.id, done.chat, dict(done.fields), done.clean, done.issues,
                                                     done.day, done.raw)

    async def capture(self, batch: CaptureBatch) -> CaptureResult:
        now = self.clock.now()
        nodes = [n for n in batch.nodes if not is_placeholder(n)]  # rows drawn empty are no message
        ids = [parse_node_id(n.data_id, n.testid) for n in nodes]
        try:
            who = await self.resolver.identify(batch.chat, ids, group=is_group(batch.chat, serialized_group=False, authors=set()))
        except ValueError as exc:
            raise CoreError("invalid_args", f"the batch names no chat: {exc}") from None
        chat = who.key
        items: list[Interpreted] = []
        unknown = len(batch.rejected)  # rows that did not validate count as rows not understood
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

        # A JID says itself whether it is a group; a chat known by its title needs the page's signals.
        group = not ChatKey.parse(chat).is_jid and is_group(
            batch.chat, serialized_group=any(it.id.is_group or it.id.participant for it in items),
            authors={it.fields["author"] for it in items if it.fields["direction"] == "in" and it.fields["author"]})
        # Rows of another chat (a serialized id names it) are credited to that chat's own health.
        chats = {it.chat for it in items} | {chat}
        hints = {c: ChatHint(title=batch.chat.title, shown_title=batch.chat.title, is_group=group, twins=who.twins,
                             ambiguous=who.ambiguous) if c == chat else ChatHint()
                 for c in chats}
        for twin in who.others:  # chats of the same name learn they have a twin
            hints.setdefault(twin, ChatHint(twins=who.twins, ambiguous=not ChatKey.parse(twin).is_jid and who.twins >= 2))
        troubled = unknown > 0 or any(not it.clean for it in items)
        healths = {c: (await self.health(c)).model_copy() for c in chats}
        flushed: list[bool] = []

        def health_ops(written: Written) -> list[WriteOp]:
            for c, h in healths.items():
                mine = [it for it in items if it.chat == c]
                new_here = [r for r in written.new if r["chat"] == c]
                self._count_health(h, batch, mine, unknown if c == chat else 0, new_here, now, open_chat=c == chat)
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
        # Quotes stored earlier whose original only arrived now (rows are often read bottom up).
        answered = await self._quotes_answered(chat, written.new, seen)
        later = await self.store.write(answered, now, {}) if answered else Written()
        stored = written.new + written.updated + later.updated
        self._remember_open_quotes(chat, stored)
        final = {**written.known, **{r["key"]: r for r in stored}}
        rows = [(it.raw, final.get(it.key, it.fields)) for it in items]
        changed = written.changed + later.changed
        result = CaptureResult(
            chat=chat, new=len(written.new), updated=len(written.updated) + len(later.updated),
            unchanged=len(seen) - written.changed, unknown=unknown, rejected=batch.rejected,
            seq_from=written.seq_from if written.changed else later.seq_from,
            seq_to=later.seq_to if later.changed else written.seq_to,
            expand=expand.plan(rows, hidden=batch.hidden, rng=self.rng),
            identity=who.how, read_drawer=who.read_drawer, ambiguous=who.ambiguous,
        )
        if changed:
            self.emit(MessagesCaptured(
                chat=chat, new=[r["key"] for r in written.new], updated=[r["key"] for r in written.updated + later.updated],
                seq_from=result.seq_from, seq_to=result.seq_to,
            ))
        self._follow_open_chat(chat, batch.chat.title, now)
        return result

    # -- quotes -----------------------------------------------------------------------------
    async def _resolve_quotes(self, chat: str, seen: dict[str, dict]) -> None:
        """Quotes without an id point at the newest matching message before them (pycore.capture.quotes)."""
        open_quotes = [f for f in seen.values() if f.get("quoted") and not f.get("quoted_id")]
        if not open_quotes:
            return
        newest = max((f["ts"] for f in open_quotes if f["ts"] is not None), default=None)
        window = in_time_order(chat) if newest is None else in_time_order(chat, until=newest + 60)
        stored = await self.storage.query("messages", index="by_chat_ts_seq", range=window,
                                          limit=QUOTE_LOOKBACK, reverse=True)
        candidates = stored + list(seen.values())
        for fields in open_quotes:
            fields["quoted_id"] = quotes.resolve(fields, candidates)

    async def _quotes_answered(self, chat: str, new: list[dict], seen: dict[str, dict]) -> dict[str, dict]:
        """Sightings giving stored quotes the id of their original, which only arrived now."""
        waiting = self._open_quotes.get(chat)
        if not waiting or not new:
            return {}
        out: dict[str, dict] = {}
        for key in [k for k in waiting if k not in seen]:
            found = quotes.resolve(waiting[key], new)
            if found is None:
                continue
            del waiting[key]
            rec = (await self.store.records([key])).get(key)
            if rec is not None and not rec.get("quoted_id"):
                out[key] = {k: v for k, v in rec.items() if k not in RECORD_ONLY} | {"quoted_id": found}
        return out

    def _remember_open_quotes(self, chat: str, stored: list[dict]) -> None:
        for rec in stored:
            waiting = self._open_quotes.setdefault(chat, OrderedDict())
            if rec.get("quoted") and not rec.get("quoted_id"):
                waiting[rec["key"]] = rec
                if len(waiting) > OPEN_QUOTES:
                    waiting.popitem(last=False)
            else:
                waiting.pop(rec["key"], None)

    # -- health -------------------------------------------------------------------------------
    @staticmethod
    def _count_health(h: ChatHealth, batch: CaptureBatch, items: list[Interpreted], unknown: int, new: list[dict],
                      now: float, open_chat: bool) -> None:
        if open_chat:  # the unread badge speaks of the open chat only
            figures = h.model_dump(include={"unread", "new_in_since_read", "missing"})
            track_unread(figures, batch.chat, sum(1 for r in new if r["direction"] == "in"))
            h.unread, h.new_in_since_read, h.missing = figures["unread"], figures["new_in_since_read"], figures["missing"]
        h.nodes_seen += len(items) + unknown
        h.nodes_clean += sum(1 for it in items if it.clean)
        h.nodes_unknown += unknown
        h.hidden_batches += int(batch.hidden)
        h.last_capture = now
        h.count += len(new)
        # Found in locals, set once: each assignment to the model is a pydantic call (a batch's 500 new
        # messages made 1,000 of them).
        oldest, oldest_id, newest, newest_id = h.oldest_ts, h.oldest_id, h.newest_ts, h.newest_id
        for rec in new:
            ts = rec["ts"]
            if ts is None:
                continue
            if oldest is None or ts < oldest:
                oldest, oldest_id = ts, rec["id"]
            if newest is None or ts >= newest:
                newest, newest_id = ts, rec["id"]
        h.oldest_ts, h.oldest_id, h.newest_ts, h.newest_id = oldest, oldest_id, newest, newest_id
        # What WhatsApp counted but capture has not stored yet makes the figure fall below 100 %.
        h.clean_share = round(h.nodes_clean / (h.nodes_seen + h.missing), 4) if h.nodes_seen else None
