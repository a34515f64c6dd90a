"""Scheduled messages from the side panel: "send at" for a chat; the message waits in the outbox and
goes out once at its time (dev clock) through the gate; one whose time passed by more than the
tolerance waits for the user's confirmation in the outbox, then goes out once."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.sending_support import call, drive, make_contacts, sending_tab, sent_log


pytestmark = pytest.mark.e2e


def local_minute(core_epoch: float) -> str:
    """The datetime-local value the user would type for a core time (the panel reads local time)."""
    return dt.datetime.fromtimestamp(core_epoch).strftime("%Y-%m-%dT%H:%M")


def test_a_message_scheduled_in_the_side_panel_goes_out_once_at_its_time(routed, core_page):
    context, ext_id = routed
    clock, tab = sending_tab(routed, core_page, "gen=2024&lang=en")
    wa = tab.page
    on_time, late = make_contacts(core_page, wa, ["Elis Prado", "Fábio Reis"], "84")
    tab.wait_gate_looks(clock)
    panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
    panel.locator('.tabs [data-view="sending"]').click()
    panel.locator("#schedule-form").wait_for()
    panel.locator(f'#schedule-chat option[value="{on_time}"]').wait_for(state="attached")

    def schedule(chat, text, minutes_ahead):
        now = call(core_page, "debug.clock.advance", {"seconds": 0})["now"]
        at = (int(now // 60) + minutes_ahead) * 60
        panel.select_option("#schedule-chat", chat)
        panel.fill("#schedule-text", text)
        panel.fill("#schedule-at", local_minute(at))
        panel.click("#schedule-save")
        panel.locator(f'#schedule-list li .preview:text-is("{text}")').wait_for()
        return at

    at = schedule(on_time, "Bom dia, Elis! Seu pedido sai hoje.", 3)
    entries = [e for e in call(core_page, "outbox.list", {"limit": 20})["entries"] if e["chat"] == on_time]
    assert [(e["origin"], e["state"], e["next_at"]) for e in entries] == [("schedule", "approved", at)]
    text = panel.locator("#schedule-list").inner_text()
    assert not re.search(r"\b(undefined|null|NaN)\b", text), text
    assert serious_violations(panel, "#schedule-form") == []

    # The gate, asked now, waits for the time: nothing goes out early.
    answer = tab.answer_after(clock)
    assert answer["job"] is None and answer["wait_code"] == "scheduled", answer
    assert sent_log(wa) == []

    def sent(chat):
        return [e for e in call(core_page, "outbox.list", {"limit": 20})["entries"] if e["chat"] == chat and e["state"] == "sent"]

    drive(tab, clock, lambda: sent(on_time), timeout=90)
    [done] = sent(on_time)
    assert done["sent_at"] >= at
    assert [s["text"] for s in sent_log(wa)] == ["Bom dia, Elis! Seu pedido sai hoje."]

    # Late: its time passes by more than the tolerance (2 h by default) before the gate is asked.
    schedule(late, "Fábio, sua encomenda está pronta.", 2)
    state = tab.answer_after(clock, move=3 * 3600)
    assert state["job"] is None, state
    held = [e for e in call(core_page, "outbox.list", {"limit": 20})["entries"] if e["chat"] == late]
    assert [(e["state"], e["decision"]["code"]) for e in held] == [("queued", "late_schedule")]
    row = panel.locator(f'#outbox-list li[data-id="{held[0]["id"]}"]')
    row.locator(".outbox-approve").wait_for()
    assert re.search(r"120 min", row.inner_text())
    row.locator(".outbox-approve").click()
    drive(tab, clock, lambda: sent(late), timeout=90)
    assert [s["text"] for s in sent_log(wa)] == ["Bom dia, Elis! Seu pedido sai hoje.", "Fábio, sua encomenda está pronta."]
    panel.close()
    tab.close()
