"""The core's lifecycle: requests made while it starts wait and are answered; a
closed offscreen document or a stopped service worker is recovered on demand; a core whose worker
cannot run, or whose wheel is not the one built, fails its start with the reason, and requests are
answered with it."""

from __future__ import annotations

import shutil

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


def test_a_restarted_core_learns_the_open_chat_again_without_a_change_on_the_page(routed, core_page):
    """The core keeps which chat the tab shows in memory only. After it restarts (a crash, Chrome
    closing its document) with WhatsApp left as it was, the tab tells it again: the side panel's
    card and the badge follow the open chat without the user switching chats."""
    from tests.conftest import open_whatsapp, wait_for

    context, _ = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    chat_id, name = wa.evaluate("() => { const c = __replica.chats().slice(40).find(c => c.name); return [c.id, c.name]; }")
    wa.evaluate("id => __replica.openChat(id)", chat_id)
    wait_for(lambda: browser.core_call(core_page, "capture.open_chat")["result"]["title"] == name, timeout=30,
             message="the open chat captured")
    _sw(context).evaluate("() => chrome.offscreen.closeDocument()")
    assert browser.wait_core_ready(core_page)["stage"] == "ready"
    now = wait_for(lambda: (c := browser.core_call(core_page, "capture.open_chat")["result"])["title"] and c, timeout=30,
                   message="the restarted core told the open chat")
    assert now["title"] == name and now["chat"]
    wa.close()



def _start_spoiled(playwright, tmp_path, spoil, request: str) -> tuple[dict, dict]:
    """Start a copy of the build that ``spoil(dist)`` changed: the boot state it ends in, and the
    reply to one request made after."""
    dist = tmp_path / "dist"
    shutil.copytree(browser.DIST, dist)
    spoil(dist)
    context, ext_id = browser.launch(playwright, tmp_path / "profile", dist=dist)
    try:
        page = browser.open_page(context, ext_id)
        return browser.wait_core_ready(page, timeout_ms=90_000), browser.core_call(page, request, {})
    finally:
        context.close()


def test_a_core_worker_that_cannot_run_fails_the_start_with_its_reason(playwright, tmp_path):
    """The worker loads the runtime on its own from its start (core-worker.js); if it cannot run,
    the start fails with the browser's reason instead of waiting forever, and requests get it."""
    def spoil(dist):
        (dist / "extension" / "offscreen" / "core-worker.js").write_text('throw new Error("planted worker failure");\n')

    state, reply = _start_spoiled(playwright, tmp_path, spoil, "core.ping")
    assert state["stage"] == "failed", state
    assert "the core's worker failed" in state["error"] and "planted worker failure" in state["error"], state
    assert not reply["ok"] and reply["error"]["code"] == "not_ready", reply
    assert "planted worker failure" in reply["error"]["message"], reply


def test_a_wheel_that_fails_its_integrity_check_fails_the_packages_stage(playwright, tmp_path):
    """The packages load while the runtime starts (runtime.js); one that did not load is loaded
    again by the packages stage, which names it and why, instead of a bare import error."""
    def spoil(dist):
        wheel = next((dist / "vendor" / "pyodide").glob("mettri_core-*.whl"))
        wheel.write_bytes(wheel.read_bytes() + b"tampered")  # no longer the sha256 the lock file names

    state, reply = _start_spoiled(playwright, tmp_path, spoil, "chats.list")
    assert state["stage"] == "failed" and "runtime" in state["stages"], state
    assert state["error"].startswith("packages: ") and "loading mettri-core" in state["error"], state
    assert not reply["ok"] and reply["error"]["code"] == "not_ready" and "mettri-core" in reply["error"]["message"], reply
