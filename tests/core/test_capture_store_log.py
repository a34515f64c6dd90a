"""The message store's change log: followers (search, the CRM's activity) read what changed after
their seq from memory, and it always equals what IndexedDB's ``by_seq`` index holds."""

import asyncio
import random

from pycore.capture.store import RECORD_DEFAULTS, MessageStore
from pycore.storage.base import Range, WriteOp
from pycore.storage.memory import MemoryStorage
from pycore.crm.activity import META_KEY as ACTIVITY_MARK
from pycore.crm.context import DEFS
from tests.core.conftest import call, run
from tests.core.test_capture_capturer import capture, node

CHATS = ["5511900000001@c.us", "5511900000002@c.us", "title:Ana"]
STATUSES = ["sent", "delivered", "read"]


class CountingStorage(MemoryStorage):
    """Counts reads of the messages store's by_seq index (what the log spares)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_seq_reads = 0

    async def query(self, store, *, index=None, range=None, limit=None, reverse=False, fields=None):
        if store == "messages" and index == "by_seq":
            self.by_seq_reads += 1
        return await super().query(store, index=index, range=range, limit=limit, reverse=reverse, fields=fields)


def sighting(chat: str, n: int, status: str = "sent") -> tuple[str, dict]:
    mid = f"3EB0{n:016X}"
    return f"{chat}|{mid}", {**RECORD_DEFAULTS, "chat": chat, "id": mid, "ts": 1_780_000_000 + n * 60, "ts_source": "pre_plain",
                             "direction": "out", "type": "text", "text": f"mensagem {n}", "status": status}


async def by_seq(storage: MemoryStorage, after: int, limit: int) -> list[dict]:
    return await MemoryStorage.query(storage, "messages", index="by_seq", range=Range(lower=after + 1), limit=limit)


def test_the_log_answers_what_the_index_holds_through_writes_updates_moves_and_removals():
    async def run():
        rng = random.Random(16)
        storage = MemoryStorage()
        await storage.open()
        store = MessageStore(storage, log_size=7)  # small: eviction happens all the time
        made: list[tuple[str, int]] = []  # (chat, n) of every message written
        for step in range(300):
            roll = rng.random()
            if roll < 0.5 or not made:
                new = [(rng.choice(CHATS), len(made) + i) for i in range(rng.randint(1, 4))]
                made += new
                await store.write(dict(sighting(c, n) for c, n in new), float(step), {})
            elif roll < 0.75:  # a tick moves forward: an update takes the next seq
                picked = rng.sample(made, min(len(made), rng.randint(1, 3)))
                await store.write(dict(sighting(c, n, rng.choice(STATUSES)) for c, n in picked), float(step), {})
            elif roll < 0.85:
                gone = rng.choice(made)
                made.remove(gone)
                await store.remove([sighting(*gone)[0]])
            elif roll < 0.92:  # one chat under two keys: the title key's messages move to the JID
                await store.move_chat("title:Ana", "5511900000003@c.us", float(step))
                made = [(c if c != "title:Ana" else "5511900000003@c.us", n) for c, n in made]
            else:
                chat = rng.choice(sorted({c for c, _ in made}))
                await store.remove_chats([chat])
                made = [(c, n) for c, n in made if c != chat]
            await same(store, storage, step)
        # Everything erased (privacy's erase_all clears the store itself): the log forgets too.
        await storage.apply([WriteOp(op="clear", store="messages")])
        store.forget_cached()
        await same(store, storage, "erased")
        await store.write(dict(sighting(CHATS[0], n) for n in range(900, 903)), 400.0, {})
        await same(store, storage, "after erasing")
        assert len(await store.changed_after(0, 50)) == 3

    async def same(store, storage, when):
        top = await store.seq()
        for after in {0, max(0, top - 9), max(0, top - 3), max(0, top - 1), top}:
            for limit in (2, 50):
                assert await store.changed_after(after, limit) == await by_seq(storage, after, limit), (when, after)

    asyncio.run(run())


def test_a_follower_just_behind_reads_no_message_back_from_storage():
    async def run():
        storage = CountingStorage()
        await storage.open()
        store = MessageStore(storage)
        await store.write(dict([sighting(CHATS[0], 1)]), 1.0, {})
        start = await store.seq()
        await store.write(dict(sighting(CHATS[0], n) for n in range(2, 12)), 2.0, {})
        got = await store.changed_after(start, 100)
        assert [r["seq"] for r in got] == list(range(start + 1, start + 11))
        assert storage.by_seq_reads == 0
        # A follower behind what a restarted store wrote (a new store: it has no log) reads storage.
        fresh = MessageStore(storage)
        assert await fresh.changed_after(0, 100) == await by_seq(storage, 0, 100)
        assert storage.by_seq_reads == 1  # the fresh store read it (by_seq() goes around the counter)

    asyncio.run(run())


def test_search_and_the_crm_catch_up_on_capture_without_reading_messages_back(core, storage, monkeypatch):
    reads: list[str] = []
    original = MemoryStorage.query

    async def spy(self, store, *, index=None, range=None, limit=None, reverse=False):
        if store == "messages" and index == "by_seq":
            reads.append(index)
        return await original(self, store, index=index, range=range, limit=limit, reverse=reverse)

    def crm_read_up_to() -> int:  # the CRM's activity watermark (it follows every capture)
        return int(run(storage.get(DEFS, ACTIVITY_MARK))["value"])

    capture(core, [node("3B6637D11A63081B8700", "primeira")])
    assert call(core, "search.messages", {"q": "primeira"})["result"]["total"] == 1
    monkeypatch.setattr(MemoryStorage, "query", spy)
    res = capture(core, [node(f"3B6637D11A63081B87{i:02d}", f"pedido {i} goiaba", minute=i) for i in range(1, 40)])
    assert call(core, "search.messages", {"q": "goiaba"})["result"]["total"] == 39
    assert crm_read_up_to() == res["seq_to"]
    assert reads == []
