"""The pages of the index's database changed since its snapshot's parts were written (the base).

SQLite changes few pages when a few messages are indexed, but far apart: 20 new messages in a
million touch 26-32 of 91 parts of 4 MiB, so a save writing the parts that changed wrote ~30 % of
the database. A save instead writes, as a second small blob, every page of PAGE bytes that differs
from the base (each such log replaces the one before: it is cumulative, and stands on the base
alone); a start applies it over the base's bytes. The base carries the CRC of each of its pages
(packed, in its head) so that a save knows what differs with one CRC pass over the database, the
pass it made anyway; and an id that a log names, so that a log never lands on another base.
"""

from __future__ import annotations

import base64
import binascii
import sys
import zlib
from array import array
from dataclasses import dataclass
from typing import Any, Sequence

PAGE = 4096  # SQLite's own page size here (Index: the default), the unit a change is tracked in


@dataclass(frozen=True)
class Base:
    """The database bytes the stored parts make: its id, and the CRC of each of its pages."""

    id: str
    pages: array  # array("I")

    @classmethod
    def of(cls, seq: int, size: int, pages: Sequence[int]) -> "Base":
        crcs = array("I", pages)
        return cls(id=f"{seq}:{size}:{zlib.crc32(_bytes(crcs))}", pages=crcs)

    def packed(self) -> str:
        return base64.b64encode(_bytes(self.pages)).decode("ascii")

    @classmethod
    def from_head(cls, head: dict[str, Any]) -> "Base | None":
        """The base a head written since page logs describes; None for older heads or bad fields."""
        ident, packed = head.get("base"), head.get("page_crcs")
        if not isinstance(ident, str) or not isinstance(packed, str):
            return None
        try:
            raw = base64.b64decode(packed, validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(raw) % 4:
            return None
        crcs = array("I")
        crcs.frombytes(raw)
        if sys.byteorder == "big":
            crcs.byteswap()
        return cls(id=ident, pages=crcs)

    def changed(self, now: Sequence[int]) -> list[int]:
        """The pages of ``now`` (CRCs, in order) that differ from this base or lie past its end."""
        old = self.pages
        return [n for n, crc in enumerate(now) if n >= len(old) or old[n] != crc]


def _bytes(crcs: array) -> bytes:
    if sys.byteorder == "big":  # stored little-endian whatever the machine
        crcs = array("I", crcs)
        crcs.byteswap()
    return crcs.tobytes()


def read_pages(source: str | bytes, pages: Sequence[int], size: int) -> bytes:
    """The bytes of these pages, one after the other (the last page of the file may be short)."""
    out = bytearray()
    if isinstance(source, (bytes, bytearray)):
        view = memoryview(source)
        for n in pages:
            out += view[n * PAGE:min(size, (n + 1) * PAGE)]
        return bytes(out)
    with open(source, "rb") as f:
        for n in pages:
            f.seek(n * PAGE)
            out += f.read(min(size, (n + 1) * PAGE) - n * PAGE)
    return bytes(out)


def check(head: dict[str, Any], data: bytes, base: Base) -> tuple[list[int], int]:
    """The pages a log holds and the database's size after it; ValueError when the log is not one
    over ``base`` with exactly the bytes its head says."""
    if head.get("base") != base.id:
        raise ValueError("a log of another base")
    pages, size = head.get("pages"), head.get("raw_bytes")
    if head.get("page_bytes") != PAGE or type(size) is not int or size < 0 or not isinstance(pages, list):
        raise ValueError("log head unreadable")
    if any(type(n) is not int for n in pages) or pages != sorted(set(pages)) or (pages and pages[0] < 0):
        raise ValueError("log pages unreadable")
    if pages and pages[-1] * PAGE >= size:
        raise ValueError("a log page past the database's end")
    if len(data) != sum(min(size, (n + 1) * PAGE) - n * PAGE for n in pages):
        raise ValueError("log bytes of another length")
    if zlib.crc32(data) != head.get("crc"):
        raise ValueError("log checksum mismatch")
    return pages, size


def apply(path: str, pages: Sequence[int], size: int, data: bytes) -> None:
    """Write a checked log's pages over the base's bytes in the file, and cut it to ``size``."""
    view, at = memoryview(data), 0
    with open(path, "r+b") as f:
        for n in pages:
            take = min(size, (n + 1) * PAGE) - n * PAGE
            f.seek(n * PAGE)
            f.write(view[at:at + take])
            at += take
        f.truncate(size)
