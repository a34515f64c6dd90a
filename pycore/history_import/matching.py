"""Which exported messages are already stored (captured, or imported before).

1. Exact: the k-th exported message with a given identity (chat, minute, author, text) is
   stored when the chat holds more than k stored messages with that identity.
2. Loose, for media and deleted messages: WhatsApp Web draws them without a sender line, so
   capture dates them by a neighbour (pycore.capture.capturer.fill_missing_ts): a captured one
   may sit in another minute. An exported media (deleted) message that found no exact match
   takes an unused captured media (deleted) message of the same author whose time lies between
   the exported texts around it, if its own identity matches no exported message.
3. System lines (encryption notice, "added", "left") are worded by the phone in its language
   and by WhatsApp Web in another, and capture dates them by a neighbour: inside the span of
   time capture has seen in this chat they are left to capture; before or after it, imported.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict

from pycore.chat_export.identity import DELETED_TOKEN, MEDIA_TOKEN
from pycore.history_import.identity import is_imported, of_fields
from pycore.history_import.rows import Rows

LOOSE = (MEDIA_TOKEN, DELETED_TOKEN)
SLACK = 60.0


def stored_flags(rows: Rows, start: int, end: int, stored: list[dict], group: bool,
                 span: tuple[float, float] | None) -> list[bool]:
    """For rows start..end: already stored (True) or to be added."""
    counts: Counter = Counter()
    pool: dict[tuple, list[tuple[float, str]]] = defaultdict(list)
    exported = rows.ident_set
    for rec in stored:
        ident = of_fields(rec, group)
        if ident is None:
            continue
        counts[ident] += 1
        if ident.text in LOOSE and not is_imported(rec["id"]) and ident not in exported:
            pool[(ident.author, ident.text)].append((rec["ts"], rec["key"]))
    for items in pool.values():
        items.sort()
    used: set[str] = set()
    flags: list[bool] = []
    for i in range(start, end):
        ident = rows.idents[i]
        f = rows.fields[i]
        if f["direction"] == "system" and span is not None and span[0] - SLACK <= f["ts"] <= span[1] + SLACK:
            flags.append(True)
            continue
        if rows.ordinals[i] < counts[ident]:
            flags.append(True)
            continue
        hit = False
        if ident.text in LOOSE:
            items = pool.get((ident.author, ident.text), ())
            lo, hi = rows.prev_text[i] - SLACK, rows.next_text[i] + SLACK
            for ts, key in items[bisect_left(items, (lo, "")):]:
                if ts > hi:
                    break
                if key not in used:
                    used.add(key)
                    hit = True
                    break
        flags.append(hit)
    return flags


def window(rows: Rows, start: int, end: int) -> tuple[float, float]:
    """The times of stored messages that may match rows start..end."""
    lo = min(min(rows.fields[i]["ts"], rows.prev_text[i]) for i in range(start, end))
    hi = max(max(rows.fields[i]["ts"], rows.next_text[i]) for i in range(start, end))
    return lo, hi
