"""A chat is a person, never a name (issue 11) and every send reaches its chat (issue 12, classes
7 and 8), on the replica with the real extension: a stranger who takes a saved customer's name,
two contacts of one name, a DOM generation switch on reload, chats found only through the search
box (whose results start with section headers), no chat open, names with bidi marks and runs of
whitespace, and names that override the text direction in the side panel."""

from __future__ import annotations

import json
import time

import pytest

from pycore.chatkey import normalize_title
from tests import browser
from tests.conftest import open_whatsapp, wait_for
from tests.e2e.sending_support import Tab, call, known_chat, sending_tab, sent_log

pytestmark = pytest.mark.e2e

Q2026 = "gen=2026&lang=pt-BR"
Q2025 = "gen=2025&lang=pt-BR"


def entry_of(core_page, entry_id: str) -> dict:
    return next(e for e in call(core_page, "outbox.list", {"limit": 200})["entries"] if e["id"] == entry_id)


def settled(core_page, clock, entry_id: str, timeout: float = 60) -> dict:
    """Move the core's clock past the first send's pacing, then wait until the entry is settled."""
    clock.advance(120)
    return wait_for(lambda: (e := entry_of(core_page, entry_id))["state"] in ("sent", "failed", "blocked", "verify") and e,
                    timeout=timeout, message="the send to be settled")


def send(core_page, clock, chat: str, text: str) -> dict:
    result = call(core_page, "send.request", {"chat": chat, "text": text})
    assert result["decision"]["verdict"] != "block", result
    return settled(core_page, clock, result["outbox_id"])


def texts(core_page, chat: str) -> set[str]:
    return {m["text"] for m in call(core_page, "messages.list", {"chat": chat, "limit": 500})["messages"]}


def bar_decision(world, after: int, key: str) -> dict:
    """The suggestion bar's decision, taken after ``after`` checks, for the open chat ``key``."""
    return wait_for(lambda: (s := world.evaluate("({...MettriContent.suggestions.status})"))["checks"] > after
                    and s["key"] == key and s, timeout=20, message="the suggestion bar to decide for the open chat")


def open_chat_key(world, chat_key: str) -> None:
    wait_for(lambda: world.evaluate("MettriContent.capture && MettriContent.capture.chatKey()") == chat_key,
             timeout=30, message=f"the capture to know the open chat as {chat_key}")


# -- 1. a stranger who takes a customer's name ------------------------------------------------------
def test_a_stranger_who_takes_a_customers_name_gets_none_of_the_customers(routed, core_page):
    clock, tab = sending_tab(routed, core_page, Q2026)
    wa, world = tab.page, tab.world
    name, cust, stranger = "Maria Souza Idn", "5511980000101@c.us", "189025880000101@lid"
    wa.evaluate("([c, s, n]) => { __replica.createChat({id: c, name: n}); "
                "__replica.createChat({id: s, push_name: n, plain_name: true}); }", [cust, stranger, name])
    assert wa.evaluate("ids => ids.map(i => __replica.titleOf(i))", [cust, stranger]) == [name, name]

    known_chat(core_page, wa, cust, text="Oi, quero encomendar um bolo de cenoura")
    # Two rows of that name: the tab reads the customer's contact-info drawer, which shows the phone.
    open_chat_key(world, cust)
    stranger_key = known_chat(core_page, wa, stranger, text="Oi! Aqui é a Maria, lembra de mim?")
    assert stranger_key != cust
    assert texts(core_page, cust) == {"Oi, quero encomendar um bolo de cenoura"}
    assert texts(core_page, stranger_key) == {"Oi! Aqui é a Maria, lembra de mim?"}
    chats = {c["key"]: c for c in call(core_page, "chats.list", {"limit": 5000})["chats"]}
    assert chats[cust]["title"] == chats[stranger_key]["title"] == name
    assert chats[stranger_key]["ambiguous"] and not chats[cust]["ambiguous"]

    # The customer's suggested reply never shows in the stranger's chat, and shows in the customer's.
    open_chat_key(world, stranger_key)
    checks = world.evaluate("MettriContent.suggestions.status.checks")
    call(core_page, "suggestion.offer", {"chat": cust, "text": "Seu bolo fica pronto amanhã às 10h."})
    assert bar_decision(world, checks, stranger_key)["shown"] is None
    assert wa.locator('[data-mettri="suggestion"]').count() == 0
    wa.evaluate("id => __replica.openChat(id)", cust)
    wa.locator('[data-mettri="suggestion"]').wait_for(state="attached")
    # the checks that drew it count in the content script's time on WhatsApp's thread (bench_capture)
    assert world.evaluate("MettriContent.watchStats.suggestionsMs") > 0
    call(core_page, "suggestion.dismiss", {"chat": cust})

    # The side panel says the stranger's chat shares a name Mettri cannot tell apart by a phone.
    panel = browser.open_page(routed[0], routed[1], "extension/pages/sidepanel/sidepanel.html")
    row = panel.locator(f'#chat-list li[data-chat="{stranger_key}"]')
    row.locator(".badge.same-name").wait_for()
    row.click()
    note = panel.locator("#chat-identity")
    note.wait_for()
    assert note.inner_text() == panel.evaluate("() => chrome.i18n.getMessage('chatAmbiguous')")
    panel.close()

    # A send for the customer, while the user reads the stranger's chat, reaches the customer; the
    # stranger's chat is open again afterwards.
    wa.evaluate("id => __replica.openChat(id)", stranger)
    open_chat_key(world, stranger_key)
    text = "Maria, seu pedido 7788 saiu para entrega."
    done = send(core_page, clock, cust, text)
    assert done["state"] == "sent", (done, tab.loop_status())
    assert [s["chat"] for s in sent_log(wa) if s["text"] == text] == [cust]
    wait_for(lambda: wa.evaluate("() => __replica.state().activeChat") == stranger, timeout=10,
             message="the stranger's chat, open before the send, to be open again")
    tab.close()


def test_a_contact_whose_name_two_chats_bear_is_refused_with_its_reason(routed, core_page):
    clock, tab = sending_tab(routed, core_page, Q2026)
    wa, world = tab.page, tab.world
    name, twins = "Ana Paula Idn", ["5511980000201@c.us", "5511980000202@c.us"]
    for jid in twins:
        wa.evaluate("([id, n]) => __replica.createChat({id, name: n})", [jid, name])
    # The chat-list scan lists the name once, as a saved contact (rows are not people).
    world.evaluate(f"MettriApi.contacts.upsert_rows({{rows: [{{title: {json.dumps(name)}}}]}})")
    result = call(core_page, "send.request", {"chat": f"title:{name}", "text": "Oi Ana Paula, tudo certo com o pedido?"})
    assert result["decision"]["verdict"] == "allow", result
    done = settled(core_page, clock, result["outbox_id"])
    assert done["state"] == "blocked" and done["decision"]["code"] == "chat_ambiguous", (done, tab.loop_status())
    audit = call(core_page, "audit.list", {"limit": 50})["records"]
    why = next(r for r in audit if r["outbox_id"] == result["outbox_id"] and r["action"] == "outbox.blocked")
    assert "mais de uma conversa" in why["reason_pt"] and "More than one" in why["reason_en"]
    assert not [s for s in sent_log(wa) if s["chat"] in twins]
    # Each candidate was looked at in its contact-info drawer (the phone), paced by the core.
    assert {d["chat"] for d in wa.evaluate("() => __replica.drawerLog()")} >= set(twins)
    tab.close()


# -- 2. a DOM generation switch -----------------------------------------------------------------------
def test_a_dom_generation_switch_on_reload_stores_each_message_once(routed, core_page):
    context = routed[0]
    for page in context.pages:
        if page.url.startswith("https://web.whatsapp.com"):
            page.close()
    wa = open_whatsapp(context, Q2025)
    jid, name = "5511980000301@c.us", "Cliente Geração Idn"
    base = int(time.time()) - 3600
    history = [{"id": f"3EB0AB{n:014d}", "text": f"pedido {n}", "ts": base + n * 60} for n in range(5)]

    def show(page):  # the same conversation, as WhatsApp draws it again after the reload
        page.evaluate("([id, n, ms]) => { __replica.createChat({id, name: n}); __replica.openChat(id); "
                      "for (const m of ms) __replica.deliver(id, m); }", [jid, name, history])

    show(wa)
    wait_for(lambda: len(texts(core_page, jid)) == 5, message="the 2025 rows, keyed by the JID in their ids")
    wa.goto(f"https://web.whatsapp.com/?{Q2026}")
    wa.evaluate("() => __replica.ready")
    show(wa)
    new = wa.evaluate("id => __replica.deliver(id, {text: 'chegou a nova versão'})", jid)

    def holders() -> dict[str, list[str]]:
        chats = [c["key"] for c in call(core_page, "chats.list", {"limit": 5000})["chats"]
                 if c["key"] == jid or normalize_title(c["title"]) == normalize_title(name)]
        return {k: [m["id"] for m in call(core_page, "messages.list", {"chat": k, "limit": 500})["messages"]] for k in chats}

    found = wait_for(lambda: (h := holders()) and any(new["id"] in ids for ids in h.values()) and h,
                     message="the 2026 capture of the new message")
    assert list(found) == [jid], found  # one chat, under the key the older generation proved
    assert sorted(found[jid]) == sorted([m["id"] for m in history] + [new["id"]])
    wa.close()


# -- 3. chats found through the search box; WhatsApp left as the user had it --------------------------
def test_sends_found_through_search_leave_the_box_and_the_open_chat_as_they_were(routed, core_page):
    clock, tab = sending_tab(routed, core_page, Q2025)
    wa = tab.page
    old = 1_500_000_000  # 2017: older than every corpus chat, far down the virtualized list
    targets = {"5511980000401@c.us": "Zuleica 🌺 Búzios Idn", "5511980000402@c.us": None}  # a name with an emoji; an unsaved number
    for jid, name in targets.items():
        wa.evaluate("([id, n, ts]) => { __replica.createChat({id, name: n, last_ts: ts}); __replica.openChat(id); "
                    "__replica.deliver(id, {text: 'Oi, vocês entregam no sábado?', ts}); }", [jid, name, old])
        wait_for(lambda: texts(core_page, jid), message=f"{jid} captured")
    mine = wa.evaluate("() => __replica.chatOrder()[0]")
    wa.evaluate("id => __replica.openChat(id)", mine)  # the user reads another chat
    open_chat_key(tab.world, mine)
    for jid in targets:
        assert not wa.evaluate("id => !!document.querySelector(`#pane-side [data-chat-id='${id}']`)", jid), "still drawn"
    assert wa.evaluate("() => __replica.titleOf('5511980000402@c.us')").startswith("\u202a+55")

    for n, jid in enumerate(targets):
        text = f"Entregamos sim! Pedido {n + 1} confirmado para sábado."
        done = send(core_page, clock, jid, text)
        assert done["state"] == "sent", (done, tab.loop_status())
        assert [s["chat"] for s in sent_log(wa) if s["text"] == text] == [jid]
        # The search box is as the user left it (empty) and their chat is open again.
        try:
            wait_for(lambda: wa.evaluate("() => __replica.searchText()") == "" and
                     wa.evaluate("() => __replica.state().activeChat") == mine, timeout=30,
                     message="the search box emptied and the user's chat open again")
        except AssertionError:
            raise AssertionError((wa.evaluate("() => __replica.searchText()"), wa.evaluate("() => __replica.state().activeChat"), mine))
    tab.close()


# -- 4. queued sends with no chat open (issue 12, class 8) ---------------------------------------------
def test_a_queued_send_goes_out_with_no_chat_open(routed, core_page):
    clock, tab = sending_tab(routed, core_page, Q2026)
    target = tab.page.evaluate("() => __replica.chatOrder()[5]")
    key = known_chat(core_page, tab.page, target)
    tab.close()
    tab = Tab(routed[0], Q2026)  # WhatsApp opened again: no chat open
    assert tab.page.evaluate("() => __replica.state().activeChat") is None
    outcome = wait_for(lambda: (o := call(core_page, "selftest.last")["outcome"]) and o["features"]["composer"] == "not_checked"
                       and o, timeout=30, message="the self-test with no chat open")
    assert not outcome["safe_mode"], outcome
    text = "Bom dia! Seu orçamento ficou pronto, posso enviar?"
    done = send(core_page, clock, key, text)
    assert done["state"] == "sent", (done, tab.loop_status())
    assert [s["chat"] for s in sent_log(tab.page) if s["text"] == text] == [target]
    tab.close()


# -- 5. names with bidi marks and runs of whitespace (issue 11, point 4) ---------------------------------
def test_names_with_bidi_marks_and_whitespace_get_their_bar_and_their_sends(routed, core_page):
    clock, tab = sending_tab(routed, core_page, Q2026)
    wa, world = tab.page, tab.world
    names = {"5511980000601@c.us": "Ana\u200f  Lúcia Idn", "5511980000602@c.us": "محمد\tعلي Idn",
             "5511980000603@c.us": "דוד\nכהן Idn"}
    for jid, name in names.items():
        wa.evaluate("([id, n]) => __replica.createChat({id, name: n})", [jid, name])
        key = known_chat(core_page, wa, jid, text="Olá, tudo bem?")
        open_chat_key(world, key)
        call(core_page, "suggestion.offer", {"chat": key, "text": "Tudo ótimo, e com você?"})
        wa.locator('[data-mettri="suggestion"]').wait_for(state="attached")
        call(core_page, "suggestion.dismiss", {"chat": key})
        wa.evaluate("() => __replica.openChat(__replica.chatOrder().find(id => id.startsWith('55') && !id.startsWith('551198000006')))")
        text = f"Seu pedido {jid[-8:-5]} foi confirmado."
        done = send(core_page, clock, key, text)
        assert done["state"] == "sent", (name, done, tab.loop_status())
        assert [s["chat"] for s in sent_log(wa) if s["text"] == text] == [jid]
    tab.close()


def test_a_name_that_overrides_direction_never_reorders_the_time_beside_it(routed, core_page):
    context, ext_id = routed
    for page in context.pages:
        if page.url.startswith("https://web.whatsapp.com"):
            page.close()
    wa = open_whatsapp(context, Q2025)
    group, member, author = "120363000000701@g.us", "5511980000701@c.us", "\u202eJoão Idn"
    text = "Chego às 15h para buscar a encomenda"
    wa.evaluate("([g, m, a]) => { __replica.createChat({id: g, name: 'Grupo Bidi Idn', participants: [{jid: m, name: a, saved: true}]});"
                " __replica.openChat(g); __replica.deliver(g, {text: 'Chego às 15h para buscar a encomenda', sender: m}); }",
                [group, member, author])
    wait_for(lambda: text in texts(core_page, group), message="the group message captured")

    def isolated(page, line) -> None:
        who, at = line.locator("bdi.who"), line.locator("time")
        assert who.inner_text() == author
        assert at.inner_text() and at.inner_text() not in who.inner_text()
        assert at.bounding_box()["x"] >= who.bounding_box()["x"] + who.bounding_box()["width"]  # the time stays after

    panel = browser.open_page(context, ext_id, "extension/pages/sidepanel/sidepanel.html")
    panel.locator(f'#chat-list li[data-chat="{group}"]').click()
    isolated(panel, panel.locator("#message-list li .when").last)
    panel.locator('.tabs [data-view="search"]').click()
    panel.locator("#search-q").fill("buscar a encomenda")
    isolated(panel, panel.locator("#search-results li.hit .when").first)
    panel.close()
    wa.close()
