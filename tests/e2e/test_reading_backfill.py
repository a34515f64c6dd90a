"""History backfill of a 5,000-message chat: paced by the core, cancelled half-way,
resumed from the stored watermark after the page forgot where it was; every message
stored once (judged against __replica.messages) and the content script's memory bounded."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.e2e.reading import (
    all_stored, backfill_stopped, call, deliver_all, events, open_connected, record_events,
)

pytestmark = pytest.mark.e2e

CHAT = "5511977700001@c.us"
OTHER = "5511977700002@c.us"
TOTAL = 5000


def test_backfill_5000_with_cancel_and_resume(routed, core_page):
    context, _ = routed
    record_events(core_page)
    wa, world = open_connected(context, core_page, "gen=2025&lang=pt-BR")
    wa.evaluate("([a, b]) => { __replica.createChat({id: a, name: 'Histórico Longo'}); __replica.createChat({id: b, name: 'Outra'}); }", [CHAT, OTHER])
    base = 1_780_000_000
    history = [{"id": f"3A5000{i:014d}", "text": f"mensagem antiga {i}", "ts": base + i * 60, "from_me": i % 4 == 0}
               for i in range(TOTAL)]
    deliver_all(wa, CHAT, history, chunk=1000)
    # 50 older messages a load: the page's cost per load grows with the rows drawn, and 100 loads
    # instead of 166 keep the test near a minute and a half; the history panel's tests load 30.
    wa.evaluate("() => { __replica.setOlderDelay(20); __replica.setOlderBatch(50); }")
    wa.evaluate("id => __replica.openChat(id)", CHAT)
    wait_for(lambda: len(all_stored(core_page, CHAT)) >= 40, message="the visible window captured")

    job = call(core_page, "backfill.start", {"chat": CHAT, "pace": 0.01})
    assert job["state"] == "running"
    wait_for(lambda: call(core_page, "backfill.status", {"chat": CHAT})["loaded"] >= 600, timeout=120,
             message="600 older messages loaded")
    cancelled = call(core_page, "backfill.cancel", {"chat": CHAT})
    assert cancelled["state"] == "cancelled"
    # The tab's run ended (it scrolls no more) and no older load is pending: the window stays short.
    assert backfill_stopped(wa, world) < TOTAL
    assert world.evaluate("MettriContent.backfill.running()") is None

    # The page forgets its place (another chat, then back: the newest 40 only); resume scrolls
    # quickly through what is stored up to the watermark, then on at a human pace.
    wa.evaluate("([a, b]) => { __replica.openChat(b); __replica.openChat(a); }", [CHAT, OTHER])
    resumed = call(core_page, "backfill.start", {"chat": CHAT, "pace": 0.01})
    assert resumed["job_id"] == job["job_id"] and resumed["loaded"] >= cancelled["loaded"]
    done = wait_for(lambda: (s := call(core_page, "backfill.status", {"chat": CHAT}))["state"] != "running" and s,
                    timeout=420, message="the backfill to finish")
    assert done["state"] == "done" and done["reached_start"], done

    stored = all_stored(core_page, CHAT)
    ids = [r["id"] for r in stored]
    truth = [m["id"] for m in wa.evaluate("id => __replica.messages(id)", CHAT)]
    assert len(ids) == len(set(ids)) == len(truth) == TOTAL
    assert set(ids) == set(truth)
    assert done["loaded"] == TOTAL - 40 and done["batches"] == (TOTAL - 40) // 50
    progress = events(core_page, "backfill.progress")
    assert any(p["state"] == "cancelled" for p in progress) and progress[-1]["state"] == "done"
    # Bounded memory in the content script: signatures of one chat at most, nothing pending.
    sent, pending = world.evaluate("[MettriContent.capture.sent.size, MettriContent.capture.pending.size]")
    assert sent <= 10_000 and pending == 0
    wa.close()
