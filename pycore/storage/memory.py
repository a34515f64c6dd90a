"""In-memory storage with IndexedDB's semantics, for CPython tests.

Keys sort the way IndexedDB sorts them (numbers < strings < arrays); records
without an index's field are absent from that index; values are copied on the
way in and out, as IndexedDB's structured clone does. ``fail_writes`` lets tests
simulate a full disk or a closed database.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Sequence

from pycore.storage.base import BLOB_PART, Key, Range, Storage, StorageError, WriteOp, picked
from pycore.storage.schema import SCHEMA_VERSION, STORES, StoreSpec


def sort_key(value: Any) -> tuple:
    if isinstance(value, bool) or value is None:
        raise StorageError(f"invalid key {value!r}", retryable=False)
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, (list, tuple)):
        return (2, tuple(sort_key(v) for v in value))
    raise StorageError(f"invalid key {value!r}", retryable=False)


def extract(record: dict[str, Any], path: str | tuple[str, ...]) -> Any:
    if isinstance(path, tuple):
        parts = [record.get(p) for p in path]
        return None if any(p is None for p in parts) else list(parts)
    return record.get(path)


def in_range(k: tuple, rng: Range | None) -> bool:
    if rng is None:
        return True
    if rng.eq is not None:
        return k == sort_key(rng.eq)
    if rng.lower is not None and k < sort_key(rng.lower):
        return False
    if rng.upper is not None and k > sort_key(rng.upper):
        return False
    return True


def clone(record: dict[str, Any]) -> dict[str, Any]:
    """What a put keeps: JSON's values, which is what the core sends IndexedDB, and a blob part's
    bytes (Storage.put_blob), which cross beside the JSON there."""
    parts = {k: v for k, v in record.items() if type(v) is bytes}
    if not parts:
        return json.loads(json.dumps(record))
    return {**json.loads(json.dumps({k: v for k, v in record.items() if k not in parts})), **parts}


class MemoryStorage(Storage):
    def __init__(self, stores: dict[str, StoreSpec] | None = None, version: int = SCHEMA_VERSION,
                 blob_part: int = BLOB_PART) -> None:
        self.blob_part = blob_part
        self._specs = dict(stores or STORES)
        self._version = version
        self._data: dict[str, dict[tuple, dict[str, Any]]] = {}
        self._stored_version = 0
        self.closed = True
        self.fail_writes: StorageError | None = None  # set by tests: every apply() raises it
        self.write_calls = 0
        self.transactions: list[frozenset[str]] = []  # the stores each write touched (tests)

    async def open(self) -> int:
        previous = self._stored_version
        for name in self._specs:
            self._data.setdefault(name, {})
        self._stored_version = max(self._stored_version, self._version)
        self.closed = False
        return previous

    def _store(self, name: str) -> dict[tuple, dict[str, Any]]:
        if self.closed:
            raise StorageError("database is closed")
        if name not in self._data:
            raise StorageError(f"unknown store {name!r}", retryable=False)
        return self._data[name]

    async def apply(self, ops: Sequence[WriteOp]) -> None:
        self.write_calls += 1
        if self.fail_writes is not None:
            raise self.fail_writes
        self.transactions.append(frozenset(op.store for op in ops))
        # Validate everything before touching anything: all or nothing.
        staged: list[tuple[str, str, tuple | None, Any]] = []
        for op in ops:
            store = self._store(op.store)  # noqa: F841 - raises on unknown/closed
            if op.op == "put":
                if op.record is None:
                    raise StorageError(f"put into {op.store!r} without a record", retryable=False)
                spec = self._specs[op.store]
                key = extract(op.record, spec.key_path)
                if key is None:
                    raise StorageError(f"record for {op.store!r} has no key {spec.key_path!r}", retryable=False)
                staged.append(("put", op.store, sort_key(key), clone(op.record)))
            elif op.op == "delete" and op.range is not None:
                staged.append(("delete_range", op.store, None, op.range))
            elif op.op == "delete":
                staged.append(("delete", op.store, sort_key(op.key), None))
            else:
                staged.append(("clear", op.store, None, None))
        for kind, store, key, record in staged:
            if kind == "put":
                self._data[store][key] = record
            elif kind == "delete":
                self._data[store].pop(key, None)
            elif kind == "delete_range":
                for k in [k for k in self._data[store] if in_range(k, record)]:
                    del self._data[store][k]
            else:
                self._data[store].clear()

    async def get(self, store: str, key: Key) -> dict[str, Any] | None:
        rec = self._store(store).get(sort_key(key))
        return copy.deepcopy(rec)

    def _select(self, store: str, index: str | None, rng: Range | None) -> list[tuple[tuple, tuple, dict]]:
        data = self._store(store)
        if index is None:
            rows = [(k, k, r) for k, r in data.items() if in_range(k, rng)]
        else:
            spec = self._specs[store]
            if index not in spec.indexes:
                raise StorageError(f"unknown index {store}.{index}", retryable=False)
            rows = []
            for pk, r in data.items():
                v = extract(r, spec.indexes[index])
                if v is None:
                    continue
                ik = sort_key(v)
                if in_range(ik, rng):
                    rows.append((ik, pk, r))
        rows.sort(key=lambda t: (t[0], t[1]))
        return rows

    async def query(self, store, *, index=None, range=None, limit=None, reverse=False, fields=None):
        rows = self._select(store, index, range)
        if reverse:
            rows.reverse()
        if limit is not None:
            rows = rows[:limit]
        return [self._handed(r if fields is None else picked(r, fields)) for _, _, r in rows]

    def _handed(self, record: dict[str, Any]) -> dict[str, Any]:
        """What a query gives of a stored record: a copy the caller may change."""
        return copy.deepcopy(record)

    async def count(self, store, *, index=None, range=None) -> int:
        return len(self._select(store, index, range))

    async def close(self) -> None:
        self.closed = True
