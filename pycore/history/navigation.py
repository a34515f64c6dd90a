"""chat.open: the side panel asks the active WhatsApp tab to show a chat at a message.

The core looks up what the tab needs to find the chat and the row (title, id,
time, text) and emits chat.open_requested; the service worker relays events to
WhatsApp tabs and only the active one acts.
"""

from __future__ import annotations

from pycore.protocol.base import CoreError
from pycore.protocol.history import ChatOpenRequested, OpenChat, OpenChatResult


async def open_chat(core, cmd: OpenChat) -> OpenChatResult:
    chat_rec = await core.storage.get("chats", cmd.chat)
    if chat_rec is None and not cmd.chat.startswith("title:"):
        raise CoreError("not_found", f"unknown chat {cmd.chat!r}")
    title = (chat_rec or {}).get("title") or cmd.chat[len("title:"):]
    msg = None
    if cmd.message_key is not None:
        msg = await core.storage.get("messages", cmd.message_key)
        if msg is None or msg.get("chat") != cmd.chat:
            raise CoreError("not_found", f"unknown message {cmd.message_key!r} in {cmd.chat!r}")
    result = OpenChatResult(chat=cmd.chat, title=title, message_id=msg and msg["id"], ts=msg and msg.get("ts"))
    core.emit(ChatOpenRequested(chat=cmd.chat, title=title, message_id=result.message_id, ts=result.ts,
                                text=(msg.get("text") or None) if msg else None))
    return result
