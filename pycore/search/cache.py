"""A small LRU of query results, tagged with the index generation they were computed at.

The engine bumps its generation on every index change (new/updated messages,
rebuild, restore, chat names), and an entry from an older generation is a miss:
a cached answer can never be staler than the index.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Hashable


class QueryCache:
    def __init__(self, capacity: int = 128) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, generation: int) -> Any | None:
        item = self._items.get(key)
        if item is None or item[0] != generation:
            if item is not None:
                del self._items[key]
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item[1]

    def put(self, key: Hashable, generation: int, value: Any) -> None:
        self._items[key] = (generation, value)
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
