"""The options page: the send gate's settings can be relaxed, never past the hard
ceilings, and the page says so in the user's language."""

from __future__ import annotations

import pytest

from tests import browser

pytestmark = pytest.mark.e2e


def test_relaxing_past_a_ceiling_is_clamped_and_explained(ext, core_page):
    context, ext_id = ext
    page = browser.open_page(context, ext_id, "extension/pages/options/options.html")
    field = page.locator("#setting-per_minute")
    field.wait_for()
    assert field.input_value() == "20"
    assert "Limites recomendados" in page.locator("#sending-settings p").first.inner_text()
    # Each limit shows the hard ceiling it cannot pass, in the page's language.
    hints = page.locator("#sending-settings small").all_inner_texts()
    assert page.locator("#setting-per_minute + small").inner_text() == "máximo permitido: 30"
    assert page.locator("#setting-recipient_cooldown_s + small").inner_text() == "mínimo permitido: 5"
    assert field.get_attribute("max") == "30"
    assert not any("undefined" in h or "null" in h for h in hints), hints
    page.evaluate("() => { const f = document.querySelector('#setting-per_minute'); f.max = ''; f.value = '99'; }")
    page.locator("#sending-settings button[type=submit]").click()
    page.locator("#sending-settings .adjusted li").first.wait_for()
    assert field.input_value() == "30"
    stored = browser.core_call(core_page, "sending.settings.get")["result"]["settings"]
    assert stored["per_minute"] == 30
    page.locator("#sending-settings button[type=button]").click()
    page.wait_for_function("() => document.querySelector('#setting-per_minute').value === '20'")
    assert browser.core_call(core_page, "sending.settings.get")["result"]["at_defaults"] is True
    page.close()


def test_metrics_chart_shows_captured_messages_per_day(routed, core_page):
    from tests.conftest import open_whatsapp, wait_for

    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2025&lang=pt-BR")
    chat = wa.evaluate("() => __replica.chats()[2].id")
    wa.evaluate("id => __replica.openChat(id)", chat)
    wa.evaluate("id => __replica.deliver(id, {text: 'Bom dia, chegou meu pedido?'})", chat)
    wait_for(lambda: browser.core_call(core_page, "metrics.summary", {"days": 14})["result"]["days"][-1]["captured_in"] >= 1,
             message="today's captured count")
    page = browser.open_page(context, ext_id, "extension/pages/options/options.html")
    page.locator("#metrics svg.chart rect").first.wait_for(state="attached")
    titles = page.locator("#metrics svg.chart rect title").evaluate_all("els => els.map(e => e.textContent)")
    assert any("Recebidas" in t and not t.endswith(": 0") for t in titles), titles
    page.close()
    wa.close()
