"""search.* commands, and the background indexer that catches up after captures and imports."""

from __future__ import annotations

import asyncio
from typing import Callable

from pycore.bridge import Register
from pycore.search import protocol as proto
from pycore.search.engine import SearchEngine


def register(on: Register, engine: SearchEngine) -> None:
    async def messages(cmd: proto.SearchMessages) -> proto.SearchMessagesResult:
        filters = await engine.resolve_crm_filters(cmd.filters)
        await engine.loaded()
        return proto.SearchMessagesResult.model_validate(engine.search_messages(cmd.q, filters, cmd.limit, cmd.offset))

    async def records(cmd: proto.SearchRecords) -> proto.SearchRecordsResult:
        return proto.SearchRecordsResult.model_validate(
            await engine.search_records(cmd.q, cmd.tags, cmd.stages, cmd.limit, cmd.offset))

    async def contacts(cmd: proto.SearchContacts) -> proto.SearchContactsResult:
        await engine.loaded()  # the chat names come with the index
        return proto.SearchContactsResult.model_validate(engine.search_contacts(cmd.q, cmd.limit))

    async def status(cmd: proto.SearchStatus) -> proto.SearchStatusResult:
        return proto.SearchStatusResult.model_validate(await engine.status())

    async def run(work) -> proto.IndexRunResult:
        started = engine.timer()
        before = engine.snapshot_info
        n = await work()
        return proto.IndexRunResult(
            indexed=n, last_seq=engine.index.seq, pending=await engine.pending(),
            took_ms=round((engine.timer() - started) * 1000, 3), snapshot_saved=engine.snapshot_info is not before,
        )

    async def rebuild(cmd: proto.SearchRebuild) -> proto.IndexRunResult:
        return await run(engine.rebuild)

    async def reindex(cmd: proto.SearchReindex) -> proto.IndexRunResult:
        return await run(lambda: engine.catch_up(cmd.max_records, refresh=True))

    on(proto.SearchMessages, messages)
    on(proto.SearchContacts, contacts)
    on(proto.SearchRecords, records)
    on(proto.SearchStatus, status)
    on(proto.SearchRebuild, rebuild)
    on(proto.SearchReindex, reindex)


class BackgroundIndexer:
    """Runs catch-up after captures and imports, one run at a time, coalescing bursts:
    capture never waits for indexing, and indexing never runs twice at once. A snapshot held back
    by the last one's cost (a large import) is saved when it is due, or sooner with the next work."""

    BATCH = 2000

    def __init__(self, engine: SearchEngine, spawn: Callable) -> None:
        self.engine = engine
        self.spawn = spawn
        self.task = None
        self.dirty = False
        self._wake = asyncio.Event()

    def poke(self) -> None:
        self.dirty = True
        self._wake.set()
        if self.task is None or self.task.done():
            self.task = self.spawn(self._run())

    async def _run(self) -> None:
        while True:
            while self.dirty:
                self.dirty = False
                while await self.engine.catch_up(self.BATCH):
                    pass
            wait = self.engine.snapshot_wait()
            if wait is None:
                return
            await self._hold(wait)
            if not self.dirty:
                await self.engine.save_if_due()

    async def _hold(self, seconds: float) -> None:
        """The clock's sleep, cut short by new work (which catches up, and saves when due)."""
        self._wake.clear()
        if self.dirty:
            return
        sleeper = asyncio.ensure_future(self.engine.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        _, pending = await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        for t in pending:
            t.cancel()
