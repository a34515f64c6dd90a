"""One message end to end: send.request from a page -> the active tab's send loop -> the
composer -> exactly one entry in the replica's own send log; the outbox says 'sent'."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.e2e.sending_support import call, known_chat, sending_tab, sent_log

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("gen,lang", [("2024", "pt-BR"), ("2025", "en"), ("2026", "pt-BR"), ("2026", "en")])
def test_single_send_reaches_the_replica_once(routed, core_page, gen, lang):
    clock, tab = sending_tab(routed, core_page, f"gen={gen}&lang={lang}")
    wa = tab.page
    order = wa.evaluate("() => __replica.chatOrder()")
    target = order[50]  # far down the virtualized list: not rendered, found through the search box
    key = known_chat(core_page, wa, target)
    wa.evaluate("id => __replica.openChat(id)", order[0])  # the target's row is out of view again

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
    wa.wait_for_timeout(1500)  # nothing more goes out
    assert len([s for s in sent_log(wa) if s["text"] == text]) == 1
    tab.close()
