"""Connection states, bounded recovery, tab election and ban signals."""

import random

import pytest

from pycore.connection.election import TabElection
from pycore.connection.machine import ConnectionMachine, RecoveryPolicy
from tests.core.conftest import call

UP = {"logged_in": True}
DOWN = {"logged_in": True, "offline": True}


def report(core, facts, tab="A"):
    reply = call(core, "connection.report", {"tab_id": tab, "observed_at": 0, **facts}, source="content")
    assert reply["ok"], reply
    return reply["result"]


@pytest.mark.parametrize(
    "facts, state, action",
    [
        ({"logged_in": False, "loading": True}, "loading", "none"),
        ({"logged_in": False}, "loading", "none"),
        ({"logged_in": False, "qr": True}, "logged_out", "none"),
        (UP, "connected", "none"),
        ({"logged_in": True, "other_window": True}, "other_window", "idle"),
        (DOWN, "reconnecting", "wait"),
    ],
)
def test_states_from_facts(core, facts, state, action):
    out = report(core, facts)
    assert (out["state"], out["action"]) == (state, action)
    assert out["pt_BR"] and out["en"]


def test_transitions_become_events(core, events):
    report(core, {"logged_in": False, "qr": True})
    report(core, {"logged_in": False, "qr": True})
    report(core, UP)
    changes = [(e["previous"], e["state"]) for e in events.of("connection.changed")]
    assert changes == [("loading", "logged_out"), ("logged_out", "connected")]


def test_backoff_then_one_reload_then_give_up(core, clock, events):
    report(core, UP)
    actions, delays = [], []
    for _ in range(30):
        out = report(core, DOWN)
        actions.append(out["action"])
        if out["action"] in ("wait", "reload") and out["retry_in"]:
            delays.append(out["retry_in"])
        if out["action"] == "give_up":
            break
        clock.advance(out["retry_in"])
    assert actions.count("reload") == 1 and actions[3] == "reload"
    assert actions[-1] == "give_up" and len(actions) == 8
    assert all(b > a for a, b in zip(delays[:5], delays[1:5]))  # exponential while under the cap
    assert max(delays) <= 120 * 1.2
    out = report(core, DOWN)
    assert (out["state"], out["action"], out["gave_up"]) == ("disconnected", "none", True)
    assert "recarregue" in out["pt_BR"]
    assert events.of("connection.changed")[-1]["state"] == "disconnected"


def test_early_reports_wait_the_remaining_time(core, clock):
    first = report(core, DOWN)
    clock.advance(1)
    again = report(core, DOWN)
    assert again["attempt"] == first["attempt"] == 1
    assert again["retry_in"] == pytest.approx(first["retry_in"] - 1)


def test_no_reload_loop_across_episodes():
    m = ConnectionMachine(rng=random.Random(1), policy=RecoveryPolicy(jitter=0))
    now, reloads = 0.0, 0
    for _ in range(5):  # disconnect, reload, page loads, disconnects again ...
        while True:
            st = m.observe("disconnected", now)
            reloads += st.action == "reload"
            if st.action == "reload":
                m.observe("loading", now)
                now += 1
                continue
            if st.action == "give_up" or st.action == "none":
                break
            now += st.retry_in
        m.observe("loading", now)
    assert reloads == 1


def test_reconnect_resets(core, clock):
    report(core, DOWN)
    clock.advance(10)
    report(core, DOWN)
    assert report(core, UP)["attempt"] == 0
    assert report(core, DOWN)["attempt"] == 1


def test_policy_delays_are_bounded_and_jittered():
    p = RecoveryPolicy()
    rng = random.Random(3)
    for attempt in range(1, 12):
        d = p.delay(attempt, rng)
        raw = min(p.cap, p.base * p.factor ** (attempt - 1))
        assert raw * 0.8 <= d <= raw * 1.2


def test_tab_election_and_hand_over(core, events):
    assert call(core, "tabs.hello", {"tab_id": "A"}, source="content")["result"]["role"] == "active"
    assert call(core, "tabs.hello", {"tab_id": "B"}, source="content")["result"]["role"] == "idle"
    assert call(core, "tabs.hello", {"tab_id": "C"}, source="content")["result"]["role"] == "idle"
    assert events.of("tabs.role") == [{"tab_id": "B", "role": "idle"}, {"tab_id": "C", "role": "idle"}]
    assert report(core, DOWN, tab="B")["action"] == "idle"  # idle tabs do not move the state
    assert report(core, UP, tab="A")["state"] == "connected"
    out = call(core, "tabs.bye", {"tab_id": "A"}, source="content")["result"]
    assert out == {"active": "B", "tabs": ["B", "C"]}
    assert events.of("tabs.role")[-1] == {"tab_id": "B", "role": "active"}
    assert call(core, "tabs.bye", {"tab_id": "C"}, source="content")["result"]["active"] == "B"
    assert len(events.of("tabs.role")) == 3  # closing an idle tab promotes nobody


def test_silent_active_tab_is_replaced():
    e = TabElection()
    assert e.hello("A", 0) == ("active", None)
    assert e.hello("B", 10) == ("idle", None)
    assert e.hello("B", 200) == ("active", "B")  # A silent for 200 s: B takes over, and says so
    assert e.tabs == ["B"]
    assert e.hello("A", 201) == ("idle", None)


def test_a_tab_taking_over_through_its_own_report_is_told(core, clock, events):
    """Issue 11: the tab that found the active one silent was promoted but never told."""
    call(core, "tabs.hello", {"tab_id": "A"}, source="content")
    call(core, "tabs.hello", {"tab_id": "B"}, source="content")
    clock.advance(200)
    assert report(core, UP, tab="B")["state"] == "connected"
    assert events.of("tabs.role")[-1] == {"tab_id": "B", "role": "active"}


def test_a_late_bye_of_a_reloaded_page_never_removes_the_new_page(core, events):
    call(core, "tabs.hello", {"tab_id": "A", "doc": "page2"}, source="content")  # the reloaded page said hello first
    call(core, "tabs.hello", {"tab_id": "B", "doc": "b1"}, source="content")
    late = call(core, "tabs.bye", {"tab_id": "A", "doc": "page1"}, source="content")["result"]
    assert late == {"active": "A", "tabs": ["A", "B"]}
    # The page the tab shows now is gone (its renderer crashed): the other tab takes over at once.
    assert call(core, "tabs.bye", {"tab_id": "A", "doc": "page2"}, source="content")["result"]["active"] == "B"
    assert events.of("tabs.role")[-1] == {"tab_id": "B", "role": "active"}


def test_ban_signal_event(core, clock, events, storage):
    import asyncio

    banner = "You're sending too many messages. Wait before sending more."
    report(core, {**UP, "banners": ["Chats", banner]})
    report(core, {**UP, "banners": [banner]})  # same warning again: not repeated
    [sig] = events.of("connection.ban_signal")
    assert sig["code"] == "too_many_messages" and sig["text"] == banner and "pausados" in sig["pt_BR"]
    assert asyncio.run(storage.get("meta", "connection.ban_signal"))["value"]["code"] == "too_many_messages"
    clock.advance(601)
    report(core, {**UP, "banners": ["Você está enviando muitas mensagens"]})
    report(core, {**UP, "banners": ["Esta conta foi banida do WhatsApp"]})
    assert [s["code"] for s in events.of("connection.ban_signal")] == ["too_many_messages", "too_many_messages", "banned"]


def test_connection_state_reports_the_machine_and_the_election(core):
    from tests.core.conftest import call

    call(core, "tabs.hello", {"tab_id": "7"}, source="content")
    call(core, "tabs.hello", {"tab_id": "9"}, source="content")
    assert call(core, "connection.state")["result"]["reported_at"] is None  # nothing reported yet
    r = call(core, "connection.report", {"tab_id": "7", "logged_in": True, "observed_at": 1.0}, source="content")
    assert r["ok"], r
    now = call(core, "connection.state")["result"]
    assert now["status"]["state"] == "connected"
    assert now["tabs"] == {"active": "7", "tabs": ["7", "9"]}
    assert now["reported_at"] == 1.0  # what the active tab saw at 1.0 is taken into account
    # An idle tab's report is not the page the core follows.
    call(core, "connection.report", {"tab_id": "9", "logged_in": True, "observed_at": 2.0}, source="content")
    assert call(core, "connection.state")["result"]["reported_at"] == 1.0
