"""metrics.summary"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.clock import Clock
from pycore.metrics.protocol import GetMetrics, MetricsSummary
from pycore.metrics.service import summary
from pycore.storage.base import Storage


def register(on: Register, storage: Storage, clock: Clock) -> None:
    async def handle(cmd: GetMetrics) -> MetricsSummary:
        return await summary(storage, clock, cmd)

    on(GetMetrics, handle)
