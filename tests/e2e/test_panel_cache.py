"""The side panel is useful before the core is: after the core went away (a browser start, a crash),
a new panel paints the last known chat list at once, says it is updating, and then shows the
core's list. The list is kept by the worker from the core's own answers."""

from __future__ import annotations

import re

import pytest

from tests import browser
from tests.e2e.a11y import assert_accessible
from tests.conftest import open_whatsapp, wait_for

pytestmark = pytest.mark.e2e

PANEL = "extension/pages/sidepanel/sidepanel.html"
CACHED = "() => chrome.storage.local.get('mettri.panelCache').then(r => r['mettri.panelCache'] || null)"


def test_a_new_panel_paints_the_last_known_chats_while_the_core_starts(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2025&lang=pt-BR")
    chat = wa.evaluate("() => __replica.chats()[5].id")
    wa.evaluate("id => __replica.openChat(id)", chat)
    wa.evaluate("id => __replica.deliver(id, {text: 'Vocês abrem no feriado?'})", chat)
    # The worker keeps the list from the core's answers after captures: wait until it holds this chat.
    cache = wait_for(lambda: (c := core_page.evaluate(CACHED)) and any(x["key"] == chat for x in c["chats"]) and c,
                     message="the panel cache to hold the captured chat")
    title = next(x["title"] for x in cache["chats"] if x["key"] == chat)
    wa.close()  # nothing asks the core meanwhile

    sw = next(w for w in context.service_workers if w.url.startswith("chrome-extension://"))
    closed_at = core_page.evaluate("() => Date.now()")
    sw.evaluate("() => chrome.offscreen.closeDocument()")  # the core is gone, as after a browser start
    panel = browser.open_page(context, ext_id, PANEL)
    panel.set_viewport_size({"width": 380, "height": 900})
    # Painted from the cache before the core was even asked to start (first-paint.js, without waiting
    # for the rest of the panel's modules), with the line saying it is being updated, in Portuguese.
    panel.wait_for_function("() => Number(document.body.dataset.cachedPainted) > 0")
    assert int(panel.evaluate("() => document.body.dataset.cachedPainted")) == len(cache["chats"])
    assert panel.evaluate("() => document.getElementById('chats-updating').textContent") == "Lista salva da última vez — atualizando…"
    # Then the core answers: the same chat, drawn from the core, and the "updating" line is gone.
    panel.wait_for_function("() => !document.querySelector('#chat-list').dataset.cached", timeout=120_000)
    row = panel.locator(f'#chat-list li[data-chat="{chat}"]')
    assert title in row.inner_text()
    assert panel.locator("#chats-updating").is_hidden()
    # The start's stages it showed meanwhile, each with its time as pt-BR writes it (1,5 s, not 1.5 s).
    stages = panel.evaluate("() => [...document.querySelectorAll('#boot-stages li.done')].map(li => li.textContent)")
    assert stages and all(re.search(r" \(\d+,\d s\)$", s) for s in stages), stages
    panel.close()
    # The worker writes the cache again a few seconds after the core is back (core.boot ready): wait
    # for that write, so it cannot land in the middle of the next test's damaged cache.
    wait_for(lambda: (c := core_page.evaluate(CACHED)) and c.get("at", 0) > closed_at, timeout=15,
             message="the worker's cache write after the restart")


def test_a_damaged_or_older_cache_is_left_alone(routed, core_page):
    context, ext_id = routed
    for bad in ({"v": 1, "chats": [{"key": 5}]}, {"v": 0, "chats": []}, "not an object"):
        core_page.evaluate("v => chrome.storage.local.set({'mettri.panelCache': v})", bad)
        panel = browser.open_page(context, ext_id, PANEL)
        panel.wait_for_function("() => !document.querySelector('#chat-list').dataset.cached && "
                                "document.querySelector('#core-state').textContent !== ''")
        panel.wait_for_function("() => document.querySelectorAll('#chat-list li').length > 0 || !document.querySelector('#no-chats').hidden")
        assert panel.evaluate("() => document.body.dataset.cachedPainted") is None
        panel.close()


CARD = "() => chrome.storage.local.get('mettri.panelCard').then(r => r['mettri.panelCard'] || null)"
SEEN_CACHED = """new MutationObserver((_, obs) => {
    if (!document.body?.dataset.cachedCard) return;
    obs.disconnect();
    const q = (s) => document.querySelector(s);
    window.__seenCached = {key: document.body.dataset.cachedCard, name: q('#crm-card-name')?.textContent ?? null,
        chips: [...document.querySelectorAll('#crm-tags .chip')].map(c => c.textContent),
        updating: !q('#crm-card-updating').hidden, inert: q('#crm-card .card-body').inert};
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-cached-card']});"""


def test_the_open_chats_card_is_painted_read_only_while_the_core_starts(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    chat_id, name = wa.evaluate("() => { const c = __replica.chats().slice(30).find(c => c.name); return [c.id, c.name]; }")
    wa.evaluate("id => __replica.openChat(id)", chat_id)
    key = wait_for(lambda: (now := browser.core_call(core_page, "capture.open_chat")["result"])["title"] == name
                   and now["chat"], timeout=30, message="the open chat captured")
    card = browser.core_call(core_page, "crm.card", {"chat": key})["result"]
    made = browser.core_call(core_page, "crm.tag.create", {"label": "Cliente do cache"})
    tag = made["result"]["id"] if made["ok"] else next(
        t["id"] for t in browser.core_call(core_page, "crm.defs")["result"]["tags"] if t["name"] == "Cliente do cache")
    wrote = browser.core_call(core_page, "crm.record.update", {"chat": key, "version": card["row"]["version"],
                                                                 "add_tags": [tag]})
    assert wrote["ok"], wrote
    # The worker keeps the open chat's card from the core's answers: wait until it holds the tag.
    cache = wait_for(lambda: (c := core_page.evaluate(CARD)) and tag in c["card"]["row"]["tags"] and c,
                     timeout=20, message="the card cache to hold the new tag")
    record = cache["card"]["row"]["key"]
    wa.close()

    sw = next(w for w in context.service_workers if w.url.startswith("chrome-extension://"))
    sw.evaluate("() => chrome.offscreen.closeDocument()")  # the core is gone, as after a browser start
    panel = context.new_page()
    panel.set_viewport_size({"width": 380, "height": 900})
    panel.add_init_script(SEEN_CACHED)  # what the copy drew, read the moment it is drawn (the core may come soon after)
    panel.goto(f"chrome-extension://{ext_id}/{PANEL}")
    panel.locator('.tabs [data-view="card"]').click()
    # Drawn from the copy: the person's name and tag, said to be updating, and nothing can be edited.
    seen = panel.wait_for_function("() => window.__seenCached").json_value()
    assert seen["key"] == record
    assert seen["name"] == (cache["card"]["row"]["name"] or name)
    assert any(c.startswith("Cliente do cache") for c in seen["chips"])
    assert seen["updating"] and seen["inert"]
    # The copy is inert: the panel's scrolling region still takes the keyboard (axe's scrollable-region-focusable).
    assert_accessible(panel, what="the card's last known copy")
    # Then the core answers (no WhatsApp tab: no chat open) and the copy gives way to its answer.
    panel.wait_for_function("() => !document.querySelector('#crm-card').dataset.cached", timeout=120_000)
    assert panel.locator("#crm-card-updating").is_hidden()
    assert panel.evaluate("() => document.querySelector('#crm-card .card-body').inert") is False
    panel.close()

    # Erasing the person drops the copy at once (it is their data too).
    assert browser.core_call(core_page, "privacy.erase_person", {"chat": record, "confirm": True})["ok"]
    wait_for(lambda: (c := core_page.evaluate(CARD)) is None or tag not in c["card"]["row"]["tags"], timeout=20,
             message="the card cache dropped on erase")
