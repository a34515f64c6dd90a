"""Persisting the index so a start-up with a large history does not re-index it.

The index's database is stored as a blob of the ``search_snapshot`` store: a head record with the
change sequence the snapshot covers, the index version and a CRC of the bytes, and the bytes
themselves in parts (BLOB_PART), raw. An index kept in a file (always, under Pyodide: see
Index.new) is stored from the file and read back into one (``Storage.put_blob_file``,
``get_blob_file``), so neither copies the database into the wasm heap; one in memory is serialized
(``Connection.serialize()``, ``Storage.put_blob``). Raw, not compressed: at a million messages
inflating a zlib stream alone took ~2 s of the core's thread in Pyodide and base64 another ~1 s, against
the start's budget for search (issue 16: searchable ≤ 2 s after the core is ready). Over IndexedDB each
part is a Blob (extension/offscreen/idb-shim.js): the parts are read in parallel, and the core's worker
starts reading them while the runtime loads (``early-reads.js``, generated from STORE and KEY here),
so that a start after a browser start finds them read. The CRC detects a damaged blob before SQLite
reads it.

A snapshot written before blobs (one record: base64 text of the zlib stream, in ``data``) is still
read, once: it is written again as a blob as soon as it is read. Anything wrong -> ``None`` and the
caller rebuilds; never an exception.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import zlib
from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable

from pycore.search.index import INDEX_VERSION, Index, IndexError_, remove_file, scratch_file
from pycore.storage.base import Storage, StorageError, read_file_parts

log = logging.getLogger("mettri.search")

STORE = "search_snapshot"
KEY = "index"


@dataclass(frozen=True)
class SnapshotInfo:
    seq: int
    docs: int
    bytes: int  # size of the stored payload (the SQLite database itself, since blobs)
    raw_bytes: int  # size of the SQLite database
    created_at: float
    version: str
    # The message store's removals when this index was last compared with storage (SearchEngine._load):
    # a start finding the same number need not compare again. Not part of search.status.
    removals: int | None = None
    # Its bytes were read by the core's worker while the runtime loaded (IdbShim.readEarly). Not stored.
    read_early: bool = False

    def status(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "removals"}


def decode(head: dict[str, Any] | None, path: str, crc: int | None = None) -> tuple[Index, SnapshotInfo] | None:
    """The index in a snapshot: its head record, and its bytes in the file at ``path`` with their CRC
    taken as they were read; or None when it is missing, damaged or of another version. A usable
    index in the file takes the file over (Index.open); otherwise the file is removed."""
    index: Index | None = None
    try:
        if not head:
            return None
        if head.get("version") != INDEX_VERSION:
            log.info("search snapshot version %r is not %r: rebuilding", head.get("version"), INDEX_VERSION)
            return None
        if "parts" not in head:  # written before blobs: base64 text of a zlib stream, in the head
            raw = zlib.decompress(base64.b64decode(head["data"], validate=True))
            if zlib.crc32(raw) != head["crc"]:
                raise ValueError("checksum mismatch")
            index = Index.deserialize(raw)
            size = len(raw)
        else:
            size = os.path.getsize(path)
            if size != head["raw_bytes"]:
                raise ValueError(f"{size} bytes stored, {head['raw_bytes']} written")
            if crc != head["crc"]:
                raise ValueError("checksum mismatch")
            index = Index.open(path)
        if index.seq != head["seq"]:
            raise ValueError("sequence mismatch")
        index.know_days(head.get("days"))
        removals = head.get("removals")
        info = SnapshotInfo(seq=index.seq, docs=index.count(), bytes=size, raw_bytes=size,
                            created_at=float(head.get("created_at") or 0.0), version=INDEX_VERSION,
                            removals=removals if type(removals) is int else None)
        return index, info
    except (KeyError, TypeError, ValueError, binascii.Error, zlib.error, IndexError_) as exc:
        log.warning("search snapshot unusable (%s): rebuilding", exc)
        index = None  # an index that took the file over removes it as it goes
        return None
    finally:
        if index is None or "parts" not in (head or {}):
            remove_file(path)


async def load(storage: Storage) -> tuple[Index, SnapshotInfo] | None:
    crc = 0

    def checked(part: memoryview) -> None:  # while the next part is read
        nonlocal crc
        crc = zlib.crc32(part, crc)

    path = scratch_file()
    try:
        head = await storage.get_blob_file(STORE, KEY, path, checked)
    except StorageError as exc:
        remove_file(path)
        log.warning("search snapshot unreadable (%s): rebuilding", exc)
        return None
    restored = decode(head, path, crc)
    if restored and storage.read_early(STORE, KEY):
        restored = restored[0], replace(restored[1], read_early=True)
    if restored and head and "parts" not in head:  # the old format: written once more, as a blob
        try:
            await save(storage, restored[0], restored[1].created_at, _no_pause)  # not compared yet: no removals
        except StorageError as exc:  # the old record stays; it is still read next time
            log.warning("search snapshot not rewritten (%s)", exc)
    return restored


async def _no_pause() -> None:
    return None


async def save(storage: Storage, index: Index, now: float, pause: Callable[[], Awaitable[Any]],
               removals: int | None = None) -> SnapshotInfo:
    """``removals``: see SnapshotInfo.removals. The caller holds the index still (the engine's lock) until
    this returns: an index in a file is stored from the file itself."""
    if index.path is None:
        raw = index.serialize()
        size, crc = len(raw), zlib.crc32(raw)
    else:  # no copy of the database into memory: the file is read for its CRC, then stored as it is
        index.conn.commit()
        size, crc = file_crc(index.path)
    # Read before yielding: the bytes are of this moment. The documents per day travel with them: a
    # start would otherwise count them on its first large search (0.7 s at a million in Pyodide).
    seq, docs, days = index.seq, index.count(), index.day_counts()
    await pause()
    info = SnapshotInfo(seq=seq, docs=docs, bytes=size, raw_bytes=size, created_at=now, version=INDEX_VERSION,
                        removals=removals)
    head = {"crc": crc, "days": sorted(days.items()), **{k: v for k, v in info.__dict__.items() if k != "read_early"}}
    if index.path is None:
        await storage.put_blob(STORE, KEY, head, raw)
    else:
        await storage.put_blob_file(STORE, KEY, head, index.path)
    return info


def file_crc(path: str) -> tuple[int, int]:
    """The size and CRC of a file."""
    crc = 0

    def add(part: memoryview) -> None:
        nonlocal crc
        crc = zlib.crc32(part, crc)

    return read_file_parts(path, add), crc


async def drop(storage: Storage) -> None:
    await storage.delete_blob(STORE, KEY)
