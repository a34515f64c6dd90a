"""connection.report / connection.state, tabs.hello / tabs.bye."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.connection import protocol as p
from pycore.connection.service import Connection


def register(on: Register, connection: Connection) -> None:
    async def state(cmd: p.GetConnectionState) -> p.ConnectionNow:
        return await connection.now()

    async def hello(cmd: p.TabHello) -> p.TabRole:
        return await connection.hello(cmd.tab_id, cmd.doc)

    async def bye(cmd: p.TabBye) -> p.TabsState:
        return await connection.bye(cmd.tab_id, cmd.doc)

    on(p.GetConnectionState, state)
    on(p.ConnectionReport, connection.report)
    on(p.TabHello, hello)
    on(p.TabBye, bye)
