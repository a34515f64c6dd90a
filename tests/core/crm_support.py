"""Helpers for the CRM's tests: commands through the real bridge, errors read as the UI reads them."""

from __future__ import annotations

import asyncio
import base64
import random

from pycore.app import Core, Services
from tests.core.conftest import call

ANA = "5511987654321@c.us"  # a São Paulo mobile, WhatsApp id with the ninth digit
BIA = "553799227293@c.us"  # a Minas mobile whose WhatsApp id lacks the ninth digit
BIA_WITH_9 = "5537999227293@c.us"
LID = "189025889575055@lid"
GROUP = "120363025246125486@g.us"


def ok(core, type_, args=None, source="page"):
    reply = call(core, type_, args or {}, source=source)
    assert reply["ok"], reply
    return reply["result"]


def err(core, type_, args=None, source="page"):
    """The error reply's code and its first detail (reason, pt_BR, en, ...)."""
    reply = call(core, type_, args or {}, source=source)
    assert not reply["ok"], reply
    detail = reply["error"]["details"][0] if reply["error"]["details"] else {}
    return reply["error"]["code"], detail


def card(core, chat):
    return ok(core, "crm.card", {"chat": chat})


def row(core, chat):
    return card(core, chat)["row"]


def tag(core, label, color="#1e88e5"):
    return ok(core, "crm.tag.create", {"label": label, "color": color})["id"]


def field(core, label, type_, options=None):
    return ok(core, "crm.field.create", {"label": label, "type": type_, "options": [{"label": o} for o in options or []]})


def update(core, chat, **args):
    version = args.pop("version", None)
    if version is None:
        version = row(core, chat)["version"]
    return ok(core, "crm.record.update", {"chat": chat, "version": version, **args})


def deal(core, chat, **args):
    version = args.pop("version", None)
    if version is None:
        version = row(core, chat)["version"]
    return ok(core, "crm.deal.set", {"chat": chat, "version": version, **args})


def messages(core, chat, items, title=None):
    """Store messages (ts, direction, text) through messages.import and let the CRM catch up."""
    records = [{"chat": chat, "id": f"M{chat[:6]}{i:04d}{int(ts)}", "ts": ts, "direction": d, "text": text,
                "chat_title": title} for i, (ts, d, text) in enumerate(items)]

    async def go():
        reply = await core.handle({"id": "m", "type": "messages.import", "args": {"records": records}, "source": "page"})
        assert reply["ok"], reply
        await core.drain()

    asyncio.run(go())


def restart(old: Core, clock, events=None) -> Core:
    """A new core over the same storage (the browser restarted): nothing kept in memory survives."""
    core = Core(Services(clock=clock, rng=random.Random(99), storage=old.storage, emit=events or (lambda e: None)))
    asyncio.run(core.start())
    return core


def b64(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode()
