"""Files in and out of the core, in pieces: a chat export or an archive the user picked
(uploads), an archive or a person's data the user saves (downloads).

A bridge message may be at most 64 MiB, and the pages and the core only speak JSON, so bytes
travel as base64 in pieces of CHUNK_BYTES. Uploaded pieces are kept in IndexedDB as they
arrive (an import can then be resumed after a restart without picking the file again);
downloads are kept in memory until saved or discarded.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pycore.protocol.base import Command, Empty, Model, command

CHUNK_BYTES = 4 * 1024 * 1024  # raw bytes per piece: ~5.6 MB of base64, far below the 64 MiB message limit
MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # a chat's text is at most a few hundred MB; larger files are media zips
MAX_ID = 64
Purpose = Literal["chat_export", "archive"]


class TransferInfo(Model):
    id: str
    name: str
    size: int = Field(description="bytes in the whole file")
    received: int = Field(description="bytes stored so far (uploads) or bytes in the file (downloads)")
    chunk_bytes: int = Field(description="raw bytes per piece (the last one may be shorter)")
    chunks: int = Field(description="pieces in the whole file")
    complete: bool


@command("transfer.begin", TransferInfo, sources={"page"})
class BeginUpload(Command):
    """Start uploading a file the user picked; then send its pieces in order with transfer.put."""

    file_name: str = Field(min_length=1, max_length=512)
    size: int = Field(ge=1, le=MAX_UPLOAD_BYTES)
    purpose: Purpose


@command("transfer.put", TransferInfo, sources={"page"})
class PutChunk(Command):
    """One piece of an upload, base64; pieces arrive in order (index 0, 1, ...)."""

    id: str = Field(min_length=1, max_length=MAX_ID)
    index: int = Field(ge=0, le=MAX_UPLOAD_BYTES // CHUNK_BYTES + 1)
    data: str = Field(min_length=4, max_length=(CHUNK_BYTES + 2) // 3 * 4)


class Chunk(Model):
    id: str
    index: int
    data: str = Field(description="base64")
    last: bool
    name: str
    mime: str
    size: int


@command("transfer.get", Chunk, sources={"page"})
class GetChunk(Command):
    """One piece of a file the core prepared for the user to save (an archive, a person's data)."""

    id: str = Field(min_length=1, max_length=MAX_ID)
    index: int = Field(ge=0, le=100_000)


@command("transfer.discard", Empty, sources={"page"})
class Discard(Command):
    """Forget an upload (its stored pieces) or a prepared download."""

    id: str = Field(min_length=1, max_length=MAX_ID)
