"""A read that takes only the rows put in at the end (capture.js grownRows) captures exactly what a
read of every row does (issue 16).

Two capture loops watch one replica page that keeps its rows (WhatsApp's keyed list): one may take
the rows read before plus those put in after them, the other queries every row on every read. After
each change the page goes through (new messages, rows redrawn in place, ticks, edited texts, day
dividers, a sliding window, older messages loaded above, rows taken out or put in above the end,
attribute changes) both have told their core the same facts for every row. Each step also says
whether its read took the short way, so a test of that way cannot pass by never taking it.
"""

from __future__ import annotations

import pytest

from tests import browser
from tests.replica.site import install_routes

pytestmark = pytest.mark.e2e

CHAT = "5511977770031@c.us"
SCRIPTS = ("extension/shared/protocol.js", "extension/shared/selectors.js",
           "extension/content/read-dom.js", "extension/content/capture.js")
DAY = 86400

# Two loops, each with a core that acknowledges every batch; `sent` is what each core was told.
LOOPS = """() => {
    const make = (grow) => {
        const api = {capture: {batch: {request: () => Promise.resolve({ok: true, result: {chat: 'k', expand: [], read_drawer: false}})}}};
        const loop = MettriCapture.createCapture({api, selectors: MettriSelectors, grow});
        loop.start();
        return loop;
    };
    window.__grown = make(true);
    window.__full = make(false);
}"""
# Both loops read now, in the task that made the change (whether the short way was taken is known
# at once); then both are waited for until idle, and what their cores hold is compared.
STEP = """async () => {
    const before = __grown.stats.readsGrown;
    __grown.read();
    const grown = __grown.stats.readsGrown > before;
    __full.read();
    while (__grown.busy() || __full.busy()) await new Promise((r) => setTimeout(r, 5));
    const told = (loop) => Object.fromEntries([...loop.sent].map(([k, f]) => [k, JSON.stringify(f.node)]));
    // The header read around the rows (beside the element holding them, or beside the footer, where
    // the composer is not: then in the whole page) is the header read in the whole page.
    const rows = document.querySelectorAll('#main [role="row"]');
    let skip = rows[0].parentElement;
    while (!skip.contains(rows[rows.length - 1])) skip = skip.parentElement;
    const panel = document.querySelector('#main');
    const header = [null, {panel, skip}, {panel, skip: panel.querySelector('footer')}]
        .map((around) => JSON.stringify(MettriReadDom.readChatHeader(document, MettriSelectors, around || undefined)));
    return {grown, short: told(__grown), full: told(__full), header};
}"""
# A copy of a row whose ids name message `other` instead of `mid`.
RENAMED = """(row, mid, other) => {
    const copy = row.cloneNode(true);
    for (const el of [copy, ...copy.querySelectorAll('*')]) for (const a of ['data-id', 'data-testid'])
        if (el.getAttribute(a)) el.setAttribute(a, el.getAttribute(a).replace(mid, other));
    return copy;
}"""
# A copy of a drawn message's row, under another id, put in above it.
CLONE_ABOVE = """([mid, other]) => {
    const row = [...document.querySelectorAll('#main [data-id]')].find((el) => el.getAttribute('data-id').endsWith(mid)).closest('[role=row]');
    row.parentElement.insertBefore((""" + RENAMED + """)(row, mid, other), row);
}"""
# The oldest four rows (and what lies between them) taken out, a new message's row put in at the end.
SLIDE = """(other) => {
    const list = document.querySelector('#main [data-id]').closest('[role=row]').parentElement;
    const rows = [...list.children];
    const newest = rows[rows.length - 1];
    const mid = (newest.matches('[data-id]') ? newest : newest.querySelector('[data-id]')).getAttribute('data-id').match(/[0-9A-F]{16,}/)[0];
    list.append((""" + RENAMED + """)(newest, mid, other));
    for (const r of rows.slice(0, 4)) r.remove();
}"""
ROW = "(mid) => [...document.querySelectorAll('#main [data-id]')].find((el) => el.getAttribute('data-id').endsWith(mid))"


def step(page, change: str | None = None, arg=None) -> bool:
    """Makes a change (JS run in the page), reads with both loops and compares what their cores hold;
    True when the first read after the change took only the rows put in at the end."""
    if change:
        page.evaluate(change, arg)
    out = page.evaluate(STEP)
    assert out["short"].keys() == out["full"].keys(), sorted(out["short"].keys() ^ out["full"].keys())[:5]
    differ = [k for k in out["full"] if out["short"][k] != out["full"][k]]
    assert not differ, (out["short"][differ[0]], out["full"][differ[0]])
    assert len(set(out["header"])) == 1, out["header"]
    assert '"composer_label":null' not in out["header"][0] and '"title":"Leitura curta"' in out["header"][0]
    return out["grown"]


@pytest.mark.parametrize("gen", ["2024", "2025", "2026"])
def test_a_read_of_the_rows_put_in_at_the_end_tells_the_core_what_a_read_of_every_row_does(plain_browser, gen):
    ctx = plain_browser.new_context(viewport={"width": 1280, "height": 800}, locale="pt-BR", timezone_id="America/Sao_Paulo")
    install_routes(ctx)
    page = ctx.new_page()
    page.goto(f"https://web.whatsapp.com/?gen={gen}&lang=pt-BR&rows=kept")
    page.wait_for_function("window.__replica && window.__replica.isReady()")
    now = page.evaluate("Math.floor(Date.now() / 1000)")
    # 70 own messages over three days (no unread divider): a window of the newest 40 drawn, older ones loaded on scrolling up.
    page.evaluate("""([id, now]) => { const r = __replica; r.setOlderDelay(50);
        r.createChat({id, name: 'Leitura curta'});
        for (let i = 0; i < 70; i++) r.deliver(id, {text: 'antes ' + i, from_me: true, status: i % 3 ? 'read' : 'sent',
            ts: now - 3 * 86400 + i * 3000});
        r.openChat(id); }""", [CHAT, now])
    for src in SCRIPTS:
        page.add_script_tag(path=str(browser.ROOT / src))
    page.evaluate(LOOPS)
    assert not step(page), "the first read has nothing read before to start from"

    # New messages one at a time: the replica draws the previous last row anew (out one, in one).
    taken = [step(page, "([id, k]) => __replica.deliver(id, {text: 'nova ' + k})", [CHAT, k]) for k in range(5)]
    assert all(taken), taken
    assert step(page, "(id) => { for (let k = 0; k < 10; k++) __replica.deliver(id, {text: 'rajada ' + k}); }", CHAT)
    # A message of a new day: a day divider and its row put in at the end.
    assert step(page, "([id, ts]) => __replica.deliver(id, {text: 'amanhã', ts})", [CHAT, now + DAY])

    # A tick and a text patched into rows read before, in place (React keeps the elements).
    drawn = [m for m in page.evaluate("(id) => __replica.messages(id)", CHAT)][-40:]
    own = next(m["id"] for m in drawn if m["from_me"])
    assert step(page, f"""(mid) => {{ const row = ({ROW})(mid);
        for (const t of row.querySelectorAll('[data-icon="msg-check"]')) {{ t.setAttribute('data-icon', 'msg-dblcheck'); t.setAttribute('aria-label', ' Entregue '); }} }}""", own)
    assert step(page, f"""(mid) => {{ const s = ({ROW})(mid).querySelector('.selectable-text span, .selectable-text');
        document.createTreeWalker(s, NodeFilter.SHOW_TEXT).nextNode().data = 'texto corrigido'; }}""", drawn[-20]["id"])
    # A class no row candidate names, changed on a row: still a read of the rows put in at the end.
    assert step(page, f"(mid) => ({ROW})(mid).classList.add('focused')", drawn[-10]["id"])
    # A day divider above re-texted in place: every row below it is labelled (and sent) again.
    step(page, "() => { document.querySelector('#main .system-row.day span').firstChild.data = 'ONTEM'; }")

    # Changes that touch which elements are rows, or where they are: every row is queried. (The
    # replica's next render puts its own rows back: those reads are compared, not counted.)
    assert not step(page, CLONE_ABOVE, [drawn[-25]["id"], "3EB0C0FFEE00000000A1"])
    assert not step(page, f"(mid) => ({ROW})(mid).querySelector('.bubble').setAttribute('role', 'row')", drawn[-15]["id"])
    assert not step(page, f"(mid) => ({ROW})(mid).closest('[role=row]').remove()", drawn[-30]["id"])
    # The window slides: rows taken out at the top, one put in at the end.
    assert not step(page, SLIDE, "3EB0C0FFEE00000000B2")
    step(page, "([id]) => __replica.deliver(id, {text: 'depois da janela'})", [CHAT])
    # The newest row taken out (a message deleted for everyone leaves nothing in this page).
    assert step(page, "() => { const rows = document.querySelectorAll('#main [data-id]'); rows[rows.length - 1].closest('[role=row]').remove(); }")

    # Older messages loaded above the drawn ones after a delay: the loops' own timers read meanwhile.
    loads = page.evaluate("() => __replica.olderLoads().done")
    page.evaluate("() => { document.querySelector('#main .msg-scroller').scrollTop = 0; }")
    page.wait_for_function("(n) => __replica.olderLoads().done > n", arg=loads)
    step(page)
    # More nodes put in than rows drawn: one query of every row costs less than looking into each.
    assert not step(page, "(id) => { for (let k = 0; k < 150; k++) __replica.deliver(id, {text: 'enxurrada ' + k}); }", CHAT)
    assert step(page, "([id]) => __replica.deliver(id, {text: 'por último'})", [CHAT])
    assert page.evaluate("__grown.stats.readsGrown") >= 10
    ctx.close()
