"""The WhatsApp tab dies at the worst moment: WhatsApp has accepted the message (it is in the
replica's send log) and the tab's ``sender.report`` has not reached the core. Judged by the
replica's own send logs (the dead tab's and the reopened one's): that message never goes out
again on its own; the outbox holds it in 'verify' with its reason until the user says what
happened; the rest of a campaign goes out exactly once; the user's answer is obeyed."""

from __future__ import annotations

import json
import time

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.sending_support import (
    DAY,
    Tab,
    call,
    drive,
    known_chat,
    make_contacts,
    sending_tab,
    sent_log,
)

pytestmark = pytest.mark.e2e

PAST_EVERY_EXPIRY = 150.0  # job TTL 20 s + report grace 10 s, and the crashed tab's 90 s until the new one takes over
TEMPLATE = "Oi {{nome}}! Chegou a coleção nova de verão, com 10% de desconto para clientes."
QUERY = "gen=2025&lang=pt-BR"


class DyingTab:
    """A replica tab whose page freezes right after its next ``n``-th send is recorded, then crashes."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.page = tab.page
        self.held: list[dict] = []
        self.crashed = False
        self.page.on("crash", lambda _: setattr(self, "crashed", True))
        # The page blocks in a synchronous request to this route; it is never answered.
        self.page.route("**/__replica/hold", lambda route: self.held.append(json.loads(route.request.post_data)))
        self.cdp = self.page.context.new_cdp_session(self.page)

    def arm(self, n: int = 1) -> list[dict]:
        """Hold after the n-th next send; returns the send log up to now (read in the same task)."""
        return self.page.evaluate("n => { __replica.holdAfterSends(n); return __replica.sentLog(); }", n)

    def status(self) -> dict | None:
        """The send loop's status, or None when the page does not answer (frozen)."""
        world = self.tab.world
        try:
            reply = world.cdp.send("Runtime.evaluate", {
                "expression": "({...MettriContent.sender.status})", "contextId": world.context_id, "returnByValue": True,
            }, timeout=2000)
        except Exception:
            return None
        return reply["result"].get("value")

    def drive_until_held(self, clock, timeout: float = 90.0) -> dict:
        """Drive the loop until the page freezes, never blocking on a read of the frozen page."""
        drive(self.tab, clock, lambda: self.held, timeout=timeout, status=self.status)
        return self.held[0]

    def crash(self) -> None:
        try:  # the renderer dies on the IO thread; the reply never comes
            self.cdp.send("Page.crash", timeout=2000)
        except Exception:
            pass
        # Any Playwright call lets it deliver the crash event.
        wait_for(lambda: (self.page.context.cookies(), self.crashed)[1], timeout=10, message="the crash")
        self.page.close()


def entry_of(core_page, entry_id: str) -> dict:
    entries = call(core_page, "outbox.list", {"limit": 200})["entries"]
    return next(e for e in entries if e["id"] == entry_id)


def reopen(routed, clock, chats: dict[str, str] | None = None) -> Tab:
    """Time passes (every expiry, and the dead tab's silence), then the user opens WhatsApp again
    (with the chats the test made: the replica starts from its corpus) and a chat in it, which
    lifts the gate's safe mode (the self-test finds the composer)."""
    clock.advance(PAST_EVERY_EXPIRY)
    tab = Tab(routed[0], QUERY)
    for jid, name in (chats or {}).items():
        tab.page.evaluate("([id, name]) => __replica.createChat({id, name})", [jid, name])
    tab.page.evaluate("() => __replica.openChat(__replica.chatOrder()[0])")
    return tab


def assert_verify_with_reason(core_page, entry_id: str) -> None:
    entry = wait_for(
        lambda: (e := entry_of(core_page, entry_id))["state"] != "sending" and e, message="the entry to leave 'sending'"
    )
    assert entry["state"] == "verify", entry
    audit = call(core_page, "audit.list", {"limit": 100})["records"]
    why = next(r for r in audit if r["outbox_id"] == entry_id and r["action"] == "outbox.verify")
    assert why["code"] == "verify" and why["verdict"] == "warn"
    assert "não será reenviada" in why["reason_pt"] and "will not be resent" in why["reason_en"], why


def answer_in_panel(routed, core_page, entry_id: str, answer: str) -> dict:
    """The user answers in the side panel's outbox: the entry asks, with its explanation."""
    context, ext_id = routed
    panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
    panel.locator('.tabs [data-view="sending"]').click()
    row = panel.locator(f'#outbox-list li[data-id="{entry_id}"][data-state="verify"]')
    row.wait_for()
    explain = panel.evaluate("() => chrome.i18n.getMessage('verifyExplain')")
    assert explain and explain in row.inner_text()
    row.locator(f'button[data-answer="{answer}"]').click()
    panel.locator(f'#outbox-list li[data-id="{entry_id}"]:not([data-state="verify"])').wait_for()
    panel.close()
    audit = call(core_page, "audit.list", {"limit": 100})["records"]
    assert any(r["outbox_id"] == entry_id and r["action"] == "outbox.resolve" and r["code"] == f"resolved_{answer}" for r in audit)
    return entry_of(core_page, entry_id)


def waiting(tab: Tab, after_asks: int = -1) -> dict:
    """The loop has asked (after ``after_asks``) and waits: it is not performing a job."""
    try:
        return wait_for(lambda: (st := tab.loop_status() or {}).get("asks", -1) > after_asks and st.get("phase") == "waiting" and st, timeout=30)
    except AssertionError:
        raise AssertionError(f"the new tab's loop does not settle: {tab.loop_status()}")


def days_pass(tab: Tab, clock, days: int = 3) -> dict:
    """Far past every expiry and backoff, asking the gate after every move; returns the loop's last status."""
    st = waiting(tab)
    for _ in range(days * 4):
        clock.advance(DAY / 4)  # the move wakes the loop: it asks again
        st = waiting(tab, st["asks"])
    return st


def send_and_die(routed, core_page, text: str, nth_chat: int):
    """One send through the gate to a corpus chat; the tab dies once WhatsApp has it."""
    clock, tab = sending_tab(routed, core_page, QUERY)
    wa = tab.page
    target = wa.evaluate("() => __replica.chatOrder()")[nth_chat]
    known_chat(core_page, wa, target, target)
    dying = DyingTab(tab)
    assert not [s for s in dying.arm(1) if s["text"] == text]
    entry_id = call(core_page, "send.request", {"chat": target, "text": text})["outbox_id"]

    held = dying.drive_until_held(clock)
    assert (held["chat"], held["text"]) == (target, text)  # WhatsApp accepted it
    dying.crash()
    assert entry_of(core_page, entry_id)["state"] == "sending"  # the report never arrived
    return clock, entry_id, held


def test_single_send_is_not_repeated_after_the_tab_dies(routed, core_page):
    text = "Seu pedido 4471 saiu para entrega hoje à tarde."
    clock, entry_id, held = send_and_die(routed, core_page, text, 4)
    tab2 = reopen(routed, clock)
    assert_verify_with_reason(core_page, entry_id)
    st = days_pass(tab2, clock)
    assert [s for s in sent_log(tab2.page) if s["text"] == text] == []
    assert entry_of(core_page, entry_id)["state"] == "verify"
    assert st["wait_code"] == "idle", st  # the gate would hand out a due job (no safe mode, no pause)

    # The user answers "it went out": marked sent, never sent again.
    resolved = answer_in_panel(routed, core_page, entry_id, "sent")
    assert resolved["state"] == "sent" and resolved["sent_at"] is not None
    days_pass(tab2, clock, days=1)
    assert [s for s in sent_log(tab2.page) if s["text"] == text] == []
    assert entry_of(core_page, entry_id)["state"] == "sent"
    tab2.close()


def test_campaign_goes_on_exactly_once_and_the_lost_report_waits_for_the_user(routed, core_page):
    clock, tab = sending_tab(routed, core_page, QUERY)
    wa = tab.page
    names = [f"Cliente Morte {i}" for i in range(5)]
    chats = make_contacts(core_page, wa, names, "81")
    spec = {"template": TEMPLATE, "recipients": [{"chat": c, "vars": {"nome": n}} for c, n in zip(chats, names)]}
    campaign_id = call(core_page, "campaign.create", spec)["campaign"]["id"]
    call(core_page, "campaign.approve", {"id": campaign_id})

    dying = DyingTab(tab)
    drive(tab, clock, lambda: len(sent_log(wa)) >= 2, timeout=90)
    dead_log = dying.arm(1)
    held = dying.drive_until_held(clock)
    dead_log.append(held)
    dying.crash()
    entries = call(core_page, "outbox.list", {"campaign_id": campaign_id, "limit": 50})["entries"]
    lost = next(e for e in entries if e["chat"] == held["chat"])
    assert lost["state"] == "sending" and lost["text"] == held["text"]

    tab2 = reopen(routed, clock, dict(zip(chats, names)))
    assert_verify_with_reason(core_page, lost["id"])

    def counts():
        return call(core_page, "campaign.status", {"id": campaign_id})["campaign"]["counts"]

    def nothing_to_hand_out():
        return not any(counts().get(s) for s in ("queued", "approved", "sending"))

    drive(tab2, clock, nothing_to_hand_out, timeout=120)
    st = days_pass(tab2, clock)
    new_log = sent_log(tab2.page)
    both = dead_log + new_log
    assert {c: sum(s["chat"] == c for s in both) for c in chats} == {c: 1 for c in chats}
    assert not any(s["chat"] == held["chat"] for s in new_log)
    assert counts() == {"sent": 4, "verify": 1}
    assert st["wait_code"] == "idle", st

    # The user answers "it did not go out": sent exactly once more, by the new tab.
    resolved = answer_in_panel(routed, core_page, lost["id"], "not_sent")
    assert resolved["state"] in ("approved", "sending", "sent"), resolved
    drive(tab2, clock, nothing_to_hand_out, timeout=60)
    days_pass(tab2, clock, days=1)
    new_log = sent_log(tab2.page)
    assert [s["text"] for s in new_log if s["chat"] == held["chat"]] == [held["text"]]
    assert {c: sum(s["chat"] == c for s in dead_log + new_log) for c in chats} == {
        c: 2 if c == held["chat"] else 1 for c in chats
    }
    assert counts() == {"sent": 5}
    assert call(core_page, "campaign.status", {"id": campaign_id})["campaign"]["state"] == "done"
    tab2.close()


def test_the_reopened_tab_shows_the_message_and_the_capture_settles_it(routed, core_page):
    """As on the real site after a reload: the message the dead tab sent is in the chat; once the
    capture has read it, the gate marks the entry sent on that evidence, without asking anyone."""
    text = "Confirmado: sua consulta é amanhã às 15h."
    clock, entry_id, held = send_and_die(routed, core_page, text, 6)
    tab2 = reopen(routed, clock)
    assert_verify_with_reason(core_page, entry_id)
    # WhatsApp's own copy of the message, stamped when it went out (the page's wall clock).
    tab2.page.evaluate("([chat, m]) => { __replica.openChat(chat); __replica.deliver(chat, m); }",
                       [held["chat"], {"id": held["id"], "from_me": True, "text": text, "ts": held["sent_at"] // 1000}])
    wait_for(lambda: any(m["text"] == text for m in call(core_page, "messages.list", {"chat": held["chat"], "limit": 50})["messages"]),
             message="the capture to read the message")
    clock.advance(1)  # the loop asks again: the gate looks at the evidence
    settled = wait_for(lambda: (e := entry_of(core_page, entry_id))["state"] != "verify" and e, message="the entry to be settled")
    assert settled["state"] == "sent", settled
    st = days_pass(tab2, clock, days=1)
    assert [s for s in sent_log(tab2.page) if s["text"] == text] == []
    assert st["wait_code"] == "idle", st
    tab2.close()
