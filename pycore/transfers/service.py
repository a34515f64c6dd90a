"""Uploads kept in the ``imports`` store as they arrive; downloads kept in memory.

Records: ``upload:<id>`` (name, size, bytes received, pieces) and ``chunk:<id>:<n>`` (one
piece, base64 as it came: no re-encoding). A piece and its upload's new count are one write.
"""

from __future__ import annotations

import base64
import binascii
import math
import random
from collections import OrderedDict
from dataclasses import dataclass, field

from pycore.clock import Clock
from pycore.ids import sortable_id
from pycore.protocol.base import CoreError
from pycore.storage.base import Range, Storage, WriteOp
from pycore.transfers.protocol import CHUNK_BYTES, Chunk, TransferInfo

STORE = "imports"
KEEP_DOWNLOADS = 3  # prepared files kept in memory at once (each may be tens of MB)


def upload_key(upload_id: str) -> str:
    return f"upload:{upload_id}"


def chunk_key(upload_id: str, index: int) -> str:
    return f"chunk:{upload_id}:{index:06d}"


def _info(rec: dict) -> TransferInfo:
    chunks = max(1, math.ceil(rec["size"] / CHUNK_BYTES))
    return TransferInfo(id=rec["id"], name=rec["name"], size=rec["size"], received=rec["received"],
                        chunk_bytes=CHUNK_BYTES, chunks=chunks, complete=rec["received"] == rec["size"])


@dataclass
class Offer:
    name: str
    mime: str
    data: bytes


@dataclass
class Transfers:
    storage: Storage
    clock: Clock
    rng: random.Random
    _offers: OrderedDict[str, Offer] = field(default_factory=OrderedDict)

    # -- uploads --------------------------------------------------------------------------
    async def begin(self, name: str, size: int, purpose: str) -> TransferInfo:
        now = self.clock.now()
        rec = {"key": None, "id": "up" + sortable_id(now, self.rng), "name": name, "size": size, "received": 0,
               "purpose": purpose, "created_at": now}
        rec["key"] = upload_key(rec["id"])
        await self.storage.put(STORE, rec)
        return _info(rec)

    async def _upload(self, upload_id: str) -> dict:
        rec = await self.storage.get(STORE, upload_key(upload_id))
        if rec is None:
            raise CoreError("not_found", f"no upload {upload_id!r} (it was discarded or finished)")
        return rec

    async def put(self, upload_id: str, index: int, data: str) -> TransferInfo:
        rec = await self._upload(upload_id)
        expected = rec["received"] // CHUNK_BYTES
        if index != expected or rec["received"] % CHUNK_BYTES:
            raise CoreError("conflict", f"piece {index} out of order: expected {expected}",
                            [{"expected": expected, "received": rec["received"]}])
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise CoreError("invalid_args", "a piece must be base64") from None
        room = rec["size"] - rec["received"]
        if len(raw) > min(CHUNK_BYTES, room) or (len(raw) < CHUNK_BYTES and len(raw) != room):
            raise CoreError("invalid_args", f"piece {index} has {len(raw)} bytes; expected {min(CHUNK_BYTES, room)}")
        rec = {**rec, "received": rec["received"] + len(raw)}
        await self.storage.apply([
            WriteOp(op="put", store=STORE, record={"key": chunk_key(upload_id, index), "data": data}),
            WriteOp(op="put", store=STORE, record=rec),
        ])
        return _info(rec)

    async def read(self, upload_id: str) -> tuple[str, bytes]:
        """(name, bytes) of a complete upload."""
        rec = await self._upload(upload_id)
        if rec["received"] != rec["size"]:
            raise CoreError("conflict", f"the upload is incomplete ({rec['received']} of {rec['size']} bytes)")
        n = _info(rec).chunks
        pieces = await self.storage.get_many(STORE, [chunk_key(upload_id, i) for i in range(n)])
        if any(p is None for p in pieces):
            raise CoreError("conflict", "a piece of the upload is missing: pick the file again")
        return rec["name"], b"".join(base64.b64decode(p["data"]) for p in pieces)

    async def exists(self, upload_id: str) -> bool:
        return await self.storage.get(STORE, upload_key(upload_id)) is not None

    def discard_ops(self, upload_id: str) -> list[WriteOp]:
        """The writes that forget an upload (applied with the caller's own writes)."""
        return [WriteOp(op="delete", store=STORE, range=Range(lower=f"chunk:{upload_id}:", upper=f"chunk:{upload_id};")),
                WriteOp(op="delete", store=STORE, key=upload_key(upload_id))]

    async def discard(self, upload_id: str) -> None:
        if self._offers.pop(upload_id, None) is None:
            await self.storage.apply(self.discard_ops(upload_id))

    # -- downloads ------------------------------------------------------------------------
    def offer(self, name: str, mime: str, data: bytes) -> TransferInfo:
        """Keep a prepared file for the page to fetch with transfer.get."""
        offer_id = "dl" + sortable_id(self.clock.now(), self.rng)
        self._offers[offer_id] = Offer(name, mime, data)
        while len(self._offers) > KEEP_DOWNLOADS:
            self._offers.popitem(last=False)
        return TransferInfo(id=offer_id, name=name, size=len(data), received=len(data), chunk_bytes=CHUNK_BYTES,
                            chunks=max(1, math.ceil(len(data) / CHUNK_BYTES)), complete=True)

    def get(self, offer_id: str, index: int) -> Chunk:
        offer = self._offers.get(offer_id)
        if offer is None:
            raise CoreError("not_found", f"no prepared file {offer_id!r} (prepare it again)")
        start = index * CHUNK_BYTES
        if start >= max(1, len(offer.data)) and index:
            raise CoreError("invalid_args", f"piece {index} is past the end of the file")
        piece = offer.data[start:start + CHUNK_BYTES]
        return Chunk(id=offer_id, index=index, data=base64.b64encode(piece).decode("ascii"),
                     last=start + CHUNK_BYTES >= len(offer.data), name=offer.name, mime=offer.mime, size=len(offer.data))
