"""Data migrations between schema versions.

IndexedDB creates stores and indexes itself on upgrade; this module rewrites
records whose shape changed. MIGRATIONS[n] upgrades data from version n-1 to n.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from pycore.storage.base import Storage
from pycore.storage.schema import SCHEMA_VERSION

Migration = Callable[[Storage], Awaitable[None]]

MIGRATIONS: dict[int, Migration] = {}


async def migrate(storage: Storage, previous: int) -> list[int]:
    """Run every migration after ``previous``; record the version reached."""
    ran = []
    for version in range(max(previous, 0) + 1, SCHEMA_VERSION + 1):
        step = MIGRATIONS.get(version)
        if step is not None:
            await step(storage)
            ran.append(version)
    await storage.put("meta", {"key": "schema_version", "value": SCHEMA_VERSION})
    return ran
