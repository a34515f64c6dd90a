"""Persisting and restoring the index: restore + catch-up, and every broken snapshot -> rebuild."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
import zlib

import pytest

from pycore.capture.store import MessageStore
from pycore.search import pagelog, snapshot
from pycore.search.index import INDEX_VERSION
from pycore.storage.base import BLOB_PART, StorageError
from pycore.storage.memory import MemoryStorage
from tests.core.test_search_support import BETO, World


def corpus(w: World) -> None:
    w.add(*[(f"pedido {i} de camisetas, ação {i % 7}", {"ago_days": i}) for i in range(40)],
          ("não recebi o boleto", {"chat": BETO}))


def results(w: World, queries=("pedido", "acao 3", "boleto", '"de camisetas"', "camis")) -> list:
    return [[(h["key"], h["snippet"]) for h in w.search(q)["hits"]] for q in queries]


def restart(w: World, **kw) -> World:
    w.engine = w.new_engine(**kw)
    asyncio.run(w.engine.start())
    return w


@pytest.fixture
def w() -> World:
    w = World()
    corpus(w)
    w.catch_up()  # the first save, straight away: the parts, and no page log yet
    return w


def test_restore_then_catch_up_only_indexes_what_is_new(w):
    before = results(w)
    w.add("orçamento novo")
    restart(w)
    assert w.engine.started_from == "snapshot" and w.engine.index.count() == 41
    assert results(w) == before
    assert w.catch_up() == 1
    assert w.texts("orcamento") == ["orçamento novo"]


def stored(w: World) -> tuple[dict, bytes]:
    head, raw = asyncio.run(w.storage.get_blob(snapshot.STORE, snapshot.KEY))
    return head, bytes(raw)


def test_stored_head_carries_seq_version_and_the_database_in_parts(w, tmp_path):
    head, raw = stored(w)
    assert head["seq"] == 41 and head["version"] == INDEX_VERSION and head["docs"] == 41
    assert raw.startswith(b"SQLite format 3\x00") and head["raw_bytes"] == head["size"] == len(raw)
    assert head["parts"] == 1 and "data" not in head and head["part_crcs"] == [zlib.crc32(raw)]
    assert head["part_bytes"] == BLOB_PART and "crc" not in head
    assert sum(n for _, n in head["days"]) == 41  # documents per day: a start need not count them
    # read as a start reads it, into a file: the same bytes
    path = tmp_path / "index.db"
    assert asyncio.run(w.storage.get_blob_file(snapshot.STORE, snapshot.KEY, str(path))) == head
    assert path.read_bytes() == raw


def test_a_start_knows_the_documents_per_day_from_the_snapshot(w, monkeypatch):
    """A large search's total is estimated from the documents per day; counting them took 0.7 s at a
    million messages in Pyodide, on the first large search after every start."""
    from pycore.search.index import Filters, Index

    queries = []
    real = Index.day_counts
    monkeypatch.setattr(Index, "day_counts", lambda self: queries.append(self._days is None) or real(self))
    restart(w)
    assert w.engine.index.share_since(0, Filters()) == 1.0 and queries == [False]  # known, not counted
    damage(w, days=[["não", "um dia"]])  # damaged: counted again when needed, the snapshot is still used
    restart(w)
    assert w.engine.started_from == "snapshot" and w.engine.index.share_since(0, Filters()) == 1.0 and queries[-1] is True


def test_a_large_snapshot_is_kept_in_parts_and_a_smaller_one_leaves_none_behind():
    w = World(MemoryStorage(blob_part=4096), log_parts=0)
    corpus(w)
    w.catch_up()
    before = results(w)
    head, raw = stored(w)
    assert head["parts"] == -(-len(raw) // 4096) > 2
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w) == before
    w.storage.blob_part = 1 << 30
    asyncio.run(w.engine.save_snapshot())
    records = asyncio.run(w.storage.query(snapshot.STORE))
    assert [r["key"] for r in records] == ["index", "index#00000"]  # the earlier parts went with it


def test_a_snapshot_written_before_blobs_is_read_once_and_replaced(w):
    """Stored by an earlier version: base64 text of a zlib stream in one record. A relaunch reads it
    (re-indexing a million messages takes minutes) and writes it again as a blob at once."""
    head, raw = stored(w)
    old = {**{k: v for k, v in head.items() if k not in ("parts", "size", "part_crcs", "part_bytes")}, "crc": zlib.crc32(raw)}
    asyncio.run(snapshot.drop(w.storage))
    asyncio.run(w.storage.put(snapshot.STORE, {**old, "data": base64.b64encode(zlib.compress(raw)).decode()}))
    before = results(w)
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w) == before
    head, raw = stored(w)
    assert head["parts"] == 1 and "data" not in head and head["seq"] == old["seq"] and zlib.crc32(raw) == old["crc"]
    assert head["part_crcs"] == [old["crc"]]
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w) == before


def damage(w: World, part: bytes | None = b"keep", **changes) -> None:
    """Change the head's fields (None: removed) and the first part's bytes (None: the part removed)."""
    head, raw = stored(w)
    head.update(changes)
    writes = [{k: v for k, v in head.items() if v is not None}]
    if part is None:
        asyncio.run(w.storage.delete_many(snapshot.STORE, ["index#00000"]))
    elif part != b"keep":
        writes.append({"key": "index#00000", "data": part})
    asyncio.run(w.storage.put_many(snapshot.STORE, writes))


def garbage_with_valid_crc() -> dict:
    raw = b"SQLite format 3\x00" + bytes(range(256)) * 20
    return {"part": raw, "part_crcs": [zlib.crc32(raw)], "raw_bytes": len(raw)}


def flipped(w: World) -> dict:
    _, raw = stored(w)
    return {"part": raw[:100] + bytes([raw[100] ^ 1]) + raw[101:]}


@pytest.mark.parametrize("changes", [
    {"part": b"short"},
    {"part": None},
    {"part_crcs": [12345]},
    {"part_crcs": None},
    {"part_crcs": "many"},
    {"part_bytes": 0},
    {"part_bytes": None},
    {"raw_bytes": "many"},
    {"version": "mettri-search-0"},
    {"seq": 3},
    garbage_with_valid_crc(),
    "flipped",
    {"parts": None, "data": "not base64 !!"},
    {"parts": None, "data": 42},
    {"parts": None},
])
def test_broken_snapshot_starts_empty_then_catch_up_rebuilds(w, changes):
    before = results(w)
    damage(w, **(flipped(w) if changes == "flipped" else changes))
    restart(w)
    assert w.engine.started_from == "empty" and w.engine.rebuild_reason == "snapshot_unusable"
    assert w.engine.index.count() == 0
    assert w.catch_up() == 41
    assert results(w) == before and w.engine.rebuild_reason is None


def test_missing_snapshot_rebuilds(w):
    asyncio.run(snapshot.drop(w.storage))
    restart(w)
    assert w.engine.rebuild_reason == "snapshot_unusable"
    assert w.catch_up() == 41


def test_snapshot_ahead_of_storage_is_discarded(w):
    asyncio.run(w.storage.apply([snapshot_clear("messages")]))
    w.seq = 0
    w.add("começo de novo")
    restart(w)
    assert w.engine.started_from == "empty" and w.engine.rebuild_reason == "snapshot_ahead_of_storage"
    w.catch_up()
    assert w.texts("pedido") == [] and w.texts("comeco") == ["começo de novo"]


def snapshot_clear(store: str):
    from pycore.storage.base import WriteOp

    return WriteOp(op="clear", store=store)


def test_rebuild_gives_the_same_results_and_reports_progress(w):
    before = results(w)
    w.engine.progress = lambda d, t: w.progress.append((d, t))
    w.progress.clear()
    n = asyncio.run(w.engine.rebuild())
    assert n == 41 and results(w) == before
    assert w.progress[0] == (0, 41) and w.progress[-1] == (41, 41)
    assert asyncio.run(w.storage.get("search_snapshot", "index"))["seq"] == 41


def test_snapshot_is_taken_after_enough_new_messages():
    w = World()
    w.engine = w.new_engine(snapshot_every=10, snapshot_idle=1e9)
    w.add("primeira")
    w.catch_up()  # no snapshot yet: the first is taken straight away
    first = w.engine.snapshot_info
    assert first is not None and first.seq == 1
    w.add(*[f"msg {i}" for i in range(9)])
    w.catch_up()
    assert w.engine.snapshot_info is first
    w.add("décima")
    w.catch_up()
    assert w.engine.snapshot_info.seq == 11


def test_snapshot_is_taken_when_idle_long_enough():
    w = World()
    w.engine = w.new_engine(snapshot_every=1000, snapshot_idle=300)
    w.add("primeira")
    w.catch_up()
    w.add("segunda")
    w.catch_up()
    assert w.engine.snapshot_info.seq == 1 and w.engine.unsaved == 1
    w.clock.advance(301)
    w.catch_up()
    assert w.engine.snapshot_info.seq == 2 and w.engine.unsaved == 0


def test_rebuild_reasons_have_both_languages():
    from typing import get_args

    from pycore.search.protocol import REBUILD_REASONS, RebuildReason

    assert set(REBUILD_REASONS) == set(get_args(RebuildReason))
    assert all(set(v) == {"pt_BR", "en"} and all(v.values()) for v in REBUILD_REASONS.values())


def test_rebuild_clears_the_reason_and_status_reports_it(w):
    asyncio.run(snapshot.drop(w.storage))
    restart(w)
    assert asyncio.run(w.engine.status())["rebuild_reason"] == "snapshot_unusable"
    asyncio.run(w.engine.rebuild())
    status = asyncio.run(w.engine.status())
    assert status["rebuild_reason"] is None and status["indexed"] == 41 and status["snapshot"]["seq"] == 41


def test_no_snapshot_while_a_backlog_is_worked_through_in_steps():
    w = World()
    w.engine = w.new_engine(snapshot_every=10, snapshot_idle=1e9)
    w.add(*[f"importada {i}" for i in range(35)])
    assert w.catch_up(10) == 10 and w.catch_up(10) == 10
    assert w.engine.snapshot_info is None  # more is pending: saving now would be wasted work
    assert w.catch_up(10) == 10 and w.catch_up(10) == 5  # drained
    assert w.engine.snapshot_info.seq == 35 and w.engine.unsaved == 0


def held_back(monkeypatch) -> World:
    """An engine whose saves take 2 s (clock time), after its first save and 10 more messages:
    due by count (10), not yet by cost (10 x 2 s)."""
    w = World()
    w.engine = w.new_engine(snapshot_every=10, snapshot_idle=1e9)
    real_save = snapshot.save

    async def slow_save(*args, **kw):
        w.clock.advance(2.0)
        return await real_save(*args, **kw)

    monkeypatch.setattr(snapshot, "save", slow_save)
    w.add("primeira")
    w.catch_up()
    assert w.engine.snapshot_info.seq == 1 and w.engine.snapshot_cost == 2.0
    w.add(*[f"msg {i}" for i in range(10)])
    return w


def test_a_costly_snapshot_spaces_out_the_next_ones(monkeypatch):
    """Near a million messages one save takes seconds: a save per 2,000 imported messages made a
    large import quadratic. The next counted save waits ten times the last one's duration."""
    w = held_back(monkeypatch)
    w.catch_up()
    assert w.engine.snapshot_info.seq == 1 and w.engine.unsaved == 10  # due by count, not yet by cost
    w.clock.advance(19)
    w.add("mais uma")
    w.catch_up()
    assert w.engine.snapshot_info.seq == 1  # 19 s < 10 x 2 s
    w.clock.advance(1)
    w.add("e outra")
    w.catch_up()
    assert w.engine.snapshot_info.seq == 13 and w.engine.unsaved == 0


def test_a_held_back_snapshot_is_saved_when_due_without_new_work(monkeypatch):
    """The end of a large import: nothing else comes, the held-back save is made when due."""
    from pycore.search.handlers import BackgroundIndexer

    w = held_back(monkeypatch)
    start = w.clock.now()

    async def scenario():
        indexer = BackgroundIndexer(w.engine, asyncio.ensure_future)
        indexer.poke()
        await indexer.task

    asyncio.run(scenario())
    assert w.engine.snapshot_info.seq == 11 and w.engine.unsaved == 0
    assert w.clock.now() - start >= 20  # saved when due (10 x the last save's 2 s), not at once


def test_new_work_is_indexed_at_once_while_a_save_is_held_back(monkeypatch):
    from pycore.search.handlers import BackgroundIndexer

    w = held_back(monkeypatch)
    real_sleep = w.clock.sleep

    async def endless(seconds):  # the hold's timer never rings by itself here
        if seconds > 0:
            await asyncio.Event().wait()
        await real_sleep(seconds)

    monkeypatch.setattr(w.clock, "sleep", endless)
    late = w.message("chegou depois")

    async def scenario():
        indexer = BackgroundIndexer(w.engine, asyncio.ensure_future)
        indexer.poke()
        while w.engine.snapshot_wait() is None or indexer._wake.is_set():  # caught up, now holding
            await asyncio.sleep(0)
        await w.storage.put_many("messages", [late])
        indexer.poke()
        while w.engine.index.seq < late["seq"]:
            await asyncio.sleep(0)
        assert not indexer.task.done()  # still holding the save, which is not due yet
        indexer.task.cancel()

    asyncio.run(scenario())
    assert w.texts("chegou") == ["chegou depois"] and w.engine.snapshot_info.seq == 1


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """The stores whose every message MemoryStorage counts from now on, in order."""
    seen: list[str] = []
    real = MemoryStorage.count

    async def count(self, name, *, index=None, range=None):
        if index is None and range is None:
            seen.append(name)
        return await real(self, name, index=index, range=range)

    monkeypatch.setattr(MemoryStorage, "count", count)
    return seen


def test_a_start_counts_the_messages_only_after_a_removal(w, counted):
    """Comparing the snapshot with storage counts the stored messages (~1.4 s in IndexedDB at a
    million). The message store counts its removals in their own transactions; the snapshot carries
    the number it was compared at. A removal the index never heard of (the browser closed before search
    forgot it) still makes the next start count, and find the snapshot ahead of storage."""
    store = MessageStore(w.storage)
    restart(w, changes=store)  # the fixture's snapshot was saved without a comparison: counted
    assert counted == ["messages"] and w.engine.started_from == "snapshot"
    asyncio.run(w.engine.save_snapshot())  # now carries the removals it was compared at
    counted.clear()
    restart(w, changes=store)
    assert counted == [] and w.engine.started_from == "snapshot" and w.engine.index.count() == 41

    gone = asyncio.run(w.storage.query("messages", limit=1))[0]["key"]
    asyncio.run(store.remove([gone]))
    assert asyncio.run(store.removals()) == 1
    counted.clear()  # the store's own count, once (these messages were put in storage without it)
    restart(w, changes=store)
    assert counted == ["messages"] and w.engine.started_from == "empty"
    assert w.engine.rebuild_reason == "snapshot_ahead_of_storage"
    assert w.catch_up() == 40 and gone not in {h["key"] for h in w.search("pedido", limit=50)["hits"]}


def test_the_start_after_an_erase_does_not_count_the_messages(w, counted):
    """forget() compares the index with storage as the start after a removal would (the count, 1.4 s
    at a million before search is ready): that start skips it. A removal made after that comparison,
    which search never heard of, still makes the next start count."""
    store = MessageStore(w.storage)
    restart(w, changes=store)
    first, second = [r["key"] for r in asyncio.run(w.storage.query("messages", limit=2))]
    asyncio.run(store.remove([first]))
    assert asyncio.run(w.engine.forget([first])) == 1
    counted.clear()
    restart(w, changes=store)
    assert counted == [] and w.engine.started_from == "snapshot" and w.engine.index.count() == 40
    assert first not in {h["key"] for h in w.search("pedido", limit=50)["hits"]}

    asyncio.run(store.remove([second]))  # the browser closed before search forgot it
    counted.clear()
    restart(w, changes=store)
    assert counted == ["messages"] and w.engine.rebuild_reason == "snapshot_ahead_of_storage"
    assert w.catch_up() == 39 and second not in {h["key"] for h in w.search("pedido", limit=50)["hits"]}


def test_every_removal_of_messages_is_counted_in_its_own_transaction(w):
    from pycore.capture.store import REMOVALS_META_KEY

    store = MessageStore(w.storage)
    keys = [r["key"] for r in asyncio.run(w.storage.query("messages"))]
    asyncio.run(store.remove(keys[:2]))
    assert w.storage.transactions[-1] == frozenset({"messages", "meta"})  # the delete and its count, one write
    asyncio.run(store.remove_chats([BETO]))
    assert asyncio.run(w.storage.get("meta", REMOVALS_META_KEY))["value"] == 2


def test_a_start_over_indexeddb_reads_the_removals_and_chat_names_while_the_parts_come_in(w):
    """Over a storage that reads while Python waits (IndexedDB: ``overlaps``), the removals number and
    the chat names are asked for before the snapshot's parts are in; the start is the same as one
    reading them in turn."""
    log: list[str] = []

    class Reading(MemoryStorage):
        overlaps = True

        async def _wait(self, what: str, read):
            log.append("ask " + what)
            await asyncio.sleep(0)  # the answer comes on a later turn of the loop, as IndexedDB's does
            await asyncio.sleep(0)
            got = await read()
            log.append("got " + what)
            return got

        async def get(self, store, key):
            return await self._wait(f"{store}:{key}", lambda: MemoryStorage.get(self, store, key))

        async def query(self, store, **kw):
            return await self._wait(store, lambda: MemoryStorage.query(self, store, **kw))

    w.chats({"key": BETO, "title": "Beto Mecânico", "last_ts": 1.0})
    before = results(w)
    w.storage.__class__ = Reading
    restart(w, changes=MessageStore(w.storage))
    assert w.engine.started_from == "snapshot" and w.engine.rebuild_reason is None
    assert w.engine.directory.title(BETO) == "Beto Mecânico"
    assert results(w) == before
    parts_in = log.index("got search_snapshot")  # the last part read (MemoryStorage.get_blob queries them)
    assert log.index("ask chats") < parts_in and log.index("ask meta:messages.removals") < parts_in

    w.storage.__class__ = MemoryStorage  # one read after the other: the same start
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w) == before
    assert w.engine.directory.title(BETO) == "Beto Mecânico"


def test_an_index_restored_into_a_file_is_saved_from_the_file(w):
    """A start opens the snapshot as a database file (no copy of it in memory); saving that index
    stores the file's bytes as they are, with their CRC, and the next start reads them back."""
    import os

    before = results(w)
    restart(w, log_parts=0)  # the parts: the page log is read from the file too (tests below)
    path = w.engine.index.path
    assert path is not None and os.path.getsize(path) == stored(w)[0]["size"]
    w.add("orçamento novo")
    assert w.catch_up() == 1
    asyncio.run(w.engine.save_snapshot())
    head, raw = stored(w)
    with open(path, "rb") as f:
        assert f.read() == raw
    assert head["part_crcs"] == [zlib.crc32(raw)] and head["seq"] == 42 and head["docs"] == 42
    restart(w)
    assert w.engine.started_from == "snapshot" and w.engine.index.count() == 42
    assert results(w) == before and w.texts("orcamento") == ["orçamento novo"]
    assert not os.path.exists(path)  # the first index went, and its file with it


PART = 4096  # bytes per blob part in the tests below: the database is tens of parts


class PartsSeen(MemoryStorage):
    """Storage cutting blobs in PART bytes, recording the part numbers each snapshot write puts
    (those of a write that fails too). ``lose_reply``: a write is made, then reported failed."""

    def __init__(self) -> None:
        super().__init__(blob_part=PART)
        self.written: list[list[int]] = []
        self.lose_reply = False

    async def apply(self, ops):
        if any(op.store == snapshot.STORE for op in ops):
            self.written.append([int(op.record["key"].rpartition("#")[2])
                                 for op in ops if op.op == "put" and "#" in op.record["key"]])
        await super().apply(ops)
        if self.lose_reply:
            raise StorageError("the reply was lost")


QUERIES = ("bones azuis", "camisetas", "entrega 17", "pedido", "boleto", "primeira mensagem")


@pytest.fixture
def big() -> World:
    """``w``'s messages and 400 longer ones, indexed and saved in parts of PART bytes."""
    w = World(PartsSeen(), log_parts=0)  # the parts alone: the page log is tested below
    corpus(w)
    w.add(*[(f"conversa longa {i} sobre entrega de camisetas e bonés número {i}", {"ago_days": i % 30}) for i in range(400)])
    w.catch_up()  # the first save, straight away
    return w


def written(w: World) -> list[list[int]]:
    return w.storage.written


def parts_of(raw: bytes) -> list[int]:
    return [zlib.crc32(raw[i:i + PART]) for i in range(0, len(raw), PART)]


def stored_keys(w: World) -> list[str]:
    return [r["key"] for r in asyncio.run(w.storage.query(snapshot.STORE))]


def from_scratch(w: World, queries=QUERIES) -> list:
    """The results of an index built from every message stored, without a snapshot."""
    fresh = World()
    asyncio.run(fresh.storage.put_many("messages", asyncio.run(w.storage.query("messages"))))
    fresh.catch_up()
    return results(fresh, queries)


def test_a_save_writes_only_the_parts_that_changed(big):
    """At a million messages the index is 343 MB: a save after a few new messages writes a few parts."""
    w = big
    head, raw = stored(w)
    assert written(w)[-1] == list(range(head["parts"])) and head["parts"] > 20  # the first save: every part
    restart(w)  # a start knows the stored parts from the head
    assert w.engine.snapshot_info.part_crcs == tuple(parts_of(raw))
    w.add("orçamento de bonés azuis")
    assert w.catch_up() == 1
    asyncio.run(w.engine.save_snapshot())
    head, new_raw = stored(w)
    changed = [n for n, crc in enumerate(parts_of(new_raw)) if n >= len(raw) // PART or crc != parts_of(raw)[n]]
    assert written(w)[-1] == changed and 0 < len(changed) < head["parts"] / 2
    assert head["part_crcs"] == parts_of(new_raw) and head["part_bytes"] == PART
    with open(w.engine.index.path, "rb") as f:
        assert f.read() == new_raw  # the parts kept and the parts written make the database as it is
    expected = results(w, QUERIES)
    assert expected == from_scratch(w) and expected[0]
    restart(w)
    assert w.engine.started_from == "snapshot" and w.engine.index.count() == 442
    assert results(w, QUERIES) == expected
    asyncio.run(w.engine.save_snapshot())
    assert written(w)[-1] == []  # nothing changed: the head alone


def test_a_shorter_database_leaves_no_part_past_its_end(big):
    w = big
    restart(w)
    gone = [r["key"] for r in asyncio.run(w.storage.query("messages")) if "conversa longa" in r["text"]][:300]
    asyncio.run(w.storage.delete_many("messages", gone))
    asyncio.run(w.engine.forget(gone))  # saved at once
    before = stored(w)[0]["parts"]
    w.engine.index.conn.execute("VACUUM")  # nothing vacuums the index today: the one way its file shrinks
    asyncio.run(w.engine.save_snapshot())
    head, raw = stored(w)
    assert head["parts"] < before and max(written(w)[-1]) < head["parts"]
    assert stored_keys(w) == ["index", *(f"index#{n:05d}" for n in range(head["parts"]))]
    expected = results(w, QUERIES)
    assert expected == from_scratch(w)
    restart(w)
    assert w.engine.started_from == "snapshot" and w.engine.index.count() == 141 and results(w, QUERIES) == expected


def test_a_save_after_a_rebuild_writes_every_part(big):
    w = big
    restart(w)
    asyncio.run(w.engine.rebuild())  # a new index: its bytes owe nothing to the blob stored
    head, _ = stored(w)
    assert written(w)[-1] == list(range(head["parts"]))
    w.add("primeira mensagem depois")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    assert 0 < len(written(w)[-1]) < head["parts"]  # then only what changes
    expected = results(w, QUERIES)
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w, QUERIES) == expected == from_scratch(w)


def flip_part(w: World, n: int) -> None:
    """One bit of the stored part ``n`` flipped."""
    _, raw = stored(w)
    part = bytearray(raw[n * PART:(n + 1) * PART])
    part[10] ^= 1
    asyncio.run(w.storage.put_many(snapshot.STORE, [{"key": f"index#{n:05d}", "data": bytes(part)}]))


def test_a_damaged_later_part_makes_the_start_rebuild(big):
    w = big
    flip_part(w, 3)
    restart(w)
    assert w.engine.started_from == "empty" and w.engine.rebuild_reason == "snapshot_unusable"
    assert w.catch_up() == 441
    assert results(w, QUERIES) == from_scratch(w)


def test_a_head_with_one_crc_of_the_whole_file_still_loads_and_the_next_save_writes_every_part(big):
    """Stored by the version before part CRCs."""
    w = big
    head, raw = stored(w)
    damage(w, part_crcs=None, part_bytes=None, crc=zlib.crc32(raw))
    expected = results(w, QUERIES)
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w, QUERIES) == expected
    assert w.engine.snapshot_info.part_crcs is None
    w.add("orçamento novo")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    head, raw = stored(w)
    assert written(w)[-1] == list(range(head["parts"])) and "crc" not in head and head["part_crcs"] == parts_of(raw)


def test_a_head_of_another_part_size_is_read_and_written_again_whole(big):
    """A build cutting parts of another size: the stored CRCs say nothing of its parts."""
    w = big
    expected = results(w, QUERIES)
    w.storage.blob_part = 4 * PART
    restart(w)
    assert w.engine.started_from == "snapshot" and w.engine.snapshot_info.part_crcs is None
    w.add("orçamento novo")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    head, raw = stored(w)
    assert head["part_bytes"] == 4 * PART and written(w)[-1] == list(range(head["parts"]))
    assert stored_keys(w) == ["index", *(f"index#{n:05d}" for n in range(head["parts"]))]
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w, QUERIES[:-1]) == expected[:-1]


def test_a_failed_save_keeps_what_is_known_and_the_next_one_writes_what_it_would_have(big):
    """A refused write (a full disk): the blob stored is the one before; the parts it did not
    write still hold the CRCs kept, and the next save writes those it would have."""
    w = big
    restart(w)
    kept = w.engine.snapshot_info.part_crcs
    w.add("primeira mensagem nova")
    w.catch_up()
    w.storage.fail_writes = StorageError("QuotaExceededError: the disk is full")
    with pytest.raises(StorageError):
        asyncio.run(w.engine.save_snapshot())
    tried = written(w)[-1]
    assert 0 < len(tried) < len(kept)
    assert w.engine.snapshot_info.part_crcs == tuple(None if n in tried else crc for n, crc in enumerate(kept))
    w.storage.fail_writes = None
    asyncio.run(w.engine.save_snapshot())
    assert written(w)[-1] == tried
    expected = results(w, QUERIES)
    assert expected == from_scratch(w)
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w, QUERIES) == expected


def test_a_save_reported_failed_after_it_was_made_is_made_good_by_the_next(big):
    """A lost reply: the new blob is stored though the engine was told otherwise. The parts that
    write held are written again; the others are the same in both blobs."""
    w = big
    restart(w)
    w.add("primeira mensagem nova")
    w.catch_up()
    w.storage.lose_reply = True
    with pytest.raises(StorageError):
        asyncio.run(w.engine.save_snapshot())
    w.storage.lose_reply = False
    tried = written(w)[-1]
    w.add("orçamento de bonés azuis")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    assert set(tried) <= set(written(w)[-1])
    expected = results(w, QUERIES)
    assert expected == from_scratch(w)
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w, QUERIES) == expected


def test_the_crc_pass_lets_other_requests_run_between_parts(big):
    """At a million messages the CRC pass reads 343 MB: capture's batches run meanwhile."""
    w = big
    restart(w)
    w.add("orçamento novo")
    w.catch_up()

    async def save_beside_others() -> int:
        turns, saving = 0, True

        async def other() -> None:
            nonlocal turns
            while saving:
                turns += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(other())
        await asyncio.sleep(0)
        start = turns
        await w.engine.save_snapshot()
        saving = False
        await task
        return turns - start

    turns = asyncio.run(save_beside_others())
    assert turns >= stored(w)[0]["parts"]


# -- the page log ---------------------------------------------------------------------------------

def log_of(w: World) -> tuple[dict, bytes] | None:
    found = asyncio.run(w.storage.get_blob(snapshot.STORE, snapshot.LOG_KEY))
    return None if found is None else (found[0], bytes(found[1]))


def pages_of(raw: bytes) -> list[int]:
    return [zlib.crc32(raw[i:i + pagelog.PAGE]) for i in range(0, len(raw), pagelog.PAGE)]


def index_bytes(w: World) -> bytes:
    """The engine's database as it is (a rebuilt index lives in memory on CPython)."""
    if w.engine.index.path is None:
        return bytes(w.engine.index.serialize())
    with open(w.engine.index.path, "rb") as f:
        return f.read()


def saved_with_a_log(w: World) -> None:
    """A start from the parts, a new message, a save: the page log."""
    restart(w)
    w.add("orçamento de bonés azuis")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())


@pytest.fixture
def logged() -> World:
    """``big``'s messages with the page log on: up to 16 parts' worth of pages (64 KB)."""
    w = World(PartsSeen(), log_parts=16)
    corpus(w)
    w.add(*[(f"conversa longa {i} sobre entrega de camisetas e bonés número {i}", {"ago_days": i % 30}) for i in range(400)])
    w.catch_up()  # the first save: every part, and the base's pages in the head
    return w


def test_a_save_after_a_few_new_messages_writes_their_pages_as_a_log_over_the_parts(logged):
    """At a million messages a new message changes pages in a third of the parts: a save writes the
    pages alone, and a start puts them back over the parts."""
    w = logged
    head, raw = stored(w)
    assert written(w)[-1] == list(range(head["parts"])) and head["base"] and log_of(w) is None
    assert list(pagelog.Base.from_head(head).pages) == pages_of(raw)  # the base's pages, in its head
    restart(w)
    w.add("orçamento de bonés azuis")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    now = index_bytes(w)
    changed = [n for n, crc in enumerate(pages_of(now)) if n >= len(pages_of(raw)) or crc != pages_of(raw)[n]]
    log_head, data = log_of(w)
    assert stored(w) == (head, raw)  # the parts and their head as they were
    assert log_head["pages"] == changed and 0 < len(changed) < head["parts"] / 4 and log_head["base"] == head["base"]
    assert data == b"".join(now[n * pagelog.PAGE:(n + 1) * pagelog.PAGE] for n in changed)
    assert log_head["seq"] == head["seq"] + 1 and log_head["raw_bytes"] == len(now)
    assert written(w)[-1] == list(range(-(-len(data) // PART)))  # the log's own parts, nothing of the base's
    expected = results(w, QUERIES)
    assert expected == from_scratch(w) and expected[0]
    restart(w)
    assert w.engine.started_from == "snapshot" and w.engine.index.count() == 442 and w.catch_up() == 0
    assert index_bytes(w) == now and results(w, QUERIES) == expected


def test_each_log_holds_every_page_changed_since_the_parts_and_one_past_its_bound_writes_parts(logged):
    w = logged
    head, raw = stored(w)
    restart(w)
    firsts = []
    for text in ("orçamento de bonés azuis", "segunda mensagem sobre boleto"):
        w.add(text)
        w.catch_up()
        asyncio.run(w.engine.save_snapshot())
        firsts.append(set(log_of(w)[0]["pages"]))
    assert firsts[0] <= firsts[1] and stored(w) == (head, raw)  # the second log stands on the parts alone
    w.add(*[(f"pedido {i} com entrega urgente de {i} camisetas", {"ago_days": 1}) for i in range(300)])
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())  # past the bound: the parts that changed, the log deleted with it
    new_head, new_raw = stored(w)
    assert log_of(w) is None and new_head["seq"] == head["seq"] + 302 and new_head["base"] != head["base"]
    assert 0 < len(written(w)[-1]) and new_raw == index_bytes(w)
    assert stored_keys(w) == ["index", *(f"index#{n:05d}" for n in range(new_head["parts"]))]
    expected = results(w, QUERIES)
    assert expected == from_scratch(w)
    restart(w)
    assert w.engine.started_from == "snapshot" and w.catch_up() == 0 and results(w, QUERIES) == expected


@pytest.mark.parametrize("damage_log", ["flipped byte", "another base", "short", "past the end", "other version"])
def test_a_log_that_does_not_fit_its_parts_makes_the_start_rebuild(logged, damage_log, caplog):
    """Never the parts alone: an erase since them is saved as a log, and they would bring it back."""
    w = logged
    saved_with_a_log(w)
    expected = results(w, QUERIES)
    log_head, data = log_of(w)
    if damage_log == "flipped byte":
        data = data[:5] + bytes([data[5] ^ 1]) + data[6:]
    elif damage_log == "another base":
        log_head["base"] = "1:2:3"
    elif damage_log == "short":
        data = data[:-1]
    elif damage_log == "past the end":
        log_head["pages"] = log_head["pages"] + [log_head["raw_bytes"] // pagelog.PAGE + 5]
    else:
        log_head["version"] = "mettri-search-0"
    asyncio.run(w.storage.put_blob(snapshot.STORE, snapshot.LOG_KEY, log_head, data))
    restart(w)
    assert w.engine.started_from == "empty" and w.engine.rebuild_reason == "snapshot_unusable"
    assert "search snapshot unusable" in caplog.text
    assert w.catch_up() == 442 and results(w, QUERIES) == expected == from_scratch(w)


def test_after_a_write_of_parts_that_failed_the_next_save_writes_parts_not_a_log(logged):
    """A log names the base it stands on; while the parts stored may be the old or the new ones, no
    log is written."""
    w = logged
    restart(w)
    w.add(*[(f"pedido {i} com entrega urgente de {i} camisetas", {"ago_days": 1}) for i in range(300)])
    w.catch_up()
    w.storage.fail_writes = StorageError("QuotaExceededError: the disk is full")
    with pytest.raises(StorageError):
        asyncio.run(w.engine.save_snapshot())
    assert w.engine.snapshot_info.base is None
    w.storage.fail_writes = None
    w.add("orçamento de bonés azuis")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    assert log_of(w) is None and stored(w)[1] == index_bytes(w) and stored(w)[0]["seq"] == w.engine.index.seq
    expected = results(w, QUERIES)
    restart(w)
    assert w.engine.started_from == "snapshot" and w.catch_up() == 0 and results(w, QUERIES) == expected == from_scratch(w)


def test_dropping_the_snapshot_drops_its_log(logged):
    w = logged
    saved_with_a_log(w)
    assert log_of(w) is not None
    asyncio.run(w.engine.rebuild())  # drops both, then saves the new index's parts
    assert log_of(w) is None and stored(w)[1] == index_bytes(w)


def test_a_damaged_part_is_found_with_a_log_over_it(logged):
    """The log holds only the pages changed since the parts: the parts' CRCs are still checked."""
    w = logged
    saved_with_a_log(w)
    flip_part(w, 5)
    restart(w)
    assert w.engine.started_from == "empty" and w.engine.rebuild_reason == "snapshot_unusable"
    assert w.catch_up() == 442 and results(w, QUERIES) == from_scratch(w)


def test_an_erased_message_leaves_none_of_its_words_in_storage(logged):
    """FTS5 keeps a deleted message's words in its index's segments (and writes them again as the
    delete's marker) until those are merged: forget() merges them, so nothing stored, and nothing
    in the database a save would store, holds a word only the erased message had."""
    w = logged
    saved_with_a_log(w)
    w.add("encomenda de zorbafruta para a festa da quimbelix")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    words = (b"zorbafruta", b"quimbelix")
    assert all(word in log_of(w)[1] for word in words)
    gone = [r["key"] for r in asyncio.run(w.storage.query("messages")) if "zorbafruta" in r["text"]]
    asyncio.run(w.storage.delete_many("messages", gone))
    assert asyncio.run(w.engine.forget(gone)) == 1
    everything = stored(w)[1] + index_bytes(w)
    assert log_of(w) is None and not any(word in everything for word in words)
    assert w.texts("zorbafruta") == [] and w.texts("camisetas 7")  # the rest is still found


def test_an_erased_chat_leaves_no_trace_of_its_key_in_storage(logged):
    """The index numbers each chat once (its key, a person's number, in a table of its own): a chat
    whose messages are all erased, by their keys or as a whole chat, is dropped from that table."""
    w = logged
    ana, bia = "5511900007777@c.us", "5511900008888@c.us"
    w.add(*[(f"pedido {i} da Ana", {"chat": ana}) for i in range(3)], *[(f"pedido {i} da Bia", {"chat": bia}) for i in range(2)])
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    hers = [r["key"] for r in asyncio.run(w.storage.query("messages")) if r["chat"] in (ana, bia)]
    asyncio.run(w.storage.delete_many("messages", hers))
    bias = [k for k in hers if k.startswith(bia)]
    assert asyncio.run(w.engine.forget(bias, chats=[ana])) == 5  # Bia's messages by key, Ana's chat whole
    everything = stored(w)[1] + index_bytes(w)
    assert b"5511900007777" not in everything and b"5511900008888" not in everything
    w.add(("outro pedido da Ana", {"chat": ana}))  # she writes again: a chat of its own again
    w.catch_up()
    assert w.texts("outro pedido", chats=[ana]) == ["outro pedido da Ana"] and w.texts("pedido", chats=[bia]) == []
    restart(w)
    assert w.engine.started_from == "snapshot" and w.catch_up() == 1 and results(w, QUERIES) == from_scratch(w)


def test_an_erase_stands_when_the_merge_fails(logged, monkeypatch, caplog):
    """The merge needs room for a whole new segment: when SQLite has none, the messages are still
    gone from the index and its snapshot, and the log says their words stay until a later merge."""
    from pycore.search.index import Index

    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    w = logged
    monkeypatch.setattr(Index, "purge", full)
    gone = [r["key"] for r in asyncio.run(w.storage.query("messages")) if r["text"].startswith("conversa longa 7 ")]
    asyncio.run(w.storage.delete_many("messages", gone))
    assert asyncio.run(w.engine.forget(gone)) == 1 and "until a later merge" in caplog.text
    assert "conversa longa 7 sobre" not in " ".join(w.texts("longa 7"))
    restart(w)
    assert w.engine.started_from == "snapshot" and results(w, QUERIES) == from_scratch(w)


@pytest.mark.parametrize("order", ["erase", "rollback"])
def test_removing_the_newest_messages_leaves_the_snapshot_usable(logged, order):
    """A start took an index past the newest message stored for a wiped storage, and rebuilt it
    (at a million messages, a long wait for search): removed messages were often the newest (the
    person just spoken with, an import). It compares the index with the message store's counter
    now, which a removal does not lower. An erase removes the messages, then search forgets them;
    a rolled-back import has search forget them first. Messages captured later are still caught up."""
    w = logged
    saved_with_a_log(w)
    newest = w.add("última mensagem antes de apagar")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())
    key = newest[0]["key"]
    restart(w, changes=MessageStore(w.storage))
    if order == "erase":
        asyncio.run(w.engine.changes.remove([key]))
    assert asyncio.run(w.engine.forget([key])) == 1
    if order == "rollback":
        asyncio.run(w.engine.changes.remove([key]))
    restart(w, changes=MessageStore(w.storage))
    assert (w.engine.started_from, w.engine.rebuild_reason) == ("snapshot", None) and w.catch_up() == 0
    w.add("chegou depois do apagamento")  # written as the store writes: its counter goes on from where it was
    restart(w, changes=MessageStore(w.storage))
    assert w.catch_up() == 1 and w.texts("apagamento") == ["chegou depois do apagamento"]
    assert w.texts("última mensagem") == [] and results(w, QUERIES) == from_scratch(w)


def test_an_erase_is_saved_as_parts_that_no_longer_hold_the_erased_text(logged):
    """forget() saves at once, and not as a page log: the parts beneath a log would keep the erased
    message's text in storage (SQLite's pages hold it whole until they are written again)."""
    w = logged
    saved_with_a_log(w)  # a log already over the parts
    erased = "conversa longa 7 sobre entrega de camisetas e bonés número 7"
    assert erased in w.texts("longa 7") and erased.encode() in stored(w)[1]
    gone = [r["key"] for r in asyncio.run(w.storage.query("messages")) if r["text"] == erased]
    asyncio.run(w.storage.delete_many("messages", gone))
    assert asyncio.run(w.engine.forget(gone)) == len(gone) == 1
    head, raw = stored(w)
    assert log_of(w) is None and raw == index_bytes(w) and erased.encode() not in raw
    w.add("orçamento de bonés azuis")
    w.catch_up()
    asyncio.run(w.engine.save_snapshot())  # later saves are logs again, over the new parts
    assert log_of(w)[0]["base"] == head["base"] and stored(w) == (head, raw)
    restart(w)
    assert w.engine.started_from == "snapshot" and erased not in w.texts("longa 7")
    assert results(w, QUERIES) == from_scratch(w)
