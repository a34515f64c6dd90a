"""Numbers read from WhatsApp's page text, in any locale ("1.227 mensagens não lidas")."""

from __future__ import annotations

import re


def unread_count(label: str | None, text: str | None) -> tuple[int, bool]:
    """(count, marked unread without a number). '1.227 mensagens não lidas' -> 1227."""
    for source in (label, text):
        if source:
            m = re.search(r"\d[\d.,\u00a0\u202f ]*", source)
            if m:
                return int(re.sub(r"\D", "", m.group())), False
    return 0, bool(label or text)
