"""Reminders fire with no Mettri page open (issue 13): the service worker keeps a chrome.alarms
alarm at the next open reminder, shows a chrome.notifications notification when one comes due
(dev clock) and opens its chat in WhatsApp from "Abrir conversa"; the alarm is rebuilt from the
core's storage at start, and a reminder that came due while the browser was closed is shown at
the next start and listed as overdue. The relaunched browser speaks English: the card and the
follow-ups are checked there (words, money in the locale, axe)."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from tests import browser
from tests.conftest import open_whatsapp, wait_for
from tests.e2e.a11y import serious_violations

pytestmark = pytest.mark.e2e

ALARM = "mettri-reminders"
PANEL = "extension/pages/sidepanel/sidepanel.html"
BAD_WORDS = browser.BAD_WORDS


call = browser.core_result


def core_now(page) -> float:
    return call(page, "debug.clock.advance", {"seconds": 0})["now"]


def worker(context, ext_id):
    return wait_for(lambda: next((w for w in context.service_workers if ext_id in w.url), None), timeout=15,
                    message="the extension's service worker")


def notifications(context, ext_id) -> dict[str, dict]:
    """The worker's notifications, by reminder id: {id: {chat, title, message}}."""
    shown = worker(context, ext_id).evaluate("() => chrome.notifications.getAll()")
    out = {}
    for nid in shown:
        if nid.startswith("mettri-reminder:"):
            rid, chat = json.loads(nid[len("mettri-reminder:"):])
            out[rid] = {"chat": chat, "id": nid}
    return out


def alarm_in(context, ext_id) -> float | None:
    """Seconds until the reminders' alarm (None when there is none)."""
    got = worker(context, ext_id).evaluate(f"async () => {{ const a = await chrome.alarms.get('{ALARM}');"
                                           " return a ? a.scheduledTime - Date.now() : null; }")
    return None if got is None else got / 1000


def launch(playwright, profile, lang: str):
    """Chromium with the built extension in ``lang`` (browser.launch is pt-BR only)."""
    args = [a for a in browser.BASE_ARGS if not a.startswith("--lang")]
    args += [f"--lang={lang}", f"--disable-extensions-except={browser.DIST}", f"--load-extension={browser.DIST}"]
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=browser.CHROMIUM, headless=True, args=args,
        viewport={"width": 1280, "height": 800}, locale=lang, env={**os.environ, "LANGUAGE": lang.replace("-", "_")})
    ext_id = browser.extension_id(context)
    page = browser.open_page(context, ext_id)
    assert browser.wait_core_ready(page)["stage"] == "ready"
    return context, ext_id, page


def test_a_due_reminder_is_notified_and_opens_its_chat(routed, core_page):
    context, ext_id = routed
    wa = open_whatsapp(context, "gen=2026&lang=pt-BR")
    (target, name), (other, _) = wa.evaluate("() => __replica.chats().slice(20, 22).map(c => [c.id, c.name])")
    wa.evaluate("id => __replica.openChat(id)", target)
    chat = wait_for(lambda: (now := call(core_page, "capture.open_chat"))["title"] == name and now["chat"], timeout=20,
                    message="the open chat captured")

    r = call(core_page, "crm.reminder.add", {"chat": chat, "due_at": core_now(core_page) + 600, "text": "Cobrar o sinal"})
    # The worker sets its alarm at this reminder (by the core's clock) and shows nothing yet.
    wait_for(lambda: (s := alarm_in(context, ext_id)) is not None and 560 < s <= 600, timeout=15,
             message="the alarm at the reminder")
    assert r["id"] not in notifications(context, ext_id)

    wa.evaluate("id => __replica.openChat(id)", other)  # the user is elsewhere when it fires
    call(core_page, "debug.clock.advance", {"seconds": 660})
    shown = wait_for(lambda: notifications(context, ext_id).get(r["id"]), timeout=15, message="the notification")
    assert shown["chat"] == chat
    # Shown once: the core is told right after the notification shows (crm.reminders.notified), so
    # crm.reminders.due stops listing it; and it is overdue in the panel.
    wait_for(lambda: r["id"] not in [x["id"] for x in call(core_page, "crm.reminders.due")["due"]], timeout=15,
             message="the core told the reminder was shown")
    panel = browser.open_page(context, ext_id, PANEL)
    panel.set_viewport_size({"width": 380, "height": 800})
    panel.locator('.tabs [data-view="followups"]').click()
    panel.locator(f'#followups-overdue [data-reminder="{r["id"]}"]', has_text="Cobrar o sinal").wait_for()
    assert panel.locator('.tabs [data-view="followups"] .count').inner_text() != ""
    # The count fits beside the six tabs on one row, the follow-ups' tab selected (bold), even at the
    # panel's narrowest: a count that arrives later never moves what is below it under the pointer.
    panel.set_viewport_size({"width": 360, "height": 800})
    tops = "() => [...document.querySelectorAll('.tabs [data-view]')].map((b) => Math.round(b.getBoundingClientRect().top))"
    assert len(set(panel.evaluate(tops))) == 1
    panel.set_viewport_size({"width": 380, "height": 800})

    # Snoozed for an hour from the follow-ups: no longer overdue, due an hour from now (core clock).
    item = panel.locator(f'#followups-overdue [data-reminder="{r["id"]}"]')
    item.locator("select.snooze").select_option(label="1 hora")
    panel.locator(f'#followups-overdue [data-reminder="{r["id"]}"]').wait_for(state="detached")
    snoozed = next(x for x in call(core_page, "crm.reminders.list", {"scope": "open", "chat": chat})["reminders"]
                   if x["id"] == r["id"])
    assert not snoozed["overdue"] and 3500 < snoozed["due_in"] <= 3600 and snoozed["snoozed"] == 1

    # "Abrir conversa" (the notification's button) brings WhatsApp to the reminder's chat.
    worker(context, ext_id).evaluate("id => mettriReminders.clicked(id)", shown["id"])
    wait_for(lambda: wa.evaluate("() => __replica.state().activeChat") == target, timeout=15, message="the chat opened")
    wait_for(lambda: r["id"] not in notifications(context, ext_id), timeout=10, message="the notification cleared")
    panel.close()
    wa.close()

    # With no WhatsApp tab open, "Abrir conversa" opens one and then the chat, once it is connected.
    r2 = call(core_page, "crm.reminder.add", {"chat": chat, "due_at": core_now(core_page) + 60, "text": "Confirmar entrega"})
    call(core_page, "debug.clock.advance", {"seconds": 120})
    shown = wait_for(lambda: notifications(context, ext_id).get(r2["id"]), timeout=15, message="the second notification")
    assert not [pg for pg in context.pages if pg.url.startswith("https://web.whatsapp.com")]
    with context.expect_page(timeout=15_000) as opened:
        worker(context, ext_id).evaluate("id => mettriReminders.clicked(id)", shown["id"])
    wa = opened.value
    wa.wait_for_url("https://web.whatsapp.com/**")
    wa.evaluate("() => __replica.ready")
    wait_for(lambda: wa.evaluate("() => __replica.state().activeChat") == target, timeout=30, message="the chat in the new tab")
    wa.close()


def test_reminders_survive_a_relaunch_and_what_came_due_meanwhile_shows_overdue(playwright, tmp_path):
    profile = tmp_path / "profile"
    context, ext_id, page = launch(playwright, profile, "pt-BR")
    chat = "5511987650001@c.us"
    call(page, "crm.record.update", {"chat": chat, "version": 0, "person_name": "Marta Relaunch"})
    now = core_now(page)
    soon = call(page, "crm.reminder.add", {"chat": chat, "due_at": now + 3, "text": "Enviar contrato"})
    later = call(page, "crm.reminder.add", {"chat": chat, "due_at": now + 7200, "text": "Ligar de novo"})
    context.close()
    closed = time.time()
    # The browser stays closed past the first reminder's time (the scenario, not a synchronisation).
    wait_for(lambda: time.time() > soon["due_at"] + 0.5, timeout=10, message="the reminder's time to pass")

    context, ext_id, page = launch(playwright, profile, "en")
    try:
        # At start the worker shows what came due while closed, and sets the alarm again.
        shown = wait_for(lambda: notifications(context, ext_id).get(soon["id"]), timeout=30, message="the overdue one")
        assert shown["chat"] == chat and later["id"] not in notifications(context, ext_id)
        # The worker tells the core it was shown just after showing it.
        def listed():
            mine = {r["id"]: r for r in call(page, "crm.reminders.list", {"scope": "open", "chat": chat})["reminders"]}
            return mine[soon["id"]]["notified_at"] is not None and mine

        mine = wait_for(listed, timeout=15, message="the core to hear it was shown")
        assert mine[soon["id"]]["notified_at"] > closed  # shown by this start, not before the browser closed
        assert mine[soon["id"]]["overdue"] and mine[later["id"]]["notified_at"] is None
        left = wait_for(lambda: alarm_in(context, ext_id), timeout=15, message="the alarm rebuilt")
        assert 7000 < left <= 7200
        # The follow-ups list it as overdue, in English, and the card too.
        from tests.replica.site import install_routes

        install_routes(context)
        panel = browser.open_page(context, ext_id, PANEL)
        panel.set_viewport_size({"width": 380, "height": 900})
        panel.locator('.tabs [data-view="followups"]').click()
        item = panel.locator(f'#followups-overdue [data-reminder="{soon["id"]}"]')
        item.wait_for()
        assert "Overdue" in item.inner_text() and "Marta Relaunch" in item.inner_text()
        assert BAD_WORDS.search(panel.locator("#followups-view").inner_text()) is None
        assert serious_violations(panel, "#followups-view") == []
        panel.locator('.tabs [data-view="card"]').click()
        panel.locator("#crm-card-empty").wait_for()
        assert "Open a conversation" in panel.locator("#card-view").inner_text()

        wa = open_whatsapp(context, "gen=2026&lang=en")
        target, name = wa.evaluate("() => { const c = __replica.chats()[2]; return [c.id, c.name]; }")
        wa.evaluate("id => __replica.openChat(id)", target)
        wait_for(lambda: panel.locator("#crm-card-name").count() and panel.locator("#crm-card-name").inner_text() == name,
                 timeout=30, message="the card in English")
        key = panel.evaluate("() => document.querySelector('#crm-card').dataset.key")
        pipeline = call(page, "crm.defs")["settings"]["default_pipeline"]
        call(page, "crm.deal.set", {"chat": key, "version": 0, "pipeline": pipeline, "value": 123456})
        wait_for(lambda: panel.locator("#crm-value").input_value() == "1,234.56", timeout=10, message="money in English")
        text = panel.locator("#card-view").inner_text()
        low = text.lower()
        assert "deal" in low and "tags" in low and "reminders" in low and "negócio" not in low and "etiquetas" not in low
        assert BAD_WORDS.search(text) is None, text
        assert serious_violations(panel, "#card-view") == []

        # The rebuilt alarm fires: the second reminder is shown when its time comes (dev clock).
        call(page, "debug.clock.advance", {"seconds": 7260})
        wait_for(lambda: notifications(context, ext_id).get(later["id"]), timeout=15, message="the later one")
    finally:
        context.close()

