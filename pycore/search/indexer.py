"""Incremental indexing: read messages changed since the index's sequence, in batches.

Every insert or update of a message bumps its ``seq``; the index remembers the
highest seq it covers, so catching up is a range query on ``messages.by_seq``.
An updated message (edited, deleted -> new text) simply replaces its old row.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Protocol

from pycore.search.index import Index
from pycore.storage.base import Range, Storage

STORE = "messages"
BATCH = 1000


class Changes(Protocol):
    async def changed_after(self, after: int, limit: int) -> list[dict]:
        """Message records with seq > after, in seq order, at most limit (pycore.capture.store)."""

    async def removals(self) -> int:
        """How many removals of messages there have been (each counted in its own transaction)."""

    async def seq(self) -> int:
        """The change number of the newest message ever stored (kept in "meta"; never lowered, so
        an erase or a rolled-back import does not move it)."""


def usable(rec: Any) -> bool:
    return isinstance(rec, dict) and isinstance(rec.get("key"), str) and isinstance(rec.get("chat"), str)


async def next_batch(storage: Storage, after: int, size: int, changes: Changes | None = None) -> tuple[list[dict[str, Any]], int]:
    """Records with seq > after, and the seq the batch completes.

    If a full page ends in the middle of records sharing one seq, the rest of
    that seq is fetched too, so the watermark never skips a record.
    ``changes``: the message store, which keeps its newest writes in memory.
    """
    if changes is not None:
        recs = await changes.changed_after(after, size)
    else:
        recs = await storage.query(STORE, index="by_seq", range=Range(lower=after + 1), limit=size)
    if not recs:
        return [], after
    top = recs[-1]["seq"]
    if len(recs) == size:
        recs = [r for r in recs if r["seq"] < top] + await storage.query(STORE, index="by_seq", range=Range(eq=top))
    return recs, top


async def catch_up(
    storage: Storage,
    index: Index,
    max_records: int | None,
    on_batch: Callable[[int, bool], Awaitable[None] | None] | None = None,
    batch: int = BATCH,
    changes: Changes | None = None,
    chats: set[str] | None = None,
) -> int:
    """Index up to ``max_records`` (None: all) pending records; return how many were indexed.

    ``on_batch(done, more)`` runs after each batch; ``more`` says whether a full page was read.
    ``chats``: gets the chat of every record indexed.
    """
    done = 0
    while max_records is None or done < max_records:
        size = batch if max_records is None else max(1, min(batch, max_records - done))
        recs, top = await next_batch(storage, index.seq, size, changes)
        if not recs:
            break
        kept = [r for r in recs if usable(r)]
        index.upsert(kept, top)
        if chats is not None:
            chats.update(r["chat"] for r in kept)
        done += len(recs)
        if on_batch is not None:
            result = on_batch(done, len(recs) >= size)
            if result is not None:
                await result
        if len(recs) < size:
            break
    return done


async def pending(storage: Storage, index: Index) -> int:
    return await storage.count(STORE, index="by_seq", range=Range(lower=index.seq + 1))
