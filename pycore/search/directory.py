"""Contacts and chats for name/number search and for resolving "chat name" filters.

Hundreds to a few thousand entries, so it lives in Python and is matched in
Python; it is reloaded from the ``chats`` store and an optional ``contacts``
store (records with key, title, number?, push_name?). Sorted lists of the
entries' name words find a name query's matches by bisection, so a query
touches only the entries it matches instead of scoring all of them (at 5,000
chats a "chat name" filter cost 9 ms on CPython, ~25 ms in Pyodide, before).
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass
from typing import Any

from pycore.search.text import digits, words

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
    name: str  # folded title
    push: str  # folded push name
    digits: str


def number_of(key: str) -> str | None:
    """A phone number from a person's JID (5511987654321@c.us); groups and LIDs carry none."""
    user, _, server = key.partition("@")
    return user if server in ("c.us", "s.whatsapp.net") and user.isdigit() else None


def entry(rec: dict[str, Any], known: Entry | None = None) -> Entry | None:
    """The entry of a record; ``known``: an entry of the same key, whose folded names are taken when
    they are of the same names (folding thousands of names again on every reload cost the most)."""
    key = rec.get("key")
    if not isinstance(key, str) or not key:
        return None
    title = str(rec.get("title") or rec.get("name") or "")
    push = rec.get("push_name") or None
    number = rec.get("number") or number_of(key)
    k = known if known is not None and known.key == key else None
    return Entry(
        key=key, title=title, number=number, push_name=push, is_group=bool(rec.get("is_group")),
        last_ts=rec.get("last_ts"),
        name=k.name if k and k.title == title else " ".join(words(title)),
        push=k.push if k and k.push_name == push else " ".join(words(push or "")),
        digits=k.digits if k and k.number == number else digits(number or ""),
    )


class Directory:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        # (folded word, entry key), sorted, per searchable field: prefix lookups by bisection.
        self._words: dict[str, list[tuple[str, str]]] = {"title": [], "push_name": []}

    def load(self, records: list[dict[str, Any]]) -> bool:
        """Replace the entries; a contact record fills what its chat lacks. Return whether anything changed."""
        merged = self._merged(records)
        changed = merged != self.entries
        names_changed = changed and (merged.keys() != self.entries.keys() or self._renamed(merged))
        self.entries = merged
        if names_changed:
            self._index_words()
        return changed

    def update(self, records: list[dict[str, Any]]) -> bool:
        """Put in the entries of these records (every record of their keys: a chat's and its contact's),
        leaving the others as they are. Return whether anything changed."""
        merged = self._merged(records)
        changed = any(self.entries.get(key) != e for key, e in merged.items())
        renamed = self._renamed(merged)
        self.entries.update(merged)
        if renamed:
            self._index_words()
        return changed

    def _merged(self, records: list[dict[str, Any]]) -> dict[str, Entry]:
        merged: dict[str, Entry] = {}
        for rec in records:
            e = self._entry(rec)
            if e is None:
                continue
            old = merged.get(e.key)
            if old is not None:
                e = self._entry({
                    "key": e.key, "title": old.title or e.title, "number": old.number or e.number,
                    "push_name": old.push_name or e.push_name, "is_group": old.is_group or e.is_group,
                    "last_ts": old.last_ts or e.last_ts,
                }) or e
            merged[e.key] = e
        return merged

    def _entry(self, rec: dict[str, Any]) -> Entry | None:
        key = rec.get("key")
        return entry(rec, self.entries.get(key) if isinstance(key, str) else None)

    def _renamed(self, entries: dict[str, Entry]) -> bool:
        """Whether any of ``entries`` is new here or has other names: the word lists change then."""
        return any((o := self.entries.get(key)) is None or (o.name, o.push) != (e.name, e.push)
                   for key, e in entries.items())

    def _index_words(self) -> None:
        merged = self.entries
        self._words = {
            "title": sorted({(w, e.key) for e in merged.values() for w in e.name.split()}),
            "push_name": sorted({(w, e.key) for e in merged.values() for w in e.push.split()}),
        }

    def title(self, key: str) -> str | None:
        e = self.entries.get(key)
        return e.title if e else None

    def _starting_with(self, field: str, prefix: str) -> set[str]:
        """Keys of the entries with a word in ``field`` that starts with ``prefix``."""
        table = self._words[field]
        i = bisect.bisect_left(table, (prefix, ""))
        keys = set()
        while i < len(table) and table[i][0].startswith(prefix):
            keys.add(table[i][1])
            i += 1
        return keys

    def search(self, q: str, limit: int) -> list[tuple[float, str, Entry]]:
        """(score, matched field, entry), best first.

        Score tiers: exact name 4, name starts with the query 3, every query word
        starts a word of the name 2 (title and push name are each a name), number
        contains the query's digits 1; ties by last activity, then title, then key.
        """
        qwords = words(q)
        qdigits = digits(q)
        phrase = " ".join(qwords)
        best: dict[str, tuple[float, str]] = {}
        for field in ("title", "push_name") if qwords else ():
            keys = self._starting_with(field, qwords[0])
            for qw in qwords[1:]:
                keys &= self._starting_with(field, qw)
            for key in keys:  # every query word starts a word of this name: tier 2 at least
                name = self.entries[key].name if field == "title" else self.entries[key].push
                score = 4.0 if name == phrase else 3.0 if name.startswith(phrase) else 2.0
                if score > best.get(key, (0.0, ""))[0]:
                    best[key] = (score, field)
        if len(qdigits) >= MIN_DIGITS:
            for e in self.entries.values():
                if e.key not in best and qdigits in e.digits:
                    best[e.key] = (1.0, "number")
        top = heapq.nsmallest(limit, best.items(), key=lambda kv: (
            -kv[1][0], -(self.entries[kv[0]].last_ts or 0.0), self.entries[kv[0]].title, kv[0]))
        return [(score, field, self.entries[key]) for key, (score, field) in top]
