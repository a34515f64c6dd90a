"""Human-like pacing for scrolling the chat list: uneven steps, short pauses with
the odd longer one, and a rest after every batch of 50 rows. rng is injected."""

from __future__ import annotations

import random

BATCH_ROWS = 50


def scroll_step(rng: random.Random, viewport_px: int) -> int:
    """Most of a screen, never the same amount twice in a row by design of chance."""
    return max(1, round(viewport_px * rng.uniform(0.55, 0.9)))


def pause(rng: random.Random) -> float:
    """0.6-1.8 s; about one step in eight lingers 2.5-6 s as a person reading would."""
    if rng.random() < 0.125:
        return round(rng.uniform(2.5, 6.0), 3)
    return round(rng.uniform(0.6, 1.8), 3)


def batch_pause(rng: random.Random) -> float:
    return round(rng.uniform(4.0, 10.0), 3)


def plan(rng: random.Random, viewport_px: int, steps: int, rows_so_far: int = 0, row_px: int = 72) -> list[tuple[int, float]]:
    """(scroll_px, pause_s) per step; the pause after a step that crosses a 50-row boundary is a batch pause."""
    out = []
    rows = rows_so_far
    for _ in range(steps):
        px = scroll_step(rng, viewport_px)
        before, rows = rows, rows + px // row_px
        crossed = rows // BATCH_ROWS > before // BATCH_ROWS
        out.append((px, batch_pause(rng) if crossed else pause(rng)))
    return out
