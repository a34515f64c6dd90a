"""The worker's alarm for scheduled messages (outbox.alarm): it rings at the next scheduled entry's
time by the core's clock, never for entries already due (those are the tab's loop's: an alarm for
them would ring every second while limits or a missing tab hold them), and when it rings with
entries due the core tells the tabs' send loops to ask now (outbox.due)."""

from tests.core.conftest import call
from tests.core.fake_tab import gcore, truth  # noqa: F401 - fixtures


def alarm(core, wake=False):
    reply = call(core, "outbox.alarm", {"wake": wake})
    assert reply["ok"], reply
    return reply["result"]


def schedule(core, at, chat="a@c.us", text="Lembrete: sua encomenda fica pronta hoje"):
    reply = call(core, "send.request", {"chat": chat, "text": text, "scheduled_at": at, "origin": "schedule"})
    assert reply["ok"], reply
    return reply["result"]["outbox_id"]


def test_the_alarm_goes_at_the_next_scheduled_time_and_wakes_the_tabs_when_it_rings(gcore, clock, events):
    assert alarm(gcore) == {"next_in": None, "due": 0}
    later = schedule(gcore, clock.now() + 7200, chat="b@c.us")
    assert alarm(gcore) == {"next_in": 7200, "due": 0}
    first = schedule(gcore, clock.now() + 3600)
    assert alarm(gcore)["next_in"] == 3600  # the earliest
    clock.advance(3600)
    assert alarm(gcore) == {"next_in": 3600, "due": 1}  # the due one is the loop's; the alarm is for the next
    assert events.of("outbox.due") == []  # only a ringing alarm wakes the tabs
    assert alarm(gcore, wake=True)["due"] == 1
    assert events.of("outbox.due") == [{"count": 1}]
    assert call(gcore, "outbox.cancel", {"id": later})["ok"]
    assert alarm(gcore) == {"next_in": None, "due": 1}
    # Nothing due: a ring says nothing to the tabs.
    assert call(gcore, "outbox.cancel", {"id": first})["ok"]
    assert alarm(gcore, wake=True) == {"next_in": None, "due": 0}
    assert events.of("outbox.due") == [{"count": 1}]
