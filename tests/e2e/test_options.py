"""The options page: the send gate's settings can be relaxed, never past the hard
ceilings, and the page says so in the user's language."""

from __future__ import annotations

import re

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
    def captured_in() -> int:
        # Summed over the chart's days: other tests in this browser may have moved the core's clock
        # (its "today") past the day the page stamps on a new message.
        return sum(d["captured_in"] for d in browser.core_call(core_page, "metrics.summary", {"days": 14})["result"]["days"])

    before = captured_in()
    wa.evaluate("id => __replica.deliver(id, {text: 'Bom dia, chegou meu pedido?'})", chat)
    wait_for(lambda: captured_in() > before, message="the captured count to grow")
    page = browser.open_page(context, ext_id, "extension/pages/options/options.html")
    page.locator("#metrics svg.chart rect").first.wait_for(state="attached")
    titles = page.locator("#metrics svg.chart rect title").evaluate_all("els => els.map(e => e.textContent)")
    assert any("Recebidas" in t and not t.endswith(": 0") for t in titles), titles
    # The axis: 0 and even round steps up to at least the highest bar (it read 0, 2, 3 for 3 messages).
    ticks = [int(t.replace(".", "")) for t in page.locator('#metrics svg.chart text[text-anchor="end"]').all_text_contents()]
    highest = max(int(t.rsplit(": ", 1)[1].replace(".", "")) for t in titles)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks == list(range(0, ticks[-1] + 1, step)) and ticks[-1] >= highest, (ticks, highest)
    assert str(step).lstrip("0")[0] in "125" and set(str(step)[1:]) <= {"0"}, step
    page.close()
    wa.close()


def is_pt(page) -> bool:
    return page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")


def test_optout_list_add_history_and_take_off(ext, core_page):
    """The user adds someone who asked in person; the gate then blocks every message to them; the
    history says who recorded what; taking them off lets messages through again."""
    from tests.conftest import wait_for
    from tests.e2e.a11y import serious_violations
    from tests.history_import import known_chats

    context, ext_id = ext
    jid, other = "5511955520001@c.us", "5511955520002@c.us"
    known_chats(core_page, {jid: "Dona <b>Zilá</b>", other: "Padaria Central"})
    page = browser.open_page(context, ext_id, "extension/pages/options/options.html")
    pt = is_pt(page)
    page.locator(f'#optout-chat option[value="{jid}"]').wait_for(state="attached")
    assert page.locator(f'#optout-chat option[value="{jid}"]').inner_text() == "Dona <b>Zilá</b>"

    # Nothing chosen: said in words, nothing recorded.
    page.locator("#optout-add-button").click()
    message = page.locator("#optout-message")
    wait_for(lambda: message.inner_text(), message="the hint")
    assert message.get_attribute("role") == "alert"
    assert message.inner_text() == ("Escolha um contato antes de incluir." if pt else "Choose a contact before adding.")

    page.locator("#optout-chat").select_option(jid)
    page.locator("#optout-note").fill("pediu no balcão <script>x</script>")
    page.locator("#optout-add-button").click()
    item = page.locator(f'#optout-list li[data-chat="{jid}"]')
    item.wait_for()
    assert item.locator(".title").inner_text() == "Dona <b>Zilá</b>" and item.locator("b").count() == 0
    assert "Dona <b>Zilá</b>" in message.inner_text() and message.get_attribute("role") == "status"
    assert [r["chat"] for r in browser.core_call(core_page, "optout.list")["result"]["records"]] == [jid]
    decision = browser.core_call(core_page, "send.request", {"chat": jid, "text": "Promoção!"})["result"]["decision"]
    assert (decision["verdict"], decision["code"]) == ("block", "opted_out")

    item.locator(".optout-history-toggle").click()
    event = item.locator(".history li")
    event.first.wait_for()
    assert event.count() == 1 and event.get_attribute("data-kind") == "opt_out" and event.get_attribute("data-source") == "user"
    assert event.locator("q").inner_text() == "pediu no balcão <script>x</script>" and item.locator("script").count() == 0
    assert ("registrado por você" if pt else "recorded by you") in event.inner_text()
    assert item.locator(".optout-history-toggle").get_attribute("aria-expanded") == "true"
    assert serious_violations(page) == []
    assert not re.search(r"\b(null|undefined|NaN)\b", page.locator("#optouts").inner_text())

    item.locator(".optout-remove").click()
    wait_for(lambda: page.locator(f'#optout-list li[data-chat="{jid}"]').count() == 0, message="the row to go")
    assert browser.core_call(core_page, "optout.list")["result"]["records"] == []
    history = browser.core_call(core_page, "optout.history", {"chat": jid})["result"]["events"]
    assert [(e["kind"], e["source"]) for e in history] == [("opt_out", "user"), ("opt_in", "user")]
    decision = browser.core_call(core_page, "send.request", {"chat": jid, "text": "Oi, seu pedido chegou"})["result"]["decision"]
    assert decision["verdict"] != "block"
    assert page.locator("#optout-list").inner_text() == ("Ninguém pediu para não receber mensagens." if pt
                                                         else "Nobody has asked not to receive messages.")
    for entry in browser.core_call(core_page, "outbox.list", {"limit": 50})["result"]["entries"]:
        if entry["chat"] == jid and entry["state"] in ("queued", "approved"):
            browser.core_call(core_page, "outbox.cancel", {"id": entry["id"]})  # nothing of this test is sent later
    page.close()


def test_search_index_status_and_rebuild(ext, core_page):
    from tests.conftest import wait_for
    from tests.e2e.a11y import serious_violations
    from tests.history_import import known_chats

    context, ext_id = ext
    known_chats(core_page, {"5511955530001@c.us": "Índice Teste"}, text="goiabada cascão para o índice")
    wait_for(lambda: browser.core_call(core_page, "search.status")["result"]["pending"] == 0, message="indexed")
    status = browser.core_call(core_page, "search.status")["result"]
    page = browser.open_page(context, ext_id, "extension/pages/options/options.html")
    pt = is_pt(page)
    indexed = page.locator("#search-indexed")
    indexed.wait_for()
    lang = page.evaluate("() => document.documentElement.lang")
    shown = page.evaluate("([n, lang]) => new Intl.NumberFormat(lang).format(n)", [status["indexed"], lang])
    assert indexed.inner_text() == shown and status["indexed"] >= 1
    assert page.locator("#search-pending").inner_text() == "0"

    page.locator("#search-rebuild").click()
    done = page.locator("#search-rebuild-message")
    wait_for(lambda: re.search(r"\d", done.inner_text()) and page.locator("#search-rebuild").is_enabled(), timeout=60,
             message="the rebuild to finish")
    after = browser.core_call(core_page, "search.status")["result"]
    assert after["rebuild_reason"] is None and after["snapshot"] is not None
    count = page.evaluate("([n, lang]) => new Intl.NumberFormat(lang).format(n)", [after["indexed"], lang])
    assert done.inner_text().startswith(f"Índice reconstruído: {count} mensagens" if pt else f"Index rebuilt: {count} messages")
    assert page.locator("#search-rebuild-progress").is_hidden()
    hits = browser.core_call(core_page, "search.messages", {"q": "goiabada cascao"})["result"]["hits"]
    assert [h["chat"] for h in hits] == ["5511955530001@c.us"]  # the rebuilt index answers
    assert not re.search(r"\b(null|undefined|NaN)\b", page.locator("#search-index").inner_text())
    assert serious_violations(page) == []
    page.close()


def test_local_storage_is_listed_by_names_people_know(ext, core_page):
    """The options page lists what is stored by names a user recognises; the stores that only
    serve Mettri are counted together, never shown by their internal names."""
    from tests import browser
    from tests.e2e.a11y import assert_readable

    context, ext_id = ext
    page = browser.open_page(context, ext_id, "extension/pages/options/options.html")
    page.locator("#status dt", has_text="Mensagens").wait_for()
    listed = page.locator("#status").inner_text()
    stores = browser.core_call(core_page, "core.status")["result"]["counts"]
    assert not [name for name in stores if re.search(rf"\b{name}\b", listed)], listed  # ("consentimento" is a word)
    internal = sum(n for name, n in stores.items() if name in ("meta", "aliases", "capture_state", "search_snapshot",
                                                                 "sends", "ratelimit", "crm_defs", "crm_activity"))
    assert page.locator("#status dt", has_text="Dados internos do Mettri").count() == 1
    assert f"{internal:,}".replace(",", ".") in listed or str(internal) in listed
    assert_readable(page)
    # Opened in a narrow window (beside WhatsApp, 360-400 px), every section is drawn in one column:
    # nothing is wider than the window.
    for section in ("#metrics svg.chart", "#sending-settings input", "#model input", "#search-index dl"):
        page.locator(section).first.wait_for(state="attached")
    # 360 px too: there the storage list's longest name took its whole row and the core's version
    # beside it ran 13 px off the side.
    for width in (400, 360):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, width
    page.close()


# Counts the page's requests to the core by command, as sent and as answered: the page's scripts
# reach the core through the global MettriCore, which this puts a counting wrapper around when it
# is defined (run before them).
COUNT_REQUESTS = """(() => {
    const sent = {}, answered = {};
    const add = (tally, type) => { tally[type] = (tally[type] || 0) + 1; };
    let wrapped;
    Object.defineProperty(globalThis, "MettriCore", { configurable: true, get: () => wrapped, set(core) {
        const counted = (fn) => (type, ...rest) => {
            add(sent, type);
            return fn(type, ...rest).finally(() => add(answered, type));
        };
        wrapped = { ...core, request: counted(core.request), call: counted(core.call) };
    } });
    globalThis.__requests = { sent, answered };
})()"""


def test_the_views_are_mounted_once_when_the_core_says_ready_again(ext, core_page):
    """A page that hears "ready" (opened while the core starts, or across a restart) draws its status
    again but keeps its views: each asked the core for its data a second time and kept a second
    listener to the core's events from then on."""
    context, ext_id = ext
    page = context.new_page()
    page.add_init_script(COUNT_REQUESTS)
    page.goto(f"chrome-extension://{ext_id}/extension/pages/options/options.html")
    page.locator("#search-index dl").wait_for(state="attached")  # the last view mounted
    assert page.evaluate("() => __requests.sent['metrics.summary']") == 1
    statuses = page.evaluate("() => __requests.answered['core.status']")
    page.locator("#restart").click()
    # The button's status, then the one the page draws when it hears the new core's "ready": both
    # answered, so the page has gone on from the second (a mount would ask for the metrics at once).
    page.wait_for_function("n => (__requests.answered['core.status'] || 0) >= n + 2", arg=statuses, timeout=120_000)
    assert page.evaluate("() => __requests.sent['metrics.summary']") == 1
    assert page.locator("#core-state").inner_text() != ""
    browser.wait_core_ready(core_page)
    page.close()
