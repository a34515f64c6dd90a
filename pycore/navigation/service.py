"""chat.open: the side panel asks the active WhatsApp tab to show a chat at a message.

The core looks up what the tab needs to find the chat and the row (title, id, time, text)
and emits chat.open_requested; the service worker relays events to WhatsApp tabs and only
the active one acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pycore.chatkey import ChatKey
from pycore.navigation.protocol import ChatOpenRequested, OpenChat, OpenChatResult
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage


@dataclass
class Navigator:
    storage: Storage
    emit: Callable

    async def open_chat(self, cmd: OpenChat) -> OpenChatResult:
        key = ChatKey.parse(cmd.chat)
        chat_rec = await self.storage.get("chats", cmd.chat)
        if chat_rec is None and key.title is None:
            raise CoreError("not_found", f"unknown chat {cmd.chat!r}")
        title = (chat_rec or {}).get("title") or key.fallback_title()
        msg = None
        if cmd.message_key is not None:
            msg = await self.storage.get("messages", cmd.message_key)
            if msg is None or msg.get("chat") != cmd.chat:
                raise CoreError("not_found", f"unknown message {cmd.message_key!r} in {cmd.chat!r}")
        result = OpenChatResult(chat=cmd.chat, title=title, message_id=msg and msg["id"], ts=msg and msg.get("ts"))
        find = [t for t in (title, key.phone) if t]
        self.emit(ChatOpenRequested(chat=cmd.chat, title=title, find=find, message_id=result.message_id, ts=result.ts,
                                    text=(msg.get("text") or None) if msg else None))
        return result
