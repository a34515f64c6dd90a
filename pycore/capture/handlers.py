"""capture.batch, messages.list, chats.list, capture.health, capture.open_chat."""

from __future__ import annotations

from pycore.bridge import Register
from pycore.capture import protocol as p
from pycore.capture.capturer import Capturer
from pycore.capture.queries import MessageQueries


def register(on: Register, capturer: Capturer, queries: MessageQueries) -> None:
    async def batch(cmd: p.CaptureBatch) -> p.CaptureResult:
        return await capturer.capture(cmd)

    async def health(cmd: p.CaptureHealth) -> p.HealthList:
        if cmd.chat is not None:
            return p.HealthList(chats=[await capturer.health(cmd.chat)])
        return p.HealthList(chats=await capturer.all_health())

    async def open_chat(cmd: p.GetOpenChat) -> p.OpenChatNow:
        return capturer.open_chat()

    on(p.CaptureBatch, batch)
    on(p.ListMessages, queries.list_messages)
    on(p.ListChats, queries.list_chats)
    on(p.CaptureHealth, health)
    on(p.GetOpenChat, open_chat)
