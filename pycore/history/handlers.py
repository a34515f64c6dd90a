"""Installs messages.import and chat.open."""

from __future__ import annotations

from pycore.history.importer import import_batch
from pycore.history.navigation import open_chat
from pycore.protocol.history import ImportMessages, OpenChat


def install(core) -> None:
    core.on(ImportMessages, lambda cmd: import_batch(core, cmd))
    core.on(OpenChat, lambda cmd: open_chat(core, cmd))
