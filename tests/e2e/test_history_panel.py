"""The side panel starts and follows long history work: "Load older history" in the open
chat (progress bar, cancel, resume; every message stored once, judged against
__replica.messages) and "Read the whole chat list" in the chats tab (progress, then
every chat of the replica listed)."""

from __future__ import annotations

import pytest

from pycore.backfill.service import SILENT_S
from tests import browser
from tests.conftest import wait_for
from tests.e2e.chat_list import row_of, scroll_to_end
from tests.e2e.reading import all_stored, backfill_stopped, call, deliver_all, open_connected
from tests.e2e.test_reading_contacts import ALL_TITLES, clean

pytestmark = pytest.mark.e2e

PANEL = "extension/pages/sidepanel/sidepanel.html?pace=0.01"
TOTAL = 300  # the replica renders the newest 40 and 30 more per scroll to the top
BASE_TS = 1_781_000_000
# Every value the bar's aria-valuenow takes, kept by the page itself (no sampling gaps).
WATCH = """id => { window.__vals = window.__vals || {}; const vals = __vals[id] = [];
    const bar = document.getElementById(id);
    new MutationObserver(() => vals.push(Number(bar.getAttribute('aria-valuenow'))))
        .observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']}); }"""


def make_chat(wa, jid: str, name: str, tag: str) -> list[str]:
    """A chat of TOTAL messages, opened in the replica; returns the replica's ids (the truth)."""
    wa.evaluate("([id, name]) => __replica.createChat({id, name})", [jid, name])
    history = [{"id": f"3A{tag}{i:014d}", "text": f"histórico {tag} {i}", "ts": BASE_TS + i * 60, "from_me": i % 3 == 0}
               for i in range(TOTAL)]
    deliver_all(wa, jid, history, chunk=TOTAL)
    wa.evaluate("id => __replica.openChat(id)", jid)
    return [m["id"] for m in wa.evaluate("id => __replica.messages(id)", jid)]


def open_in_panel(panel, jid: str) -> None:
    """Click the chat's row in the panel's list (its history is older than the chats the session's
    other tests made: it may lie past the list's first rows)."""
    row_of(panel, jid).click()
    panel.locator("#backfill-start").wait_for()


def state(panel, id_: str) -> str | None:
    return panel.locator(f"#{id_}").get_attribute("data-state")


def valuenow(panel, id_: str) -> int:
    return int(panel.locator(f"#{id_}").get_attribute("aria-valuenow") or -1)


def assert_stored_once(core_page, jid: str, truth: list[str]) -> None:
    ids = [r["id"] for r in all_stored(core_page, jid)]
    assert len(ids) == len(set(ids)), "a message stored twice"
    assert sorted(ids) == sorted(truth) and len(truth) == TOTAL


def chat_in_panel(routed, core_page, jid: str, name: str, tag: str, older_delay: int):
    """A replica chat of TOTAL messages with its rendered window captured, open in the side panel.
    Returns (whatsapp page, content world, the replica's ids, panel, whether the panel speaks pt)."""
    context, ext_id = routed
    wa, world = open_connected(context, core_page, f"gen=2025&lang=pt-BR&older_delay={older_delay}")
    truth = make_chat(wa, jid, name, tag)
    wait_for(lambda: len(all_stored(core_page, jid)) >= 40, message="the rendered window captured")
    assert len(all_stored(core_page, jid)) < TOTAL  # only the recent ones were on screen
    panel = browser.open_page(context, ext_id, PANEL)
    pt = panel.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    open_in_panel(panel, jid)
    return wa, world, truth, panel, pt


def ended(panel) -> bool:
    return state(panel, "backfill-state") in ("done", "failed", "error")


def test_load_older_history_button_fills_the_chat(routed, core_page):
    jid = "5511977710001@c.us"
    wa, world, truth, panel, pt = chat_in_panel(routed, core_page, jid, "Histórico no painel", "H1", older_delay=150)
    assert panel.locator("#backfill-start").inner_text() == ("Carregar histórico antigo" if pt else "Load older history")
    assert panel.locator("#backfill-bar").is_hidden()  # nothing ran for this chat yet
    # Another chat open in WhatsApp: a clear failure, and the button offers to go on.
    other = next(c for c in wa.evaluate("() => __replica.chats().map(c => c.id)") if c != jid)
    wa.evaluate("id => __replica.openChat(id)", other)
    panel.locator("#backfill-start").click()
    wait_for(lambda: ended(panel), timeout=20, message="the failure")
    assert state(panel, "backfill-state") == "failed"
    assert ("não está aberta" if pt else "not open") in panel.locator("#backfill-state").inner_text()
    assert panel.locator("#backfill-start").is_enabled() and panel.locator("#backfill-cancel").is_hidden()
    wa.evaluate("id => __replica.openChat(id)", jid)
    wait_for(lambda: world.evaluate("MettriContent.capture.chatKey()") == jid, message="the chat open again")
    panel.evaluate(WATCH, "backfill-bar")
    panel.locator("#backfill-start").click()
    wait_for(lambda: state(panel, "backfill-state") == "running", timeout=10, message="the running state")
    assert panel.locator("#backfill-cancel").is_visible() and panel.locator("#backfill-start").is_disabled()
    assert "indeterminate" in panel.locator("#backfill-bar").get_attribute("class")  # the total is not known yet
    wait_for(lambda: ended(panel), timeout=90, message="the backfill to end")

    assert state(panel, "backfill-state") == "done", panel.locator("#backfill-state").inner_text()
    vals = panel.evaluate("() => __vals['backfill-bar']")
    assert vals == sorted(vals) and len(set(vals)) >= 4, vals  # it advanced, step by step, never back
    loaded = call(core_page, "backfill.status", {"chat": jid})["loaded"]
    assert valuenow(panel, "backfill-bar") == loaded == TOTAL - 40
    assert panel.locator("#backfill-bar").get_attribute("aria-valuemax") == str(loaded)
    assert str(loaded) in panel.locator("#backfill-state").inner_text()
    assert panel.locator("#backfill-cancel").is_hidden()
    assert_stored_once(core_page, jid, truth)
    panel.close()
    wa.close()


def test_cancel_then_start_again_resumes_to_the_end(routed, core_page):
    jid = "5511977710002@c.us"
    wa, world, truth, panel, pt = chat_in_panel(routed, core_page, jid, "Cancelar e seguir", "H2", older_delay=400)
    panel.locator("#backfill-start").click()
    wait_for(lambda: valuenow(panel, "backfill-bar") >= 30, timeout=30, message="some history loaded")
    # Leaving and reopening the chat shows the job still running (backfill.status).
    panel.locator("#back").click()
    open_in_panel(panel, jid)
    wait_for(lambda: state(panel, "backfill-state") == "running", timeout=10, message="the running job shown again")

    panel.locator("#backfill-cancel").click()
    wait_for(lambda: state(panel, "backfill-state") == "cancelled", timeout=10, message="the cancelled state")
    assert ("Cancelado" if pt else "Cancelled") in panel.locator("#backfill-state").inner_text()
    cancelled = call(core_page, "backfill.status", {"chat": jid})
    assert cancelled["state"] == "cancelled"
    # The tab's run ended (it scrolls no more) and the load it asked last has landed: the window stays short.
    assert backfill_stopped(wa, world) < TOTAL, "cancelled too late to test a resume"
    assert world.evaluate("MettriContent.backfill.running()") is None
    assert panel.locator("#backfill-start").inner_text() == ("Continuar de onde parou" if pt else "Resume where it stopped")

    wa.evaluate("() => __replica.setOlderDelay(20)")
    panel.locator("#backfill-start").click()
    wait_for(lambda: ended(panel), timeout=90, message="the resumed backfill to end")
    assert state(panel, "backfill-state") == "done", panel.locator("#backfill-state").inner_text()
    assert valuenow(panel, "backfill-bar") == TOTAL - 40
    assert call(core_page, "backfill.status", {"chat": jid})["job_id"] == cancelled["job_id"]  # resumed, not restarted
    assert_stored_once(core_page, jid, truth)
    panel.close()
    wa.close()


def test_a_closed_whatsapp_tab_leaves_the_job_interrupted_and_resumable(routed, core_page):
    """The tab doing the backfill is closed: after the core's silence limit the panel says the
    job was interrupted (not "running" forever) and offers to resume; resuming in a new tab
    finishes with every message stored once."""
    jid = "5511977710003@c.us"
    wa, world, truth, panel, pt = chat_in_panel(routed, core_page, jid, "Aba fechada", "H3", older_delay=400)
    panel.locator("#backfill-start").click()
    wait_for(lambda: valuenow(panel, "backfill-bar") >= 30, timeout=30, message="some history loaded")
    wa.close()
    # Once the core knows the tab is gone, the job is silent but not yet given up.
    wait_for(lambda: call(core_page, "connection.state")["tabs"]["active"] is None, timeout=10,
             message="the core to hear the tab closed")
    assert call(core_page, "backfill.status", {"chat": jid})["state"] == "running"
    call(core_page, "debug.clock.advance", {"seconds": SILENT_S + 30})
    # The panel asks the core every 20 s while a job runs; reopening the chat asks at once.
    panel.locator("#back").click()
    open_in_panel(panel, jid)
    wait_for(lambda: state(panel, "backfill-state") == "failed", timeout=25, message="the interrupted state")
    assert ("parou de responder" if pt else "stopped answering") in panel.locator("#backfill-state").inner_text()
    assert panel.locator("#backfill-start").inner_text() == ("Continuar de onde parou" if pt else "Resume where it stopped")
    assert panel.locator("#backfill-cancel").is_hidden() and panel.locator("#backfill-start").is_enabled()

    context, _ = routed
    wa, world = open_connected(context, core_page, "gen=2025&lang=pt-BR&older_delay=20")
    assert make_chat(wa, jid, "Aba fechada", "H3") == truth
    wait_for(lambda: world.evaluate("MettriContent.capture.chatKey()") == jid, message="the chat open in the new tab")
    panel.locator("#backfill-start").click()
    wait_for(lambda: ended(panel), timeout=90, message="the resumed backfill to end")
    assert state(panel, "backfill-state") == "done", panel.locator("#backfill-state").inner_text()
    assert_stored_once(core_page, jid, truth)
    panel.close()
    wa.close()


def test_read_whole_chat_list_button_lists_every_chat(routed, core_page):
    context, ext_id = routed
    panel = browser.open_page(context, ext_id, PANEL)
    pt = panel.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    # No WhatsApp tab open: the panel says so instead of waiting for nothing.
    wait_for(lambda: call(core_page, "connection.state")["tabs"]["active"] is None, timeout=10,
             message="no active WhatsApp tab")
    panel.locator("#scan-start").click()
    wait_for(lambda: state(panel, "scan-state") == "error", timeout=10, message="the no-WhatsApp error")
    assert ("não está aberto" if pt else "is not open") in panel.locator("#scan-state").inner_text()
    assert panel.locator("#scan-start").is_enabled()

    wa, _ = open_connected(context, core_page, "gen=2026&lang=en&chats=300&messages=900")
    assert wa.evaluate("() => __replica.state().chats") == 300
    panel.evaluate(WATCH, "scan-bar")
    panel.locator("#scan-start").click()
    wait_for(lambda: state(panel, "scan-state") in ("done", "error"), timeout=120, message="the scan to end")
    assert state(panel, "scan-state") == "done", panel.locator("#scan-state").inner_text()
    titles = {clean(t) for t in wa.evaluate(ALL_TITLES)}
    assert len(titles) > 200
    vals = panel.evaluate("() => __vals['scan-bar']")
    assert vals[-1] == len(titles) and len({v for v in vals if 0 < v < len(titles)}) >= 2, vals
    assert f"{len(titles)}" in panel.locator("#scan-state").inner_text().replace(",", "").replace(".", "")
    # The chat list holds every chat of the replica, read by scrolling to its end.
    total = len(call(core_page, "chats.list", {"limit": 5000, "with_scanned": True})["chats"])
    scroll_to_end(panel, total)
    listed = {clean(t) for t in panel.locator("#chat-list li .title").all_inner_texts()}
    assert not titles - listed
    panel.close()
    wa.close()
