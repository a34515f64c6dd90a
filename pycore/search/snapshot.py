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

Most saves write no part at all: they write the pages changed since the parts were written, as a
log (``pycore.search.pagelog``, the blob LOG_KEY), which a start applies over the parts; a save whose
log would pass its bound (LOG_PARTS, LOG_SHARE) writes the changed parts instead (the new base) and
deletes the log in the same transaction.

A snapshot written before blobs (one record: base64 text of the zlib stream, in ``data``) is still
read, once: it is written again as a blob as soon as it is read. Anything wrong -> ``None`` and the
caller rebuilds; never an exception. That holds for the log too: the parts alone are an older
snapshot, which may hold messages erased since.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import zlib
from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable, Collection

from pycore.search import pagelog
from pycore.search.index import INDEX_VERSION, Index, IndexError_, remove_file, scratch_file
from pycore.search.pagelog import PAGE, Base
from pycore.storage.base import Storage, StorageError, blob_deletes, read_file_parts

log = logging.getLogger("mettri.search")

STORE = "search_snapshot"
KEY = "index"
LOG_KEY = "index~log"  # outside KEY's parts ("index#..."): '~' sorts after '#'
EARLY_KEYS = (KEY, LOG_KEY)  # read by the core's worker while the runtime loads (early-reads.js)
# A log holds at most this many parts' worth of pages (8 MiB), or a sixteenth of the database when
# that is more (24 MB at a million messages): each save writes the whole log, and a save past it
# writes the changed parts (after 20 new messages at a million, 30 % of 380 MB) and starts anew.
LOG_PARTS = 2
LOG_SHARE = 16

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
    # The parts' bytes as pages (pagelog.Base): what a log is written against. None when unknown (a
    # head written before logs, a write of parts whose outcome is unknown): the next save writes parts.
    base: Base | None = None

    def status(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("removals", "part_crcs", "base")}


class PartCrcs:
    """The CRC of each ``part``-sized slice of bytes shown in order, in chunks of any size."""

    def __init__(self, part: int) -> None:
        self.part, self.crcs, self.crc, self.filled = part, [], 0, 0

    def add(self, chunk: memoryview | bytes) -> None:
        view = memoryview(chunk)
        if not self.filled:  # whole parts at once (a page pass makes ~100,000 of them at a million messages)
            whole = len(view) - len(view) % self.part
            crc32, part = zlib.crc32, self.part
            self.crcs += [crc32(view[i:i + part]) for i in range(0, whole, part)]
            view = view[whole:]
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


def decode(head: dict[str, Any] | None, path: str, part_now: int,
           page_log: tuple[dict[str, Any], bytes] | None = None) -> tuple[Index, SnapshotInfo] | None:
    """The index in a snapshot: its head record, and its bytes in the file at ``path``, with the
    pages of ``page_log`` (its head and bytes) applied when it is a log of these; or None when it is
    missing, damaged or of another version. A usable index in the file takes the file over
    (Index.open); otherwise the file is removed."""
    index: Index | None = None
    part_crcs: Crcs | None = None
    base: Base | None = None
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
            base = Base.from_head(head)
            if base is not None and page_log is not None:
                size, head = applied(page_log, base, path)
            index = Index.open(path)
        if index.seq != head["seq"]:
            raise ValueError("sequence mismatch")
        index.know_days(head.get("days"))
        removals = head.get("removals")
        info = SnapshotInfo(seq=index.seq, docs=index.count(), bytes=size, raw_bytes=size,
                            created_at=float(head.get("created_at") or 0.0), version=INDEX_VERSION,
                            removals=removals if type(removals) is int else None, part_crcs=part_crcs, base=base)
        return index, info
    except (KeyError, TypeError, ValueError, OSError, binascii.Error, zlib.error, IndexError_) as exc:
        log.warning("search snapshot unusable (%s): rebuilding", exc)
        index = None  # an index that took the file over removes it as it goes
        return None
    finally:
        if index is None or "parts" not in (head or {}):
            remove_file(path)


def applied(page_log: tuple[dict[str, Any], bytes], base: Base, path: str) -> tuple[int, dict[str, Any]]:
    """The database's size and the head that describes it once the log is applied to the base's bytes
    in the file. ValueError when the log is not one of this base, whole: never the parts alone, an
    older snapshot (a catch-up only adds, so what was removed since would come back): the caller
    rebuilds."""
    log_head, data = page_log
    pages, size = pagelog.check(log_head, data, base)
    if log_head.get("version") != INDEX_VERSION:
        raise ValueError(f"a page log of version {log_head.get('version')!r}")
    pagelog.apply(path, pages, size, data)
    return size, log_head


async def read_log(storage: Storage) -> tuple[dict[str, Any], bytes] | None:
    """The page log's head and bytes; None when there is none (the parts are the snapshot)."""
    path = scratch_file()
    try:
        head = await storage.get_blob_file(STORE, LOG_KEY, path)
        if head is None:
            return None
        with open(path, "rb") as f:
            return head, f.read()
    finally:
        remove_file(path)


async def load(storage: Storage) -> tuple[Index, SnapshotInfo] | None:
    path = scratch_file()
    try:  # the CRCs are taken from the file once it is read (a head says how it was cut in parts)
        head = await storage.get_blob_file(STORE, KEY, path)
        found = await read_log(storage) if head and "base" in head else None
    except (StorageError, OSError) as exc:
        remove_file(path)
        log.warning("search snapshot unreadable (%s): rebuilding", exc)
        return None
    restored = decode(head, path, storage.blob_part, found)
    if restored and storage.read_early(STORE, KEY):
        restored = restored[0], replace(restored[1], read_early=True)
    if restored and head and "parts" not in head:  # the old format: written once more, as a blob
        try:  # not compared yet: no removals
            saved = await save(storage, restored[0], restored[1].created_at, _no_pause)
            restored = restored[0], replace(restored[1], part_crcs=saved.part_crcs, base=saved.base)
        except StorageError as exc:  # the old record stays; it is still read next time
            log.warning("search snapshot not rewritten (%s)", exc)
    return restored


async def _no_pause() -> None:
    return None


async def save(storage: Storage, index: Index, now: float, pause: Callable[[], Awaitable[Any]],
               removals: int | None = None, stored: Crcs | None = None,
               writing: Callable[[Crcs | None], None] | None = None, base: Base | None = None,
               log_parts: int = LOG_PARTS) -> SnapshotInfo:
    """``removals``: see SnapshotInfo.removals. ``base``: the pages of the parts stored now
    (SnapshotInfo.base): the pages that differ from it are written as the page log when they fit in
    ``log_parts`` parts or a LOG_SHARE-th of the database (``log_parts`` 0: never). Otherwise the parts
    are written: ``stored``, their CRCs (SnapshotInfo.part_crcs), and only those that differ are
    written, every part when None; ``writing`` is told, as that write begins, the CRCs still true of
    the blob stored whatever the write's outcome (``unsure``): the caller keeps those, and no base,
    until this returns. The caller holds the index still (the engine's lock) until this returns: an
    index in a file is stored from the file itself."""
    # The documents per day travel with the bytes: a start would otherwise count them on its first
    # large search (0.7 s at a million in Pyodide).
    seq, docs, days = index.seq, index.count(), index.day_counts()
    part = storage.blob_part
    if index.path is None:
        source: str | bytes = index.serialize()
    else:  # no copy of the database into memory: the file is read for its CRCs, then stored as it is
        index.conn.commit()
        source = index.path
    size, pages = await part_crcs_of(source, PAGE, pause, part)
    info = SnapshotInfo(seq=seq, docs=docs, bytes=size, raw_bytes=size, created_at=now, version=INDEX_VERSION,
                        removals=removals, part_crcs=stored, base=base)
    kept = {k: v for k, v in info.__dict__.items() if k not in ("read_early", "part_crcs", "base")}
    described = {"days": sorted(days.items()), **kept}
    changed = base.changed(pages) if base is not None else None
    if changed is not None and log_parts > 0 and len(changed) * PAGE <= max(log_parts * part, size // LOG_SHARE):
        data = pagelog.read_pages(source, changed, size)
        await pause()
        head = {"base": base.id, "pages": changed, "page_bytes": PAGE, "crc": zlib.crc32(data), **described}
        await storage.put_blob(STORE, LOG_KEY, head, data)
        return info
    size, part_crcs = await part_crcs_of(source, part, pause, part)
    touched = None if stored is None else [n for n, crc in enumerate(part_crcs) if n >= len(stored) or stored[n] != crc]
    new_base = Base.of(seq, size, pages)
    info = replace(info, part_crcs=tuple(part_crcs), base=new_base)
    head = {"part_crcs": part_crcs, "part_bytes": part, "base": new_base.id, "page_crcs": new_base.packed(), **described}
    if writing:
        writing(unsure(stored, len(part_crcs), touched))
    drop_log = blob_deletes(STORE, LOG_KEY)  # in the same transaction: a log stands on the base before
    if isinstance(source, bytes):
        await storage.put_blob(STORE, KEY, head, source, touched, drop_log)
    else:
        await storage.put_blob_file(STORE, KEY, head, source, touched, drop_log)
    return info


def unsure(stored: Crcs | None, parts: int, written: Collection[int] | None) -> Crcs | None:
    """The part CRCs still true of the blob stored while a write of the parts ``written`` (None:
    every part) of a blob of ``parts`` parts may or may not have been made: those of the parts it
    neither writes nor deletes (past its end). None when nothing is known."""
    if stored is None or written is None:
        return None
    gone = set(written)
    return tuple(None if n in gone or n >= parts else crc for n, crc in enumerate(stored))


async def part_crcs_of(source: str | bytes, unit: int, pause: Callable[[], Awaitable[Any]],
                       chunk: int) -> tuple[int, list[int]]:
    """A database's size and the CRC of each ``unit`` bytes of it (a file's path, or its bytes), read
    ``chunk`` bytes at a time, yielding to the loop after each: at a million messages the file is
    380 MB, and other requests (capture) go on meanwhile."""
    crcs = PartCrcs(unit)
    if isinstance(source, (bytes, bytearray)):
        crcs.add(source)
        return len(source), crcs.done()
    buf = bytearray(chunk)
    view = memoryview(buf)
    size = 0
    with open(source, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            crcs.add(view[:n])
            size += n
            await pause()
    return size, crcs.done()


async def drop(storage: Storage) -> None:
    await storage.apply(blob_deletes(STORE, KEY) + blob_deletes(STORE, LOG_KEY))
