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
