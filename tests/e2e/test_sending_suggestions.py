"""Approve buttons next to WhatsApp's composer: a suggestion is shown, nothing is sent until the
click, and "Aprovar e enviar" sends exactly one message (through the gate)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.e2e.sending_support import call, drive, make_contacts, sending_tab, sent_log

pytestmark = pytest.mark.e2e

BAR = "[data-mettri=suggestion]"


def composer_box(wa):
    return wa.evaluate("""() => { const r = document.querySelector('footer [contenteditable][role=textbox]')
        .getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }""")


def test_suggestion_is_sent_only_after_the_click(routed, core_page):
    clock, tab = sending_tab(routed, core_page, "gen=2024&lang=en")
    wa = tab.page
    [chat] = make_contacts(core_page, wa, ["Dona Sugestão"], "74", inbound="Vocês têm bolo de cenoura hoje?")
    tab.wait_gate_looks(clock)
    before = composer_box(wa)
    text = "Temos sim! Posso separar um para você? <b>sem html</b>"
    call(core_page, "suggestion.offer", {"chat": chat, "text": text})

    bar = wa.locator(BAR)
    bar.locator("button.primary").wait_for(timeout=10_000)
    assert "<b>sem html</b>" in bar.locator(".text").inner_text()  # WhatsApp-side text stays text
    assert bar.locator("b").count() == 0
    labels = bar.locator("button").all_inner_texts()
    pt = core_page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    assert labels == (["Aprovar e inserir", "Aprovar e enviar", "Editar", "Dispensar"] if pt
                      else ["Approve and insert", "Approve and send", "Edit", "Dismiss"]), labels
    assert composer_box(wa) == before  # the bar overlays; the composer does not move

    # Time passes: asked again after that, the gate has nothing to hand out without the click.
    answer = tab.answer_after(clock, move=600)
    assert answer["job"] is None and answer["wait_code"] == "idle", answer
    assert all(s["text"] != text for s in sent_log(wa))  # (other tests' scheduled sends may go out meanwhile)
    assert all(e["text"] != text for e in call(core_page, "outbox.list", {"limit": 50})["entries"])

    bar.locator("button.primary").click()
    wait_for(lambda: wa.locator(BAR).count() == 0, message="the bar to go away")

    def sent():
        return [e for e in call(core_page, "outbox.list", {"limit": 5})["entries"] if e["text"] == text and e["state"] == "sent"]

    drive(tab, clock, sent, timeout=60)
    assert [s["text"] for s in sent_log(wa) if s["text"] == text] == [text]
    assert sent()[0]["origin"] == "suggestion"
    # Approved and sent, it is no longer pending (other chats' suggestions of this browser may be).
    assert [p for p in call(core_page, "suggestion.pending")["suggestions"] if p["chat"] == chat] == []
    tab.close()
