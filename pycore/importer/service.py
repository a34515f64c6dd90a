"""messages.import: a batch of a backup/export into the messages store.

Imported messages are written by capture's MessageStore, like captured ones: the same lock,
change sequence and record cache, so search indexes them alike, a capture arriving meanwhile
never gets the same seq, and a known message only moves forward (never back to an older status).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Protocol

from pycore.capture.protocol import ChatHint
from pycore.clock import Clock
from pycore.importer.protocol import ImportMessages, ImportResult, MessagesImported

FIELDS = ("ts", "direction", "author", "type", "text", "forwarded", "status")


class Written(Protocol):
    new: list[dict]
    updated: list[dict]
    seq_from: int | None
    seq_to: int | None
    changed: int


class MessageWriter(Protocol):
    async def write(self, sightings: dict[str, dict], now: float, hints: dict[str, ChatHint]) -> Written: ...


@dataclass
class Importer:
    clock: Clock
    emit: Callable
    writer: MessageWriter

    async def import_batch(self, cmd: ImportMessages) -> ImportResult:
        started = time.perf_counter()  # measures took_ms only
        sightings: dict[str, dict] = {}
        hints: dict[str, ChatHint] = {}
        for rec in cmd.records:  # the last sighting of a key in a batch wins
            sightings[f"{rec.chat}|{rec.id}"] = {
                "chat": rec.chat, "id": rec.id, "author_jid": None, "quoted": None,
                **{name: getattr(rec, name) for name in FIELDS},
            }
            hints.setdefault(rec.chat, ChatHint(title=rec.chat_title, is_group=rec.is_group))
        written = await self.writer.write(sightings, self.clock.now(), hints)
        result = ImportResult(new=len(written.new), updated=len(written.updated), unchanged=len(sightings) - written.changed,
                              seq_from=written.seq_from, seq_to=written.seq_to,
                              took_ms=round((time.perf_counter() - started) * 1000, 3))
        if written.changed:
            self.emit(MessagesImported(new=len(written.new), updated=len(written.updated), seq_from=written.seq_from,
                                       seq_to=written.seq_to))
        return result
