"""Persisting the index so a start-up with a large history does not re-index it.

The index's database is stored as a blob of the ``search_snapshot`` store: a head record with the
change sequence the snapshot covers, the index version and a CRC of each part of the bytes, and the
bytes themselves in parts (Storage.blob_part), raw. A save writes only the parts whose CRC changed
since the blob stored now (the engine keeps their CRCs, SnapshotInfo.part_crcs), with the head, in
one transaction: SQLite changes a few pages when a few messages are indexed, and saving the whole
database (343 MB at a million messages) held capture up for seconds. Until a write returns, the CRCs
of the parts it writes are not trusted (a reply lost after the commit): the next save writes those.
An index kept in a file (always, under Pyodide: see Index.new) is stored from the file and read back
into one (``Storage.put_blob_file``, ``get_blob_file``), so neither copies the database into the
wasm heap; one in memory is serialized (``Connection.serialize()``, ``Storage.put_blob``). Raw, not
compressed: at a million messages inflating a zlib stream alone took ~2 s of the core's thread in
Pyodide and base64 another ~1 s, against the start's budget for search (issue 16: searchable ≤ 2 s after the core is ready). Over IndexedDB each
part is a Blob (extension/offscreen/idb-shim.js): the parts are read in parallel, and the core's worker
starts reading them while the runtime loads (``early-reads.js``, generated from STORE and KEY here),
so that a start after a browser start finds them read. The CRCs detect a damaged blob before SQLite
reads it (a head written before part CRCs has one CRC of the whole file: still read).

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
from typing import Any, Awaitable, Callable, Collection

from pycore.search.index import INDEX_VERSION, Index, IndexError_, remove_file, scratch_file
from pycore.storage.base import Storage, StorageError, read_file_parts

log = logging.getLogger("mettri.search")

STORE = "search_snapshot"
KEY = "index"

# The CRC of each part of a stored blob; None for a part whose stored bytes are unknown.
Crcs = tuple[int | None, ...]


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
    # The CRC of each part (Storage.blob_part bytes) of the blob stored now: the next save writes only
    # the parts that differ. None when unknown (a head of an older format or of another part size, no
    # save yet since a rebuild): the next save writes every part; a None in the tuple, that part (a
    # write that failed may have made it or not). Stored in the head; not part of search.status.
    part_crcs: Crcs | None = None

    def status(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("removals", "part_crcs")}


class PartCrcs:
    """The CRC of each ``part``-sized slice of bytes shown in order, in chunks of any size."""

    def __init__(self, part: int) -> None:
        self.part, self.crcs, self.crc, self.filled = part, [], 0, 0

    def add(self, chunk: memoryview | bytes) -> None:
        view = memoryview(chunk)
        while len(view):
            take = min(len(view), self.part - self.filled)
            self.crc = zlib.crc32(view[:take], self.crc)
            self.filled += take
            view = view[take:]
            if self.filled == self.part:
                self.crcs.append(self.crc)
                self.crc = self.filled = 0

    def done(self) -> list[int]:
        if self.filled:
            self.crcs.append(self.crc)
            self.crc = self.filled = 0
        return self.crcs


def whole_crc(path: str) -> int:
    """The CRC of a whole file (heads written before part CRCs)."""
    crc = 0

    def add(part: memoryview) -> None:
        nonlocal crc
        crc = zlib.crc32(part, crc)

    read_file_parts(path, add)
    return crc


def checked_file(head: dict[str, Any], path: str, part_now: int) -> Crcs | None:
    """Whether the file holds the bytes the head describes (its size, its CRCs): ValueError when not.
    Returns the part CRCs a next save can compare with, when they are of the parts written now
    (``part_now`` bytes each). One pass over the file once it is read: the head says how it was cut."""
    size = os.path.getsize(path)
    if size != head["raw_bytes"]:
        raise ValueError(f"{size} bytes stored, {head['raw_bytes']} written")
    stated = head.get("part_crcs")
    if stated is None:  # written before part CRCs: one CRC of the whole file
        if whole_crc(path) != head["crc"]:
            raise ValueError("checksum mismatch")
        return None
    part = head["part_bytes"]
    if type(part) is not int or part <= 0 or not isinstance(stated, list):
        raise ValueError("part checksums unreadable")
    crcs = PartCrcs(part)
    read_file_parts(path, crcs.add)
    if crcs.done() != stated:
        raise ValueError("checksum mismatch")
    return tuple(stated) if part == part_now else None


def decode(head: dict[str, Any] | None, path: str, part_now: int) -> tuple[Index, SnapshotInfo] | None:
    """The index in a snapshot: its head record, and its bytes in the file at ``path``; or None when
    it is missing, damaged or of another version. A usable index in the file takes the file over
    (Index.open); otherwise the file is removed."""
    index: Index | None = None
    part_crcs: Crcs | None = None
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
            part_crcs = checked_file(head, path, part_now)
            size = head["raw_bytes"]
            index = Index.open(path)
        if index.seq != head["seq"]:
            raise ValueError("sequence mismatch")
        index.know_days(head.get("days"))
        removals = head.get("removals")
        info = SnapshotInfo(seq=index.seq, docs=index.count(), bytes=size, raw_bytes=size,
                            created_at=float(head.get("created_at") or 0.0), version=INDEX_VERSION,
                            removals=removals if type(removals) is int else None, part_crcs=part_crcs)
        return index, info
    except (KeyError, TypeError, ValueError, binascii.Error, zlib.error, IndexError_) as exc:
        log.warning("search snapshot unusable (%s): rebuilding", exc)
        index = None  # an index that took the file over removes it as it goes
        return None
    finally:
        if index is None or "parts" not in (head or {}):
            remove_file(path)


async def load(storage: Storage) -> tuple[Index, SnapshotInfo] | None:
    path = scratch_file()
    try:  # the CRCs are taken from the file once it is read (a head says how it was cut in parts)
        head = await storage.get_blob_file(STORE, KEY, path)
    except StorageError as exc:
        remove_file(path)
        log.warning("search snapshot unreadable (%s): rebuilding", exc)
        return None
    restored = decode(head, path, storage.blob_part)
    if restored and storage.read_early(STORE, KEY):
        restored = restored[0], replace(restored[1], read_early=True)
    if restored and head and "parts" not in head:  # the old format: written once more, as a blob
        try:  # not compared yet: no removals
            saved = await save(storage, restored[0], restored[1].created_at, _no_pause)
            restored = restored[0], replace(restored[1], part_crcs=saved.part_crcs)
        except StorageError as exc:  # the old record stays; it is still read next time
            log.warning("search snapshot not rewritten (%s)", exc)
    return restored


async def _no_pause() -> None:
    return None


async def save(storage: Storage, index: Index, now: float, pause: Callable[[], Awaitable[Any]],
               removals: int | None = None, stored: Crcs | None = None,
               writing: Callable[[Crcs | None], None] | None = None) -> SnapshotInfo:
    """``removals``: see SnapshotInfo.removals. ``stored``: the part CRCs of the blob stored now
    (SnapshotInfo.part_crcs); only the parts that differ are written, every part when None.
    ``writing`` is told, as the write begins, the CRCs still true of the blob stored whatever the
    write's outcome (``unsure``): the caller keeps those until this returns. The caller holds the
    index still (the engine's lock) until this returns: an index in a file is stored from the file
    itself."""
    # The documents per day travel with the bytes: a start would otherwise count them on its first
    # large search (0.7 s at a million in Pyodide).
    seq, docs, days = index.seq, index.count(), index.day_counts()
    part = storage.blob_part
    if index.path is None:
        raw = index.serialize()
        crcs = PartCrcs(part)
        crcs.add(raw)
        size, part_crcs = len(raw), crcs.done()
    else:  # no copy of the database into memory: the file is read for its CRCs, then stored as it is
        index.conn.commit()
        size, part_crcs = await file_part_crcs(index.path, part, pause)
    await pause()
    changed = None if stored is None else [n for n, crc in enumerate(part_crcs) if n >= len(stored) or stored[n] != crc]
    info = SnapshotInfo(seq=seq, docs=docs, bytes=size, raw_bytes=size, created_at=now, version=INDEX_VERSION,
                        removals=removals, part_crcs=tuple(part_crcs))
    kept = {k: v for k, v in info.__dict__.items() if k not in ("read_early", "part_crcs")}
    head = {"part_crcs": part_crcs, "part_bytes": part, "days": sorted(days.items()), **kept}
    if writing:
        writing(unsure(stored, len(part_crcs), changed))
    if index.path is None:
        await storage.put_blob(STORE, KEY, head, raw, changed)
    else:
        await storage.put_blob_file(STORE, KEY, head, index.path, changed)
    return info


def unsure(stored: Crcs | None, parts: int, written: Collection[int] | None) -> Crcs | None:
    """The part CRCs still true of the blob stored while a write of the parts ``written`` (None:
    every part) of a blob of ``parts`` parts may or may not have been made: those of the parts it
    neither writes nor deletes (past its end). None when nothing is known."""
    if stored is None or written is None:
        return None
    gone = set(written)
    return tuple(None if n in gone or n >= parts else crc for n, crc in enumerate(stored))


async def file_part_crcs(path: str, part: int, pause: Callable[[], Awaitable[Any]]) -> tuple[int, list[int]]:
    """A file's size and the CRC of each of its parts, yielding to the loop after each part: at a
    million messages the file is 343 MB, and other requests (capture) go on meanwhile."""
    crcs = PartCrcs(part)
    buf = bytearray(part)
    view = memoryview(buf)
    size = 0
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            crcs.add(view[:n])
            size += n
            await pause()
    return size, crcs.done()


async def drop(storage: Storage) -> None:
    await storage.delete_blob(STORE, KEY)
