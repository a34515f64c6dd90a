"""Search hears captures through the core's internal events: a captured message
is searchable once background indexing ran, and capture never waited for it."""

from __future__ import annotations

import asyncio
import random

from pycore.app import Core, Services
from pycore.storage.memory import MemoryStorage


def batch(text: str, msg_id: str) -> dict:
    return {
        "chat": {"title": "Ana Souza", "header_testid": None, "composer_label": None, "jid": None},
        "nodes": [
            {
                "data_id": f"false_5511987654321@c.us_{msg_id}",
                "testid": None,
                "classes": ["message-in"],
                "pre_plain_text": "[10:54, 12/09/2025] Ana Souza: ",
                "text": text,
                "quoted": None,
                "icons": [],
                "labels": [],
                "testids": [],
                "has_media": False,
            }
        ],
        "hidden": False,
        "observed_at": 1757670000,
        "locale": "pt-BR",
        "utc_offset_min": -180,
    }


def test_captured_message_becomes_searchable_in_the_background(core):
    async def scenario():
        reply = await core.handle({"id": "1", "type": "capture.batch", "args": batch("Quero o orçamento da instalação", "3EB0AAAA1111"), "source": "content"})
        assert reply["ok"], reply
        await core.drain()
        found = await core.handle({"id": "2", "type": "search.messages", "args": {"q": "orcamento instalacao"}})
        assert [h["key"] for h in found["result"]["hits"]] == ["5511987654321@c.us|3EB0AAAA1111"]
        # a second capture invalidates what was cached for the same query
        await core.handle({"id": "3", "type": "capture.batch", "args": batch("Outro orçamento, por favor", "3EB0BBBB2222"), "source": "content"})
        await core.drain()
        again = await core.handle({"id": "4", "type": "search.messages", "args": {"q": "orcamento"}})
        assert {h["key"].split("|")[1] for h in again["result"]["hits"]} == {"3EB0AAAA1111", "3EB0BBBB2222"}

    asyncio.run(scenario())


class HeldSnapshot(MemoryStorage):
    """Storage whose search snapshot is read only when the test lets it (a 1M-message snapshot takes
    seconds to load): ``asked`` is set when the core asks for it, ``release`` lets the read finish."""

    def __init__(self, data: MemoryStorage) -> None:
        super().__init__()
        self._data, self._stored_version = data._data, data._stored_version
        self.asked, self.release = asyncio.Event(), asyncio.Event()

    async def get(self, store, key):
        if store == "search_snapshot":
            self.asked.set()
            await self.release.wait()
        return await super().get(store, key)


def test_the_core_is_ready_before_the_search_snapshot_and_a_search_waits_for_it(core, storage, clock):
    async def fill():
        reply = await core.handle({"id": "1", "type": "capture.batch", "args": batch("Quero o orçamento da instalação", "3EB0AAAA2222"), "source": "content"})
        assert reply["ok"], reply
        await core.drain()
        await core.handle({"id": "2", "type": "search.reindex", "args": {}})  # saves the snapshot

    asyncio.run(fill())
    assert asyncio.run(storage.get("search_snapshot", "index")) is not None

    async def restarted():
        held = HeldSnapshot(storage)
        again = Core(Services(clock=clock, rng=random.Random(5), storage=held, emit=lambda e: None))
        await asyncio.wait_for(again.start(), 30)  # returns while the snapshot is not read yet: "ready"
        await held.asked.wait()
        listed = await again.handle({"id": "3", "type": "chats.list", "args": {"limit": 10}})
        assert [c["key"] for c in listed["result"]["chats"]] == ["5511987654321@c.us"]
        search = asyncio.ensure_future(again.handle({"id": "4", "type": "search.messages", "args": {"q": "orcamento"}}))
        held.release.set()
        found = await search
        # Found in the snapshot (nothing was indexed after the start): the search waited for it.
        assert [h["key"] for h in found["result"]["hits"]] == ["5511987654321@c.us|3EB0AAAA2222"]
        status = await again.handle({"id": "5", "type": "search.status", "args": {}})
        assert status["result"]["started_from"] == "snapshot"
        await again.drain()

    asyncio.run(restarted())
