"""What the core sees of the page: connection states, the "sending too much" warning,
the multi-tab hand-over, and a broken selector set driving the self-test into safe mode."""

from __future__ import annotations

import pytest

from tests import browser
from tests.conftest import open_whatsapp, wait_for
from tests.e2e.reading import call, events, open_active, record_events

pytestmark = pytest.mark.e2e

STATES = [("disconnected", "reconnecting"), ("unpaired", "logged_out"), ("conflict", "other_window"),
          ("loading", "loading"), ("connected", "connected")]


def state(core_page) -> dict:
    return call(core_page, "connection.state")


@pytest.mark.parametrize("gen,lang", [("2024", "pt-BR"), ("2026", "en")])
def test_connection_states_and_ban_warning(routed, core_page, gen, lang):
    context, _ = routed
    record_events(core_page)
    wa, _ = open_active(context, f"gen={gen}&lang={lang}")
    wait_for(lambda: state(core_page)["status"]["state"] == "connected", message="connected")
    for replica_state, core_state in STATES:
        wa.evaluate("s => __replica.setConnection(s)", replica_state)
        wait_for(lambda: state(core_page)["status"]["state"] == core_state, timeout=15,
                 message=f"{replica_state} -> {core_state}")
    changed = [e["state"] for e in events(core_page, "connection.changed")]
    for _, core_state in STATES:
        assert core_state in changed
    wa.close()


def test_sending_too_much_warning_is_a_ban_signal(routed, core_page):
    """The core repeats a signal at most every 10 minutes, so one locale is checked here (pt-BR)."""
    context, _ = routed
    record_events(core_page)
    wa, _ = open_active(context, "gen=2025&lang=pt-BR")
    before = len(events(core_page, "connection.ban_signal"))
    wa.evaluate("() => __replica.showWarning()")
    signal = wait_for(lambda: events(core_page, "connection.ban_signal")[before:], timeout=15, message="ban signal")
    assert signal[0]["code"] == "too_many_messages"
    wa.evaluate("() => __replica.hideWarning()")
    wa.close()


def test_second_tab_idles_and_takes_over_when_the_first_closes(routed, core_page):
    context, _ = routed
    record_events(core_page)
    first, w1 = open_active(context, "gen=2025&lang=en")
    second = open_whatsapp(context, "gen=2025&lang=en")
    w2 = browser.content_script_world(second)
    wait_for(lambda: w2.evaluate("globalThis.MettriContent && MettriContent.role") == "idle", timeout=60,
             message="the second tab to idle")
    tab1, tab2 = w1.evaluate("MettriContent.tabId"), w2.evaluate("MettriContent.tabId")
    assert state(core_page)["tabs"]["active"] == tab1
    assert w2.evaluate("MettriContent.capture") is None  # an idle tab does not capture
    first.close()
    wait_for(lambda: w2.evaluate("MettriContent.role") == "active", timeout=30, message="the hand-over")
    assert state(core_page)["tabs"]["active"] == tab2
    assert {"tab_id": tab2, "role": "active"} in events(core_page, "tabs.role")
    second.close()


def test_broken_selectors_drive_the_self_test_into_safe_mode(routed, core_page):
    context, _ = routed
    wa, _ = open_active(context, "gen=2026&lang=pt-BR")
    wa.evaluate("() => __replica.openChat(__replica.chats()[0].id)")
    healthy = wait_for(lambda: (o := call(core_page, "selftest.last")["outcome"]) and o["read_ok"] and o, timeout=30,
                       message="a healthy self-test with a chat open")
    assert healthy["safe_mode"] is False and healthy["generation"] == "2026"
    wa.close()

    table = call(core_page, "selectors.get")
    for feature in ("message_row", "composer", "send_button"):
        table["features"][feature]["candidates"] = [{"css": "#mettri-not-there", "gens": ["2024", "2025", "2026"]}]
    assert call(core_page, "selectors.override", {"table": table})["active"] is True
    try:
        wa, world = open_active(context, "gen=2026&lang=pt-BR")
        assert world.evaluate("MettriContent.selectors.features.composer.candidates[0].css") == "#mettri-not-there"
        wa.evaluate("() => __replica.openChat(__replica.chats()[0].id)")
        outcome = wait_for(lambda: (o := call(core_page, "selftest.last")["outcome"])
                           and o["at"] > healthy["at"] and o["features"]["conversation_panel"] == "ok" and o,
                           timeout=30,
                           message="the self-test with a chat open")
        assert outcome["safe_mode"] is True and outcome["read_ok"] is False and outcome["send_ok"] is False
        assert {r["feature"] for r in outcome["reasons"]} >= {"composer", "send_button", "message_row"}
        wa.close()
    finally:
        call(core_page, "selectors.override", {"table": None})


# Tasks back to back for `ms` (a MessageChannel's messages are not throttled like nested timers): the
# page is never idle meanwhile. Sets __busyEnd when done; returns when it began.
BUSY = """(ms) => { const end = performance.now() + ms; const ch = new MessageChannel(); window.__busyEnd = null;
    ch.port1.onmessage = () => { const t = performance.now(); while (performance.now() - t < 4) {}
        if (performance.now() < end) ch.port2.postMessage(0); else window.__busyEnd = performance.now(); };
    ch.port2.postMessage(0); return performance.now(); }"""


def test_self_test_probe_waits_until_the_page_is_idle(routed, core_page):
    """A chat opened while WhatsApp is busy makes a probe due at the next connection poll; the probe
    runs once the page is idle, and its report reaches the core."""
    context, _ = routed
    wa, world = open_active(context, "gen=2025&lang=pt-BR")
    wait_for(lambda: call(core_page, "selftest.last")["outcome"] and not world.evaluate("MettriContent.probeQueued"),
             timeout=30, message="the first probe")
    # When each probe and each connection poll began, by the page's clock (both worlds share it).
    world.evaluate("""(() => { globalThis.__probes = []; globalThis.__polls = [];
        const probe = MettriReadDom.probe, facts = MettriReadDom.readConnection;
        MettriReadDom.probe = function (...a) { __probes.push(performance.now()); return probe.apply(this, a); };
        MettriReadDom.readConnection = function (...a) { __polls.push(performance.now()); return facts.apply(this, a); }; })()""")
    began = wa.evaluate(BUSY, 2500)
    opened = wa.evaluate("""() => { __replica.createChat({id: '5511900000321@c.us', name: 'Ocupada'});
        __replica.openChat('5511900000321@c.us'); return performance.now(); }""")
    busy_end = wait_for(lambda: wa.evaluate("() => window.__busyEnd"), timeout=15, message="the busy stretch to end")
    ran = wait_for(lambda: [t for t in world.evaluate("__probes") if t >= busy_end][:1], timeout=15,
                   message="the probe after it")[0]
    polls = [t for t in world.evaluate("__polls") if opened < t < busy_end]
    assert polls, "no connection poll while the page was busy: the probe was not due then"
    early = [t - began for t in world.evaluate("__probes") if began <= t < busy_end]
    assert not early, f"probes ran while the page was busy (ms after it began): {early}"
    assert ran >= busy_end
    outcome = wait_for(lambda: (o := call(core_page, "selftest.last")["outcome"]) and o["features"]["composer"] == "ok" and o,
                       timeout=15, message="the chat's probe reported")
    assert not outcome["safe_mode"]
    wa.close()
