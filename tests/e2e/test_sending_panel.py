"""The side panel's "Envios" tab: a campaign from picked chats, the dry run per recipient with
its reason in pt-BR, approval only on the click, progress, and the audit export."""

from __future__ import annotations

import json
import re

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.sending_support import Tab, call, make_contacts
from tests.history_import import known_chats

pytestmark = pytest.mark.e2e


def test_campaign_form_dry_run_reasons_approve_and_export(routed, core_page):
    context, ext_id = routed
    tab = Tab(context, "gen=2025&lang=pt-BR")
    wa = tab.page
    known = make_contacts(core_page, wa, ["Ana <b>Souza</b>", "Bruno Lima"], "77")
    [opted] = make_contacts(core_page, wa, ["Carla Parou"], "78", inbound="PARAR")
    wait_for(lambda: any(r["chat"] == opted for r in call(core_page, "optout.list")["records"]), message="opt-out")

    panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
    pt = panel.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")  # the UI language
    panel.locator('.tabs [data-view="sending"]').click()
    panel.locator("#campaign-template").wait_for()
    panel.locator("#sending-state").wait_for()
    # Not paused: no pause line, and no bare "null" where it would have been.
    assert panel.locator("#pause-reason").count() == 0
    assert not re.search(r"\b(null|undefined|NaN)\b", panel.locator("#sending-status").inner_text())
    for chat in known + [opted]:
        panel.locator(f'#campaign-recipients input[value="{chat}"]').check()
    # A chat title from WhatsApp is text, never HTML.
    assert panel.locator("#campaign-recipients b").count() == 0
    panel.locator("#campaign-template").fill("Olá {{nome}}, chegaram as novidades da semana na nossa loja!")
    panel.locator("#campaign-dry-run").click()
    table = panel.locator("#campaign-plan")
    table.wait_for()
    blocked = table.locator(f'tr[data-chat="{opted}"]')
    assert blocked.get_attribute("data-verdict") == "block"
    assert ("bloqueado" if pt else "blocked") in blocked.inner_text()
    reason = call(core_page, "campaign.dry_run", {"template": "x {{nome}}", "recipients": [{"chat": opted, "vars": {"nome": "C"}}]})
    assert reason["recipients"][0]["decision"]["reason_pt" if pt else "reason_en"] in blocked.inner_text()
    assert table.locator(f'tr[data-chat="{known[0]}"]').get_attribute("data-verdict") != "block"
    assert panel.locator("#campaign-summary").inner_text().endswith("1 bloqueados" if pt else "1 blocked")
    assert ("Risco" if pt else "Risk") in panel.locator("#campaign-risk").inner_text()

    before = {c["id"] for c in call(core_page, "campaign.list")["campaigns"]}
    assert not any(c["state"] == "running" for c in call(core_page, "campaign.list")["campaigns"] if c["id"] not in before)
    panel.locator("#campaign-approve").click()
    panel.locator("#campaign-state").wait_for()
    new = [c for c in call(core_page, "campaign.list")["campaigns"] if c["id"] not in before]
    assert len(new) == 1 and new[0]["state"] in ("running", "done")
    assert panel.locator("#campaign-progress svg.chart").count() == 1
    call(core_page, "campaign.cancel", {"id": new[0]["id"]})  # the other tests judge their own sends
    # The progress is drawn again without its controls once the campaign no longer runs.
    panel.locator("#campaign-cancel").wait_for(state="detached")
    assert not re.search(r"\b(null|undefined|NaN)\b", panel.locator("#campaign-progress").inner_text())

    with panel.expect_download() as dl:
        panel.locator("#audit-json").click()
    records = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert any(r.get("action", "").startswith("optout") for r in records)
    panel.close()
    tab.close()


def test_outbox_approve_and_cancel_from_the_panel(routed, core_page):
    context, ext_id = routed
    chats = {"5511966610001@c.us": "Dona <i>Célia</i>", "5511966610002@c.us": "Seu Jorge", "5511966610003@c.us": "Tia Lu"}
    known_chats(core_page, chats)
    call(core_page, "sending.pause", {"reason": "user"})  # nothing leaves while the user decides
    a, b, c = (call(core_page, "send.request", {"chat": jid, "text": f"Olá! Recado {i}", "needs_approval": True})["outbox_id"]
               for i, jid in enumerate(chats))

    panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
    pt = panel.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    panel.locator('.tabs [data-view="sending"]').click()
    row = {i: panel.locator(f'#outbox-list li[data-id="{i}"]') for i in (a, b, c)}
    row[a].wait_for()
    # The chat's name as WhatsApp shows it, as text; no key, no HTML.
    assert row[a].locator(".title").inner_text() == "Dona <i>Célia</i>" and row[a].locator("i").count() == 0
    assert row[a].get_attribute("data-state") == "queued"
    assert row[a].locator("button").all_inner_texts() == (["Aprovar envio", "Cancelar"] if pt else ["Approve", "Cancel"])

    def state(entry_id):
        return next(e["state"] for e in call(core_page, "outbox.list", {"limit": 50})["entries"] if e["id"] == entry_id)

    row[a].locator("button.outbox-approve").click()
    wait_for(lambda: row[a].get_attribute("data-state") == "approved", message="the approved row")
    assert state(a) == "approved"
    assert row[a].locator("button").all_inner_texts() == (["Cancelar"] if pt else ["Cancel"])  # approved: cancel only
    row[a].locator("button.outbox-cancel").click()
    wait_for(lambda: row[a].get_attribute("data-state") == "cancelled", message="the cancelled row")
    assert state(a) == "cancelled" and row[a].locator("button").count() == 0

    row[b].locator("button.outbox-cancel").click()
    wait_for(lambda: row[b].get_attribute("data-state") == "cancelled", message="the second cancelled row")
    assert state(b) == "cancelled"

    # A click on a row that changed meanwhile (cancelled elsewhere just before the list was redrawn):
    # the core refuses, and the panel says so in words, in its language.
    panel.evaluate("id => { window.__stale = document.querySelector(`#outbox-list li[data-id='${id}'] button.outbox-approve`); }", c)
    call(core_page, "outbox.cancel", {"id": c})
    wait_for(lambda: row[c].get_attribute("data-state") == "cancelled", message="the third row to show cancelled")
    panel.evaluate("() => window.__stale.click()")
    alert = panel.locator("#outbox-message")
    wait_for(lambda: alert.inner_text(), message="the refusal to be said")
    assert alert.get_attribute("role") == "alert"
    assert alert.inner_text() == ("Isto mudou enquanto você olhava (por exemplo, a mensagem já está sendo enviada). A lista foi atualizada."
                                  if pt else "This changed while you were looking (for example, the message is already being sent). "
                                  "The list was updated.")
    assert state(c) == "cancelled"  # the stale click changed nothing

    assert not re.search(r"\b(null|undefined|NaN)\b", panel.locator("#outbox-list").inner_text())
    assert serious_violations(panel) == []
    panel.close()


def test_the_limits_are_written_in_the_page_language(routed, core_page):
    # A daily limit past 999 (the user may raise it to 1,500 with the warm-up off) is grouped as the
    # page's language writes numbers: "1.200" in pt-BR, "1,200" in English, not a bare "1200".
    context, ext_id = routed
    before = call(core_page, "sending.settings.get")["settings"]
    call(core_page, "sending.settings.set", {"values": {"per_day": 1200, "warmup": False}})
    try:
        panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
        pt = panel.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
        panel.locator('.tabs [data-view="sending"]').click()
        panel.locator("#sending-state").wait_for()
        status = panel.locator("#sending-status").inner_text()
        day = call(core_page, "sending.status")["stats"]
        used = next(w["used"] for s in day if s["kind"] == "message" for w in s["windows"] if w["name"] == "day")
        assert ("por dia: " if pt else "per day: ") + f"{used}/" + ("1.200" if pt else "1,200") in status, status
        panel.close()
    finally:
        call(core_page, "sending.settings.set", {"values": {"per_day": before["per_day"], "warmup": before["warmup"]}})
