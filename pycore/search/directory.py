"""Contacts and chats for name/number search and for resolving "chat name" filters.

Small (hundreds to a few thousand entries), so it lives in Python lists and is
matched in Python; it is reloaded from the ``chats`` store and an optional
``contacts`` store (records with key, title, number?, push_name?).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycore.search.text import digits, fold, words

# A query with at least this many digits is also matched against phone numbers.
MIN_DIGITS = 3


@dataclass
class Entry:
    key: str
    title: str
    number: str | None
    push_name: str | None
    is_group: bool
    last_ts: float | None
    words: tuple[str, ...]
    name: str  # folded title
    push: str  # folded push name
    digits: str


def number_of(key: str) -> str | None:
    """A phone number from a person's JID (5511987654321@c.us); groups and LIDs carry none."""
    user, _, server = key.partition("@")
    return user if server in ("c.us", "s.whatsapp.net") and user.isdigit() else None


def entry(rec: dict[str, Any]) -> Entry | None:
    key = rec.get("key")
    if not isinstance(key, str) or not key:
        return None
    title = str(rec.get("title") or rec.get("name") or "")
    push = rec.get("push_name") or None
    number = rec.get("number") or number_of(key)
    return Entry(
        key=key, title=title, number=number, push_name=push, is_group=bool(rec.get("is_group")),
        last_ts=rec.get("last_ts"), words=tuple(words(title) + words(push or "")),
        name=" ".join(words(title)), push=" ".join(words(push or "")), digits=digits(number or ""),
    )


class Directory:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def load(self, records: list[dict[str, Any]]) -> bool:
        """Replace the entries; a contact record fills what its chat lacks. Return whether anything changed."""
        merged: dict[str, Entry] = {}
        for rec in records:
            e = entry(rec)
            if e is None:
                continue
            old = merged.get(e.key)
            if old is not None:
                e = entry({
                    "key": e.key, "title": old.title or e.title, "number": old.number or e.number,
                    "push_name": old.push_name or e.push_name, "is_group": old.is_group or e.is_group,
                    "last_ts": old.last_ts or e.last_ts,
                })
            merged[e.key] = e
        changed = merged != self.entries
        self.entries = merged
        return changed

    def title(self, key: str) -> str | None:
        e = self.entries.get(key)
        return e.title if e else None

    def search(self, q: str, limit: int) -> list[tuple[float, str, Entry]]:
        """(score, matched field, entry), best first.

        Score tiers: exact name 4, name starts with the query 3, every query word
        starts a name word 2, number contains the query's digits 1; ties by last activity.
        """
        qwords = words(q)
        qdigits = digits(q)
        phrase = " ".join(qwords)
        found: list[tuple[float, str, Entry]] = []
        for e in self.entries.values():
            score, field = 0.0, ""
            for name, label in ((e.name, "title"), (e.push, "push_name")):
                if not phrase or not name:
                    continue
                if name == phrase:
                    s = 4.0
                elif name.startswith(phrase):
                    s = 3.0
                elif all(any(w.startswith(qw) for w in name.split()) for qw in qwords):
                    s = 2.0
                else:
                    continue
                if s > score:
                    score, field = s, label
            if not score and len(qdigits) >= MIN_DIGITS and qdigits in e.digits:
                score, field = 1.0, "number"
            if score:
                found.append((score, field, e))
        found.sort(key=lambda t: (-t[0], -(t[2].last_ts or 0.0), t[2].title))
        return found[:limit]
