"""Key ranges over compound indexes, where a bound needs care."""

from __future__ import annotations

from pycore.storage.base import Range


def in_time_order(chat: str, since: float = -1e18, until: float = 1e18) -> Range:
    """The messages of one chat timed from ``since`` to ``until``, both included, on the
    ``by_chat_ts_seq`` index (in conversation order; one minute's messages in the order stored).
    The upper key ends in [] (an array sorts above every number): [chat, until] alone would leave
    out the messages timed ``until``, whose keys are [chat, until, seq]."""
    return Range(lower=[chat, since], upper=[chat, until, []])
