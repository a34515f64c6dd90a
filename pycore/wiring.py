"""How the features hear each other, in one place.

Features never call each other on the capture path: they listen to the core's
events here and do their part in the background (``core.spawn``).
- captured messages -> opt-out detection (the send gate's suppression list)
- WhatsApp's warning banner, a logout or "open in another window" -> pause all sending
- the self-test's read-only safe mode -> the gate hands out no jobs
- the send gate's questions about contacts -> the scraper's contact list
"""

from __future__ import annotations

import logging

from pycore.protocol.capture import MessagesCaptured
from pycore.protocol.connection import BanSignal, ConnectionChanged
from pycore.protocol.whatsapp import SelfTestResult
from pycore.whatsapp.handlers import SELFTEST_META_KEY

log = logging.getLogger("mettri.wiring")

PAUSE_ON_STATE = {"logged_out": "logged_out", "other_window": "other_window"}


async def chat_title(storage, chat: str) -> str:
    if chat.startswith("title:"):
        return chat[len("title:"):]
    rec = await storage.get("chats", chat)
    return (rec or {}).get("title") or chat.split("@")[0]


def install(core) -> None:
    gate = core.sending
    storage = core.storage
    default_saved = gate.lookups.saved_contact

    async def saved_contact(chat: str) -> bool:
        if await default_saved(chat):
            return True
        for key in (chat, f"title:{await chat_title(storage, chat)}"):
            rec = await storage.get("contacts", key)
            if rec and rec.get("kind") in ("saved", "group"):
                return True
        return False

    gate.lookups.saved_contact = saved_contact

    wall = getattr(core.clock, "wall", None)  # only a development build's movable clock has it
    if wall is not None:
        page_was_sent = gate.lookups.was_sent

        async def was_sent(chat: str, text: str, after: float, before: float):
            # Captured message times come from the page, i.e. the wall clock.
            return await page_was_sent(chat, text, wall(after), wall(before))

        gate.lookups.was_sent = was_sent
    gate.chat_title = lambda chat: chat_title(storage, chat)

    async def scan(keys: list[str]) -> None:
        records = [r for r in [await storage.get("messages", k) for k in keys] if r]
        inbound = [r for r in records if r.get("direction") == "in"]
        if inbound:
            await gate.scan_optouts(inbound)

    def on_captured(ev: MessagesCaptured) -> None:
        if ev.new or ev.updated:
            core.spawn(scan(list(ev.new) + list(ev.updated)))

    def on_ban(ev: BanSignal) -> None:
        reason = "too_many_messages" if ev.code == "too_many_messages" else "warning_banner"
        core.spawn(gate.pause(reason, ev.text[:200]))

    def on_connection(ev: ConnectionChanged) -> None:
        reason = PAUSE_ON_STATE.get(ev.state)
        if reason:
            core.spawn(gate.pause(reason, ev.code))

    def on_selftest(ev: SelfTestResult) -> None:
        gate.read_only = ev.safe_mode

    async def restore_safe_mode() -> None:
        rec = await storage.get("meta", SELFTEST_META_KEY)
        gate.read_only = bool(rec and (rec.get("value") or {}).get("safe_mode"))

    core.listen(MessagesCaptured, on_captured)
    core.listen(BanSignal, on_ban)
    core.listen(ConnectionChanged, on_connection)
    core.listen(SelfTestResult, on_selftest)
    core.on_start(restore_safe_mode)
