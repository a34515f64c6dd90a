"""What the open chat's header, composer and rows say about the chat itself. Pure.

* Group or not: a serialized id names a group or a participant (until early 2026); the 2026
  composer says "…para o grupo <nome>" / "…to group <name>"; the header's second line lists the
  participants; incoming rows carry more than one author.
* Completeness: the chat list's unread badge on the open chat counts what arrived while the
  user was away (a hidden tab). Messages it counts that capture has not stored are missing,
  until the badge is back to 0 (the tab visible again, or the chat opened) and the rows shown.
"""

from __future__ import annotations

import re

from pycore.pagetext import unread_count
from pycore.capture.protocol import ChatFacts

_GROUP_COMPOSER = re.compile(r"\b(?:para o grupo|to group|al grupo|para el grupo|au groupe|an die gruppe)\b", re.I)


def is_group(chat: ChatFacts, *, serialized_group: bool, authors: set[str]) -> bool:
    if serialized_group:
        return True
    if chat.composer_label and _GROUP_COMPOSER.search(chat.composer_label):
        return True
    names = [n.strip() for n in (chat.subtitle or "").split(",") if n.strip()]
    if len(names) >= 2 and all(len(n) <= 60 for n in names):
        return True
    return len(authors) >= 2


def track_unread(health: dict, chat: ChatFacts, new_incoming: int) -> None:
    """Update health's unread / new_in_since_read / missing from one batch (in place)."""
    for name in ("unread", "new_in_since_read", "missing"):
        health.setdefault(name, 0)  # records stored before these figures existed
    if chat.list_row:
        unread, _ = unread_count(chat.unread_label, chat.unread_text)
        if unread == 0:
            health["unread"], health["new_in_since_read"], health["missing"] = 0, 0, 0
            return
        health["unread"] = unread
    health["new_in_since_read"] = health.get("new_in_since_read", 0) + new_incoming
    health["missing"] = max(0, health.get("unread", 0) - health["new_in_since_read"])
