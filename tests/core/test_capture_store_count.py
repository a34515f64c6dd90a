"""The message store keeps how many messages are stored, in each write's own transaction: the options
page and the metrics show it without IndexedDB walking every message (1.4 s at a million)."""

import asyncio
import random

from pycore.capture.store import COUNT_META_KEY, MessageStore
from pycore.storage.base import WriteOp
from pycore.storage.memory import MemoryStorage
from tests.core.conftest import call
from tests.core.test_capture_store_log import CHATS, STATUSES, sighting


class WalkCounter(MemoryStorage):
    """Counts the counts of the whole messages store while it holds any (what IndexedDB does by
    walking them)."""

    def __init__(self) -> None:
        super().__init__()
        self.walks = 0

    async def count(self, store, *, index=None, range=None):
        n = await super().count(store, index=index, range=range)
        if store == "messages" and index is None and range is None and n:
            self.walks += 1
        return n


async def stored(storage: MemoryStorage) -> int:
    return await MemoryStorage.count(storage, "messages")


def test_the_kept_count_is_the_stored_count_through_every_kind_of_change():
    async def run():
        rng = random.Random(7)
        storage = WalkCounter()
        await storage.open()
        store = MessageStore(storage)
        assert await store.count() == 0
        made: list[tuple[str, int]] = []
        for step in range(250):
            roll = rng.random()
            if roll < 0.4 or not made:  # new messages, and one already stored seen again in the same batch
                new = [(rng.choice(CHATS), 10_000 + step * 10 + i) for i in range(rng.randint(1, 4))]
                again = [rng.choice(made)] if made else []
                made += new
                await store.write(dict(sighting(c, n) for c, n in new + again), float(step), {})
            elif roll < 0.6:
                picked = rng.sample(made, min(len(made), 3))
                await store.write(dict(sighting(c, n, rng.choice(STATUSES)) for c, n in picked), float(step), {})
            elif roll < 0.75:  # removals name stored keys twice and keys never stored
                gone = rng.sample(made, min(len(made), 2))
                for g in gone:
                    made.remove(g)
                keys = [sighting(*g)[0] for g in gone]
                await store.remove(keys + keys[:1] + [sighting(CHATS[0], 99_999)[0]])
            elif roll < 0.85:  # the same message under both keys becomes one record
                if made:
                    c, n = rng.choice(made)
                    await store.write(dict([sighting("title:Ana", n), sighting("5511900000003@c.us", n)]), float(step), {})
                    made += [("title:Ana", n), ("5511900000003@c.us", n)]
                await store.move_chat("title:Ana", "5511900000003@c.us", float(step))
                made = sorted({(c if c != "title:Ana" else "5511900000003@c.us", n) for c, n in made})
            else:
                chat = rng.choice(sorted({c for c, _ in made}))
                await store.remove_chats([chat])
                made = [(c, n) for c, n in made if c != chat]
            assert await store.count() == await stored(storage) == len(set(made)), step
        # Another start reads the kept count; none of it walked the store.
        assert await MessageStore(storage).count() == await stored(storage)
        assert storage.walks == 0
        # Everything erased, then put back from an archive (privacy's erase_all and restore).
        everything, chats = await storage.query("messages"), await storage.query("chats")
        await storage.apply([WriteOp(op="clear", store="messages"), store.emptied()])
        store.forget_cached()
        assert await store.count() == 0
        await store.restore(everything, chats)
        assert await store.count() == await stored(storage) == len(everything)
        assert storage.walks == 0

    asyncio.run(run())


def test_a_profile_from_before_is_counted_once_then_kept():
    async def run():
        storage = WalkCounter()
        await storage.open()
        await MessageStore(storage).write(dict(sighting(CHATS[0], n) for n in range(5)), 1.0, {})
        await storage.apply([WriteOp(op="delete", store="meta", key=COUNT_META_KEY)])  # as written before the count
        store = MessageStore(storage)
        await store.write(dict(sighting(CHATS[1], n) for n in range(3)), 2.0, {})  # no count kept yet: none written
        assert await storage.get("meta", COUNT_META_KEY) is None
        assert await store.count() == 8 and storage.walks == 1
        await store.write(dict(sighting(CHATS[1], n) for n in range(3, 6)), 3.0, {})
        assert await store.count() == 11 and (await storage.get("meta", COUNT_META_KEY))["value"] == 11
        assert await MessageStore(storage).count() == 11 and storage.walks == 1

    asyncio.run(run())


def test_the_status_and_the_metrics_do_not_walk_the_messages(core, storage, monkeypatch):
    walks = []
    original = MemoryStorage.count

    async def spy(self, store, *, index=None, range=None):
        if store == "messages" and index is None and range is None:
            walks.append(store)
        return await original(self, store, index=index, range=range)

    call(core, "core.status")  # counts once where no count was kept yet
    there = asyncio.run(original(storage, "messages"))
    monkeypatch.setattr(MemoryStorage, "count", spy)
    status = call(core, "core.status")["result"]
    metrics = call(core, "metrics.summary", {"days": 7, "utc_offset_min": -180})["result"]
    assert walks == []
    assert status["counts"]["messages"] == metrics["messages_total"] == there
