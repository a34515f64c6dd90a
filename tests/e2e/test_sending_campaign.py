"""A 50-recipient campaign on the replica, judged by the replica's own log of what was sent:
opted-out and unknown recipients are blocked with their reasons; every other recipient gets
exactly one message; at a sped-up clock no window's limit is ever exceeded in core time."""

from __future__ import annotations

import pytest

from tests.e2e.sending_support import DAY, call, drive, make_contacts, sending_tab, sent_log, window_max

pytestmark = pytest.mark.e2e

TEMPLATE = "Olá {{nome}}, sua encomenda de junho já está disponível para retirada na loja."
PENDING = ("queued", "approved", "sending", "verify")


def test_fifty_recipient_campaign_respects_every_limit(routed, core_page):
    clock, tab = sending_tab(routed, core_page, "gen=2025&lang=pt-BR")
    start_offset = clock.offset()
    wa = tab.page
    known = make_contacts(core_page, wa, [f"Cliente {i:02d}" for i in range(42)], "71")
    opted = make_contacts(core_page, wa, [f"Desistente {i}" for i in range(4)], "72", inbound="PARAR")
    unknown = make_contacts(core_page, wa, [f"Novo {i}" for i in range(4)], "73", inbound=None)
    names = {c["id"]: c["name"] for c in wa.evaluate("() => __replica.chats()")}
    recipients = [{"chat": c, "vars": {"nome": names[c]}} for c in known + opted + unknown]
    assert len(recipients) == 50

    spec = {"name": "Encomendas de junho", "template": TEMPLATE, "recipients": recipients}
    plan = call(core_page, "campaign.dry_run", spec)
    by_chat = {p["chat"]: p for p in plan["recipients"]}
    assert plan["counts"]["block"] == 8, plan["counts"]
    for chat in opted:
        assert by_chat[chat]["decision"]["verdict"] == "block"
        assert by_chat[chat]["decision"]["code"] == "opted_out"
        assert "PARAR" not in by_chat[chat]["decision"]["reason_pt"] and by_chat[chat]["decision"]["reason_pt"]
    for chat in unknown:
        assert by_chat[chat]["decision"]["verdict"] == "block"
        assert by_chat[chat]["decision"]["reason_en"] and by_chat[chat]["decision"]["reason_pt"]
    assert all(by_chat[c]["decision"]["verdict"] != "block" for c in known)
    assert by_chat[known[0]]["text"] == TEMPLATE.replace("{{nome}}", "Cliente 00")
    assert plan["estimated_seconds"] > 3600  # 42 near-identical texts at 3 an hour: many hours

    tab.wait_gate_looks(clock)
    campaign = call(core_page, "campaign.create", spec)["campaign"]
    # Nothing before approval: asked after the campaign exists, the gate hands out no job.
    answer = tab.answer_after(clock)
    assert answer["job"] is None and answer["wait_code"] == "idle", answer
    assert sent_log(wa) == []
    call(core_page, "campaign.approve", {"id": campaign["id"]})

    def finished():
        counts = call(core_page, "campaign.status", {"id": campaign["id"]})["campaign"]["counts"]
        return not any(counts.get(s) for s in PENDING)

    drive(tab, clock, finished, timeout=200)
    log = sent_log(wa)
    per_chat = {c: [s for s in log if s["chat"] == c] for c in known + opted + unknown}
    assert all(len(per_chat[c]) == 1 for c in known), {c: len(v) for c, v in per_chat.items() if len(v) != 1}
    assert all(per_chat[c] == [] for c in opted + unknown)
    assert all(per_chat[c][0]["text"] == by_chat[c]["text"] for c in known)

    # The limits, in the core's time (the replica stamps wall-clock ms).
    times = sorted(clock.to_core(s["sent_at"], start_offset) for s in log)
    settings = call(core_page, "sending.settings.get")["settings"]
    status = call(core_page, "sending.status")
    assert window_max(times, 60) <= settings["per_minute"]
    assert window_max(times, 3600) <= min(settings["per_hour"], settings["bulk_per_hour"])
    assert window_max(times, DAY) <= status["day_limit"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 60 / settings["per_minute"]
    print("campaign span (core h):", round((times[-1] - times[0]) / 3600, 1), "min gap s:", round(min(gaps), 1))
    tab.close()
