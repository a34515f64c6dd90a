"""The IndexedDB adapter's error handling, with a stand-in for the JS shim: a write
that fails (full disk, closed database) is retried and then reported, never dropped."""

from __future__ import annotations

import asyncio
import json

import pytest

from pycore.host import IndexedDBStorage
from pycore.storage.base import Range, StorageError


class FlakyShim:
    """Answers like extension/offscreen/idb-shim.js; fails the first ``failures`` writes."""

    def __init__(self, failures: int, error: str = "QuotaExceededError: the quota has been exceeded"):
        self.failures = failures
        self.error = error
        self.applied: list[list[dict]] = []
        self.calls = 0

    async def open(self, schema: str) -> str:
        return "0"

    async def apply(self, ops: str) -> str:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError(self.error)
        self.applied.append(json.loads(ops))
        return str(len(self.applied[-1]))


def test_a_transient_failure_is_retried_and_the_batch_lands_once():
    shim = FlakyShim(failures=2)
    db = IndexedDBStorage(shim)
    asyncio.run(db.put_many("messages", [{"key": "a|1"}, {"key": "a|2"}]))
    assert shim.calls == 3
    assert shim.applied == [[{"op": "put", "store": "messages", "record": {"key": "a|1"}},
                             {"op": "put", "store": "messages", "record": {"key": "a|2"}}]]


def test_a_persistent_failure_is_reported_as_retryable():
    shim = FlakyShim(failures=99)
    db = IndexedDBStorage(shim)
    with pytest.raises(StorageError) as exc:
        asyncio.run(db.put("messages", {"key": "a|1"}))
    assert exc.value.retryable and "QuotaExceeded" in str(exc.value)
    assert shim.applied == []


def test_a_bad_record_is_not_retried():
    shim = FlakyShim(failures=99, error="DataError: the key path did not yield a value")
    db = IndexedDBStorage(shim)
    with pytest.raises(StorageError) as exc:
        asyncio.run(db.put("messages", {"nokey": 1}))
    assert not exc.value.retryable and shim.calls == 1


class RecordingShim(FlakyShim):
    """Keeps every text it is handed, as JavaScript would receive it."""

    def __init__(self) -> None:
        super().__init__(failures=0)
        self.texts: list[str] = []

    async def apply(self, ops: str) -> str:
        self.texts.append(ops)
        return await super().apply(ops)

    async def query(self, q: str) -> str:
        self.texts.append(q)
        return "[]"

    async def getMany(self, store: str, keys: str) -> str:
        self.texts.append(keys)
        return json.dumps([None] * len(json.loads(keys)))


def test_text_handed_to_javascript_is_ascii_and_reads_back_whole():
    # Pyodide copies a str holding anything past ASCII to JavaScript character by character (an
    # import's batch of 5,000 records: 180-230 ms; escaped, under 10), so every text is escaped.
    shim = RecordingShim()
    db = IndexedDBStorage(shim)
    record = {"key": "5511@c.us|1", "text": "Olá, preço “ok” 😀 \ud800"}

    async def run() -> None:
        await db.put_many("messages", [record])
        await db.query("messages", index="by_chat", range=Range(eq="Conceição 😀"))
        await db.get_many("messages", ["5511@c.us|ação"])

    asyncio.run(run())
    assert len(shim.texts) == 3 and all(t.isascii() for t in shim.texts)
    assert shim.applied[0][0]["record"] == record
    assert json.loads(shim.texts[1])["range"]["eq"] == "Conceição 😀"
