"""Opening a chat at a message: how the side panel asks the WhatsApp tab to show one."""

from __future__ import annotations

from pydantic import Field

from pycore.capture.protocol import MAX_ATTR
from pycore.chatkey import KEY_MAX, ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event


class OpenChatResult(Model):
    chat: str
    title: str
    find: list[str] = Field(default_factory=list, description="what to type in WhatsApp's search to find the chat: "
                            "its name, then its phone number when known")
    message_id: str | None
    ts: float | None


@command("chat.open", OpenChatResult, sources={"page"})
class OpenChat(Command):
    """Ask the active WhatsApp tab to open a chat and show one of its messages (event chat.open_requested)."""

    chat: ChatKeyStr
    message_key: str | None = Field(default=None, max_length=KEY_MAX + 1 + MAX_ATTR, description='"<chat>|<message id>"')


@event("chat.open_requested", tabs=True)
class ChatOpenRequested(Event):
    """For the active WhatsApp tab: open the chat titled ``title`` and scroll to ``message_id``."""

    chat: str
    title: str
    find: list[str] = Field(default_factory=list, description="what to type in WhatsApp's search to find the chat: "
                            "its name, then its phone number when known")
    message_id: str | None
    ts: float | None
    text: str | None = Field(description="the message text (a fallback to find the row)")
