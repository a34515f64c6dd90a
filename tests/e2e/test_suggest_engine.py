"""The suggestion engine in the real extension: an incoming question in the open chat brings the reply
the user gave a similar question before (the other person's name re-filled), labelled with its source,
in the bar beside the composer; nothing is sent while it waits, and approving sends it once through
the gate (judged by the replica's sent log)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.sending_support import call, drive, sending_tab, sent_log

pytestmark = pytest.mark.e2e

SHOWN = "[data-mettri=suggestion][data-shown]"
ANA, BIA = "5511981000001@c.us", "5511981000002@c.us"


def test_an_incoming_question_gets_the_users_own_answer_and_nothing_goes_out_until_approve(routed, core_page):
    clock, tab = sending_tab(routed, core_page, "gen=2024&lang=en")
    wa = tab.page
    then = int(time.time()) - 3 * 86400
    wa.evaluate("""([ana, bia, then]) => {
        __replica.createChat({id: ana, name: 'Ana Lúcia'});
        __replica.createChat({id: bia, name: 'Bia Ramos'});
        __replica.openChat(ana);
        __replica.deliver(ana, {text: 'Boa tarde! Quanto custa o bolo de cenoura?', ts: then});
        __replica.deliver(ana, {text: 'Oi Ana! O bolo de cenoura custa R$ 45.', from_me: true, ts: then + 120});
    }""", [ANA, BIA, then])
    wait_for(lambda: len(call(core_page, "messages.list", {"chat": ANA, "limit": 5})["messages"]) == 2, timeout=30,
             interval=0.05, message="Ana's question and the user's answer to be captured")
    tab.wait_gate_looks(clock)

    wa.evaluate("([bia]) => { __replica.openChat(bia); __replica.deliver(bia, {text: 'Quanto custa o bolo de cenoura?'}); }",
                [BIA])
    bar = wa.locator(SHOWN)
    bar.wait_for(state="attached", timeout=30_000)  # the bar says it is drawn with its replies
    # Ana's answer, re-filled for Bia, is offered (other tests' history in this shared browser may
    # offer more; this one shares every word of the question).
    first = bar.locator(".reply").filter(has_text="Oi Bia! O bolo de cenoura custa R$ 45.").first
    assert first.locator(".text").inner_text() == "Oi Bia! O bolo de cenoura custa R$ 45."
    ui = core_page.evaluate("() => chrome.i18n.getUILanguage()")
    date = time.strftime("%d/%m" if ui.lower().startswith("pt") or ui == "en-GB" else "%m/%d", time.localtime(then + 120))
    label = first.locator(".source").inner_text()
    expected = f"Como você respondeu a Ana Lúcia em {date}" if ui.lower().startswith("pt") else f"How you answered Ana Lúcia on {date}"
    assert label == expected, (label, ui)
    text = bar.inner_text()
    assert not any(bad in text for bad in ("undefined", "null", "NaN", "{{")), text
    assert serious_violations(wa, "[data-mettri=suggestion]") == []

    # With the suggestion waiting, the gate is asked after time passed: it has nothing to hand out.
    answer = tab.answer_after(clock, move=600)
    assert answer["job"] is None and answer["wait_code"] == "idle", answer
    assert all(s["text"] != "Oi Bia! O bolo de cenoura custa R$ 45." for s in sent_log(wa))

    first.locator("button.primary").click()
    wait_for(lambda: wa.locator(SHOWN).count() == 0, message="the bar to go away")
    reply = "Oi Bia! O bolo de cenoura custa R$ 45."

    def sent():
        return [e for e in call(core_page, "outbox.list", {"limit": 5})["entries"] if e["text"] == reply and e["state"] == "sent"]

    drive(tab, clock, sent, timeout=60)
    assert [s["text"] for s in sent_log(wa) if s["text"] == reply] == [reply]
    assert sent()[0]["origin"] == "suggestion"
    # Bia's suggestion is no longer pending (other chats of this shared browser may have theirs).
    assert [p for p in call(core_page, "suggestion.pending")["suggestions"] if p["chat"] == BIA] == []
    tab.close()
