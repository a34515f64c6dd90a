"""Which long texts of a batch to open with their "Read more" control, and how fast. Pure.

Opening a cut text is a read-only action a user takes, so Mettri takes it as one: only rows of
the open chat (those in the batch just read), never while the tab is hidden (nobody clicks
there), one at a time with a human pause before each, a few per batch.
"""

from __future__ import annotations

import random

from pycore.capture.protocol import Expansion

MAX_PER_BATCH = 8
PAUSE_S = (0.35, 1.1)  # before each click


def plan(rows: list[tuple[str, dict]], *, hidden: bool, rng: random.Random) -> list[Expansion]:
    """rows: (raw row key, the stored record after this batch); those still partial are opened."""
    if hidden:
        return []
    out: list[Expansion] = []
    for raw, rec in rows:
        if raw and not rec.get("text_complete", True) and rec.get("type") == "text":
            out.append(Expansion(row=raw, wait_s=round(rng.uniform(*PAUSE_S), 3)))
            if len(out) >= MAX_PER_BATCH:
                break
    return out
