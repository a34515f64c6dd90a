"""chat.open"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.navigation.protocol import OpenChat
from pycore.navigation.service import Navigator


def register(on: Register, navigator: Navigator) -> None:
    on(OpenChat, navigator.open_chat)
