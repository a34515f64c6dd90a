"""The side panel is useful before the core is: after the core went away (a browser start, a crash),
a new panel paints the last known chat list at once, says it is updating, and then shows the
core's list. The list is kept by the worker from the core's own answers."""

from __future__ import annotations

import pytest

from tests import browser
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
    # Painted from the cache before the core was even asked to start (sidepanel.js: paintCached, then ensureCore).
    panel.wait_for_function("() => Number(document.body.dataset.cachedPainted) > 0")
    assert int(panel.evaluate("() => document.body.dataset.cachedPainted")) == len(cache["chats"])
    # Then the core answers: the same chat, drawn from the core, and the "updating" line is gone.
    panel.wait_for_function("() => !document.querySelector('#chat-list').dataset.cached", timeout=120_000)
    row = panel.locator(f'#chat-list li[data-chat="{chat}"]')
    assert title in row.inner_text()
    assert panel.locator("#chats-updating").is_hidden()
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
