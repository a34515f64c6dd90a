"""core.logs"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.logs.protocol import GetLogs, LogList
from pycore.logs.service import LogBook


def register(on: Register, logs: LogBook) -> None:
    async def get_logs(cmd: GetLogs) -> LogList:
        return logs.list(cmd.level, cmd.limit)

    on(GetLogs, get_logs)
