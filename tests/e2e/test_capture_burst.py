"""A page that never stops rendering is still read while it renders (issue 16): the capture loop's
debounce waits at most MAX_WAIT_MS, however often WhatsApp mutates the open chat."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.e2e.reading import all_stored, open_active

pytestmark = pytest.mark.e2e

CHAT = "5511977770001@c.us"
# Counts message rows (elements with a data-id) taken out of the open conversation from now on.
COUNT_ROWS_TAKEN_OUT = """() => {
    if (!window.__rowsTakenOut) {
        window.__rowsTakenOut = {n: 0};
        new MutationObserver((records) => { for (const r of records) for (const n of r.removedNodes)
            if (n.nodeType === 1 && (n.matches('[data-id]') || n.querySelector('[data-id]'))) __rowsTakenOut.n += 1; })
            .observe(document.querySelector('#main'), {childList: true, subtree: true});
    }
    return __rowsTakenOut.n;
}"""
# Ten messages per task, back to back, as a fast burst from the network renders (each render of
# the replica redraws the whole window, so the main thread stays busy), until told to stop or
# 1,000 messages were delivered.
BURST = """id => {
    window.__burst = {stop: false, done: false, ids: []};
    (async () => {
        for (let i = 0; !__burst.stop && i < 1000; i += 10) {
            for (let k = i; k < i + 10; k++) {
                const m = __replica.deliver(id, {id: "3EB0B0A5" + String(k).padStart(12, "0"), text: "rajada " + k});
                __burst.ids.push(m.id);
            }
            await new Promise(r => setTimeout(r, 0));
        }
        __burst.done = true;
    })();
}"""


def test_a_page_that_keeps_rendering_is_captured_during_the_burst(routed, core_page):
    context, _ = routed
    wa, world = open_active(context, "gen=2025&lang=pt-BR")
    wa.evaluate("id => { __replica.createChat({id, name: 'Rajada'}); __replica.openChat(id); }", CHAT)
    wa.evaluate(BURST, CHAT)
    try:
        key = wait_for(lambda: world.evaluate("MettriContent.capture.chatKey()"), timeout=60,
                       message="the core to acknowledge a batch of the burst")
        assert not wa.evaluate("() => __burst.done"), "nothing was captured until the burst ended"
    finally:
        wa.evaluate("() => { __burst.stop = true; }")
    wait_for(lambda: wa.evaluate("() => __burst.done"), message="the burst to stop")
    sent = wa.evaluate("() => __burst.ids")
    wait_for(lambda: set(sent) <= {r["id"] for r in all_stored(core_page, key)}, timeout=120,
             message=f"all {len(sent)} messages stored")
    ids = [r["id"] for r in all_stored(core_page, key)]
    assert len(ids) == len(set(ids)) and set(ids) == set(sent), "a message lost, duplicated or invented"
    # Each row went to the core about once: a burst of new rows is no chat switch (which would send the
    # whole window again after every read, and read it all again on WhatsApp's main thread).
    stats = world.evaluate("MettriContent.capture.stats")
    assert stats["nodes"] <= len(sent) + 20, f"{stats['nodes']} rows sent for {len(sent)} messages"


MOVED = "5511977770002@c.us"
# The same row element taken out of the page, its tick changed while it is out (no observer sees
# that), then put back where it was: what a list that moves its rows around does.
TAKE_OUT_CHANGE_PUT_BACK = """async (mid) => {
    const row = [...document.querySelectorAll('#main [data-id]')].find(el => el.getAttribute('data-id').endsWith(mid));
    const parent = row.parentNode, next = row.nextSibling;
    row.remove();
    await new Promise(r => setTimeout(r, 50));
    for (const tick of row.querySelectorAll('[data-icon="msg-check"]')) {
        tick.setAttribute('data-icon', 'msg-dblcheck');
        tick.setAttribute('aria-label', ' Entregue ');
    }
    await new Promise(r => setTimeout(r, 50));
    parent.insertBefore(row, next);
}"""


def test_a_row_put_back_after_changing_while_out_is_read_again(routed, core_page):
    context, _ = routed
    wa, world = open_active(context, "gen=2025&lang=pt-BR")
    wa.evaluate("id => { __replica.createChat({id, name: 'Vai e volta'}); __replica.openChat(id); }", MOVED)
    mid = wa.evaluate("id => __replica.deliver(id, {text: 'Pedido confirmado', from_me: true, status: 'sent'}).id", MOVED)
    wa.evaluate("id => __replica.deliver(id, {text: 'Obrigada!'})", MOVED)
    key = wait_for(lambda: world.evaluate("MettriContent.capture.chatKey()"), timeout=60, message="the chat's first batch")

    def status():
        return {r["id"]: r["status"] for r in all_stored(core_page, key)}.get(mid)

    wait_for(lambda: status() == "sent", timeout=30, message="the outgoing message stored as sent")
    reads = world.evaluate("MettriContent.capture.stats.reads")
    wa.evaluate(TAKE_OUT_CHANGE_PUT_BACK, mid)
    wait_for(lambda: status() == "delivered", timeout=30, message="the tick changed while out read once the row is back")
    assert world.evaluate("MettriContent.capture.stats.reads") > reads
    wa.close()


KEPT = "5511977770003@c.us"
OTHER = "5511977770004@c.us"
# Ten messages per task into the open chat while another chat gets one each time (the chat list
# redraws its rows on every message); the page keeps the open chat's rows (rows=kept).
BURST_WITH_LIST = """([id, other, n]) => (async () => {
    const ids = [];
    for (let i = 0; i < n; i += 10) {
        for (let k = i; k < i + 10; k++) ids.push(__replica.deliver(id, {id: "3EB0CE97" + String(k).padStart(12, "0"), text: "guardada " + k}).id);
        __replica.deliver(other, {text: "ao lado " + i});
        await new Promise(r => setTimeout(r, 0));
    }
    return ids;
})()"""
# A tick changed in place, as React patches a kept row's attributes.
TICK_IN_PLACE = """mid => {
    const row = [...document.querySelectorAll('#main [data-id]')].find(el => el.getAttribute('data-id').endsWith(mid));
    for (const tick of row.querySelectorAll('[data-icon="msg-check"]')) {
        tick.setAttribute('data-icon', 'msg-dblcheck');
        tick.setAttribute('aria-label', ' Entregue ');
    }
}"""


def test_rows_the_page_keeps_are_sent_once_and_a_change_in_one_is_still_read(routed, core_page):
    """WhatsApp's keyed list keeps its rows: the content script skips the chat list's redraws (they
    cannot touch the open conversation) and still sees a tick patched into an old row."""
    context, _ = routed
    wa, world = open_active(context, "gen=2026&lang=pt-BR&rows=kept")
    wa.evaluate("([id, other]) => { __replica.createChat({id: other, name: 'Ao lado'});"
                " __replica.createChat({id, name: 'Guardada'}); __replica.openChat(id); }", [KEPT, OTHER])
    mid = wa.evaluate("id => __replica.deliver(id, {text: 'Separei o pedido', from_me: true, status: 'sent'}).id", KEPT)
    first = wa.evaluate_handle("() => document.querySelector('#main [data-id]')")
    sent = wa.evaluate(BURST_WITH_LIST, [KEPT, OTHER, 200])
    assert first.evaluate("el => el.isConnected"), "the replica did not keep its rows"
    key = wait_for(lambda: world.evaluate("MettriContent.capture.chatKey()"), timeout=60, message="the chat's first batch")
    wait_for(lambda: set(sent) | {mid} <= {r["id"] for r in all_stored(core_page, key)}, timeout=120,
             message=f"all {len(sent) + 1} messages stored")
    rows = all_stored(core_page, key)
    assert len(rows) == len({r["id"] for r in rows}) == len(sent) + 1, "a message lost, duplicated or invented"
    assert world.evaluate("MettriContent.capture.stats.nodes") <= len(sent) + 10

    def status():
        return {r["id"]: r["status"] for r in all_stored(core_page, key)}.get(mid)

    assert status() == "sent"
    wa.evaluate(TICK_IN_PLACE, mid)
    wait_for(lambda: status() == "delivered", timeout=30, message="the tick patched into the kept row")

    # One message at a time: each render puts the previous row back redrawn (out one, in one) and
    # adds the new one. No row is lost, so the whole conversation is never asked whether at most
    # one row is left (that question is for a tab going hidden).
    checks = world.evaluate("MettriContent.capture.stats.rowChecks")
    removed = wa.evaluate(COUNT_ROWS_TAKEN_OUT)
    more = [wa.evaluate("([id, k]) => __replica.deliver(id, {text: 'mais um ' + k}).id", [KEPT, k]) for k in range(12)]
    wait_for(lambda: set(more) <= {r["id"] for r in all_stored(core_page, key)}, timeout=60, message="12 more stored")
    assert wa.evaluate("() => __rowsTakenOut.n") - removed > 0, "the replica took no row out: the check below proves nothing"
    assert world.evaluate("MettriContent.capture.stats.rowChecks") == checks
    wa.close()


def chat_read_and_idle(context, core_page, params, chat, prefix, n):
    """A new chat (named by its prefix) of ``n`` delivered messages, all stored, capture idle: the tab,
    its content world, the chat's key and the capture's stats at that point."""
    wa, world = open_active(context, params)
    wa.evaluate("([id, name]) => { __replica.createChat({id, name}); __replica.openChat(id); }", [chat, prefix.title()])
    ids = [wa.evaluate("([id, t]) => __replica.deliver(id, {text: t}).id", [chat, f"{prefix} {k}"]) for k in range(n)]
    key = wait_for(lambda: world.evaluate("MettriContent.capture.chatKey()"), timeout=60, message="the chat's first batch")
    wait_for(lambda: set(ids) <= {r["id"] for r in all_stored(core_page, key)}, timeout=60, message=f"{n} stored")
    return wa, world, key, idle_stats(world)


def idle_stats(world):
    wait_for(lambda: not world.evaluate("MettriContent.capture.busy()"), timeout=30, message="capture idle")
    return world.evaluate("({...MettriContent.capture.stats})")


SETTLED = "5511977770005@c.us"
# WhatsApp patches a day divider's text node in place and keeps its rows (after midnight "HOJE"
# reads "ONTEM"; React sets the node's value, nothing is put in): every row below it is labelled anew.
RETEXT_FIRST_DIVIDER = """() => { document.querySelector('#main .system-row.day span').firstChild.data = 'ONTEM'; }"""


def test_rows_a_read_left_done_are_not_looked_at_again_until_a_divider_above_them_changes(routed, core_page):
    """In a conversation that keeps its rows, a read after new messages looks at the new rows only
    (the older ones were read, sent and acknowledged, and nothing above them changed); a day
    divider re-texted above them makes the next read label, and send, every row below it again."""
    wa, world, key, before = chat_read_and_idle(routed[0], core_page, "gen=2026&lang=pt-BR&rows=kept", SETTLED, "antes", 60)
    more = [wa.evaluate("([id, k]) => __replica.deliver(id, {text: 'depois ' + k}).id", [SETTLED, k]) for k in range(5)]
    wait_for(lambda: set(more) <= {r["id"] for r in all_stored(core_page, key)}, timeout=60, message="5 more stored")
    after = idle_stats(world)
    reads = after["reads"] - before["reads"]
    looked = after["rowsLooked"] - before["rowsLooked"]
    assert reads >= 1
    # each read: its new rows, the row the replica drew anew (the previous last one) and the newest
    assert looked <= 5 + 2 * reads, f"{looked} rows looked at in {reads} reads for 5 new messages in a window of 65"

    wa.evaluate(RETEXT_FIRST_DIVIDER)
    wait_for(lambda: world.evaluate("MettriContent.capture.stats.nodes") - after["nodes"] >= 65, timeout=30,
             message="every row below the re-texted divider sent again with its new label")
    assert world.evaluate("MettriContent.capture.stats.rowsLooked") - after["rowsLooked"] >= 65
    rows = all_stored(core_page, key)
    assert len(rows) == len({r["id"] for r in rows}) == 65, "a message lost, duplicated or invented"
    wa.close()


REDRAWN = "5511977770007@c.us"


def test_rows_drawn_anew_above_the_newest_are_taken_by_their_key_until_their_labels_change(routed, core_page):
    """A page that draws its whole window anew on each render: a read after new messages does not
    read again, nor send, the older rows (above the newest 100) the core acknowledged with the labels
    they carry now; a day divider re-texted above them makes every row below it sent again."""
    wa, world, key, before = chat_read_and_idle(routed[0], core_page, "gen=2025&lang=pt-BR&rows=redrawn", REDRAWN, "redesenho", 130)
    first = wa.evaluate_handle("() => document.querySelector('#main [data-id]')")
    more = wa.evaluate("id => [0, 1, 2].map(k => __replica.deliver(id, {text: 'depois ' + k}).id)", REDRAWN)
    wait_for(lambda: set(more) <= {r["id"] for r in all_stored(core_page, key)}, timeout=60, message="3 more stored")
    assert not first.evaluate("el => el.isConnected"), "the replica kept its rows: the check below proves nothing"
    after = idle_stats(world)
    reads = after["reads"] - before["reads"]
    assert reads >= 1
    # each read: 133 rows drawn, of them the 33 above the newest 100 known by their key
    assert after["rowsKnown"] - before["rowsKnown"] >= 30 * reads, (after["rowsKnown"] - before["rowsKnown"], reads)
    assert after["nodes"] - before["nodes"] <= 3 + 2 * reads, "rows the core had were sent again"

    wa.evaluate(RETEXT_FIRST_DIVIDER)
    wait_for(lambda: world.evaluate("MettriContent.capture.stats.nodes") - after["nodes"] >= 133, timeout=30,
             message="every row below the re-texted divider sent again with its new label")
    rows = all_stored(core_page, key)
    assert len(rows) == len({r["id"] for r in rows}) == 133, "a message lost, duplicated or invented"
    # Between a redraw and the next read, the element that held the rows is still named: the header
    # and the connection facts (every second) are read beside it, not through every row. The rows
    # drawn anew here and asked at once, in one task of the content script's world.
    held = world.evaluate("""(() => {
        const h = MettriContent.capture.rowsHolder();
        const rows = [...document.querySelectorAll('#main [data-id]')];
        rows.forEach((r) => r.replaceWith(r.cloneNode(true)));
        const now = document.querySelectorAll('#main [data-id]');
        const after = MettriContent.capture.rowsHolder();
        return {named: !!h, same: after === h, gone: !rows[0].isConnected,
                holds: !!after && after.contains(now[0]) && after.contains(now[now.length - 1])};
    })()""")
    assert held == {"named": True, "same": True, "gone": True, "holds": True}, held
    wa.close()


BESIDE = "5511977770008@c.us"


def test_rows_matched_beside_the_message_list_name_no_holder(routed, core_page):
    """A row candidate that also matches in the conversation's header: the rows' common ancestor is
    then the whole panel, and the capture names no element holding them, so that nothing in the
    panel is left out of the connection facts' read (an alert drawn there is still read)."""
    wa, world, key, before = chat_read_and_idle(routed[0], core_page, "gen=2025&lang=pt-BR&rows=kept", BESIDE, "painel", 5)
    assert world.evaluate("!!MettriContent.capture.rowsHolder()"), "the list's holder was not named: the check below proves nothing"
    wa.evaluate("""() => {
        const head = document.querySelector('#main header');
        const row = document.createElement('div');
        row.setAttribute('data-id', 'false_5511977770008@c.us_3EB0HEADER0001');
        head.prepend(row);
        const alert = document.createElement('div');
        alert.setAttribute('role', 'alert');
        alert.textContent = 'Aviso no painel';
        head.after(alert);
    }""")
    more = wa.evaluate("id => __replica.deliver(id, {text: 'depois'}).id", BESIDE)
    wait_for(lambda: more in {r["id"] for r in all_stored(core_page, key)}, timeout=60, message="1 more stored")
    idle_stats(world)
    seen = world.evaluate("""(() => {
        const holder = MettriContent.capture.rowsHolder();
        const facts = MettriReadDom.readConnection(document, MettriSelectors, holder);
        return {holder: holder ? holder.tagName : null, alert: facts.banners.includes('Aviso no painel')};
    })()""")
    assert seen == {"holder": None, "alert": True}, seen
    wa.close()


WINDOWED = "5511977770006@c.us"
# A virtualized list at the bottom of a long chat: the three oldest rows drawn (and the day divider
# above them) go at the top while a new message is drawn at the end, the rows between kept.
SLIDE_WINDOW = """([chat, id, text]) => {
    const list = document.querySelector('#main [data-id]').closest('[role=row]').parentElement;
    const rows = [...list.children];
    const fresh = rows[rows.length - 1].cloneNode(true);
    const idEl = fresh.matches('[data-id]') ? fresh : fresh.querySelector('[data-id]');
    idEl.setAttribute('data-id', 'false_' + chat + '_' + id);
    fresh.querySelector('.selectable-text span, .selectable-text').textContent = text;
    list.append(fresh);
    let gone = 0;
    for (const r of rows) {
        if (gone === 3) break;
        if (r.querySelector('[data-id]')) gone += 1;
        r.remove();
    }
}"""


def test_rows_kept_below_rows_a_virtualized_list_let_go_are_not_looked_at_again(routed, core_page):
    """The window slides down (rows go at the top, a new one comes at the end): the rows that stay
    were read and are not looked at again; the new one is stored once, none is lost."""
    wa, world, key, before = chat_read_and_idle(routed[0], core_page, "gen=2025&lang=pt-BR&rows=kept", WINDOWED, "linha", 40)
    wa.evaluate(SLIDE_WINDOW, [WINDOWED, "3EB0F1A2B3C4D5E6F7A8", "chegou agora"])
    wait_for(lambda: "3EB0F1A2B3C4D5E6F7A8" in {r["id"] for r in all_stored(core_page, key)}, timeout=30,
             message="the message drawn at the end stored")
    after = idle_stats(world)
    assert after["rowsLooked"] - before["rowsLooked"] <= 2 * (after["reads"] - before["reads"]), \
        "the rows the window kept were looked at again"
    assert after["nodes"] - before["nodes"] == 1
    rows = all_stored(core_page, key)
    assert len(rows) == len({r["id"] for r in rows}) == 41, "a message lost, duplicated or invented"
    assert next(r for r in rows if r["id"] == "3EB0F1A2B3C4D5E6F7A8")["text"] == "chegou agora"
    wa.close()
