"""A quick check that this browser can run the core and keep its data: a write,
a read, an index query and a count against a scratch IndexedDB database."""

from __future__ import annotations

import time
from typing import Any

from pycore.host import IndexedDBStorage
from pycore.storage.ranges import in_time_order


async def run(shim: Any) -> int:
    """The milliseconds 500 records took to be written and read back (the page words it)."""
    storage = IndexedDBStorage(shim)
    t0 = time.perf_counter()
    await storage.open()
    records = [
        {"key": f"selfcheck|{i}", "chat": "selfcheck", "id": str(i), "seq": i, "ts": 1_700_000_000 + i} for i in range(500)
    ]
    await storage.put_many("messages", records)
    back = await storage.query("messages", index="by_chat_ts_seq", range=in_time_order("selfcheck", 0, 2e9))
    if [r["key"] for r in back] != [r["key"] for r in records]:
        raise AssertionError("IndexedDB returned different records than were written")
    if await storage.count("messages") != 500:
        raise AssertionError("IndexedDB count is wrong")
    await storage.close()
    return round(1000 * (time.perf_counter() - t0))
