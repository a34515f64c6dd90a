"""What every part of the CRM shares: storage and the injected services, the roster, one lock for
writes, loading, and the commit that writes first and changes memory only after it succeeded."""

from __future__ import annotations

import asyncio
import itertools
import random
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator, Awaitable, Callable, Iterable

from pycore.chatkey import ChatKey
from pycore.clock import Clock
from pycore.crm.ports import KnownChats, Merges, Messages
from pycore.crm.protocol import CrmChanged
from pycore.crm.roster import Roster
from pycore.crm.texts import DEFAULT_PIPELINE, DEFAULT_STAGES, fail
from pycore.ports import Emit
from pycore.storage.base import Storage, WriteOp

RECORDS, DEFS, NOTES, REMINDERS, EVENTS, ACTIVITY = (
    "crm_records", "crm_defs", "crm_notes", "crm_reminders", "crm_events", "crm_activity",
)
MANY_KEYS = 200  # a crm.changed event lists at most this many keys (pages reload beyond)
WAITING_MINUTES = 30


def default_pipeline() -> dict:
    pid, _ = DEFAULT_PIPELINE
    return {
        "key": f"pipeline:{pid}", "id": pid, "name": None, "code": pid, "position": 0, "version": 1,
        "stages": [{"id": code, "name": None, "code": code, "outcome": outcome} for code, _, outcome in DEFAULT_STAGES],
    }


def default_settings() -> dict:
    return {"key": "settings", "waiting_minutes": WAITING_MINUTES, "default_pipeline": DEFAULT_PIPELINE[0], "version": 1}


@dataclass
class Context:
    storage: Storage
    clock: Clock
    rng: random.Random
    emit: Emit
    merges: Merges
    messages: Messages
    known: KnownChats
    roster: Roster = field(default_factory=Roster)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Contact keys whose merge state changed and is not applied to the CRM data yet (None: all).
    pending_identity: set[str] | None = field(default_factory=set)
    converge: Callable[[set[str] | None], Awaitable[None]] | None = None
    _seq: itertools.count = field(default_factory=itertools.count)
    # The number of the last change pages heard of (crm.changed). It starts at the wall clock in ms so
    # it still grows after the core restarts: a page compares it with what it drew (crm.card's seq).
    change_seq: int = 0

    def __post_init__(self) -> None:
        self.change_seq = int(self.clock.wall(self.clock.now()) * 1000)

    # -- reading ------------------------------------------------------------------------------
    async def ready(self) -> Roster:
        """The roster, loaded, with every merge the contacts made applied."""
        if not self.roster.loaded or self.pending_identity is None or self.pending_identity:
            async with self.lock:
                await self._ready_locked()
        return self.roster

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Roster]:
        """Hold the write lock over a read-check-write (a version check and its write are one step)."""
        async with self.lock:
            await self._ready_locked()
            yield self.roster

    async def _ready_locked(self) -> None:
        if not self.roster.loaded:
            await self._load()
            self.pending_identity = None  # reconcile everything once after loading
        if (self.pending_identity is None or self.pending_identity) and self.converge is not None:
            keys, self.pending_identity = self.pending_identity, set()
            try:
                await self.converge(keys)
            except BaseException:
                self.pending_identity = None  # try again in full next time
                raise

    async def _load(self) -> None:
        r = Roster()
        defs = await self.storage.query(DEFS)
        for d in defs:
            r.put_def(d)
        if not any(d["key"].startswith("pipeline:") for d in defs):
            r.put_def(default_pipeline())
        if not r.settings:
            r.put_def(default_settings())
        r.set_merges(await self.merges.merged_pairs())
        for rec in await self.storage.query(RECORDS):
            r.put(rec)
        for a in await self.storage.query(ACTIVITY):
            r.activity[a["chat"]] = a
        for rem in await self.storage.query(REMINDERS, index="by_open_due"):
            r.set_reminder(rem)
        r.loaded = True
        self.roster = r

    async def title_of(self, chat: str) -> str | None:
        """The chat's name as WhatsApp shows it; None when only the key's fallback is known."""
        title = await self.messages.title(chat)
        return None if title == ChatKey.parse(chat).fallback_title() else title

    # -- writing ------------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now()

    def sortable(self, ts: float) -> str:
        """An id that sorts by time, and by creation among ids of the same millisecond."""
        return f"{int(ts * 1000):015d}-{next(self._seq) % 10**8:08d}{self.rng.getrandbits(24):06x}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{self.rng.getrandbits(40):010x}"

    async def commit(
        self, *, records: Iterable[dict] = (), drop: Iterable[str] = (), defs: Iterable[dict] = (),
        ops: Iterable[WriteOp] = (), defs_changed: bool = False, quiet: bool = False,
    ) -> None:
        """One transaction; the roster changes only once it succeeded; then pages hear of it."""
        records, drop, defs = list(records), list(drop), list(defs)
        writes = [WriteOp(op="put", store=RECORDS, record=r) for r in records]
        writes += [WriteOp(op="delete", store=RECORDS, key=k) for k in drop]
        writes += [WriteOp(op="put", store=DEFS, record=d) for d in defs]
        writes += list(ops)
        if writes:
            await self.storage.apply(writes)
        for k in drop:
            self.roster.drop(k)
        for rec in records:
            self.roster.put(rec)
        for d in defs:
            self.roster.put_def(d)
        keys = list(dict.fromkeys([r["key"] for r in records] + drop))
        if not quiet and (keys or defs or defs_changed):
            self.changed(keys, defs=bool(defs) or defs_changed)

    def changed(self, keys: list[str], defs: bool = False, activity_only: bool = False) -> None:
        many = len(keys) > MANY_KEYS
        self.change_seq += 1
        self.emit(CrmChanged(keys=[] if many else keys, defs=defs, many=many, activity_only=activity_only,
                             seq=self.change_seq))

    # -- versions -----------------------------------------------------------------------------
    def check_version(self, have: int, sent: int, current: Callable[[], dict]) -> None:
        if have != sent:
            raise fail("conflict", "stale_version", current=current())
