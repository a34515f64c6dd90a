"""Mid-campaign safety on the replica, judged by its own send log: WhatsApp's warning banner
pauses the queue until the user resumes; killing the offscreen document (the core) in the
middle of a send loses and duplicates nothing."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.e2e.sending_support import call, drive, make_contacts, sending_tab, sent_log

pytestmark = pytest.mark.e2e

TEMPLATE = "Oi {{nome}}! A promoção de inverno começa amanhã, com frete grátis para o seu bairro."
PENDING = ("queued", "approved", "sending", "verify")


def start_campaign(core_page, wa, prefix: str, n: int = 8) -> tuple[str, list[str]]:
    names = [f"Freguesa {prefix}-{i}" for i in range(n)]
    chats = make_contacts(core_page, wa, names, prefix)
    spec = {"template": TEMPLATE, "recipients": [{"chat": c, "vars": {"nome": m}} for c, m in zip(chats, names)]}
    campaign = call(core_page, "campaign.create", spec)["campaign"]
    call(core_page, "campaign.approve", {"id": campaign["id"]})
    return campaign["id"], chats


def finished(core_page, campaign_id: str):
    return lambda: not any(call(core_page, "campaign.status", {"id": campaign_id})["campaign"]["counts"].get(s) for s in PENDING)


def exactly_once(wa, chats: list[str]) -> None:
    log = sent_log(wa)
    counts = {c: sum(s["chat"] == c for s in log) for c in chats}
    assert all(n == 1 for n in counts.values()), counts


def test_warning_banner_pauses_until_the_user_resumes(routed, core_page):
    clock, tab = sending_tab(routed, core_page, "gen=2024&lang=pt-BR")
    wa = tab.page
    campaign_id, chats = start_campaign(core_page, wa, "75")
    drive(tab, clock, lambda: len(sent_log(wa)) >= 3, timeout=60)

    wa.evaluate("() => __replica.showWarning()")
    status = wait_for(lambda: (s := call(core_page, "sending.status"))["paused"] and s, message="the pause")
    assert status["pause_reason"] in ("warning_banner", "too_many_messages")
    # Asked after the pause (a job in flight when the banner came has finished by then), the gate
    # hands out nothing; nor as hours pass.
    answer = tab.answer_after(clock)
    assert answer["job"] is None and answer["wait_code"] == "sending_paused", answer
    count = len(sent_log(wa))
    for _ in range(4):
        answer = tab.answer_after(clock, move=3600)
        assert answer["job"] is None and answer["wait_code"] == "sending_paused", answer
    assert len(sent_log(wa)) == count

    # The banner goes away: once the core has taken in what the tab saw after that, the queue is
    # still paused (only the user resumes).
    hidden_at = wa.evaluate("() => { __replica.hideWarning(); return Date.now() / 1000; }")
    wait_for(lambda: (call(core_page, "connection.state")["reported_at"] or 0) >= hidden_at,
             message="the tab to report the page without the banner")
    assert call(core_page, "sending.status")["paused"]
    answer = tab.answer_after(clock)
    assert answer["job"] is None and answer["wait_code"] == "sending_paused", answer
    assert len(sent_log(wa)) == count

    call(core_page, "sending.resume")
    drive(tab, clock, finished(core_page, campaign_id), timeout=90)
    exactly_once(wa, chats)
    tab.close()


def test_killing_the_core_mid_campaign_loses_and_duplicates_nothing(routed, core_page):
    clock, tab = sending_tab(routed, core_page, "gen=2025&lang=en")
    wa = tab.page
    campaign_id, chats = start_campaign(core_page, wa, "76")
    drive(tab, clock, lambda: len(sent_log(wa)) >= 2, timeout=60)
    # Kill the core while the tab is performing a job (its report cannot arrive).
    sw = next(w for w in routed[0].service_workers if w.url.startswith("chrome-extension://"))
    # Run the sped-up clock until the tab is performing a job, then kill the core under it.
    # (The gate's waits are random: a fixed clock step may land on a pacing or bulk wait.)
    drive(tab, clock, lambda: (tab.loop_status() or {}).get("phase") == "sending", timeout=90)
    sw.evaluate("() => chrome.offscreen.closeDocument()")
    assert len(sent_log(wa)) < len(chats)  # killed mid-campaign
    drive(tab, clock, finished(core_page, campaign_id), timeout=150)
    exactly_once(wa, chats)
    states = [e["state"] for e in call(core_page, "outbox.list", {"campaign_id": campaign_id, "limit": 50})["entries"]]
    assert states == ["sent"] * len(chats), states
    tab.close()
