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
from typing import Any, Callable, Collection, Literal, Sequence

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


# Bytes per part of a blob (put_blob): IndexedDB keeps each part (a Blob, over IndexedDB) in a file
# of its own. Parts of 2-16 MiB read alike (38 MB: 130-170 ms); 2 MiB and less write slower.
BLOB_PART = 4 << 20


def picked(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """A record with only these fields (Storage.query's ``fields``; the IndexedDB shim's pick)."""
    return {f: record[f] for f in fields if f in record}


def blob_parts(key: str) -> Range:
    """The primary keys of a blob's parts, "<key>#00000" on: never its head's key."""
    return Range(lower=f"{key}#", upper=f"{key}#\uffff")


def blob_writes(store: str, key: str, head: dict[str, Any], size: int, parts: Collection[int] | None = None,
                part: int = BLOB_PART) -> tuple[list[WriteOp], list[tuple[int, int]]]:
    """A blob's writes (its earlier parts deleted, a record per part without its bytes, its head) and
    where each written part's bytes start and end, in order: the second to the (n+1)th write hold them
    (Storage.put_blob). ``parts``: only those parts are written, the others kept as stored (a blob
    whose other parts hold these bytes already, cut at the same ``part`` size); the parts past its end
    are deleted (the range's lower bound is inclusive: "<key>#<n>" on, n the new number of parts)."""
    spans = [(i, min(size, i + part)) for i in range(0, size, part)]
    wanted = range(len(spans)) if parts is None else sorted({n for n in parts if 0 <= n < len(spans)})
    gone = blob_parts(key) if parts is None else Range(lower=f"{key}#{len(spans):05d}", upper=f"{key}#\uffff")
    ops = [WriteOp(op="delete", store=store, range=gone),
           *(WriteOp(op="put", store=store, record={"key": f"{key}#{n:05d}"}) for n in wanted),
           WriteOp(op="put", store=store, record={**head, "key": key, "parts": len(spans), "size": size})]
    return ops, [spans[n] for n in wanted]


def blob_deletes(store: str, key: str) -> list[WriteOp]:
    """The writes that delete a blob: its head and its parts."""
    return [WriteOp(op="delete", store=store, key=key), WriteOp(op="delete", store=store, range=blob_parts(key))]


class StorageError(Exception):
    """A read or write the database refused (quota, closed database, bad key)."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


PartSeen = Callable[[memoryview], None]
# What keeps a blob's parts from making the blob its head describes (also IdbShim.readBlob's faults).
BLOB_FAULTS = {
    "missing": "blob parts missing",
    "larger": "blob parts larger than its head says",
    "smaller": "blob parts smaller than its head says",
}


def read_file_parts(path: str, each: PartSeen) -> int:
    """Shows ``each`` a file's bytes in order, through one part-sized buffer; returns the file's size."""
    buf = bytearray(BLOB_PART)
    view = memoryview(buf)
    size = 0
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            each(view[:n])
            size += n
    return size


def blob_size(head: dict[str, Any]) -> int:
    """The size a blob's head gives (0 for a record written otherwise); StorageError if it is no size."""
    size = head.get("size", 0)
    if not isinstance(size, int) or size < 0:
        raise StorageError(f"blob head with a size of {size!r}", retryable=False)
    return size


class BlobBuffer:
    """A blob's bytes put together part by part, in one buffer of the size its head gives."""

    def __init__(self, head: dict[str, Any]) -> None:
        self.out, self.at = bytearray(blob_size(head)), 0

    def place(self, n: int) -> memoryview:
        """Where the next part of ``n`` bytes goes."""
        if self.at + n > len(self.out):
            raise StorageError(BLOB_FAULTS["larger"], retryable=False)
        view = memoryview(self.out)[self.at:self.at + n]
        self.at += n
        return view

    def add(self, part: bytes, each: PartSeen | None) -> None:
        view = self.place(len(part))
        view[:] = part
        if each:
            each(view)

    def done(self) -> bytearray:
        if self.at != len(self.out):
            raise StorageError(BLOB_FAULTS["smaller"], retryable=False)
        return self.out


class Storage(ABC):
    # The bytes per part of the blobs this storage writes (put_blob): BLOB_PART; smaller in tests
    # that want a database of a few hundred KB in many parts.
    blob_part = BLOB_PART
    # Whether reads asked for together are served together: IndexedDB reads while Python waits, so a
    # start asks for several at once; a store in memory answers each at once, and running them as
    # tasks would only reorder its answers (and leave them to the loop's turns).
    overlaps = False

    def read_early(self, store: str, key: str) -> bool:
        """Whether a blob came from a read made before the core asked for it (see IndexedDBStorage)."""
        return False

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
        fields: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Records in key order (of the index when given), optionally reversed and limited.
        ``fields``: only these top-level fields of each record (one it lacks stays absent): a reader
        of thousands of records for one or two of their fields does not carry the rest across."""

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

    async def put_blob(self, store: str, key: str, head: dict[str, Any], data: bytes,
                       parts: Collection[int] | None = None, also: Sequence[WriteOp] = ()) -> None:
        """Bytes kept as records of ``store`` (key path "key"): ``head`` under ``key`` with the number of
        parts and the size, the bytes in parts of ``blob_part``. Replaces the key's earlier blob in the same
        transaction: a reader sees the old blob or the new one, whole. ``parts``: see blob_writes.
        ``also``: other writes made in the same transaction."""
        ops, spans = blob_writes(store, key, head, len(data), parts, self.blob_part)
        view = memoryview(data)
        for op, (start, end) in zip(ops[1:], spans):
            assert op.record is not None
            op.record["data"] = bytes(view[start:end])
        await self.apply([*ops, *also])

    async def put_blob_file(self, store: str, key: str, head: dict[str, Any], path: str,
                            parts: Collection[int] | None = None, also: Sequence[WriteOp] = ()) -> None:
        """As put_blob, the bytes those of the file at ``path`` as it is now."""
        with open(path, "rb") as f:
            await self.put_blob(store, key, head, f.read(), parts, also)

    async def get_blob(self, store: str, key: str, each: PartSeen | None = None) -> tuple[dict[str, Any], bytearray] | None:
        """A blob's head and its bytes (empty for a head without parts: a record written otherwise);
        None when there is no head. ``each`` sees every part's bytes in order as it comes in (a
        checksum while the next part is read). Parts that do not add up to the head's size raise
        StorageError."""
        head = await self.get(store, key)
        if head is None:
            return None
        out = BlobBuffer(head)
        for part in await self.query(store, range=blob_parts(key)):
            out.add(part["data"], each)
        return head, out.done()

    async def get_blob_file(self, store: str, key: str, path: str, each: PartSeen | None = None) -> dict[str, Any] | None:
        """As get_blob, the bytes written to the file at ``path`` (made or replaced) instead of
        returned: the head, or None when there is none."""
        found = await self.get_blob(store, key, each)
        if found is None:
            return None
        with open(path, "wb") as f:
            f.write(found[1])
        return found[0]

    async def delete_blob(self, store: str, key: str) -> None:
        await self.apply(blob_deletes(store, key))

    async def delete_many(self, store: str, keys: Sequence[Key]) -> None:
        if keys:
            await self.apply([WriteOp(op="delete", store=store, key=k) for k in keys])
