"""The privacy feature: archive out and back in, one person's data out and erased, everything
erased, and the retention of audit and consent records.

Erasing is resumable: the person's keys are written to ``meta`` first (``privacy.erasing``); every
part's erase can run twice; search forgets them and saves its snapshot (a relaunch restores the
index from that snapshot); the last write removes that record and adds the audit's tombstone.
A crash anywhere in between is finished at the next start.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Protocol

import pycore
from pycore.clock import Clock
from pycore.ports import AuditWriter
from pycore.privacy import archive, people
from pycore.privacy.parts import ArchivePart, Person
from pycore.privacy.protocol import (
    ERASE_ALL_WORDS, PERSON_FORMAT, Erased, EraseResult, PartCount, PersonSummary, PrivacySettings, RestoreReply,
    RestoreResult,
)
from pycore.protocol.base import CoreError
from pycore.reasons import check
from pycore.storage.base import Range, Storage, WriteOp
from pycore.storage.schema import SCHEMA_VERSION

log = logging.getLogger("mettri.privacy")

SETTINGS_KEY = "privacy.settings"
ERASING_KEY = "privacy.erasing"
DAY = 86400.0
PRUNE_EVERY = DAY


class Files(Protocol):
    async def read(self, upload_id: str) -> tuple[str, bytes]: ...

    def offer(self, name: str, mime: str, data: bytes): ...

    def discard_ops(self, upload_id: str) -> list[WriteOp]: ...


class SearchIndex(Protocol):
    async def forget(self, keys: list[str] | None = None, chats: list[str] | None = None) -> int: ...

    async def reset(self) -> None: ...


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y%m%d-%H%M")


def _slug(text: str) -> str:
    kept = "".join(ch if ch.isalnum() else "-" for ch in text.strip())
    return "-".join(filter(None, kept.split("-")))[:40] or "pessoa"


@dataclass
class Privacy:
    storage: Storage
    clock: Clock
    emit: Callable
    files: Files
    search: SearchIndex
    audit: AuditWriter
    parts: list[ArchivePart]
    _last_prune_check: float | None = field(default=None)

    def _part(self, name: str) -> ArchivePart:
        return next(p for p in self.parts if p.name == name)

    # -- the archive ------------------------------------------------------------------------
    async def export(self):
        now = self.clock.now()
        dumped = {p.name: (p.version, await p.dump()) for p in self.parts}
        dumped = {name: v for name, v in dumped.items() if v[1]}
        data = archive.write(dumped, {"created_at": now, "core_version": pycore.__version__, "schema_version": SCHEMA_VERSION},
                             await self._contacts_csv())
        return self.files.offer(f"mettri-backup-{_stamp(now)}.zip", "application/zip", data)

    async def _contacts_csv(self) -> str:
        return archive.contacts_csv(await self.storage.query("contacts"), await self.storage.query("chats"))

    async def export_contacts(self):
        data = ("\ufeff" + await self._contacts_csv()).encode("utf-8")
        return self.files.offer(f"mettri-contatos-{_stamp(self.clock.now())}.csv", "text/csv", data)

    async def restore(self, upload_id: str) -> RestoreReply:
        _, data = await self.files.read(upload_id)
        try:
            _, parts = archive.read(data, {p.name: p.version for p in self.parts})
            for p in self.parts:
                if p.holds_people and await p.count():
                    raise archive.ArchiveError("not_empty")
            checked = {p.name: p.validate(parts[p.name]) for p in self.parts if p.name in parts}  # all before any write
            counts = [PartCount(part=p.name, records=await p.load(checked[p.name])) for p in self.parts if p.name in checked]
        except archive.ArchiveError as err:
            return RestoreReply(problem=err.problem)
        except (ValueError, TypeError) as exc:  # a record that does not validate
            log.warning("archive refused: %s", str(exc)[:300])
            return RestoreReply(problem=archive.ArchiveError("damaged", type(exc).__name__).problem)
        now = self.clock.now()
        await self.storage.apply([self.audit.entry(now, "privacy.restore", check("archive_restored", "allow"))]
                                 + self.files.discard_ops(upload_id))
        await self.search.reset()
        return RestoreReply(result=RestoreResult(parts=counts, restart_core=True))

    # -- one person ---------------------------------------------------------------------------
    async def person(self, chat: str) -> PersonSummary:
        p = await people.resolve(self.storage, chat)
        counts = [PartCount(part=part.name, records=sum(len(v) for v in (await part.about(p)).values())) for part in self.parts]
        return PersonSummary(chat=chat, title=p.title, chats=list(p.chats), parts=counts)

    async def person_export(self, chat: str):
        p = await people.resolve(self.storage, chat)
        now = self.clock.now()
        doc = {
            "format": PERSON_FORMAT, "version": 1, "created_at": now, "core_version": pycore.__version__,
            "person": {"title": p.title, "chats": list(p.chats), "contacts": list(p.contacts)},
            "parts": {part.name: {"version": part.version, "stores": held}
                      for part in self.parts if any((held := await part.about(p)).values())},
        }
        data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
        return self.files.offer(f"mettri-{_slug(p.title)}-{_stamp(now)}.json", "application/json", data)

    async def erase_person(self, chat: str) -> EraseResult:
        p = await people.resolve(self.storage, chat)
        marker = {"key": ERASING_KEY, "value": {"chats": list(p.chats), "contacts": list(p.contacts), "jids": sorted(p.jids),
                                                "title": "", "started_at": self.clock.now()}}
        await self.storage.put("meta", marker)
        return await self._erase(p)

    async def _erase(self, p: Person) -> EraseResult:
        held = {part.name: await part.about(p) for part in self.parts}
        messages = held.get("messages", {}).get("messages", [])
        keys = [r["key"] for r in messages]
        p = replace(p, groups=tuple(sorted({r["chat"] for r in messages} - set(p.chats))))
        counts = [PartCount(part=part.name, records=await part.erase(p)) for part in self.parts]
        await self.search.forget(keys=keys, chats=list(p.chats))
        now = self.clock.now()
        await self.storage.apply([WriteOp(op="delete", store="meta", key=ERASING_KEY),
                                  self.audit.entry(now, "privacy.erase_person", check("person_erased", "allow"))])
        self.emit(Erased(scope="person"))
        return EraseResult(parts=counts)

    async def recover(self) -> None:
        """Start-up: an erase the previous core did not finish is finished now."""
        rec = await self.storage.get("meta", ERASING_KEY)
        if rec is None:
            return
        v = rec["value"]
        log.warning("finishing an interrupted erase")
        await self._erase(Person(chats=tuple(v["chats"]), contacts=tuple(v["contacts"]), jids=frozenset(v["jids"]), title=""))

    # -- everything -----------------------------------------------------------------------------
    async def erase_all(self, confirm: str) -> EraseResult:
        if " ".join(confirm.split()).upper() not in ERASE_ALL_WORDS:
            raise CoreError("invalid_args", "type the confirmation words exactly", [{
                "message_pt": f"Para apagar tudo, digite {ERASE_ALL_WORDS[0]}.",
                "message_en": f"To erase everything, type {ERASE_ALL_WORDS[1]}.",
            }])
        counts = [PartCount(part=part.name, records=await part.erase_all()) for part in self.parts]
        await self.search.reset()
        await self.storage.apply([self.audit.entry(self.clock.now(), "privacy.erase_all", check("all_erased", "allow"))])
        self.emit(Erased(scope="all"))
        return EraseResult(parts=counts, restart_core=True)

    # -- retention ------------------------------------------------------------------------------
    async def settings(self) -> PrivacySettings:
        rec = await self.storage.get("meta", SETTINGS_KEY)
        return PrivacySettings.model_validate(rec["value"]) if rec else PrivacySettings()

    async def set_retention(self, days: int) -> PrivacySettings:
        current = await self.settings()
        await self.storage.put("meta", {"key": SETTINGS_KEY, "value": current.model_copy(update={"retention_days": days}).model_dump()})
        return await self.prune()

    async def prune(self) -> PrivacySettings:
        """Audit and consent records older than the retention period go, except, for each contact on
        the opt-out list, the consent record that put them there (what the opt-out rule rests on)."""
        s = await self.settings()
        now = self.clock.now()
        cutoff = now - s.retention_days * DAY
        old_audit = await self.storage.query("audit", index="by_ts", range=Range(upper=cutoff))
        needed = set()
        for opt in await self.storage.query("optouts"):
            if opt.get("opted_out"):
                events = await self.storage.query("consent", index="by_chat_ts",
                                                  range=Range(lower=[opt["chat"], -1e18], upper=[opt["chat"], 1e18]))
                outs = [e for e in events if e.get("kind") == "opt_out"]
                if outs:
                    needed.add(outs[-1]["id"])
        old_consent = [e for e in await self.storage.query("consent") if e["ts"] < cutoff and e["id"] not in needed]
        ops = [WriteOp(op="delete", store="audit", key=r["id"]) for r in old_audit]
        ops += [WriteOp(op="delete", store="consent", key=r["id"]) for r in old_consent]
        s = s.model_copy(update={"last_pruned_at": now, "last_pruned": len(ops)})
        await self.storage.apply(ops + [WriteOp(op="put", store="meta", record={"key": SETTINGS_KEY, "value": s.model_dump()})])
        self._last_prune_check = now
        return s

    def prune_due(self) -> bool:
        """Called often (each capture): true at most once a day, so the caller schedules a prune."""
        now = self.clock.now()
        if self._last_prune_check is not None and now - self._last_prune_check < PRUNE_EVERY:
            return False
        self._last_prune_check = now
        return True
