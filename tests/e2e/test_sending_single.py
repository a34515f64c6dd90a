"""One message end to end: send.request from a page -> the active tab's send loop -> the
composer -> exactly one entry in the replica's own send log; the outbox says 'sent'."""

from __future__ import annotations

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.sending_support import bury, call, drive, known_chat, sending_tab, sent_log

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("gen,lang", [("2024", "pt-BR"), ("2025", "en"), ("2026", "pt-BR"), ("2026", "en")])
def test_single_send_reaches_the_replica_once(routed, core_page, gen, lang):
    clock, tab = sending_tab(routed, core_page, f"gen={gen}&lang={lang}")
    wa = tab.page
    order = wa.evaluate("() => __replica.chatOrder()")
    target = order[50]  # far down the virtualized list: not rendered, found through the search box
    key = known_chat(core_page, wa, target)
    bury(wa, target)  # the target's row is out of view again (its new message had moved it up)

    text = f"Olá! Seu pedido {gen}-{lang} está pronto 😊"
    result = call(core_page, "send.request", {"chat": key, "text": text})
    assert result["decision"]["verdict"] != "block", result
    entry_id = result["outbox_id"]
    clock.advance(120)  # pacing: the first send waits its typing time

    def entry():
        return call(core_page, "outbox.list", {"limit": 50})["entries"]

    try:
        done = wait_for(
            lambda: next((e for e in entry() if e["id"] == entry_id and e["state"] in ("sent", "failed", "verify")), None),
            timeout=40, message="the entry to be sent",
        )
    except AssertionError:
        raise AssertionError(([e for e in entry() if e["id"] == entry_id], tab.loop_status(), call(core_page, "sending.status")))
    assert done["state"] == "sent", (done, tab.loop_status())
    log = [s for s in sent_log(wa) if s["text"] == text]
    assert len(log) == 1 and log[0]["chat"] == target
    assert done["message_id"] and log[0]["id"] in done["message_id"]
    # Nothing more goes out: asked again after the send, the gate hands out no job.
    answer = tab.answer_after(clock)
    assert answer["job"] is None and answer["wait_code"] == "idle", answer
    assert len([s for s in sent_log(wa) if s["text"] == text]) == 1
    tab.close()


def test_a_send_that_needs_whatsapps_search_waits_while_searches_are_used_up(routed, core_page):
    """Before typing into WhatsApp's search box the tab asks the core's search limit (30 a minute):
    refused, the send reports failed_before_send with a clear code (nothing typed, nothing sent),
    the side panel says why, and it goes out once a search is allowed again."""
    context, ext_id = routed
    clock, tab = sending_tab(routed, core_page, "gen=2025&lang=pt-BR")
    wa = tab.page
    order = wa.evaluate("() => __replica.chatOrder()")
    target = order[55]
    known_chat(core_page, wa, target, target)
    bury(wa, target)  # not rendered: the tab must search for it
    tab.wait_gate_looks(clock)

    call(core_page, "sending.pause", {"reason": "user"})  # nothing is handed out while the searches are used up
    text = "Seu orçamento ficou pronto, posso mandar os detalhes?"
    entry_id = call(core_page, "send.request", {"chat": target, "text": text})["outbox_id"]
    clock.advance(120)  # the first send's typing time
    # Every search of the minute used: the bucket first, then the window (the core's clock moves on
    # a little while the bucket refills), so the refusal lasts tens of core seconds, not one.
    for _ in range(200):
        window = next(s for s in call(core_page, "sending.status")["stats"] if s["kind"] == "search")["windows"][0]
        if window["remaining"] == 0:
            break
        if not call(core_page, "ratelimit.hit", {"kind": "search"})["allowed"]:
            clock.advance(2)
    assert window["remaining"] == 0 and not call(core_page, "ratelimit.hit", {"kind": "search"})["allowed"]
    started = tab.loop_status()["started"]
    call(core_page, "sending.resume")

    def refused():
        return next((d for d in tab.decisions() if d["ask"] > started and d["job"] == entry_id and d.get("outcome")), None)

    decision = wait_for(refused, timeout=40, message="the tab to try the send")
    assert (decision["outcome"], decision["error"]) == ("failed_before_send", "search_rate_limited"), decision
    typed = "() => { const b = document.querySelector('#side [data-tab=\"3\"]'); return b ? (b.value ?? b.textContent).trim() : null; }"
    assert wa.evaluate(typed) == ""  # nothing was typed into WhatsApp's search box
    assert all(s["text"] != text for s in sent_log(wa))
    entry = next(e for e in call(core_page, "outbox.list", {"limit": 50})["entries"] if e["id"] == entry_id)
    assert (entry["state"], entry["error"]) == ("approved", "search_rate_limited")  # tried again later

    panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
    pt = panel.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    panel.locator('.tabs [data-view="sending"]').click()
    why = panel.locator(f'#outbox-list li[data-id="{entry_id}"] .send-error')
    why.wait_for()
    assert why.inner_text() == ("Limite de buscas no WhatsApp atingido neste minuto; o Mettri tenta de novo em seguida." if pt
                                else "Too many WhatsApp searches this minute; Mettri will try again shortly.")
    panel.close()

    def sent():
        e = next(e for e in call(core_page, "outbox.list", {"limit": 50})["entries"] if e["id"] == entry_id)
        return e["state"] == "sent" and e

    drive(tab, clock, sent, timeout=90)  # the search window frees as the core's clock moves on
    assert [s["chat"] for s in sent_log(wa) if s["text"] == text] == [target]
    tab.close()
