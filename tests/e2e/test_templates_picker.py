"""The composer's "/" picker on the replica's real Lexical composer: typing "/" and a shortcut lists
the templates filled in for the open chat; the keyboard chooses; Enter inserts the filled text in
place of "/…" and sends nothing; only the user's next Enter sends it (and it is captured)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.sending_support import call, make_contacts, sending_tab, sent_log

pytestmark = pytest.mark.e2e

COMPOSER = "footer [contenteditable][role=textbox]"


def composer_text(wa) -> str:
    return wa.evaluate("(s) => document.querySelector(s).innerText.replace(/\\n+$/, '')", COMPOSER)


def composer_box(wa):
    return wa.evaluate("(s) => { const r = document.querySelector(s).getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }",
                       COMPOSER)


def picker(wa, query: str, items: int) -> None:
    """Wait for the picker's own signal: drawn for this query with this many templates."""
    wa.locator(f"[data-mettri=picker][data-query='{query}'][data-items='{items}']").wait_for(state="attached", timeout=20_000)


def test_slash_picker_inserts_a_filled_template_and_nothing_is_sent_until_enter(routed, core_page):
    clock, tab = sending_tab(routed, core_page, "gen=2024&lang=en")
    wa = tab.page
    for t in call(core_page, "templates.list")["templates"]:
        call(core_page, "templates.delete", {"id": t["id"], "version": t["version"]})
    call(core_page, "templates.save", {"label": "Prazo de entrega", "shortcut": "prazo", "category": "Entrega",
                                       "text": "Entregamos em 2 dias, {{primeiro_nome}}."})
    call(core_page, "templates.save", {"label": "Pix", "shortcut": "pix", "text": "Chave Pix: loja@exemplo.com"})
    call(core_page, "templates.save", {"label": "Cupom", "shortcut": "cupom", "text": "Seu cupom: {{cupom}}"})
    [chat] = make_contacts(core_page, wa, ["Dani Souza"], "83", inbound="Oi, qual o prazo?")
    before = composer_box(wa)

    wa.click(COMPOSER)
    wa.keyboard.type("/")
    picker(wa, "", 3)
    host = wa.locator("[data-mettri=picker]")
    head = host.locator(".head").inner_text()
    assert head in ("Modelos de resposta para Dani Souza", "Reply templates for Dani Souza"), head
    first = host.locator("li").first.inner_text()
    assert "Prazo de entrega" in first and "/prazo" in first and "Entregamos em 2 dias, Dani." in first, first
    assert composer_box(wa) == before  # overlays; WhatsApp's layout does not move
    assert serious_violations(wa, "[data-mettri=picker]") == []

    # A template whose variable has no value shows why and is never inserted.
    wa.keyboard.type("cup")
    picker(wa, "cup", 1)
    assert "{{cupom}}" in host.locator("li").inner_text()
    wa.keyboard.press("Enter")
    picker(wa, "cup", 1)  # still open, nothing inserted: the picker answered the key itself
    assert composer_text(wa) == "/cup"

    for _ in range(3):
        wa.keyboard.press("Backspace")
    wa.keyboard.type("pr")
    picker(wa, "pr", 1)
    wa.keyboard.press("Enter")
    wait_for(lambda: composer_text(wa) == "Entregamos em 2 dias, Dani.", message="the filled template in the composer")
    assert wa.locator("[data-mettri=picker]").count() == 0
    assert sent_log(wa) == []  # the Enter that chose never reached WhatsApp's send

    wa.keyboard.press("Enter")  # the user's own send
    wait_for(lambda: [s["text"] for s in sent_log(wa)] == ["Entregamos em 2 dias, Dani."], message="the user's send")
    wait_for(lambda: any(m["direction"] == "out" and m["text"] == "Entregamos em 2 dias, Dani."
                         for m in call(core_page, "messages.list", {"chat": chat, "limit": 10})["messages"]),
             message="the user's send to be captured")
    # The user's own send, not the gate's: nothing of it is in the outbox.
    assert all(e["text"] != "Entregamos em 2 dias, Dani." for e in call(core_page, "outbox.list", {"limit": 50})["entries"])
    tab.close()
