"""The side panel's "Envios" tab: a campaign from picked chats, the dry run per recipient with
its reason in pt-BR, approval only on the click, progress, and the audit export."""

from __future__ import annotations

import json
import re

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.sending_support import Tab, call, make_contacts

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
