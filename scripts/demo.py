"""The demo: Chromium with the built extension on the WhatsApp Web replica.

A short scripted tour: WhatsApp Web opens, customers write, Mettri captures each
message and lists it in its side panel, then the history is searched. Screenshots
of what a user sees are saved in build/screenshots/. With a display (DISPLAY set)
the browser is a real window; otherwise it runs headless.

    .venv/bin/python scripts/demo.py [--keep-open]
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests import browser  # noqa: E402
from tests.conftest import wait_for  # noqa: E402
from tests.replica.site import install_routes  # noqa: E402

SHOTS = ROOT / "build" / "screenshots"
PROFILE = ROOT / "build" / "demo-profile"

CUSTOMER_MESSAGES = [
    "Boa tarde! Vocês têm o bolo de cenoura com cobertura de chocolate? 🥕🍫",
    "Queria encomendar 2 para sábado, entrega na Rua das Acácias, 120 — Niterói",
    "Qual o valor com a entrega? Posso pagar no Pix?",
]


def say(step: str) -> None:
    print(f"demo: {step}", flush=True)


def side_by_side(context, left: Path, right: Path, out: Path) -> None:
    """One picture of WhatsApp Web with Mettri's panel beside it, as a user sees them."""
    a = base64.b64encode(left.read_bytes()).decode()
    b = base64.b64encode(right.read_bytes()).decode()
    page = context.new_page()
    page.set_viewport_size({"width": 1280 + 400, "height": 800})
    page.set_content(
        "<body style='margin:0;display:flex;background:#ccc'>"
        f"<img src='data:image/png;base64,{a}' style='width:1280px;height:800px'>"
        f"<img src='data:image/png;base64,{b}' style='width:400px;height:800px;border-left:1px solid #999'>"
        "</body>"
    )
    page.screenshot(path=str(out))
    page.close()


def crm_card(panel, wa) -> None:
    """The CRM card of the open chat, filled in from the panel; the follow-ups; the badge in WhatsApp."""
    panel.set_viewport_size({"width": 380, "height": 1300})
    panel.locator('.tabs [data-view="card"]').click()
    panel.locator("#crm-card-name").wait_for()
    for tag in ("Cliente fiel", "Atacado"):
        panel.locator("#crm-tag-input").fill(tag)
        panel.locator("#crm-tag-input").press("Enter")
        panel.locator("#crm-tags .chip", has_text=tag).wait_for()
    panel.locator("#crm-stage").select_option(index=3)
    panel.locator("#crm-stage-since").wait_for()
    version = panel.locator("[data-key][data-version]").first.get_attribute("data-version")
    panel.locator("#crm-value").fill("1.850,00")
    panel.locator("#crm-value").press("Enter")
    # the value is stored and the card drawn again before the note is typed (each write redraws it)
    panel.wait_for_function("v => Number(document.querySelector('[data-key][data-version]').dataset.version) > v",
                            arg=int(version))
    add_on_card(panel, "#crm-note-text", "Quer bolo de fubá para 40 pessoas no sábado; entrega às 15h.",
                "#crm-note-add", "#crm-notes .note")
    add_on_card(panel, "#crm-reminder-text", "Confirmar o sinal do pedido", "#crm-reminder-add", "#crm-reminders .reminder")
    # the picture once the card holds no answer back (one held while a button was down is drawn on release)
    panel.wait_for_function("() => { const c = document.querySelector('[data-key][data-version]'); return c && !c.dataset.pending; }")
    panel.screenshot(path=str(SHOTS / "7-panel-card.png"))
    say("CRM card: tags, stage and value in R$, a note and a reminder, edited in the side panel")
    panel.locator('.tabs [data-view="followups"]').click()
    panel.locator("#followups-today").wait_for()
    panel.set_viewport_size({"width": 380, "height": 800})
    panel.screenshot(path=str(SHOTS / "8-panel-followups.png"))
    wa.locator("mettri-crm-badge").wait_for(state="attached")
    wa.screenshot(path=str(SHOTS / "9-whatsapp-badge.png"))


def add_on_card(page, box: str, text: str, button: str, added: str) -> None:
    """Type into a card box, press its button, and see the item on the card."""
    type_into(page, box, text)
    page.locator(button).click()
    page.locator(added).first.wait_for(timeout=10_000)


def type_into(page, selector: str, text: str) -> None:
    """Fill a card box and see the text in the box on screen: the card is drawn again after each
    write (the core's change event comes after its reply), and a box replaced while the robot was
    filling it kept nothing (a person's typing lands in the new box)."""
    for _ in range(5):
        page.locator(selector).fill(text)
        if page.locator(selector).input_value() == text:
            return
    raise AssertionError(f"{selector} kept losing its text")


def crm_pages(context, ext_id, panel, wa) -> None:
    """A few more customers on the CRM (tags, stages, values), then the contacts page and the board."""
    vip = browser.core_call(panel, "crm.tag.create", {"label": "Encomenda", "color": "#8e24aa"})
    tag = vip["result"]["id"] if vip["ok"] else None
    stages = browser.core_call(panel, "crm.defs", {})["result"]["pipelines"][0]["stages"]
    people = [c for c in wa.evaluate("() => __replica.chats()") if c.get("kind") != "newsletter"]  # a channel is no customer
    for n, chat in enumerate(people[1:9]):
        # As a user does: the chat is opened (and so captured, under the key Mettri gives it, with
        # its name) before its card is used. The replica's own ids are not what Mettri sees.
        wa.evaluate("id => __replica.openChat(id)", chat["id"])
        name = chat["name"]
        key = wait_for(lambda: (now := browser.core_call(panel, "capture.open_chat")["result"])["title"] == name  # noqa: B023 (called at once)
                       and now["chat"], message=f"{name} captured")
        card = browser.core_call(panel, "crm.card", {"chat": key})
        assert card["ok"], card
        row = card["result"]["row"]
        if tag and n % 2 == 0:
            done = browser.core_call(panel, "crm.record.update", {"chat": key, "version": row["version"], "tags": [tag]})
            assert done["ok"], done
            row = done["result"]["row"] if "row" in done["result"] else browser.core_call(panel, "crm.card", {"chat": key})["result"]["row"]
        done = browser.core_call(panel, "crm.deal.set", {"chat": key, "version": row["version"],
                                                         "stage": stages[n % 4]["id"], "value": 12_000 * (n + 1)})
        assert done["ok"], done
    for page_path, shot, ready in (("extension/pages/contacts/contacts.html", "10-contacts.png", "#records-body tr"),
                                   ("extension/pages/board/board.html", "11-board.png", "#board .card"),
                                   ("extension/pages/crm-settings/crm-settings.html", "12-crm-settings.png", "main[data-ready]")):
        page = browser.open_page(context, ext_id, page_path)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.locator(ready).first.wait_for()
        page.screenshot(path=str(SHOTS / shot))
        page.close()
    say("contacts page, pipeline board and CRM settings (full tab)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep-open", action="store_true", help="leave the browser open until Enter (with a display)")
    args = ap.parse_args()
    headless = not os.environ.get("DISPLAY")
    shutil.rmtree(PROFILE, ignore_errors=True)
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with sync_playwright() as p:
        say(f"starting Chromium ({'headless' if headless else 'window'}) with dist/ loaded")
        t0 = time.monotonic()
        context, ext_id = browser.launch(p, PROFILE, headless=headless)
        install_routes(context)
        wa = context.new_page()
        wa.goto("https://web.whatsapp.com/?gen=2026&lang=pt-BR")
        wa.evaluate("() => __replica.ready")
        panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
        panel.set_viewport_size({"width": 400, "height": 800})
        wa.bring_to_front()
        state = browser.wait_core_ready(panel)
        if state["stage"] != "ready":
            raise SystemExit(f"demo: the core did not start: {state}")
        say(f"core ready after {time.monotonic() - t0:.1f} s (stages: {state['stages']})")

        chat = wa.evaluate("() => __replica.chats()[0]")
        wa.evaluate("id => __replica.openChat(id)", chat["id"])
        for text in CUSTOMER_MESSAGES:
            wa.evaluate("([id, text]) => __replica.deliver(id, {text})", [chat["id"], text])
            wa.wait_for_timeout(700)  # the tour's pace (messages arrive one by one), not a wait for anything
        say(f"{len(CUSTOMER_MESSAGES)} messages arrived from {chat['name']}")
        wa.screenshot(path=str(SHOTS / "1-whatsapp.png"))

        key = f"title:{chat['name']}"
        wait_for(lambda: (got := browser.core_call(panel, "messages.list", {"chat": key, "limit": 10}))["ok"]
                 and any(m["text"] == CUSTOMER_MESSAGES[-1] for m in got["result"]["messages"]), message="the last message stored")
        say("captured and stored in IndexedDB")
        panel.reload()
        panel.locator("#chat-list li").first.wait_for()
        panel.screenshot(path=str(SHOTS / "2-panel-chats.png"))
        panel.locator(f'#chat-list li[data-chat="{key}"]').click()
        panel.locator("#message-list li").last.wait_for()
        panel.screenshot(path=str(SHOTS / "3-panel-conversation.png"))
        side_by_side(context, SHOTS / "1-whatsapp.png", SHOTS / "3-panel-conversation.png", SHOTS / "4-side-by-side.png")

        if panel.locator('.tabs [data-view="search"]').count():
            panel.locator('.tabs [data-view="search"]').click()
            box = panel.locator("#search-view input[type=search]")
            if box.count():
                box.first.fill("acacias")
                panel.locator("#search-summary[data-total]").wait_for()  # the core's answer is drawn
                panel.locator("#search-results li").first.wait_for()
                panel.screenshot(path=str(SHOTS / "5-panel-search.png"))
                say('searched "acacias" (accent-insensitive)')
        options = browser.open_page(context, ext_id)
        options.set_viewport_size({"width": 1280, "height": 800})
        # every section drawn from the core (the chart, the limits, the model's settings) before the picture
        for section in ("#metrics svg.chart", "#sending-settings input", "#model input", "#search-index dl"):
            options.locator(section).first.wait_for(state="attached", timeout=60_000)
        options.screenshot(path=str(SHOTS / "6-options.png"), full_page=True)
        options.close()
        crm_card(panel, wa)
        crm_pages(context, ext_id, panel, wa)

        if args.keep_open and not headless:
            input("demo: the browser stays open; press Enter to close it ")
        context.close()

    say(f"screenshots in {SHOTS.relative_to(ROOT)}/: " + ", ".join(sorted(p.name for p in SHOTS.glob("*.png"))))
    print(
        "\nTo use Mettri in your own Chrome:\n"
        "  1. open chrome://extensions and turn on Developer mode\n"
        f"  2. click 'Load unpacked' and choose {ROOT / 'dist'}\n"
        "  3. open https://web.whatsapp.com/ and click the Mettri icon to open the side panel\n"
        f"The Chrome Web Store package is in {ROOT / 'build'} (mettri-<version>.zip)."
    )


if __name__ == "__main__":
    main()
