"""metrics.summary counts what was captured, sent and blocked per local day."""

from __future__ import annotations

import pytest

from pycore.storage.memory import MemoryStorage
from tests.core.conftest import call, run


@pytest.fixture
def message_reads(monkeypatch) -> list[int]:
    """How many records each read of the messages store returned, in order."""
    sizes: list[int] = []
    original = MemoryStorage.query

    async def counted(self, store, **kw):
        found = await original(self, store, **kw)
        if store == "messages":
            sizes.append(len(found))
        return found

    monkeypatch.setattr(MemoryStorage, "query", counted)
    return sizes


def test_days_count_captured_messages_by_direction(core, clock, storage):
    now = clock.now()
    run(storage.put_many("messages", [
        {"key": "c|1", "chat": "c", "id": "1", "seq": 1, "ts": now - 60, "direction": "in"},
        {"key": "c|2", "chat": "c", "id": "2", "seq": 2, "ts": now - 30, "direction": "out"},
        {"key": "c|3", "chat": "c", "id": "3", "seq": 3, "ts": now - 86_400 * 3, "direction": "in"},
        {"key": "c|4", "chat": "c", "id": "4", "seq": 4, "ts": now - 86_400 * 40, "direction": "in"},
    ]))
    reply = call(core, "metrics.summary", {"days": 7, "utc_offset_min": 0})
    assert reply["ok"], reply
    result = reply["result"]
    assert len(result["days"]) == 7
    assert result["days"][-1]["captured_in"] + result["days"][-2]["captured_in"] >= 1
    assert sum(d["captured_in"] for d in result["days"]) == 2  # the 40-day-old one is outside the window
    assert sum(d["captured_out"] for d in result["days"]) == 1
    assert result["messages_total"] == 4


def test_blocked_decisions_are_counted(core):
    blocked = call(core, "send.request", {"chat": "5511999999999@c.us", "text": "   ", "origin": "manual"})
    assert blocked["result"]["decision"]["verdict"] == "block"
    result = call(core, "metrics.summary", {})["result"]
    assert result["audit_block"] == 1 and sum(d["blocked"] for d in result["days"]) == 1


def test_each_message_falls_in_its_local_day_at_the_windows_edges(core, clock, storage):
    now = clock.now()
    offset = -180 * 60  # Brasília
    today = ((now + offset) // 86_400) * 86_400 - offset  # local midnight
    first = today - 86_400 * 2  # a window of 3 days
    stamps = {"before the window": first - 1, "its first second": first, "a day's last second": first + 86_400 - 1,
              "the next day's first": first + 86_400, "today": today + 5, "tomorrow": today + 86_400}
    run(storage.put_many("messages", [
        {"key": f"c|{i}", "chat": "c", "id": str(i), "seq": i + 1, "ts": ts, "direction": "in" if i % 2 else "out"}
        for i, ts in enumerate(stamps.values())]))
    days = call(core, "metrics.summary", {"days": 3, "utc_offset_min": -180})["result"]["days"]
    assert [(d["captured_in"], d["captured_out"]) for d in days] == [(1, 1), (1, 0), (0, 1)]


def test_the_window_is_read_a_day_at_a_time(core, clock, storage, message_reads):
    # Unpacking IndexedDB's answer holds the core's thread: one read of a 14-day window (42,000 records
    # with 3,000 messages a day) held it for 137-198 ms, and a search asked meanwhile waited as long.
    now = clock.now()
    per_day = 30
    run(storage.put_many("messages", [
        {"key": f"c|{i}", "chat": "c", "id": str(i), "seq": i + 1, "ts": now - 86_400 * 7 + i * (86_400 * 7 / (per_day * 7)),
         "direction": "in" if i % 3 else "out"}
        for i in range(per_day * 7)]))
    days = call(core, "metrics.summary", {"days": 8, "utc_offset_min": 0})["result"]["days"]
    assert sum(d["captured_in"] + d["captured_out"] for d in days) == per_day * 7
    assert max(message_reads) <= per_day + 1  # a day's records (and one at its midnight), never the window's


def test_a_busy_day_is_read_in_pages_and_each_message_counted_once(core, clock, storage, monkeypatch, message_reads):
    # A day of 33,000 captured messages read at once held the core's thread 118-143 ms. Pages are cut
    # at an instant: runs of equal times (here across every page's edge, and one longer than a page)
    # must be neither lost nor counted twice.
    from pycore.metrics import service

    monkeypatch.setattr(service, "PAGE", 8)
    now = clock.now()
    today = (now // 86_400) * 86_400
    stamps = [today + 0.5 * (i // 3) for i in range(60)]  # runs of 3 equal instants
    stamps += [today + 100.25] * 20  # one instant holding more than a page
    stamps += [today + 200 + i for i in range(13)] + [today, today + 86_399.999]
    run(storage.put_many("messages", [
        {"key": f"c|{i}", "chat": "c", "id": str(i), "seq": i + 1, "ts": ts, "direction": "in" if i % 2 else "out"}
        for i, ts in enumerate(stamps)]))
    today_count = call(core, "metrics.summary", {"days": 1, "utc_offset_min": 0})["result"]["days"][-1]
    assert today_count["captured_in"] == sum(1 for i in range(len(stamps)) if i % 2)
    assert today_count["captured_out"] == sum(1 for i in range(len(stamps)) if not i % 2)
    assert len(message_reads) > 10 and max(message_reads) <= 20  # in pages; only the long instant is read whole
