"""metrics.summary"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.clock import Clock
from pycore.metrics.protocol import GetMetrics, MetricsSummary
from pycore.metrics.service import Counted, summary
from pycore.storage.base import Storage


def register(on: Register, storage: Storage, clock: Clock, messages: Counted) -> None:
    async def handle(cmd: GetMetrics) -> MetricsSummary:
        return await summary(storage, clock, cmd, messages)

    on(GetMetrics, handle)
