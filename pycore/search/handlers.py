"""Wires the search engine to the bridge: search.* commands and the start-up restore.

The engine is reachable as ``core.search`` so the integrator can schedule
``await core.search.catch_up(max_records)`` after ``messages.captured`` events.
"""

from __future__ import annotations

from pycore.protocol import search as proto
from pycore.protocol.capture import MessagesCaptured
from pycore.protocol.history import MessagesImported
from pycore.search.engine import SearchEngine


def install(core) -> SearchEngine:
    engine = SearchEngine(core.storage, core.clock,
                          progress=lambda done, total: core.emit(proto.SearchProgress(done=done, total=total)))
    core.search = engine

    async def messages(cmd: proto.SearchMessages) -> proto.SearchMessagesResult:
        return proto.SearchMessagesResult.model_validate(
            engine.search_messages(cmd.q, cmd.filters, cmd.limit, cmd.offset))

    async def contacts(cmd: proto.SearchContacts) -> proto.SearchContactsResult:
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

    core.on(proto.SearchMessages, messages)
    core.on(proto.SearchContacts, contacts)
    core.on(proto.SearchStatus, status)
    core.on(proto.SearchRebuild, rebuild)
    core.on(proto.SearchReindex, reindex)
    core.on_start(engine.start)
    core.on_start(lambda: _after_start(core, indexer))
    indexer = BackgroundIndexer(engine, core)
    core.listen(MessagesCaptured, lambda ev: indexer.poke())
    core.listen(MessagesImported, lambda ev: indexer.poke())
    return engine


async def _after_start(core, indexer: "BackgroundIndexer") -> None:
    # Catch up with what came after the snapshot without delaying "ready".
    indexer.poke()


class BackgroundIndexer:
    """Runs catch-up after captures, one run at a time, coalescing bursts:
    capture never waits for indexing, and indexing never runs twice at once."""

    BATCH = 2000

    def __init__(self, engine: SearchEngine, core) -> None:
        self.engine = engine
        self.core = core
        self.task = None
        self.dirty = False

    def poke(self) -> None:
        self.dirty = True
        if self.task is None or self.task.done():
            self.task = self.core.spawn(self._run())

    async def _run(self) -> None:
        while self.dirty:
            self.dirty = False
            while await self.engine.catch_up(self.BATCH):
                pass
