"""Record ids that sort by creation time as strings (pages walk the primary key)."""

from __future__ import annotations

import random


def sortable_id(ts: float, rng: random.Random) -> str:
    return f"{int(ts * 1000):015d}-{rng.getrandbits(32):08x}"
