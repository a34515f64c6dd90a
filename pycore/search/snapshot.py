"""Persisting the index so a start-up with a large history does not re-index it.

The in-memory database is serialized (``Connection.serialize()``), compressed
with zlib level 1 in 1 MiB steps that yield to the event loop (level 1: 0.7 s for
100k messages on CPython vs 1.8 s for level 6, for 10% more bytes), base64-encoded and stored as
ONE record of the ``search_snapshot`` store, with the change sequence it covers,
the index version, and a CRC so a damaged record is detected before SQLite reads
it. Anything wrong -> ``None`` and the caller rebuilds; never an exception.
"""

from __future__ import annotations

import base64
import binascii
import logging
import zlib
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from pycore.search.index import INDEX_VERSION, Index, IndexError_
from pycore.storage.base import Storage, StorageError

log = logging.getLogger("mettri.search")

STORE = "search_snapshot"
KEY = "index"


@dataclass(frozen=True)
class SnapshotInfo:
    seq: int
    docs: int
    bytes: int  # size of the stored (base64) payload
    raw_bytes: int  # size of the SQLite database
    created_at: float
    version: str


CHUNK = 1 << 20  # compress a MiB at a time, yielding in between: the core keeps answering


async def encode(index: Index, now: float, pause: Callable[[], Awaitable[Any]]) -> tuple[dict[str, Any], SnapshotInfo]:
    raw = index.serialize()
    seq, docs = index.seq, index.count()  # read before yielding: the bytes are of this moment
    packer = zlib.compressobj(1)
    parts = []
    for start in range(0, len(raw), CHUNK):
        parts.append(packer.compress(raw[start:start + CHUNK]))
        await pause()
    parts.append(packer.flush())
    data = base64.b64encode(b"".join(parts)).decode("ascii")
    info = SnapshotInfo(seq=seq, docs=docs, bytes=len(data), raw_bytes=len(raw), created_at=now, version=INDEX_VERSION)
    record = {"key": KEY, "data": data, "crc": zlib.crc32(raw), **info.__dict__}
    return record, info


def decode(record: dict[str, Any] | None) -> tuple[Index, SnapshotInfo] | None:
    """The index in a snapshot record, or None when it is missing, damaged or of another version."""
    if not record:
        return None
    try:
        if record.get("version") != INDEX_VERSION:
            log.info("search snapshot version %r is not %r: rebuilding", record.get("version"), INDEX_VERSION)
            return None
        raw = zlib.decompress(base64.b64decode(record["data"], validate=True))
        if zlib.crc32(raw) != record["crc"]:
            raise ValueError("checksum mismatch")
        index = Index.deserialize(raw)
        if index.seq != record["seq"]:
            raise ValueError("sequence mismatch")
        info = SnapshotInfo(seq=index.seq, docs=index.count(), bytes=len(record["data"]), raw_bytes=len(raw),
                            created_at=float(record.get("created_at") or 0.0), version=INDEX_VERSION)
        return index, info
    except (KeyError, TypeError, ValueError, binascii.Error, zlib.error, IndexError_) as exc:
        log.warning("search snapshot unusable (%s): rebuilding", exc)
        return None


async def load(storage: Storage) -> tuple[Index, SnapshotInfo] | None:
    try:
        record = await storage.get(STORE, KEY)
    except StorageError as exc:
        log.warning("search snapshot unreadable (%s): rebuilding", exc)
        return None
    return decode(record)


async def save(storage: Storage, index: Index, now: float, pause: Callable[[], Awaitable[Any]]) -> SnapshotInfo:
    record, info = await encode(index, now, pause)
    await storage.put(STORE, record)
    return info


async def drop(storage: Storage) -> None:
    await storage.delete_many(STORE, [KEY])
