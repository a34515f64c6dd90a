"""The persisted outbox: typed entries and their allowed state changes.

    queued -> approved -> sending -> sent
                    \\-> blocked   \\-> failed (after retries) | approved (retry, failed before sending)
                    \\-> cancelled  \\-> verify -> sent | approved (provably not sent) | failed
                                 \\-> blocked (the tab could not tell the chat apart from another)

``sending`` is written with a fresh attempt token BEFORE the tab is asked to
send; an entry found in ``sending`` after a crash or past its expiry becomes
``verify`` and is never resent blindly.
"""

from __future__ import annotations

import random
from typing import Any

from pycore.ids import sortable_id
from pycore.protocol.base import CoreError
from pycore.sending.protocol import Decision, EntryState, Origin, OutboxEntry, OutboxRecord
from pycore.storage.base import Range, Storage, WriteOp
from pycore.textfold import fold

TRANSITIONS: dict[str, set[str]] = {
    "queued": {"approved", "cancelled", "blocked"},
    "approved": {"sending", "queued", "cancelled", "blocked"},
    "sending": {"sent", "failed", "approved", "verify", "blocked"},
    "verify": {"sent", "approved", "failed"},
    "sent": set(),
    "failed": set(),
    "blocked": set(),
    "cancelled": set(),
}
PENDING = ("queued", "approved", "sending", "verify")
MAX_TRIES = 3
BACKOFF_S = 30.0
FAR = 1e18
NORM_CHARS = 2000
STORE = "outbox"


def new_entry(
    now: float,
    rng: random.Random,
    *,
    chat: str,
    text: str,
    origin: Origin,
    state: EntryState,
    decision: Decision,
    next_at: float | None = None,
    campaign_id: str | None = None,
    stranger: bool = False,
) -> OutboxRecord:
    return OutboxRecord(
        id=sortable_id(now, rng), chat=chat, text=text, origin=origin, state=state, created_at=now, updated_at=now,
        next_at=next_at if next_at is not None else now, decision=decision, campaign_id=campaign_id,
        stranger=stranger, norm=fold(text)[:NORM_CHARS],
    )


def move(rec: OutboxRecord, state: EntryState, now: float, **changes: Any) -> OutboxRecord:
    if state not in TRANSITIONS[rec.state]:
        raise CoreError("conflict", f"outbox entry {rec.id} is {rec.state}; it cannot become {state}")
    return rec.model_copy(update={**changes, "state": state, "updated_at": now})


def put(rec: OutboxRecord) -> WriteOp:
    return WriteOp(op="put", store=STORE, record=rec.model_dump(mode="json"))


def backoff(tries: int, rng: random.Random) -> float:
    return BACKOFF_S * 2 ** (tries - 1) * rng.uniform(0.8, 1.2)


def public(rec: OutboxRecord) -> OutboxEntry:
    return OutboxEntry.model_validate(rec.model_dump(include=set(OutboxEntry.model_fields)))


def _load(rows: list[dict[str, Any]]) -> list[OutboxRecord]:
    return [OutboxRecord.model_validate(r) for r in rows]


async def find(storage: Storage, entry_id: str) -> OutboxRecord | None:
    rec = await storage.get(STORE, entry_id)
    return None if rec is None else OutboxRecord.model_validate(rec)


async def get(storage: Storage, entry_id: str) -> OutboxRecord:
    rec = await find(storage, entry_id)
    if rec is None:
        raise CoreError("not_found", f"no outbox entry {entry_id!r}")
    return rec


async def in_state(storage: Storage, state: str, until: float = FAR, limit: int | None = None) -> list[OutboxRecord]:
    """Entries in ``state`` whose next_at <= until, earliest first."""
    return _load(await storage.query(
        STORE, index="by_state_next", range=Range(lower=[state, -FAR], upper=[state, until]), limit=limit
    ))


async def first_after(storage: Storage, state: str, after: float) -> OutboxRecord | None:
    """The earliest entry in ``state`` whose next_at is later than ``after`` (by more than a millisecond)."""
    rows = await storage.query(STORE, index="by_state_next", range=Range(lower=[state, after + 0.001], upper=[state, FAR]),
                               limit=1)
    return _load(rows)[0] if rows else None


async def page(
    storage: Storage, *, state: str | None, campaign_id: str | None, limit: int, cursor: str | None
) -> tuple[list[OutboxRecord], str | None]:
    """Newest first, by state, by campaign or all; ``cursor`` is the last id of the previous page."""
    top = cursor or "\uffff"
    if campaign_id is not None:
        index, rng = "by_campaign", Range(lower=[campaign_id, ""], upper=[campaign_id, top])
    elif state is not None:
        index, rng = "by_state_id", Range(lower=[state, ""], upper=[state, top])
    else:
        index, rng = None, Range(upper=top)
    rows = await storage.query(STORE, index=index, range=rng, limit=limit + 2, reverse=True)
    rows = [r for r in rows if r["id"] != cursor and (state is None or r["state"] == state)][: limit + 1]
    more = len(rows) > limit
    rows = rows[:limit]
    return _load(rows), (rows[-1]["id"] if more else None)


async def of_campaign(storage: Storage, campaign_id: str) -> list[OutboxRecord]:
    return _load(await storage.query(
        STORE, index="by_campaign", range=Range(lower=[campaign_id, ""], upper=[campaign_id, "\uffff"])
    ))


async def counts(storage: Storage, campaign_id: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in await of_campaign(storage, campaign_id):
        out[r.state] = out.get(r.state, 0) + 1
    return out


async def rekey_ops(storage: Storage, alias: str, canonical: str) -> list[WriteOp]:
    """Entries of ``alias`` and their sends in the limiter's log now belong to ``canonical`` (one chat
    under two keys): cooldowns, the strangers budget and the bulk rule count them as one chat's."""
    ops = [WriteOp(op="put", store=STORE, record={**r, "chat": canonical})
           for r in await storage.query(STORE) if r.get("chat") == alias]
    sends = await storage.query("sends", index="by_chat_ts", range=Range(lower=[alias, -FAR], upper=[alias, FAR]))
    return ops + [WriteOp(op="put", store="sends", record={**r, "chat": canonical}) for r in sends]
