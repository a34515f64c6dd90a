"""The storage interface the core writes through.

IndexedDB is the source of truth in the browser (``pycore.host.IndexedDBStorage``);
``MemoryStorage`` implements the same contract for CPython tests. Records are
JSON-able dicts; every store has a key path and optional indexes (schema.py).

A write is a batch of operations applied in one transaction: one bridge call per
batch, never one per record.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal, Sequence

from pydantic import BaseModel, ConfigDict

Key = str | int | float | list


class Range(BaseModel):
    """A key range on a store or index: exact match (``eq``) or bounds, inclusive."""

    model_config = ConfigDict(extra="forbid")
    eq: Any = None
    lower: Any = None
    upper: Any = None


@dataclass(slots=True)
class WriteOp:
    """One write of a batch. A plain dataclass, not a model: bulk writes make 100,000 of them and
    only the core builds them (records are validated where they are decided on)."""

    op: Literal["put", "delete", "clear"]
    store: str
    record: dict[str, Any] | None = None  # for put
    key: Any = None  # for delete
    range: Range | None = None  # for delete: every record whose primary key is in the range (instead of key)

    def as_json(self) -> dict[str, Any]:
        """The op as the IndexedDB shim reads it (absent fields left out)."""
        out: dict[str, Any] = {"op": self.op, "store": self.store}
        if self.record is not None:
            out["record"] = self.record
        if self.key is not None:
            out["key"] = self.key
        if self.range is not None:
            out["range"] = self.range.model_dump(exclude_none=True)
        return out


class StorageError(Exception):
    """A read or write the database refused (quota, closed database, bad key)."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Storage(ABC):
    @abstractmethod
    async def open(self) -> int:
        """Open (creating or upgrading the schema); return the stored schema version before opening."""

    @abstractmethod
    async def apply(self, ops: Sequence[WriteOp]) -> None:
        """Apply every op in one transaction: all or nothing."""

    @abstractmethod
    async def get(self, store: str, key: Key) -> dict[str, Any] | None: ...

    async def get_many(self, store: str, keys: Sequence[Key]) -> list[dict[str, Any] | None]:
        """The records of ``keys`` (None where absent), in order: one call, one transaction."""
        return [await self.get(store, k) for k in keys]

    @abstractmethod
    async def query(
        self,
        store: str,
        *,
        index: str | None = None,
        range: Range | None = None,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[dict[str, Any]]:
        """Records in key order (of the index when given), optionally reversed and limited."""

    @abstractmethod
    async def count(self, store: str, *, index: str | None = None, range: Range | None = None) -> int: ...

    @abstractmethod
    async def close(self) -> None: ...

    # Conveniences over apply(): still one transaction per call.
    async def put_many(self, store: str, records: Sequence[dict[str, Any]]) -> None:
        if records:
            await self.apply([WriteOp(op="put", store=store, record=r) for r in records])

    async def put(self, store: str, record: dict[str, Any]) -> None:
        await self.apply([WriteOp(op="put", store=store, record=record)])

    async def delete_many(self, store: str, keys: Sequence[Key]) -> None:
        if keys:
            await self.apply([WriteOp(op="delete", store=store, key=k) for k in keys])
