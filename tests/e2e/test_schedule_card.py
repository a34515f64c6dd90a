""""Enviar em" from the CRM card: the card of the open chat schedules a message to that chat (the same
scheduler as the "Envios" tab), lists that person's scheduled messages only, and cancels one; the
entry is in the outbox with its time and origin "schedule", and the "Envios" tab lists it too."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import browser
from tests.conftest import open_whatsapp, wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.sending_support import call, known_chat

pytestmark = pytest.mark.e2e

PANEL = "extension/pages/sidepanel/sidepanel.html"
BAD_WORDS = browser.BAD_WORDS


def test_send_at_from_the_card_lists_and_cancels_the_persons_scheduled_messages(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    (mine, name), (other, _) = wa.evaluate("() => __replica.chats().slice(20, 22).map(c => [c.id, c.name])")
    other_key = known_chat(core_page, wa, other)  # a customer who wrote: the gate keeps its scheduled message
    wa.evaluate("id => __replica.openChat(id)", mine)
    panel = browser.open_page(context, ext_id, PANEL)
    panel.set_viewport_size({"width": 380, "height": 900})
    panel.locator('.tabs [data-view="card"]').click()
    wait_for(lambda: panel.locator("#crm-card-name").text_content() == name, timeout=30, message="the card of the open chat")
    panel.locator("#crm-card:not([data-cached])").wait_for()  # the core's card, not the worker's read-only copy
    key = panel.evaluate("() => document.querySelector('#crm-card').dataset.key")
    chat = call(core_page, "crm.card", {"chat": key})["chat"]
    panel.locator("#crm-schedule-list[data-ready]").wait_for()
    # Another chat's scheduled message is not this person's: the card does not list it.
    now = call(core_page, "debug.clock.advance", {"seconds": 0})["now"]
    foreign = call(core_page, "send.request", {"chat": other_key, "text": "De outra conversa", "origin": "schedule",
                                               "scheduled_at": now + 7200})

    at = (int(now // 60) + 90) * 60
    text = f"Oi {name.split()[0]}, seu pedido sai amanhã cedo."
    panel.locator("#crm-schedule-text").fill(text)
    panel.locator("#crm-schedule-at").fill(dt.datetime.fromtimestamp(at).strftime("%Y-%m-%dT%H:%M"))
    panel.locator("#crm-schedule-save").click()
    panel.locator("#crm-schedule-list li .preview", has_text=text).wait_for()
    [entry] = [e for e in call(core_page, "outbox.list", {"limit": 50})["entries"] if e["text"] == text]
    assert (entry["chat"], entry["origin"], entry["state"], entry["next_at"]) == (chat, "schedule", "approved", at)
    items = panel.locator("#crm-schedule-list li")
    assert items.count() == 1 and "De outra conversa" not in panel.locator("#crm-schedule-list").inner_text()
    section = panel.locator('[data-section="schedule"]')
    assert not BAD_WORDS.search(section.inner_text()), section.inner_text()
    assert serious_violations(panel, '[data-section="schedule"]') == []

    # The "Envios" tab lists it with the chat's name (the same scheduler, every chat).
    panel.locator('.tabs [data-view="sending"]').click()
    panel.locator("#schedule-list li .preview", has_text=text).wait_for()

    # Cancelled from the card: the outbox says so and the card's list empties.
    panel.locator('.tabs [data-view="card"]').click()
    panel.locator("#crm-schedule-list li .schedule-cancel").click()
    wait_for(lambda: any(e["id"] == entry["id"] and e["state"] == "cancelled"
                         for e in call(core_page, "outbox.list", {"limit": 50})["entries"]), message="the entry cancelled")
    panel.locator("#crm-schedule-list li.meta").wait_for()
    assert call(core_page, "outbox.cancel", {"id": foreign["outbox_id"]})["entry"]["state"] == "cancelled"
    panel.close()
    wa.close()
