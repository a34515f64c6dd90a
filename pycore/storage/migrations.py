"""Data migrations between schema versions.

IndexedDB creates stores and indexes itself on upgrade; this module rewrites
records whose shape changed. MIGRATIONS[n] upgrades data from version n-1 to n;
a feature that owns the data of a step hands it in (``steps``, from pycore.features).

The version the data reached is kept in ``meta`` and written only after every step ran:
a start interrupted mid-migration runs the unfinished steps again (they are idempotent),
although the database itself already reports the new version.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from pycore.storage.base import Storage
from pycore.storage.schema import SCHEMA_VERSION

Migration = Callable[[Storage], Awaitable[None]]
FeatureStep = Callable[[], Awaitable[object]]
META_KEY = "schema_version"

MIGRATIONS: dict[int, Migration] = {}


async def migrate(storage: Storage, previous: int, steps: dict[int, FeatureStep] | None = None) -> list[int]:
    """Run every migration after the version the data reached; record the version reached."""
    done = await storage.get("meta", META_KEY)
    if done is not None and isinstance(done.get("value"), int):
        previous = min(previous, done["value"])
    ran = []
    for version in range(max(previous, 0) + 1, SCHEMA_VERSION + 1):
        step, feature_step = MIGRATIONS.get(version), (steps or {}).get(version)
        if step is not None:
            await step(storage)
        if feature_step is not None:
            await feature_step()
        if step is not None or feature_step is not None:
            ran.append(version)
    await storage.put("meta", {"key": META_KEY, "value": SCHEMA_VERSION})
    return ran
