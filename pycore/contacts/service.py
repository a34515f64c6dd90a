"""Contacts: the chat list as scraped (a paced scan the active tab performs), and the user's
merges of one person seen under two keys (a LID and a phone number)."""

from __future__ import annotations

import random
from typing import Callable

from pycore.chatkey import ChatKey, phone_jid
from pycore.clock import Clock
from pycore.contacts import person_merge, scroll_pacing
from pycore.contacts.protocol import (
    ContactRecord,
    ContactsChanged,
    RawChatRow,
    ScanProgress,
    ScanRequested,
    ScanStarted,
    ScrollPlan,
    ScrollStep,
    SplitResult,
    UpsertResult,
)
from pycore.contacts.rows import contact_fields, scanned_only
from pycore.ports import Presence
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage, WriteOp

STORE = "contacts"


class Contacts:
    def __init__(self, storage: Storage, clock: Clock, rng: random.Random, emit: Callable, presence: Presence) -> None:
        self.storage = storage
        self.clock = clock
        self.rng = rng
        self.emit = emit
        self.presence = presence
        self._scans = 0

    async def _load(self, key: str) -> dict:
        rec = await self.storage.get(STORE, key)
        if rec is None:
            raise CoreError("not_found", f"no contact {key!r}")
        return rec

    async def _save(self, records: list[dict]) -> None:
        await self.storage.apply([WriteOp(op="put", store=STORE, record=r) for r in records])
        self.emit(ContactsChanged(keys=[r["key"] for r in records]))

    async def upsert(self, rows: list[RawChatRow]) -> UpsertResult:
        now = self.clock.now()
        result, changed = UpsertResult(), {}
        for row in rows:
            fields = contact_fields(row)
            old = changed.get(fields["key"]) or await self.storage.get(STORE, fields["key"])
            # Scraped fields win, but a field gained by a merge is not wiped by a row that lacks it.
            kept = {k: v for k, v in fields.items() if v is not None or k not in person_merge.ADOPTED}
            if old is None:
                changed[fields["key"]] = ContactRecord(**fields, first_seen=now, last_seen=now).model_dump()
                result.new += 1
            elif any(old.get(k) != v for k, v in kept.items()):
                changed[fields["key"]] = {**old, **kept, "last_seen": now}
                result.updated += 1
            else:
                result.unchanged += 1
        if changed:
            await self._save(list(changed.values()))
        return result

    async def list(self, include_merged: bool, limit: int) -> list[dict]:
        rows = await self.storage.query(STORE)
        if not include_merged:
            rows = [r for r in rows if not r.get("merged_into")]
        return rows[:limit]

    async def _load_or_chat(self, key: str, name: str | None) -> dict:
        """A contact, or one made for a person's chat the chat list was never scanned for (the user
        merges the people they see in the CRM, scanned or not)."""
        rec = await self.storage.get(STORE, key)
        if rec is not None:
            return rec
        try:
            ck = ChatKey.parse(key)
        except ValueError:
            raise CoreError("invalid_args", f"not a chat key: {key!r}") from None
        chat = await self.storage.get("chats", key)
        if ck.kind not in ("user", "lid", "title") or (chat is None and ck.kind == "title"):
            raise CoreError("not_found", f"no contact {key!r}", [{
                "pt_BR": "Só pessoas podem ser juntadas (não grupos nem canais).",
                "en": "Only people can be merged (not groups or channels)."}])
        now = self.clock.now()
        title = (name or "").strip() or (chat or {}).get("title") or ck.fallback_title()
        return ContactRecord(key=key, title=title, kind="number" if ck.kind == "user" else "push_name",
                             phone=ck.phone if ck.kind == "user" else None, jid=key if ck.is_jid else None,
                             lid=key if ck.kind == "lid" else None, first_seen=now, last_seen=now).model_dump()

    async def merge(self, primary: str, secondary: str, names: dict[str, str] | None = None) -> ContactRecord:
        names = names or {}
        p, s = person_merge.merge(await self._load_or_chat(primary, names.get(primary)),
                                  await self._load_or_chat(secondary, names.get(secondary)))
        await self._save([p, s])
        return ContactRecord(**p)

    async def split(self, key: str) -> SplitResult:
        secondary = await self._load(key)
        if not secondary.get("merged_into"):
            raise CoreError("conflict", f"{key!r} is not merged into another contact")
        p, s = person_merge.split(await self._load(secondary["merged_into"]), secondary)
        await self._save([p, s])
        return SplitResult(primary=p, secondary=s)

    # -- the chat-list scan ---------------------------------------------------------------------
    def scroll_plan(self, viewport_px: int, steps: int, rows_so_far: int, pace: float) -> ScrollPlan:
        planned = scroll_pacing.plan(self.rng, viewport_px, steps, rows_so_far)
        return ScrollPlan(steps=[ScrollStep(scroll_px=px, pause_s=round(s * pace, 3)) for px, s in planned])

    def scan(self, pace: float) -> ScanStarted:
        self.presence.require_ready()
        self._scans += 1
        scan_id = f"scan{int(self.clock.now())}-{self._scans}"
        self.emit(ScanRequested(scan_id=scan_id, pace=pace))
        return ScanStarted(scan_id=scan_id)

    def scan_progress(self, scan_id: str, rows: int, done: bool) -> None:
        self.emit(ScanProgress(scan_id=scan_id, rows=rows, done=done))

    async def rekey_ops(self, alias: str, canonical: str) -> list[WriteOp]:
        """A contact listed under a number's title key is that number's contact. Rows listed by a
        name stay as listed: a name may be two people's, and a row is not a person."""
        key = ChatKey.parse(alias)
        if key.kind != "title" or phone_jid(key.value) != canonical:
            return []
        old = await self.storage.get(STORE, alias)
        if old is None:
            return []
        new = await self.storage.get(STORE, canonical)
        moved = {**old, "key": canonical, "jid": canonical} if new is None else {
            **new, **{k: v for k, v in old.items() if new.get(k) is None and k != "key"}}
        return [WriteOp(op="delete", store=STORE, key=alias), WriteOp(op="put", store=STORE, record=moved)]

    # -- what other features ask ------------------------------------------------------------------
    async def scanned_only(self, captured: list[dict], limit: int) -> list[dict]:
        return scanned_only(captured, await self.storage.query(STORE))[:limit]

    async def merged_pairs(self) -> dict[str, str]:
        """Every merged contact: its key -> the key it was merged into (the CRM follows merges)."""
        rows = await self.storage.query(STORE, index="by_merged_into")
        return {r["key"]: r["merged_into"] for r in rows if r.get("merged_into")}

    async def merged_into(self, keys: list[str]) -> dict[str, str | None]:
        """For each of ``keys`` that is a contact: the key it is merged into, or None."""
        return {k: r.get("merged_into") for k, r in zip(keys, await self.storage.get_many(STORE, keys)) if r is not None}

    async def is_saved(self, chat: str, title: str | None) -> bool:
        """A saved contact or a group, by the chat's key, or by its title's key when the caller
        established that the name stands for this chat alone (pycore.identity: named_by)."""
        keys = [chat] + ([str(ChatKey.from_title(title))] if title else [])
        for rec in await self.storage.get_many(STORE, keys):
            if rec and rec.get("kind") in ("saved", "group"):
                return True
        return False
