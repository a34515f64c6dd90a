"""Helpers shared by the reading-side e2e tests (capture, backfill, scraper, connection)."""

from __future__ import annotations

import time

from tests import browser
from tests.conftest import open_whatsapp, wait_for


call = browser.core_result


def all_stored(page, chat: str) -> list[dict]:
    """Every stored record of a chat, in capture order (pages of 1,000)."""
    out, cursor = [], None
    while True:
        args = {"chat": chat, "limit": 1000, "order_by": "seq", "newest_first": False}
        if cursor is not None:
            args["cursor_seq"] = cursor
        page_ = call(page, "messages.list", args)
        out += page_["messages"]
        cursor = page_["next_cursor_seq"]
        if cursor is None:
            return out


def record_events(page) -> None:
    """Start keeping every core event the extension page hears in window.__events."""
    page.evaluate("() => { if (!window.__events) { window.__events = []; MettriCore.onEvent(e => __events.push(e)); } }")


def events(page, name: str) -> list[dict]:
    return page.evaluate("n => (window.__events || []).filter(e => e.event === n).map(e => e.data)", name)


def open_active(context, query: str):
    """A replica tab whose content script is the active one; returns (page, content world)."""
    wa = open_whatsapp(context, query)
    world = browser.content_script_world(wa)
    wait_for(lambda: world.evaluate("globalThis.MettriContent && MettriContent.role") == "active",
             timeout=120, message="the tab to become the active one")
    return wa, world


def open_connected(context, core_page, query: str):
    """An active replica tab the core knows is connected: work for the tab (backfill, scan) is
    refused before that. The report must come after the tab opened (an earlier tab's would not do)."""
    opened_at = time.time()
    wa, world = open_active(context, query)
    wait_for(lambda: (st := call(core_page, "connection.state"))["status"]["state"] == "connected"
             and (st["reported_at"] or 0) >= opened_at, timeout=30, message="the core to hear the tab is connected")
    return wa, world


ROWS = "MettriReadDom.messageRows(document, MettriContent.selectors).length"


def backfill_stopped(wa, world) -> int:
    """Wait until every backfill run of the tab has ended (an ended run scrolls no more) and the
    last load of older messages it caused has landed in the replica (none pending); the window
    cannot grow after that. Returns the rendered rows."""
    wait_for(lambda: world.evaluate("(s => s.ended === s.runs)(MettriContent.backfill.status)"), timeout=10,
             message="the tab's backfill to stop")
    wait_for(lambda: (loads := wa.evaluate("() => __replica.olderLoads()"))["asked"] == loads["done"], timeout=10,
             message="the last load of older messages to land")
    return world.evaluate(ROWS)


def chat_key(world, timeout: float = 30.0) -> str:
    """The core's key of the open chat, as the capture loop last heard it."""
    return wait_for(lambda: world.evaluate("MettriContent.capture && MettriContent.capture.chatKey()"),
                    timeout=timeout, message="a first capture of the open chat")


def deliver_all(wa, chat: str, messages: list[dict], chunk: int = 25) -> list[dict]:
    """Deliver in chunks, one task each, as messages arrive from the network."""
    out = []
    for i in range(0, len(messages), chunk):
        out += wa.evaluate(
            """async ([id, ms]) => {
                const out = ms.map(m => __replica.deliver(id, m));
                await new Promise(r => setTimeout(r, 0));
                return out;
            }""",
            [chat, messages[i : i + chunk]],
        )
    return out


# Ground truth from the replica's own rendering: the test scrolls the list in small steps itself.
ALL_TITLES = """async () => {
    const pane = document.querySelector('#pane-side');
    const seen = new Set();
    for (let top = 0; ; top += 300) {
        pane.scrollTop = top;
        await new Promise(r => setTimeout(r, 5));
        pane.querySelectorAll('span[dir="auto"][title]').forEach(s => seen.add(s.getAttribute('title')));
        if (pane.scrollTop + pane.clientHeight >= pane.scrollHeight) return [...seen];
    }
}"""
