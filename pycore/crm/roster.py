"""The CRM in memory: every record, the definitions, and the indexes lists and boards need.

Ten thousand records fit easily (a few MB), and filtering, sorting and counting them in Python
costs milliseconds, where reading them from IndexedDB for every keystroke would cost hundreds.
Storage stays the source of truth: the roster is loaded once and changed only after a write
succeeded. No I/O here.

Identity lives here too: ``primary_of`` mirrors the contacts feature's merges (secondary ->
primary), ``by_match`` finds a record by its phone number whatever form the number was written
in (pycore/crm/phone.py), and :meth:`resolve` turns any chat key into the record's key.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, Iterable

from pycore.chatkey import ChatKey
from pycore.crm import phone as phones


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """A name's comparison form: case, accents and spacing ignored; digits and symbols kept
    ("Etapa 1" and "Etapa 2" differ, "Ação" and "acao" do not)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


class Roster:
    def __init__(self) -> None:
        self.loaded = False
        self.generation = 0  # bumped by every change of records, definitions or merges (plans made earlier are stale)
        self.records: dict[str, dict] = {}
        self.by_tag: dict[str, set[str]] = {}
        self.by_stage: dict[str, set[str]] = {}
        self.by_match: dict[str, str] = {}
        self.primary_of: dict[str, str] = {}
        self._secondaries: dict[str, set[str]] = {}
        self.activity: dict[str, dict] = {}
        self.open_reminders: dict[str, dict[str, float]] = {}  # record -> reminder id -> due_at
        self._reminder_of: dict[str, str] = {}  # open reminder id -> its record
        self._chats: dict[str, tuple[str, ...]] = {}
        self._owner: dict[str, str] = {}  # chat key -> the record whose chats_of() holds it
        self._act: dict[str, tuple[dict | None, dict | None]] = {}  # activity_of() per record
        self._folded: dict[str, str] = {}
        self.blobs: dict[str, str] = {}  # what a list's search box matches, per record (pycore.crm.listing)
        # definitions
        self.tags: dict[str, dict] = {}
        self.pipelines: dict[str, dict] = {}  # live ones; tombstones are not kept
        self.fields: dict[str, dict] = {}
        self.settings: dict[str, Any] = {}

    # -- records ------------------------------------------------------------------------------
    def get(self, key: str) -> dict | None:
        return self.records.get(key)

    def put(self, rec: dict) -> None:
        self.generation += 1
        key = rec["key"]
        old = self.records.get(key)
        if old is not None:
            self._unindex(old)
        self.records[key] = rec
        for t in rec.get("tags", ()):
            self.by_tag.setdefault(t, set()).add(key)
        for deal in rec.get("deals", {}).values():
            self.by_stage.setdefault(deal["stage"], set()).add(key)
        ph = phones.of_chat(key)
        if ph is not None:
            self.by_match.setdefault(ph.match, key)
        self._forget(key)

    def drop(self, key: str) -> None:
        self.generation += 1
        old = self.records.pop(key, None)
        if old is not None:
            self._unindex(old)
        self._forget(key)

    def _forget(self, key: str) -> None:
        self._chats.pop(key, None)
        self._act.pop(key, None)
        self._folded.pop(key, None)
        self.blobs.pop(key, None)

    def _unindex(self, rec: dict) -> None:
        key = rec["key"]
        for t in rec.get("tags", ()):
            self.by_tag.get(t, set()).discard(key)
        for deal in rec.get("deals", {}).values():
            self.by_stage.get(deal["stage"], set()).discard(key)
        ph = phones.of_chat(key)
        if ph is not None and self.by_match.get(ph.match) == key:
            del self.by_match[ph.match]

    # -- identity -----------------------------------------------------------------------------
    def set_merges(self, pairs: dict[str, str]) -> None:
        self.primary_of = dict(pairs)
        self._secondaries = {}
        for s, p in pairs.items():
            self._secondaries.setdefault(p, set()).add(s)
        self._identity_changed()

    def _identity_changed(self) -> None:
        self.generation += 1
        self._chats.clear()
        self._owner.clear()
        self._act.clear()

    def set_merge(self, secondary: str, primary: str | None) -> None:
        old = self.primary_of.pop(secondary, None)
        if old is not None:
            self._secondaries.get(old, set()).discard(secondary)
        if primary is not None:
            self.primary_of[secondary] = primary
            self._secondaries.setdefault(primary, set()).add(secondary)
        self._identity_changed()

    def resolve(self, chat: str) -> str:
        """The key of the record for ``chat`` (whether or not the record exists yet)."""
        key = self.primary_of.get(chat, chat)
        if key in self.records:
            return key
        ph = phones.of_chat(key)
        if ph is not None:
            found = self.by_match.get(ph.match)
            if found is not None:
                return found
        return key

    def chats_of(self, key: str) -> tuple[str, ...]:
        """Every chat key that leads to this record: itself, both forms of its number, merged keys."""
        cached = self._chats.get(key)
        if cached is not None:
            return cached
        out = [key]
        ph = phones.of_chat(key)
        if ph is not None:
            out += [j for j in ph.jids() if j != key]
        for k in list(out):
            out += sorted(self._secondaries.get(k, ()))
        chats = tuple(dict.fromkeys(out))
        self._chats[key] = chats
        for c in chats:
            self._owner[c] = key
        return chats

    # -- what lists show ----------------------------------------------------------------------
    def name_of(self, key: str, rec: dict | None = None) -> str:
        rec = rec if rec is not None else self.records.get(key)
        if rec is not None:
            if rec.get("name"):
                return rec["name"]
            if rec.get("title"):
                return rec["title"]
        return phones.shown_title(key, ChatKey.parse(key).fallback_title())

    def folded_name(self, key: str) -> str:
        name = self._folded.get(key)
        if name is None:
            name = self._folded[key] = norm(self.name_of(key))
        return name

    def set_activity(self, doc: dict) -> None:
        self.activity[doc["chat"]] = doc
        owner = self._owner.get(doc["chat"])
        if owner is not None:
            self._act.pop(owner, None)

    def activity_of(self, key: str) -> tuple[dict | None, dict | None]:
        """(the chat doc with the first message, the one with the last) among the record's chats."""
        cached = self._act.get(key)
        if cached is not None:
            return cached
        first = last = None
        for chat in self.chats_of(key):
            a = self.activity.get(chat)
            if a is None:
                continue
            if a.get("first_ts") is not None and (first is None or a["first_ts"] < first["first_ts"]):
                first = a
            if a.get("last_ts") is not None and (last is None or a["last_ts"] > last["last_ts"]):
                last = a
        self._act[key] = (first, last)
        return first, last

    def due_of(self, key: str) -> list[float]:
        return sorted(self.open_reminders.get(key, {}).values())

    def set_reminder(self, doc: dict) -> None:
        self.drop_reminder(doc)
        if doc.get("open_due") is not None:
            self.open_reminders.setdefault(doc["record"], {})[doc["id"]] = doc["open_due"]
            self._reminder_of[doc["id"]] = doc["record"]

    def drop_reminder(self, doc: dict) -> None:
        record = self._reminder_of.pop(doc["id"], None)
        if record is not None:
            due = self.open_reminders.get(record, {})
            due.pop(doc["id"], None)
            if not due:
                self.open_reminders.pop(record, None)

    # -- definitions --------------------------------------------------------------------------
    def put_def(self, doc: dict) -> None:
        self.generation += 1
        self.blobs.clear()  # tag names and field labels are part of them
        kind, _, ident = doc["key"].partition(":")
        table = {"tag": self.tags, "pipeline": self.pipelines, "field": self.fields}.get(kind)
        if doc["key"] == "settings":
            self.settings = doc
        elif table is None:
            return  # bookkeeping kept with the definitions (the activity watermark)
        elif doc.get("deleted"):
            table.pop(ident, None)
        else:
            table[ident] = doc

    def stage(self, stage_id: str) -> tuple[dict, dict] | None:
        """(pipeline, stage) of a stage id (stage ids are unique across pipelines)."""
        for p in self.pipelines.values():
            for s in p["stages"]:
                if s["id"] == stage_id:
                    return p, s
        return None

    def keys_in(self, stages: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for s in stages:
            out |= self.by_stage.get(s, set())
        return out
