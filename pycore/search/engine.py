"""The search engine facade: index + indexer + snapshot + cache + directory.

Ranking (documented in full here, the only place it lives)
-----------------------------------------------------------
Ranking every hit of a common word with bm25 costs O(hits) (894 ms for a common
term at 1M messages), while FTS5 hands out hits newest-first for free, because
the index's rowid encodes the timestamp. So:

1. Candidates: for each tier expression, the newest ``WINDOW`` hits (bm25 is
   computed for those rows only, thanks to ORDER BY rowid DESC LIMIT):
   * tier 2 "phrase": the loose words as one exact phrase (only with 2+ words);
   * tier 1 "exact": every word as a whole word (accents/case still ignored);
   * tier 0 "partial": the last word as a prefix (only while it may be typed).
   A row belongs to its highest tier. Without a prefix, tier 0 is not queried, nor
   when the only indexed word the prefix starts is itself (tier 1 holds its hits).
2. Score = 2 * tier + 0.6 * bm25 / max_bm25_in_tier + 0.39 * 0.5 ** (age_days / 30).
   The two last terms are < 1 together, so an exact match always outranks a
   partial one, and a phrase match an exact one; inside a tier relevance and
   recency (30-day half-life) blend.
3. Total: exact when the widest tier returned fewer than WINDOW rows, or when
   counting (newest-first) stops before COUNT_CAP; otherwise an estimate
   (``total_exact`` false): COUNT_CAP / (share of the indexed messages in the
   filter's time range that are newer than the COUNT_CAP-th hit).
A filter-only query (no words) lists the newest matching messages.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from dataclasses import replace
from typing import Any, Awaitable, Callable, Protocol

from pycore.clock import Clock
from pycore.search import indexer, snapshot
from pycore.search.cache import QueryCache
from pycore.search.directory import Directory
from pycore.search.index import SLOTS, Filters, Index, rowid_bound
from pycore.search.protocol import RecordDocument
from pycore.search.records import RecordIndex
from pycore.search.text import Query, fts_expression, parse, snippet, words
from pycore.storage.base import Storage, StorageError

log = logging.getLogger("mettri.search")

WINDOW = 200  # candidates per tier; bm25 is computed for these only (400 cost 2x for no visible change in the top 20)
COUNT_CAP = 1_000
HALF_LIFE_DAYS = 30.0
MEDIA = ("image", "video", "sticker")
CONTACT_STORES = ("chats", "contacts")
# Snapshot policy: after this many newly indexed messages, or when some are
# unsaved and the last snapshot is older than SNAPSHOT_IDLE seconds.
SNAPSHOT_EVERY = 2000
SNAPSHOT_IDLE = 300.0
# While a backlog is being worked through in several calls (an import, a first
# start), a snapshot is only taken when it is drained or every SNAPSHOT_BACKLOG:
# each one copies the whole index out of SQLite and into IndexedDB.
SNAPSHOT_BACKLOG = 50_000
# A snapshot's cost grows with the index (it was ~10 s near 1M in Pyodide with zlib; raw, the copies
# and the CRC are left, and IndexedDB's own write): the next one
# counted by SNAPSHOT_EVERY waits this many times the last one's duration, so saving never takes more
# than a tenth of the core's time. One per 2,000 imported messages made a large import quadratic.
SNAPSHOT_COST_GAP = 10.0
DIRECTORY_TTL = 60.0
RECORD_SLICE = 2000  # CRM texts indexed per step of a full load (~25 ms in Pyodide): commands run in between


class RecordSource(Protocol):
    """The CRM, as search sees it (filled in by pycore.features)."""

    async def documents(self, keys: list[str] | None) -> list[RecordDocument]:
        """The searchable texts of these records (None: of every record)."""

    async def record_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        """Records with every one of ``tags`` and a deal in one of ``stages`` (an empty list: no condition)."""

    async def chat_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        """Every chat key of those records (merged contacts, both forms of a number)."""


def expand_types(types: list[str] | None) -> tuple[str, ...] | None:
    if types is None:
        return None
    out: list[str] = []
    for t in types:
        out.extend(MEDIA if t == "media" else (t,))
    return tuple(sorted(set(out)))


class SearchEngine:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        *,
        progress: Callable[[int, int], None] | None = None,
        timer: Callable[[], float] = time.perf_counter,  # measures took_ms only, never drives logic
        window: int = WINDOW,
        snapshot_every: int = SNAPSHOT_EVERY,
        snapshot_idle: float = SNAPSHOT_IDLE,
        batch: int = indexer.BATCH,
        records: RecordSource | None = None,
        changes: indexer.Changes | None = None,
        log_parts: int = snapshot.LOG_PARTS,  # the page log's bound (snapshot.save); 0: parts only
    ) -> None:
        self.storage = storage
        self.changes = changes  # the message store's newest writes: catching up reads them from memory
        self.clock = clock
        self.progress = progress or (lambda done, total: None)
        self.timer = timer
        self.window = window
        self.snapshot_every = snapshot_every
        self.snapshot_idle = snapshot_idle
        self.log_parts = log_parts
        self.batch = batch
        self.index = Index.new()
        self.directory = Directory()
        self.directory_at: float | None = None
        self.cache = QueryCache()
        self.generation = 0
        self.snapshot_info: snapshot.SnapshotInfo | None = None
        self.snapshot_cost = 0.0  # the last save's duration (clock seconds)
        self.unsaved = 0
        self.started_from = "empty"
        self.rebuild_reason: str | None = None
        self._lock = asyncio.Lock()
        self.records = records
        self.record_index = RecordIndex()
        self._records_dirty: set[str] | None = None  # None: every record (the first use loads them all)
        self._records_lock = asyncio.Lock()
        self._loaded = False  # the snapshot was restored (or found unusable): loaded()
        self.removals_checked: int | None = None  # the store's removals when this index was last compared with storage

    def _changed(self) -> None:
        self.generation += 1

    # -- lifecycle --------------------------------------------------------------
    async def start(self) -> None:
        """Restore the snapshot if it is usable; otherwise start empty (catch_up then rebuilds)."""
        await self.loaded()

    def begin(self, spawn: Callable[[Any], Any]) -> None:
        """The core's start, without waiting for the snapshot: at a million messages it takes seconds
        to load, and capture, the chat list and the CRM need none of it. Everything that reads or
        changes the index first waits for it (``loaded``)."""
        spawn(self.loaded())

    async def loaded(self) -> None:
        """The snapshot restored (or found unusable), once: whoever comes first loads it, under the
        index's lock, and the others wait their turn. A load cut short (its task cancelled) is done
        again by the next one who needs it."""
        if self._loaded:
            return
        async with self._lock:
            if not self._loaded:
                await self._load()
                self._loaded = True

    async def _load(self) -> None:
        # Storage is compared with the snapshot (see _stale). Counting the stored messages takes ~1.4 s
        # in IndexedDB at a million, so it is skipped when no message was removed since this index was
        # last compared with storage: the message store counts its removals in their own transactions,
        # and the snapshot carries the number it was compared at (SnapshotInfo.removals).
        # The removals number is read before anything is compared (a removal after it shows next time);
        # it and the chat names are read while the snapshot's parts come in (~0.4 s at a million).
        reads = (self._removals(), snapshot.load(self.storage), self.refresh_directory())
        if self.storage.overlaps:
            removals, restored, _ = await asyncio.gather(*reads)
        else:
            removals, restored, _ = [await read for read in reads]
        self.removals_checked = removals  # this index is now compared with storage (or rebuilt from it)
        if restored is None:
            self.rebuild_reason = "snapshot_unusable"
        else:
            index, info = restored
            trusted = removals is not None and info.removals == removals
            reason = self._stale(index, await self._stored(count=not trusted))
            if reason is None:
                self.index, self.snapshot_info, self.started_from = index, info, "snapshot"
            else:
                self.rebuild_reason = reason
        self._changed()

    async def _removals(self) -> int | None:
        """The message store's removals so far; None when unknown (no store, storage unreadable)."""
        try:
            return await self.changes.removals() if self.changes is not None else None
        except StorageError as exc:
            log.warning("search start: removals unreadable (%s)", exc)
            return None

    async def _stored(self, count: bool) -> tuple[int, int | None] | None:
        """The newest seq storage has given a message, and the number of messages stored (None
        unless ``count``); None when storage is unreadable. The newest seq is the message store's
        counter (never lowered: erased messages may have been the newest stored, and the index that
        covered them is not ahead of storage, as if it were wiped, for that); without a store, the
        newest message's."""
        try:
            if self.changes is not None:
                top = await self.changes.seq()
            else:
                newest = await self.storage.query(indexer.STORE, index="by_seq", limit=1, reverse=True)
                top = newest[0]["seq"] if newest else 0
            return top, (await self.storage.count(indexer.STORE) if count else None)
        except StorageError as exc:
            log.warning("search start: storage unreadable (%s)", exc)
            return None

    @staticmethod
    def _stale(index: Index, stored: tuple[int, int | None] | None) -> str | None:
        """A snapshot ahead of storage (data wiped, or messages removed) cannot be caught up: a reason code."""
        if stored is None:
            return "storage_unreadable"
        top, count = stored
        if index.seq > top or (count is not None and index.count() > count):
            log.info("search snapshot (seq %s, %s docs) ahead of storage (seq %s, %s messages)",
                     index.seq, index.count(), top, count)
            return "snapshot_ahead_of_storage"
        return None

    async def _directory_records(self, read: Callable[[str], Awaitable[list[Any]]]) -> list[dict[str, Any]]:
        """``read`` of each store the directory is made of (chats, contacts), absent records left out."""
        records: list[dict[str, Any]] = []
        for store in CONTACT_STORES:
            try:
                records.extend(r for r in await read(store) if r is not None)
            except StorageError:  # the contacts store is optional
                continue
        return records

    async def refresh_directory(self) -> None:
        if self.directory.load(await self._directory_records(self.storage.query)):
            self._changed()
        self.directory_at = self.clock.now()

    async def refresh_chats(self, chats: set[str]) -> None:
        """The names of these chats read again (their records and their contacts'), the others left
        as they are: reading and comparing every chat after each captured batch cost the core
        hundreds of milliseconds at 5,000 chats, on the thread capture and the side panel wait for."""
        if not chats:
            return
        keys = sorted(chats)
        if self.directory.update(await self._directory_records(lambda store: self.storage.get_many(store, keys))):
            self._changed()

    # -- indexing ---------------------------------------------------------------
    async def catch_up(self, max_records: int | None = 5000, *, refresh: bool = False) -> int:
        """Index what changed since the last run. Safe to call often; the capture path never awaits it.

        Every chat name is reloaded when ``refresh`` is set or they are older than DIRECTORY_TTL;
        else those of the chats whose messages were indexed.
        """
        await self.loaded()
        async with self._lock:
            total = None

            async def report(done: int, more: bool) -> None:
                nonlocal total
                self._changed()  # searches between batches must not be served older cached results
                if total is None and more:  # a backlog spanning several batches: worth showing progress
                    total = done + await indexer.pending(self.storage, self.index)
                if total is not None:
                    self.progress(done, max(total, done))
                if more:
                    await self._let_others_in()

            chats: set[str] = set()
            n = await indexer.catch_up(self.storage, self.index, max_records, report, self.batch, self.changes, chats)
            if n:
                self.unsaved += n
                self._changed()
            drained = max_records is None or n < max_records
            if drained:  # backlog done: an empty start is rebuilt now
                self.rebuild_reason = None
            stale = self.directory_at is None or self.clock.now() - self.directory_at >= DIRECTORY_TTL
            if stale or refresh:
                await self.refresh_directory()
            else:
                await self.refresh_chats(chats)
            if drained or self.unsaved >= SNAPSHOT_BACKLOG:
                await self._maybe_snapshot()
            return n

    async def _let_others_in(self) -> None:
        """A turn of the event loop between two batches of indexing, for the requests that came
        meanwhile (a search, the side panel's list). The newest messages come from the store's
        memory, without a wait on storage, so batch after batch ran on without one: a rebuild of
        20,000 messages held the core 50-87 ms at a time, 36-44 with the turns."""
        await self.clock.sleep(0)

    async def rebuild(self) -> int:
        """Drop the index and its snapshot; index every stored message again."""
        await self.loaded()
        async with self._lock:
            self.removals_checked = await self._removals()  # the messages are read after it
            total = await self.storage.count(indexer.STORE)
            self.index = Index.new()
            self.cache.clear()
            self._changed()
            await snapshot.drop(self.storage)
            self.snapshot_info = None
            self.progress(0, total)
            async def report(done: int, more: bool) -> None:
                self._changed()
                self.progress(done, max(total, done))
                if more:
                    await self._let_others_in()

            n = await indexer.catch_up(self.storage, self.index, None, report, self.batch, self.changes)
            self._changed()
            self.rebuild_reason = None
            await self.refresh_directory()
            await self.save_snapshot()
            log.info("search index rebuilt: %d messages", n)  # asked for by the user (options page)
            return n

    async def index_written(self, records: list[dict[str, Any]], seq_from: int, seq_to: int) -> bool:
        """Index records just written (a bulk import's batch) without reading them back from storage,
        when they are exactly what comes next (no capture took a sequence number in between);
        else leave them to the background catch-up. True when indexed."""
        await self.loaded()
        async with self._lock:
            if self.index.seq != seq_from - 1 or len(records) != seq_to - seq_from + 1:
                return False
            # In batches, with a turn between them: an import's 5,000 records in one held the core's
            # thread for hundreds of milliseconds. The index covers them (its seq) with the last.
            # A key met again in a later batch replaces the version indexed before, as in one.
            for start in range(0, len(records), self.batch):
                last = start + self.batch >= len(records)
                self.index.upsert(records[start:start + self.batch], seq_to if last else self.index.seq)
                self._changed()
                if not last:
                    await self._let_others_in()
            self.unsaved += len(records)
            await self.refresh_chats({r["chat"] for r in records if self.directory.title(r["chat"]) is None})
            return True

    async def forget(self, keys: list[str] | None = None, chats: list[str] | None = None) -> int:
        """Drop messages that were deleted from storage (an erase, a rolled-back import) from the
        index, and save the snapshot at once: a relaunch must not bring them back. Saved as parts,
        never as a page log: the parts written before hold the erased texts whole, and a log would
        leave them stored beneath it. The full-text index is merged first (Index.purge): its segments
        would still hold the erased messages' words."""
        await self.loaded()
        async with self._lock:
            n = self.index.delete(keys or (), chats or ())
            if n:
                try:
                    self.index.purge()
                except sqlite3.Error as exc:  # out of memory for the merged segment: the erase itself stands
                    log.warning("search: the erased messages' words stay in the index until a later merge (%s)", exc)
                # A start after a removal compares the index with storage by counting every message
                # (1.4 s at a million in IndexedDB, before search is ready): the comparison is made
                # here instead, as that start would make it, while the erase is under way. The
                # removals are read first: one made meanwhile still makes the start count.
                removals = await self._removals()
                if self._stale(self.index, await self._stored(count=True)) is None:
                    self.removals_checked = removals
            self.cache.clear()
            self._changed()
            await self.refresh_directory()
            await self.save_snapshot(parts=True)
            return n

    async def reset(self) -> None:
        """Everything was erased: an empty index, no snapshot."""
        await self.loaded()
        async with self._lock:
            self.removals_checked = await self._removals()  # what is captured from now on is all there is
            self.index = Index.new()
            self.cache.clear()
            await snapshot.drop(self.storage)
            self.snapshot_info = None
            self.unsaved = 0
            self._changed()
            await self.refresh_directory()

    async def _maybe_snapshot(self) -> bool:
        if not self.unsaved:
            return False
        last = self.snapshot_info.created_at if self.snapshot_info else None
        idle_due = last is None or self.clock.now() - last >= self.snapshot_idle
        if idle_due or self.snapshot_wait() == 0.0:
            await self.save_snapshot()
            return True
        return False

    def snapshot_wait(self) -> float | None:
        """Seconds until a save counted by SNAPSHOT_EVERY is due, 0 when it is (None: not enough unsaved)."""
        if self.unsaved < self.snapshot_every:
            return None
        if self.snapshot_info is None:
            return 0.0
        # since the last save ended: created_at is when it began
        since_end = self.clock.now() - self.snapshot_info.created_at - self.snapshot_cost
        return max(0.0, SNAPSHOT_COST_GAP * self.snapshot_cost - since_end)

    async def save_if_due(self) -> bool:
        await self.loaded()
        async with self._lock:
            return await self._maybe_snapshot()

    async def save_snapshot(self, parts: bool = False) -> snapshot.SnapshotInfo:
        """``parts``: the changed parts written even when a page log would do (see forget)."""
        began = self.clock.now()
        stored = self.snapshot_info.part_crcs if self.snapshot_info else None
        base = self.snapshot_info.base if self.snapshot_info else None

        def writing(known: snapshot.Crcs | None) -> None:
            # Until a write of parts returns its outcome is unknown (and stays so if it fails: a reply
            # lost after the commit, a cancelled task): the parts it writes are not trusted, the others
            # are, so the next save writes what this one would have, not every part; and no page log
            # is written until parts are again (it would name a base that may not be the one stored).
            if self.snapshot_info is not None:
                self.snapshot_info = replace(self.snapshot_info, part_crcs=known, base=None)

        self.snapshot_info = await snapshot.save(self.storage, self.index, began, lambda: self.clock.sleep(0),
                                                 self.removals_checked, stored, writing, base,
                                                 0 if parts else self.log_parts)
        self.snapshot_cost = self.clock.now() - began
        self.unsaved = 0
        return self.snapshot_info

    async def pending(self) -> int:
        await self.loaded()
        return await indexer.pending(self.storage, self.index)

    # -- queries ------------------------------------------------------------------
    def _filters(self, flt: Any) -> Filters:
        chats: set[str] | None = set(flt.chats) if flt.chats is not None else None
        if flt.chat_name:
            named = {e.key for _, _, e in self.directory.search(flt.chat_name, limit=1000)}
            chats = named if chats is None else chats & named
        return Filters(
            chats=tuple(sorted(chats)) if chats is not None else None,
            lo=rowid_bound(flt.since, upper=False),
            hi=rowid_bound(flt.until, upper=True),
            direction=flt.direction,
            types=expand_types(flt.types),
        )

    def search_messages(self, q: str, flt: Any, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        started = self.timer()
        query = parse(q)
        filters = self._filters(flt)
        key = ("messages", query.key(), filters, limit, offset)
        cached = self.cache.get(key, self.generation)
        if cached is None:
            cached = self._run(query, filters, limit, offset)
            self.cache.put(key, self.generation, cached)
            hit = False
        else:
            hit = True
        return {**cached, "took_ms": round((self.timer() - started) * 1000, 3), "cached": hit,
                "indexed_seq": self.index.seq}

    def _run(self, query: Query, f: Filters, limit: int, offset: int) -> dict[str, Any]:
        no_filters = f == Filters()
        if query.empty and no_filters:
            return {"hits": [], "total": 0, "total_exact": True}
        want = max(self.window, offset + limit)
        if query.empty:
            rows = self.index.newest(None, f, offset + limit)
            ranked = [(0.0, r) for r, _ in rows]
            return self._page(query, ranked, offset, limit, *self._total(None, f))
        tiers = self._tiers(query, self.index.prefix_words)
        best: dict[int, tuple[int, float]] = {}
        widest = 0
        for tier, expr in tiers:
            rows = self.index.newest(expr, f, want, rank=True)
            widest = max(widest, len(rows))
            for rowid, bm in rows:
                if rowid not in best or best[rowid][0] < tier:
                    best[rowid] = (tier, bm)
        now = self.clock.now()
        top = {t: max((bm for tt, bm in best.values() if tt == t), default=0.0) for t, _ in tiers}
        ranked = []
        for rowid, (tier, bm) in best.items():
            rel = bm / top[tier] if top[tier] > 0 else 0.0
            age_days = max(0.0, now - rowid // SLOTS) / 86400.0
            ranked.append((2 * tier + 0.6 * rel + 0.39 * 0.5 ** (age_days / HALF_LIFE_DAYS), rowid))
        ranked.sort(key=lambda t: (-t[0], -t[1]))
        total = (len(best), True) if widest < want else self._total(tiers[-1][1], f)
        return self._page(query, ranked, offset, limit, *total)

    def _total(self, match: str | None, f: Filters) -> tuple[int, bool]:
        """Exact up to COUNT_CAP hits; beyond, extrapolated from how much of the time range those cover."""
        n, oldest = self.index.count_upto(match, f, COUNT_CAP)
        if n < COUNT_CAP or oldest is None:
            return n, True
        share = self.index.share_since(oldest, f)
        return max(n, int(n / share) if share > 0 else n), False

    @staticmethod
    def _tiers(query: Query, expand: Callable[[str], list[str] | None] | None = None) -> list[tuple[int, str]]:
        """(tier, MATCH expression), best tier first; see the module docstring."""
        tiers = []
        if len(query.terms) > 1:
            tiers.append((2, fts_expression(query, with_prefix=False, as_phrase=True)))
        tiers.append((1, fts_expression(query, with_prefix=False)))
        spelled = expand(query.prefix) if query.prefix and expand else None
        # A prefix that starts no indexed word but itself ("comprovante" typed in full) finds what
        # tier 1 found: asking again cost each such query a second bm25 pass over the word's hits.
        if query.prefix and spelled != [query.prefix]:
            tiers.append((0, fts_expression(query, expand=lambda _: spelled)))
        return tiers

    def _page(self, query: Query, ranked: list[tuple[float, int]], offset: int, limit: int,
              total: int, exact: bool) -> dict[str, Any]:
        page = ranked[offset:offset + limit]
        rows = self.index.rows([r for _, r in page])
        hits = []
        for score, rowid in page:
            row = rows[rowid]
            text = row.pop("text")
            hits.append({**row, "chat_title": self.directory.title(row["chat"]), "snippet": snippet(text, query),
                         "score": round(score, 6)})
        return {"hits": hits, "total": max(total, offset + len(hits)), "total_exact": exact}

    def similar_incoming(self, terms: list[str], limit: int, before_ts: float | None = None) -> list[dict[str, Any]]:
        """Incoming messages most relevant to ``terms`` (folded words; bm25, best first), older than
        ``before_ts``: each with its stored fields, ``rowid`` and ``score``."""
        hits = self.index.similar(terms, "in", limit, None if before_ts is None else rowid_bound(before_ts, False))
        rows = self.index.rows([r for r, _ in hits])
        return [{**rows[r], "rowid": r, "score": s} for r, s in hits if r in rows]

    def following(self, rowid: int, limit: int) -> list[dict[str, Any]]:
        """What came after an indexed message in its chat, oldest first."""
        return self.index.following(rowid, limit)

    def search_contacts(self, q: str, limit: int = 20) -> dict[str, Any]:
        started = self.timer()
        key = ("contacts", q.strip().lower(), limit)
        cached = self.cache.get(key, self.generation)
        if cached is None:
            qwords = tuple(words(q))
            highlight = Query(terms=qwords, prefix=qwords[-1] if qwords else None, all_words=qwords)
            hits = [
                {
                    "key": e.key, "title": e.title, "number": e.number, "push_name": e.push_name,
                    "is_group": e.is_group, "last_ts": e.last_ts, "matched": field,
                    "title_segments": snippet(e.title, highlight), "score": score,
                }
                for score, field, e in self.directory.search(q, limit)
            ]
            cached = {"hits": hits}
            self.cache.put(key, self.generation, cached)
        return {**cached, "took_ms": round((self.timer() - started) * 1000, 3)}

    # -- CRM texts --------------------------------------------------------------------------------
    def records_changed(self, keys: list[str] | None) -> None:
        """The CRM changed these records (None: too many to list): their texts are indexed again
        before the next CRM search, or sooner by :meth:`sync_records` in the background."""
        if keys is None or self._records_dirty is None:
            self._records_dirty = None
        else:
            self._records_dirty |= set(keys)

    async def sync_records(self) -> int:
        """Bring the CRM texts up to date; return how many documents were (re)indexed."""
        if self.records is None:
            return 0
        async with self._records_lock:
            dirty = self._records_dirty
            if dirty is not None and not dirty:
                return 0
            self._records_dirty = set()
            try:
                keys = None if dirty is None else sorted(dirty)
                docs = await self.records.documents(keys)
                if keys is None:  # everything (at start): in slices, letting commands run in between
                    self.record_index.replace(None, [])
                    docs = sorted(docs, key=lambda d: d.ts or 0.0)
                    for i in range(0, len(docs), RECORD_SLICE):
                        self.record_index.replace((), docs[i:i + RECORD_SLICE])
                        await self.clock.sleep(0)
                else:
                    self.record_index.replace(keys, docs)
            except BaseException:
                self.records_changed(None if dirty is None else sorted(dirty))
                raise
            return len(docs)

    async def search_records(self, q: str, tags: list[str] | None, stages: list[str] | None, limit: int,
                             offset: int) -> dict[str, Any]:
        started = self.timer()
        await self.sync_records()
        allowed = None
        if (tags or stages) and self.records is not None:
            allowed = await self.records.record_keys(tags or [], stages or [])
        hits, total = self.record_index.search(parse(q), allowed, limit, offset)
        return {"hits": hits, "total": total, "took_ms": round((self.timer() - started) * 1000, 3)}

    async def resolve_crm_filters(self, flt: Any) -> Any:
        """Filters with the CRM's tags/stages turned into the chats they stand for."""
        if not flt.tags and not flt.stages:
            return flt
        chats = await self.records.chat_keys(flt.tags or [], flt.stages or []) if self.records else set()
        if flt.chats is not None:
            chats &= set(flt.chats)
        return flt.model_copy(update={"chats": sorted(chats), "tags": None, "stages": None})

    async def status(self) -> dict[str, Any]:
        await self.loaded()
        info = self.snapshot_info
        return {
            "indexed": self.index.count(), "last_seq": self.index.seq, "pending": await self.pending(),
            "generation": self.generation, "snapshot": info.status() if info else None,
            "started_from": self.started_from, "rebuild_reason": self.rebuild_reason,
            "cache_size": len(self.cache), "cache_hits": self.cache.hits, "cache_misses": self.cache.misses,
        }
