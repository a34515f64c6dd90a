"""The first vertical slice: a message rendered in WhatsApp Web is seen by the
content script, parsed and stored by the core, listed in the side panel, kept
once however often it re-renders, and still there after a browser relaunch."""

from __future__ import annotations

import pytest

from tests import browser
from tests.conftest import open_whatsapp, wait_for
from tests.replica.site import install_routes

pytestmark = pytest.mark.e2e


def stored(page, chat: str) -> list[dict]:
    reply = browser.core_call(page, "messages.list", {"chat": chat, "limit": 1000})
    assert reply["ok"], reply
    return reply["result"]["messages"]


def first_chat(wa) -> str:
    return wa.evaluate("() => __replica.chats()[0].id")


def test_incoming_message_reaches_the_side_panel_once(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2024&lang=pt-BR")
    chat = first_chat(wa)
    wa.evaluate("id => __replica.openChat(id)", chat)
    msg = wa.evaluate("id => __replica.deliver(id, {text: 'Oi! Vocês entregam em Niterói? <b>não é html</b>'})", chat)
    key = f"{chat}|{msg['id']}"
    wait_for(lambda: any(m["key"] == key for m in stored(core_page, chat)), message="the message to be stored")

    panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
    panel.locator(f'#chat-list li[data-chat="{chat}"]').click()
    bubble = panel.locator(f'#message-list li[data-key="{key}"]')
    bubble.wait_for()
    # Text from WhatsApp is rendered as text, never as HTML.
    assert "<b>não é html</b>" in bubble.inner_text()
    assert bubble.locator("b").count() == 0
    # A captured chat says how cleanly capture read it (rendered with the same answer as the bubbles).
    assert panel.locator("#capture-health").is_visible()
    panel.close()

    # WhatsApp re-renders rows constantly: switching chats and generations re-renders this one.
    before = len(stored(core_page, chat))
    other = wa.evaluate("() => __replica.chats()[1].id")
    for _ in range(3):
        wa.evaluate("id => __replica.openChat(id)", other)
        wa.evaluate("id => __replica.openChat(id)", chat)
    # A message rendered after the re-renders: once it is stored, the capture has read the
    # re-rendered rows before it, and stored none of them again.
    last = wa.evaluate("id => __replica.deliver(id, {text: 'depois das trocas de conversa'})", chat)
    wait_for(lambda: any(m["id"] == last["id"] for m in stored(core_page, chat)), message="the later message to be stored")
    after = stored(core_page, chat)
    assert len(after) == before + 1
    assert sum(m["key"] == key for m in after) == 1
    wa.close()


def test_messages_arriving_while_the_core_starts_are_delivered(routed, core_page):
    context, _ = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    # A chat whose name no other chat bears (other tests in this browser add namesakes).
    chat = wa.evaluate("() => { const all = __replica.chats(); return all.find((c) => c.name && all.filter((d) => d.name === c.name).length === 1).id; }")
    wa.evaluate("id => __replica.openChat(id)", chat)
    title = wa.evaluate("id => __replica.chat(id).name", chat)
    # 2026 builds have bare ids: the core names the chat (by its title, or by the number an earlier
    # test in another DOM generation linked that title to), and says which key it took.
    key_chat = wait_for(lambda: (now := browser.core_call(core_page, "capture.open_chat")["result"])["title"] == title
                        and now["chat"], message="the open chat captured")
    # The tab captures this chat (its rendered rows are stored) before the core goes away.
    wait_for(lambda: stored(core_page, key_chat), message="the open chat's rows to be stored")
    sw = next(w for w in context.service_workers if w.url.startswith("chrome-extension://"))
    sw.evaluate("() => chrome.offscreen.closeDocument()")  # the core is gone; it restarts on demand
    ids = [wa.evaluate("([id, i]) => __replica.deliver(id, {text: 'durante a partida ' + i}).id", [chat, i]) for i in range(5)]
    got = wait_for(
        lambda: {m["id"] for m in stored(core_page, key_chat)} >= set(ids) and True,
        timeout=120,
        message="messages sent during start-up to be stored",
    )
    assert got
    wa.close()


def test_captured_history_survives_a_browser_relaunch(playwright, tmp_path):
    profile = tmp_path / "profile"
    context, ext_id = browser.launch(playwright, profile)
    install_routes(context)
    page = browser.open_page(context, ext_id)
    assert browser.wait_core_ready(page)["stage"] == "ready"
    wa = open_whatsapp(context, "gen=2025&lang=en")
    chat = first_chat(wa)
    wa.evaluate("id => __replica.openChat(id)", chat)
    msg = wa.evaluate("id => __replica.deliver(id, {text: 'Please keep this after a restart'})", chat)
    wait_for(lambda: any(m["id"] == msg["id"] for m in stored(page, chat)), message="capture before relaunch")
    count = len(stored(page, chat))
    context.close()

    context, ext_id = browser.launch(playwright, profile)  # same profile, no WhatsApp tab
    page = browser.open_page(context, ext_id)
    assert browser.wait_core_ready(page)["stage"] == "ready"
    again = stored(page, chat)
    assert len(again) == count
    assert any(m["id"] == msg["id"] and m["text"] == "Please keep this after a restart" for m in again)
    context.close()
