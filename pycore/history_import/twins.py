"""Capture's side of "stored once": a message seen by capture that was imported before.

The capture store (pycore.capture.store, port ``Twins``) asks, for sightings it does not hold
under their own key, whether an imported copy of the same message is stored; that copy then
moves to the real key. Only chats that ever received an import are looked at, with one query
per chat over the minutes of the batch, so capture of every other chat pays nothing.

Rows without a sender line on WhatsApp Web (media, deleted messages, system notices) take a
neighbour's time (pycore.capture.capturer.fill_missing_ts), and in groups no author. Without an
exact match such a row takes the unused imported row of its kind (media, deleted, any system
notice) and side (the user's or not) nearest in time, between the stored text messages just
before and just after the time it was given: its real time lies there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pycore.chatkey import ChatKey
from pycore.history_import.identity import ME, is_imported, of_fields
from pycore.chat_export.identity import DELETED_TOKEN, MEDIA_TOKEN
from pycore.history_import.matching import SLACK
from pycore.storage.base import Storage, WriteOp
from pycore.storage.ranges import in_time_order

STORE = "imports"
LOOK_AROUND = 50  # stored rows read on each side of an untimed row to find the text messages around it
CHATS_KEY = "chats"  # the chats that ever received imported messages


def group_of(chat: str, record: dict | None) -> bool:
    """Whether a chat is a group, for the author token: its record says, else its key."""
    if record is not None:
        return bool(record.get("is_group"))
    try:
        return ChatKey.parse(chat).is_group
    except ValueError:
        return False


@dataclass
class ImportedCopies:
    storage: Storage
    _chats: set[str] | None = field(default=None)

    async def chats(self) -> set[str]:
        if self._chats is None:
            rec = await self.storage.get(STORE, CHATS_KEY)
            self._chats = set(rec["chats"]) if rec else set()
        return self._chats

    async def note_op(self, chat: str) -> list[WriteOp]:
        """The write that marks ``chat`` as holding imported messages (none when already known)."""
        known = await self.chats()
        if chat in known:
            return []
        return [WriteOp(op="put", store=STORE, record={"key": CHATS_KEY, "chats": sorted(known | {chat})})]

    def noted(self, chat: str) -> None:
        """Called once the write of note_op() succeeded."""
        if self._chats is not None:
            self._chats.add(chat)

    async def _nearest(self, chat: str, group: bool, fields: dict, used: set[str]) -> dict | None:
        """The imported untimed row an untimed sighting is, if any (see the module's docstring)."""
        t = fields["ts"]
        after = await self.storage.query("messages", index="by_chat_ts_seq", range=in_time_order(chat, t // 60 * 60 + 60),
                                         limit=LOOK_AROUND)
        before = await self.storage.query("messages", index="by_chat_ts_seq", range=in_time_order(chat, until=t // 60 * 60 - 1),
                                          limit=LOOK_AROUND, reverse=True)
        nxt = next((r["ts"] for r in after if _is_text(r)), after[-1]["ts"] if after else t)
        prv = next((r["ts"] for r in before if _is_text(r)), before[-1]["ts"] if before else t)
        family = _family(of_fields(fields, group))
        near = [r for r in await self.storage.query("messages", index="by_chat_ts_seq",
                                                    range=in_time_order(chat, prv - SLACK, nxt + SLACK))
                if is_imported(r["id"]) and r["key"] not in used and _family(of_fields(r, group)) == family]
        return min(near, key=lambda r: (abs(r["ts"] - t), r["ts"], r["key"])) if near else None

    async def find(self, sightings: dict[str, dict]) -> dict[str, dict]:
        chats = await self.chats()
        by_chat: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for key, fields in sightings.items():
            if fields["chat"] in chats and not is_imported(fields["id"]) and fields.get("ts") is not None:
                by_chat[fields["chat"]].append((key, fields))
        found: dict[str, dict] = {}
        for chat, items in by_chat.items():
            group = group_of(chat, await self.storage.get("chats", chat))
            stamps = [f["ts"] for _, f in items]
            lo, hi = min(stamps) // 60 * 60 - 60, max(stamps) // 60 * 60 + 120
            stored = await self.storage.query("messages", index="by_chat_ts_seq", range=in_time_order(chat, lo, hi))
            pool: dict = defaultdict(list)
            for rec in stored:
                if is_imported(rec["id"]):
                    pool[of_fields(rec, group)].append(rec)
            used: set[str] = set()
            loose: list[tuple[str, dict]] = []
            for key, fields in items:
                ident = of_fields(fields, group)
                copies = [r for r in pool.get(ident, ()) if r["key"] not in used]
                if copies:
                    found[key] = copies[0]
                    used.add(copies[0]["key"])
                elif _untimed(fields):
                    loose.append((key, fields))
            for key, fields in loose:
                best = await self._nearest(chat, group, fields, used)
                if best is not None:
                    found[key] = best
                    used.add(best["key"])
        return found


def _untimed(fields: dict) -> bool:
    """A row WhatsApp Web draws without a sender line: its time was a neighbour's."""
    return fields.get("direction") == "system" or fields.get("type") not in ("text", "unknown")


def _is_text(rec: dict) -> bool:
    return rec.get("type") == "text" and rec.get("direction") != "system"


def _family(ident) -> tuple[bool, str]:
    """(the user's, kind) of an untimed row: media, deleted, or any system notice."""
    if ident.text in (MEDIA_TOKEN, DELETED_TOKEN):
        return ident.author == ME, ident.text
    return ident.author == ME, "\x1esystem" if ident.author == "" else ident.text
