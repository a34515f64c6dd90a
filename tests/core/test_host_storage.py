"""The IndexedDB adapter's error handling, with a stand-in for the JS shim: a write
that fails (full disk, closed database) is retried and then reported, never dropped."""

from __future__ import annotations

import asyncio
import json

import pytest

from pycore.host import IndexedDBStorage
from pycore.storage.base import StorageError


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
