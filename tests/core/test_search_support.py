"""Shared builders for the search tests (and a check that they build valid records)."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from pycore.capture.store import SEQ_META_KEY
from pycore.clock import FakeClock
from pycore.protocol.records import ChatRecord, MessageRecord
from pycore.search.engine import SearchEngine
from pycore.search.protocol import SearchFilters
from pycore.storage.memory import MemoryStorage

NOW = 1_780_000_000.0
DAY = 86400.0
ANA = "5511987654321@c.us"
BETO = "5521912345678@c.us"
GROUP = "120363000000000001@g.us"

_ids = itertools.count(1)


class World:
    """A storage with messages and chats, a fake clock and an engine over them."""

    def __init__(self, storage: MemoryStorage | None = None, **engine: Any) -> None:
        self.engine_kw = engine  # every engine of this world is made with these (SearchEngine's keywords)
        self.clock = FakeClock(NOW)
        self.storage = storage or MemoryStorage()
        asyncio.run(self.storage.open())
        self.seq = 0
        self.engine = self.new_engine()

    def new_engine(self, **kw) -> SearchEngine:
        self.progress: list[tuple[int, int]] = []
        return SearchEngine(self.storage, self.clock, progress=lambda d, t: self.progress.append((d, t)),
                            **{**self.engine_kw, **kw})

    def message(self, text: str, *, chat: str = ANA, ago_days: float = 0.0, direction: str = "in",
                type: str = "text", id: str | None = None) -> dict:
        self.seq += 1
        mid = id or f"3EB0{next(_ids):06d}"
        ts = NOW - ago_days * DAY
        return MessageRecord(key=f"{chat}|{mid}", chat=chat, id=mid, seq=self.seq, ts=ts, direction=direction,
                             type=type, text=text, first_seen=ts, last_seen=ts).model_dump()

    def add(self, *specs) -> list[dict]:
        """Store messages: each spec is text or (text, {options})."""
        recs = [self.message(s) if isinstance(s, str) else self.message(s[0], **s[1]) for s in specs]
        asyncio.run(self.storage.put_many("messages", recs))
        self._counted()
        return recs

    def update(self, rec: dict, **changes) -> dict:
        self.seq += 1
        new = {**rec, **changes, "seq": self.seq}
        asyncio.run(self.storage.put("messages", new))
        self._counted()
        return new

    def _counted(self) -> None:
        """The message store's counter, as the store keeps it with every write (never lowered by it)."""
        asyncio.run(self.storage.put("meta", {"key": SEQ_META_KEY, "value": self.seq}))

    def chats(self, *records: dict) -> None:
        asyncio.run(self.storage.put_many("chats", [ChatRecord(**r).model_dump() for r in records]))

    def catch_up(self, n: int | None = None) -> int:
        return asyncio.run(self.engine.catch_up(n))

    def search(self, q: str = "", limit: int = 20, offset: int = 0, **filters) -> dict:
        return self.engine.search_messages(q, SearchFilters(**filters), limit, offset)

    def texts(self, q: str = "", **kw) -> list[str]:
        return [text_of(h) for h in self.search(q, **kw)["hits"]]


def text_of(hit: dict) -> str:
    return "".join(s["text"] for s in hit["snippet"])


def test_world_builds_valid_records():
    w = World()
    recs = w.add("olá", ("oi", {"chat": BETO, "ago_days": 2}))
    assert [r["seq"] for r in recs] == [1, 2]
    assert recs[1]["ts"] == NOW - 2 * DAY and recs[1]["chat"] == BETO
    assert w.catch_up() == 2
