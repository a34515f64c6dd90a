"""The side panel's chat list as a user reads it: the first screens, then more at each scroll to its end."""

from __future__ import annotations

FIRST, MORE = 40, 100  # sidepanel.js: the rows asked for first, and at each scroll to the end


def scroll_to_end(panel, total: int) -> list[int]:
    """Scroll to the list's end until ``total`` rows are drawn; the row counts after each scroll.
    Each scroll waits for the next rows (the panel's answer), never for a fixed time."""
    steps = []
    count = lambda: panel.evaluate("() => document.getElementById('chat-list').children.length")  # noqa: E731
    while (had := count()) < total:
        panel.locator("#chat-list-end").scroll_into_view_if_needed()
        panel.wait_for_function("n => document.getElementById('chat-list').children.length > n", arg=had)
        panel.wait_for_function("n => document.getElementById('chat-list').children.length === n",
                                arg=min(total, had + MORE))
        steps.append(count())
    return steps


def row_of(panel, chat: str):
    """The chat's row in the list, drawn: the list draws the FIRST chats of newest activity, and is
    scrolled to its end (where it asks the core for more), as a user would, until the row is there.
    Each scroll waits for the panel's answer (more rows, or the row), never for a fixed time."""
    css = f'#chat-list li[data-chat="{chat}"]'
    row = panel.locator(css)
    panel.wait_for_function("() => { const l = document.getElementById('chat-list');"
                            " return !l.dataset.cached && l.children.length > 0; }", timeout=60_000)
    while not row.count():
        had = panel.evaluate("() => document.getElementById('chat-list').children.length")
        if had < FIRST:
            break  # every chat is drawn: the row comes with the list's next redraw
        panel.locator("#chat-list-end").scroll_into_view_if_needed()
        panel.wait_for_function("([n, css]) => document.getElementById('chat-list').children.length > n"
                                " || !!document.querySelector(css)", arg=[had, css], timeout=20_000)
    row.wait_for(timeout=20_000)
    return row
