"""The questions the send gate asks of what capture stored."""

from __future__ import annotations

import asyncio

from pycore.capture.queries import INBOUND_PAGE, MessageQueries
from pycore.clock import FakeClock
from pycore.storage.memory import MemoryStorage


def opened() -> MemoryStorage:
    storage = MemoryStorage()
    asyncio.run(storage.open())
    return storage


def stored(storage: MemoryStorage, chat: str, directions: list[str], untimed: set[int] = frozenset()) -> None:
    """Messages of ``chat`` in the order stored (seq 1, 2...), the oldest first."""
    records = [{"key": f"{chat}|M{i}", "chat": chat, "id": f"M{i}", "seq": i + 1, "direction": d, "type": "text",
                "ts": None if i in untimed else 1_781_000_000.0 + 60 * i, "first_seen": 0.0, "last_seen": 0.0}
               for i, d in enumerate(directions)]
    asyncio.run(storage.put_many("messages", records))


def asked(storage: MemoryStorage, chat: str) -> tuple[bool, int]:
    """has_inbound's answer, and how many message records it read to give it."""
    read = 0
    query = storage.query

    async def counted(*args, **kw):
        nonlocal read
        rows = await query(*args, **kw)
        read += len(rows)
        return rows

    storage.query = counted
    try:
        return asyncio.run(MessageQueries(storage, FakeClock(), scanned=None).has_inbound(chat)), read
    finally:
        storage.query = query


def test_a_long_chat_the_contact_writes_in_is_answered_from_its_newest_messages():
    storage = opened()
    stored(storage, "a@c.us", ["in", "out"] * 1500)  # 3,000 messages, the newest the user's
    stored(storage, "b@c.us", ["in"] * 10)  # another chat's messages never answer for this one
    answer, read = asked(storage, "a@c.us")
    assert answer and read <= INBOUND_PAGE


def test_the_only_message_the_contact_sent_is_found_pages_back():
    storage = opened()
    stored(storage, "a@c.us", ["in"] + ["out"] * (2 * INBOUND_PAGE + 7))
    stored(storage, "b@c.us", ["in"] * 3)  # sorts right after: a page must not run into it
    assert asked(storage, "a@c.us") == (True, 2 * INBOUND_PAGE + 8)


def test_a_chat_the_contact_never_wrote_in_is_read_to_its_start_once():
    storage = opened()
    stored(storage, "a@c.us", ["out"] * (2 * INBOUND_PAGE))
    stored(storage, "a@c.us2", ["in"])  # a key that sorts right after the chat's
    assert asked(storage, "a@c.us") == (False, 2 * INBOUND_PAGE)
    assert asked(storage, "c@c.us") == (False, 0)


def test_a_message_of_the_contact_drawn_without_a_time_counts():
    # A photo or a voice note may have no sender line to time it: the contact still wrote.
    storage = opened()
    stored(storage, "a@c.us", ["in", "out", "out"], untimed={0})
    assert asked(storage, "a@c.us")[0]
