"""Helpers of the sending e2e tests: the core's clock, the replica's send log, the tab's send loop."""

from __future__ import annotations

import time

from pycore.chatkey import normalize_title
from tests import browser
from tests.conftest import open_whatsapp, wait_for

DAY = 86400.0


def call(page, type_: str, args: dict | None = None) -> dict:
    """One command from an extension page; waits out a core restart (not_ready) for up to ~2 min."""
    for _ in range(4):
        reply = browser.core_call(page, type_, args)
        if reply["ok"] or reply["error"]["code"] != "not_ready":
            break
    assert reply["ok"], (type_, reply)
    return reply["result"]


class CoreClock:
    """The core's clock as tests move it: records every advance so replica times (wall ms) map to core time."""

    def __init__(self, page) -> None:
        self.page = page
        self.moves: list[tuple[float, float]] = []  # (wall time of the move, offset after it)

    def advance(self, seconds: float) -> float:
        state = call(self.page, "debug.clock.advance", {"seconds": seconds})
        self.moves.append((time.time(), state["offset"]))
        return state["now"]

    def offset(self) -> float:
        return call(self.page, "debug.clock.advance", {"seconds": 0})["offset"]

    def to_core(self, wall_ms: float, start_offset: float) -> float:
        """The core time of a wall-clock instant (a replica sent_at) given the offset before our first move."""
        wall = wall_ms / 1000
        offset = start_offset
        for at, off in self.moves:
            if at <= wall:
                offset = off
        return wall + offset


def fresh_gate(page, clock: CoreClock) -> None:
    """Every window empty and sending resumed: earlier tests in the session sent too."""
    call(page, "sending.resume")
    clock.advance(DAY + 60)


def sent_log(wa) -> list[dict]:
    return wa.evaluate("() => __replica.sentLog()")


class Tab:
    """A replica tab with the extension's content script."""

    def __init__(self, context, query: str) -> None:
        self.page = open_whatsapp(context, query)
        self.world = browser.content_script_world(self.page)
        wait_for(lambda: self.loop_status() is not None, timeout=60, message="the send loop to start")

    def loop_status(self) -> dict | None:
        return self.world.evaluate(
            "globalThis.MettriContent && MettriContent.sender ? {...MettriContent.sender.status} : null"
        )

    def decisions(self) -> list[dict]:
        return (self.loop_status() or {}).get("decisions") or []

    def answer_after(self, clock: "CoreClock", move: float = 0.0, timeout: float = 30.0) -> dict:
        """The gate's answer to an ask the send loop starts after now: the explicit sign that the
        gate has decided with everything done so far (a job, or a wait and why). Moving the core's
        clock (by ``move`` seconds, 0 by default) emits clock.moved, which wakes the loop to ask at once."""
        before = (self.loop_status() or {}).get("started", 0)
        clock.advance(move)
        return wait_for(lambda: next((d for d in self.decisions() if d["ask"] > before), None), timeout=timeout,
                        message="the send loop to ask the gate again")

    def wait_gate_looks(self, clock: "CoreClock", timeout: float = 30.0) -> dict:
        """Wait until the gate, asked, looks at the queue and finds nothing to send ("idle"): the page
        is connected and its self-test passed, so a later "idle" answer means the queue is empty,
        not that the gate did not look."""
        return wait_for(lambda: (a := self.answer_after(clock))["wait_code"] == "idle" and a, timeout=timeout,
                        message="the gate to look at an empty queue")

    def close(self) -> None:
        self.page.close()


def known_chat(core_page, wa, chat_id: str, key: str | None = None, text: str = "Oi, tudo bem? Queria saber o preço.") -> str:
    """Make a chat a known contact: an inbound message the capture stores. Returns the chat's key,
    as the core decided it (a JID; in 2026 builds, with bare ids, the title key of a chat first
    read there, or the JID it was read under before: pycore.identity)."""
    wa.evaluate("id => __replica.openChat(id)", chat_id)
    msg = wa.evaluate("([id, t]) => __replica.deliver(id, {text: t})", [chat_id, text])
    title = wa.evaluate("id => __replica.titleOf(id)", chat_id)

    def stored_under() -> str | None:
        keys = [key] if key else [c["key"] for c in call(core_page, "chats.list", {"limit": 5000})["chats"]
                                  if c["key"] == chat_id or normalize_title(c["title"]) == normalize_title(title)]
        for k in keys:
            if any(m["id"] == msg["id"] for m in call(core_page, "messages.list", {"chat": k, "limit": 500})["messages"]):
                return k
        return None

    return wait_for(stored_under, message=f"inbound message of {chat_id} to be captured")


def bury(wa, chat_id: str, others: int = 40) -> None:
    """Push a chat's row out of the rendered part of the virtualized chat list (newer activity in
    other chats moves them above it), so that the tab must find it through WhatsApp's search box."""
    order = [c for c in wa.evaluate("() => __replica.chatOrder()") if c != chat_id]
    for other in order[:others]:
        wa.evaluate("id => __replica.deliver(id, {text: 'novidade'})", other)
    wa.evaluate("id => __replica.openChat(id)", order[0])
    assert not wa.evaluate("id => !!document.querySelector(`#pane-side [data-chat-id='${id}']`)", chat_id), "still rendered"


TIMED_WAITS = {"pacing", "rate_limited", "recipient_cooldown", "bulk_throttled", "scheduled"}


def make_contacts(core_page, wa, names: list[str], prefix: str, inbound: str | None = "Oi! Quero saber das novidades.") -> list[str]:
    """New chats in the replica; with ``inbound`` each writes first (a known contact; "PARAR" opts out)."""
    ids = []
    for i, name in enumerate(names):
        jid = f"55119{prefix}{i:04d}@c.us"
        wa.evaluate("([id, name]) => __replica.createChat({id, name})", [jid, name])
        ids.append(jid)
    if inbound is None:
        return ids
    for jid in ids:
        # The chat's row renders only while it is open: it must be stored before the next one opens.
        wa.evaluate("([id, t]) => { __replica.openChat(id); __replica.deliver(id, {text: t}); }", [jid, inbound])
        wait_for(lambda: call(core_page, "messages.list", {"chat": jid, "limit": 5})["messages"], timeout=20,
                 interval=0.05, message=f"the inbound message of {jid} to be captured")
    return ids


def drive(
    tab: Tab, clock: CoreClock, done, timeout: float = 150.0, max_step: float = 6 * 3600, verbose: bool = False, status=None,
) -> None:
    """Run the send loop at a sped-up clock until ``done()``: whenever the loop waits for a time,
    move the core's clock by exactly that wait (and only once per ask). ``status``: how to read
    the loop's status (default ``tab.loop_status``)."""
    status = status or tab.loop_status
    asked: dict = {"at": -1, "seen": None}  # the ask whose wait was already moved over, the last status printed

    def step() -> bool:
        if done():
            return True
        st = status() or {}
        if verbose and (st.get("asks"), st.get("phase")) != asked["seen"]:
            asked["seen"] = (st.get("asks"), st.get("phase"))
            print(st)
        if (
            st.get("phase") == "waiting" and st.get("wait_code") in TIMED_WAITS
            and st.get("asks") != asked["at"] and (st.get("retry_in") or 0) > 0.5
        ):
            asked["at"] = st["asks"]
            clock.advance(min(max_step, st["retry_in"] + 0.05))
        return False

    try:
        wait_for(step, timeout=timeout, interval=0.1, message="the sending to finish")
    except AssertionError as err:
        raise AssertionError(f"{err}: {status()}") from None


def window_max(times: list[float], seconds: float) -> int:
    """The most events in any window of ``seconds`` (sorted times)."""
    best, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def sending_tab(routed, core_page, query: str) -> tuple[CoreClock, Tab]:
    """Empty limits, sending resumed, and a fresh replica tab whose send loop runs."""
    context, _ = routed
    for page in context.pages:  # a tab left by an earlier (failed) test would stay the active one
        if page.url.startswith("https://web.whatsapp.com"):
            page.close()
    clock = CoreClock(core_page)
    fresh_gate(core_page, clock)
    opened_at = time.time()
    tab = Tab(context, query)
    # The gate hands out nothing while the page loads: wait until the core has the tab's word
    # that WhatsApp is connected (a report made after the tab opened; it is the only one).
    wait_for(lambda: (st := call(core_page, "connection.state"))["status"]["state"] == "connected"
             and (st["reported_at"] or 0) >= opened_at, message="the new tab to report WhatsApp connected")
    return clock, tab
