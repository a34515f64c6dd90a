"""Scheduled messages wake the extension: the service worker keeps a chrome.alarms alarm at the next
scheduled entry's time (by the core's clock, re-checked when the outbox changes and when the dev
clock moves); when it rings the core says the entry is due and the tabs' send loops ask at once;
the message goes out once."""

from __future__ import annotations

import time

import pytest

from tests.conftest import wait_for
from tests.e2e.sending_support import call, drive, make_contacts, sending_tab, sent_log

pytestmark = pytest.mark.e2e

ALARM = "mettri-schedule"


def worker(context, ext_id):
    return wait_for(lambda: next((w for w in context.service_workers if ext_id in w.url), None), timeout=15,
                    message="the extension's service worker")


def test_the_alarm_rings_at_the_scheduled_time_and_the_message_goes_out_once(routed, core_page):
    context, ext_id = routed
    clock, tab = sending_tab(routed, core_page, "gen=2024&lang=en")
    wa = tab.page
    [chat] = make_contacts(core_page, wa, ["Gilda Alarme"], "85")
    tab.wait_gate_looks(clock)
    sw = worker(context, ext_id)
    rang_before = sw.evaluate("() => mettriSchedule.woke.length")

    now = call(core_page, "debug.clock.advance", {"seconds": 0})["now"]
    text = "Bom dia, Gilda! Sua encomenda está pronta."
    out = call(core_page, "send.request", {"chat": chat, "text": text, "scheduled_at": now + 3600, "origin": "schedule"})
    assert out["state"] == "approved"

    # outbox.changed -> the worker sets its alarm at the core's next scheduled time: this entry's, an
    # hour ahead (or an earlier one another test left), never later.
    next_in = call(core_page, "outbox.alarm", {"wake": False})["next_in"]
    assert 0 < next_in <= 3600

    def alarm_in():
        a = sw.evaluate(f"() => chrome.alarms.get({ALARM!r})")
        return a and (a["scheduledTime"] / 1000 - time.time())

    wait_for(lambda: (a := alarm_in()) and abs(a - next_in) < 60, message="the alarm at the next scheduled time")

    # The dev clock moves to 3 s before the time: the worker sets the alarm 3 s ahead, and it rings.
    clock.advance(3600 - 3 - (call(core_page, "debug.clock.advance", {"seconds": 0})["now"] - now))
    wait_for(lambda: sw.evaluate("() => mettriSchedule.woke.length") > rang_before, timeout=60,
             message="the schedule alarm to ring")

    def sent():
        return [e for e in call(core_page, "outbox.list", {"limit": 50})["entries"] if e["id"] == out["outbox_id"]
                and e["state"] == "sent"]

    drive(tab, clock, sent, timeout=60)
    assert [s["text"] for s in sent_log(wa) if s["text"] == text] == [text]
    tab.close()
