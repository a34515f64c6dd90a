"""The core's lifecycle: requests made while it starts wait and are answered; a
closed offscreen document or a stopped service worker is recovered on demand."""

from __future__ import annotations

import pytest

from tests import browser

pytestmark = pytest.mark.e2e


def _sw(context):
    return next(w for w in context.service_workers if w.url.startswith("chrome-extension://"))


def test_requests_during_startup_are_queued_not_dropped(ext, core_page):
    context, _ = ext
    # Close the core, then fire 20 requests at once while it boots again.
    _sw(context).evaluate("() => chrome.offscreen.closeDocument()")
    replies = core_page.evaluate(
        """async () => Promise.all(Array.from({length: 20}, (_, i) =>
            MettriCore.request("core.ping", {echo: String(i)}, {timeoutMs: 120000})))"""
    )
    assert [r["ok"] for r in replies] == [True] * 20, replies
    assert sorted(int(r["result"]["echo"]) for r in replies) == list(range(20))
    assert browser.wait_core_ready(core_page)["stage"] == "ready"


def test_stopped_service_worker_is_restarted_by_the_next_message(ext, core_page):
    context, _ = ext
    cdp = context.new_cdp_session(core_page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    reply = core_page.evaluate("() => MettriCore.request('core.ping', {echo: 'back'}, {timeoutMs: 60000})")
    assert reply["ok"] and reply["result"]["echo"] == "back", reply
