"""backfill.start / cancel / status / progress."""

from __future__ import annotations

from pycore.backfill import protocol as p
from pycore.backfill.service import Backfills
from pycore.bridge import Register


def register(on: Register, backfills: Backfills) -> None:
    on(p.StartBackfill, backfills.start)
    on(p.CancelBackfill, backfills.cancel)
    on(p.BackfillStatusQuery, backfills.status)
    on(p.ReportBackfill, backfills.progress)
