"""transfer.begin / put / get / discard"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.protocol.base import Empty
from pycore.transfers import protocol as p
from pycore.transfers.service import Transfers


def register(on: Register, transfers: Transfers) -> None:
    async def begin(cmd: p.BeginUpload) -> p.TransferInfo:
        return await transfers.begin(cmd.file_name, cmd.size, cmd.purpose)

    async def put(cmd: p.PutChunk) -> p.TransferInfo:
        return await transfers.put(cmd.id, cmd.index, cmd.data)

    async def get(cmd: p.GetChunk) -> p.Chunk:
        return transfers.get(cmd.id, cmd.index)

    async def discard(cmd: p.Discard) -> Empty:
        await transfers.discard(cmd.id)
        return Empty()

    on(p.BeginUpload, begin)
    on(p.PutChunk, put)
    on(p.GetChunk, get)
    on(p.Discard, discard)
