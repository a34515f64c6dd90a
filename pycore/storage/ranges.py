"""Key ranges over the messages store's compound indexes, where a bound needs care."""

from __future__ import annotations

from pycore.storage.base import Range

TOP: list = []  # sorts after every number and string in an IndexedDB key (arrays sort last)


def in_time_order(chat: str, since: float = -1e18, until: float = 1e18) -> Range:
    """The messages of one chat timed from ``since`` to ``until``, both included, on the
    ``by_chat_ts_seq`` index (in conversation order; one minute's messages in the order stored).
    The upper key ends in TOP: [chat, until] alone would leave out the messages timed ``until``,
    whose keys are [chat, until, seq]."""
    return Range(lower=[chat, since], upper=[chat, until, TOP])


def in_capture_order(chat: str, through: int | None = None) -> Range:
    """The messages of one chat on the ``by_chat_seq`` index (in the order they were stored), up to
    seq ``through`` included when given."""
    return Range(lower=[chat], upper=[chat, TOP if through is None else through])
