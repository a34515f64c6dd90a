"""Bulk work pauses Python's cyclic garbage collector while it runs.

An import holds the parsed export and its rows (hundreds of thousands of objects) for its whole
run and makes as many more batch after batch; the collector scans them again and again. In the
core's worker, a 100k-message import ran 302 collections, 221-231 ms in all, the longest 55-60 ms
(every other request waits behind each); paused, none. Plain reference counting still frees
everything else at once: a paused 100k import left 78 objects in reference cycles for the
collector to find when it came back.

Holders may overlap (an export parsed while an import runs): the collector comes back when the
last one is done, and only if it was on before the first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_holders = 0
_was_on = False


@contextmanager
def paused() -> Iterator[None]:
    global _holders, _was_on
    if _holders == 0:
        _was_on = gc.isenabled()
        gc.disable()
    _holders += 1
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0 and _was_on:
            gc.enable()
