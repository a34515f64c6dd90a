"""The side panel's chats tab draws only what is on screen: the chat list asks the core for its first
screens and for more as the user scrolls to its end; opening a chat draws its messages without
redrawing the hidden chat list (it doubled the time to show a chat, scripts/bench_scale.py), new
messages reach the open chat, and going back draws the list as it is now."""

from __future__ import annotations

import time

import pytest

from tests import browser
from tests.e2e.chat_list import FIRST, MORE, scroll_to_end
from tests.history_import import import_records

pytestmark = pytest.mark.e2e

PANEL = "extension/pages/sidepanel/sidepanel.html"
FIRST_MESSAGES = 40  # sidepanel.js: an open chat's newest bubbles, drawn first
# The top of the bubble whose text is t, from the top of the panel's scrolling view.
BUBBLE_OFFSET = """const views = document.getElementById('views');
    const li = [...document.querySelectorAll('#message-list li')].find((b) => b.querySelector('.text').textContent === t);
    return li.getBoundingClientRect().top - views.getBoundingClientRect().top;"""
# Counts the chat list's redraws from now on (renderChats replaces its rows).
WATCH_LIST = """() => { window.__listDraws = 0;
    new MutationObserver(() => window.__listDraws++).observe(document.getElementById('chat-list'), {childList: true}); }"""


def rec(chat: str, i: int, text: str, ts: float) -> dict:
    return {"chat": chat, "id": f"3APANEL{chat[5:13]}{i:06d}", "ts": ts, "direction": "in", "type": "text", "text": text,
            "chat_title": f"Cliente {chat[5:13]}", "is_group": False}


ROW_TOP = """k => document.querySelector(`#chat-list li[data-chat="${k}"]`).getBoundingClientRect().top
    - document.getElementById('views').getBoundingClientRect().top"""


def newest(core_page) -> float:
    """A time after every chat's last message in the session (earlier tests date some a little ahead)."""
    chats = browser.core_call(core_page, "chats.list", {"limit": 1, "with_scanned": True})["result"]["chats"]
    return max([time.time()] + [c["last_ts"] + 1 for c in chats if c.get("last_ts")])


def test_opening_a_chat_draws_its_messages_and_leaves_the_hidden_list_alone(ext, core_page):
    context, ext_id = ext
    now = time.time()
    chats = [f"55119{n:08d}@c.us" for n in range(70001, 70004)]
    sizes = {chats[0]: 5, chats[1]: 60, chats[2]: 5}
    import_records(core_page, [rec(c, i, f"mensagem {i} de {c[5:13]}", now - 3600 + i) for c in chats for i in range(sizes[c])])
    panel = browser.open_page(context, ext_id, PANEL)
    panel.set_viewport_size({"width": 380, "height": 900})
    try:
        row = panel.locator(f'#chat-list li[data-chat="{chats[0]}"]')
        row.wait_for(timeout=120_000)
        # The list is drawn in steps (a cached copy, then the core's first screens): watch it only
        # once the core's answer is on screen.
        listed = browser.core_call(core_page, "chats.list", {"limit": FIRST, "with_scanned": True})["result"]["chats"]
        panel.wait_for_function("n => { const l = document.getElementById('chat-list');"
                                " return !l.dataset.cached && l.children.length === n; }", arg=len(listed))
        panel.evaluate(WATCH_LIST)
        row.click()
        # The open chat's messages are on screen: the decision about the list was taken before them.
        panel.locator("#message-list li").nth(4).wait_for()
        # Oldest first, as in WhatsApp (the core reads the newest 200 newest-first: idb-shim.js).
        assert panel.locator("#message-list li .text").all_inner_texts() == [f"mensagem {i} de {chats[0][5:13]}" for i in range(5)]
        assert panel.evaluate("() => window.__listDraws") == 0, "the hidden chat list was drawn again"
        # Its messages came by import, none by capture: no capture figure ("100 % read · stored: 0").
        assert panel.locator("#capture-health").is_hidden()

        # A message arriving in the open chat is drawn there.
        import_records(core_page, [rec(chats[0], 99, "chegou agora", now)])
        panel.locator("#message-list li", has_text="chegou agora").wait_for()

        # A chat that appeared while the chat was open is in the list once the user goes back.
        fresh = "5511900070009@c.us"
        import_records(core_page, [rec(fresh, 1, "sou novo aqui", now + 1)])
        panel.locator("#back").click()
        panel.locator(f'#chat-list li[data-chat="{fresh}"]').wait_for()
        assert panel.evaluate("() => window.__listDraws") >= 1
        # Newest activity first.
        assert panel.locator("#chat-list li").first.get_attribute("data-chat") == fresh
        assert panel.locator("#chat-view").is_hidden() and panel.locator("#chats-view").is_visible()

        # A long chat: the newest 40 bubbles; the older ones come when the user scrolls up to them,
        # drawn above without moving what the user reads; all in order.
        panel.locator(f'#chat-list li[data-chat="{chats[1]}"]').click()
        panel.locator("#message-list li", has_text="mensagem 59 de").wait_for()
        assert panel.locator("#message-list li").count() == FIRST_MESSAGES
        top = f"mensagem {60 - FIRST_MESSAGES} de {chats[1][5:13]}"
        # Scrolled to the top (and where the oldest drawn bubble is then read, in the same task).
        at = panel.evaluate("t => { document.getElementById('views').scrollTop = 0;" + BUBBLE_OFFSET + " }", top)
        panel.locator("#message-list li").nth(59).wait_for()
        texts = panel.locator("#message-list li .text").all_inner_texts()
        assert texts == [f"mensagem {i} de {chats[1][5:13]}" for i in range(60)]
        # The bubble the user was reading did not move when the older ones came above it.
        assert panel.evaluate("t => {" + BUBBLE_OFFSET + " }", top) == pytest.approx(at, abs=2)
        # A message arriving redraws the chat: the older ones read stay, none repeated, and the
        # user reading them is not moved (the bubble at the same place on screen).
        reading = panel.evaluate("t => {" + BUBBLE_OFFSET + " }", top)
        import_records(core_page, [rec(chats[1], 60, "mais uma agora", now + 2)])
        panel.locator("#message-list li", has_text="mais uma agora").wait_for()
        assert panel.evaluate("t => {" + BUBBLE_OFFSET + " }", top) == pytest.approx(reading, abs=2)
        keys = panel.evaluate("() => [...document.querySelectorAll('#message-list li')].map((li) => li.dataset.key)")
        assert len(keys) == len(set(keys)) == 61
    finally:
        panel.close()


def test_the_chat_list_asks_for_its_first_screens_and_more_at_its_end(ext, core_page):
    context, ext_id = ext
    # 150 chats older than any other in the session: they are the end of the list.
    old = 1_500_000_000.0
    mine = [f"55119{n:08d}@c.us" for n in range(71001, 71151)]
    import_records(core_page, [rec(c, 1, f"antiga {i}", old + i) for i, c in enumerate(mine)])
    total = len(browser.core_call(core_page, "chats.list", {"limit": 5000, "with_scanned": True})["result"]["chats"])
    assert total > FIRST + MORE
    panel = browser.open_page(context, ext_id, PANEL)
    panel.set_viewport_size({"width": 380, "height": 900})
    try:
        panel.wait_for_function("n => { const l = document.getElementById('chat-list');"
                                " return !l.dataset.cached && l.children.length === n; }", arg=FIRST)
        # Each scroll to the end draws the next rows (never more than asked for), until every chat.
        steps = scroll_to_end(panel, total)
        assert steps[0] == FIRST + MORE and steps[-1] == total
        # Every chat once; mine (the oldest dated ones) in the core's order, newest first.
        drawn = panel.evaluate("() => [...document.querySelectorAll('#chat-list li')].map((li) => li.dataset.chat)")
        assert len(drawn) == len(set(drawn)) == total
        assert [k for k in drawn if k in set(mine)] == mine[::-1]
        panel.locator("#chats-more").wait_for(state="hidden")
        # A redraw from capture keeps every row the user is scrolled among...
        # (the list is drawn a screen first and the rest in later tasks: "drawn" says it is complete)
        first_row = ("k => { const l = document.getElementById('chat-list');"
                     " return l.dataset.drawn && l.firstElementChild.dataset.chat === k; }")
        # (and the row the user's keyboard is on keeps the focus: rows drawn the same are kept; one on
        # screen, near the list's end, so that focusing it does not scroll the list)
        on_screen = panel.evaluate("""k => { const rows = [...document.querySelectorAll('#chat-list li')].slice(-3);
            const li = rows.find((r) => r.dataset.chat !== k); li.focus(); return li.dataset.chat; }""", mine[0])
        import_records(core_page, [rec(mine[0], 2, "nova 1", newest(core_page))])
        panel.wait_for_function(first_row, arg=mine[0])
        assert panel.evaluate("() => document.getElementById('chat-list').children.length") == total
        assert panel.evaluate("() => document.activeElement.dataset.chat") == on_screen
        # ...and back at the top, it asks for the first screens again, not for every row once seen.
        panel.evaluate("() => { document.getElementById('views').scrollTop = 0; }")
        import_records(core_page, [rec(mine[1], 2, "nova 2", newest(core_page))])
        panel.wait_for_function(first_row, arg=mine[1])
        assert panel.evaluate("() => document.getElementById('chat-list').children.length") == FIRST
        # Scrolling down again asks for the next rows as before.
        assert scroll_to_end(panel, FIRST + MORE)[-1] == FIRST + MORE
    finally:
        panel.close()


def test_back_from_a_chat_puts_the_list_where_the_user_left_it(ext, core_page):
    context, ext_id = ext
    now = time.time()
    # 45 chats active in the last minute (the newest of the session), the 11th newest a long
    # conversation (the chat view, scrolled to its newest bubble, is taller than a screen).
    chats = [f"55119{n:08d}@c.us" for n in range(72001, 72046)]
    long_chat = chats[34]
    import_records(core_page, [rec(c, 1, f"oi de {c[5:13]}", now - 45 + i) for i, c in enumerate(chats)]
                   + [rec(long_chat, i, f"linha {i}", now - 3600 + i) for i in range(2, 80)])
    panel = browser.open_page(context, ext_id, PANEL)
    panel.set_viewport_size({"width": 380, "height": 700})
    try:
        panel.wait_for_function("n => { const l = document.getElementById('chat-list');"
                                " return !l.dataset.cached && l.children.length === n; }", arg=FIRST)
        # The user scrolls down until the long chat is near the top of the screen (the list's end still
    # far below: no more rows asked for), and opens it.
        at = panel.evaluate("""k => { const views = document.getElementById('views');
            const row = document.querySelector(`#chat-list li[data-chat="${k}"]`);
            views.scrollTop += row.getBoundingClientRect().top - views.getBoundingClientRect().top - 150;
            return views.scrollTop; }""", long_chat)
        assert at > 200
        # Where the user left the list is where its rows are on screen when they press the row (the
        # scroll offset alone can move while the list stays put: content above it that changes height
        # is anchored by the browser). Taken at that moment: Playwright's click scrolls the row into
        # view again when the page moved under it (content above the list that changes height as it loads).
        panel.evaluate(f"""k => document.addEventListener('pointerdown', () => {{
            window.__leftAt = {{ top: ({ROW_TOP})(k), scroll: document.getElementById('views').scrollTop }};
        }}, {{ capture: true, once: true }})""", long_chat)
        panel.evaluate("() => document.querySelectorAll('#chat-list li').forEach((li) => { li.__seen = true; })")
        panel.locator(f'#chat-list li[data-chat="{long_chat}"]').click()
        panel.locator("#message-list li", has_text="oi de").wait_for()
        top, at = panel.evaluate("() => [window.__leftAt.top, window.__leftAt.scroll]")
        # The conversation shows its newest bubble at the bottom, further down the panel's scroll.
        assert panel.evaluate("() => document.getElementById('views').scrollTop") > at + 300
        turn = panel.evaluate("() => document.getElementById('chat-list').dataset.drawn")
        panel.locator("#back").click()
        # The core's fresh answer is drawn (the decision about the rows was made)...
        panel.wait_for_function("t => { const d = document.getElementById('chat-list').dataset.drawn; return d && d !== t; }", arg=turn)
        # ...the list is where the user left it, and it asked for the rows within reach only: coming
        # back did not count as a scroll to the list's end.
        assert panel.evaluate(ROW_TOP, long_chat) == pytest.approx(top, abs=2)
        assert panel.evaluate("() => document.getElementById('chat-list').children.length") == FIRST
        assert panel.locator("#chats-more").is_hidden()
        # Nothing changed meanwhile: every row on screen is the one drawn before, none built again.
        assert panel.evaluate("() => [...document.querySelectorAll('#chat-list li')].every((li) => li.__seen)")
        # Another tab and back: the list is still where the user left it.
        panel.locator('.tabs [data-view="search"]').click()
        panel.locator("#search-view").wait_for()
        panel.locator('.tabs [data-view="chats"]').click()
        assert panel.evaluate(ROW_TOP, long_chat) == pytest.approx(top, abs=2)
    finally:
        panel.close()
        # The newest chats of the session are this test's: erased, so later tests' chats are the newest again.
        for chat in chats:
            assert browser.core_call(core_page, "privacy.erase_person", {"chat": chat, "confirm": True})["ok"]
