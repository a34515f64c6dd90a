"""Each feature's part of the archive, of a person's data, and of an erase.

A part is a port (``ArchivePart``): it dumps its records for the archive, loads them back into an
empty profile, tells what it holds about a person and erases it. The composition root hands the
privacy feature one part per feature (pycore.features); the parts below cover the stores of the
features that hold plain records, and a feature with its own rules (the CRM) brings its own part.

What is erased, kept or made anonymous, and why:
- messages, chats, capture health, contacts, outbox entries, campaign recipients, audit lines,
  consent history, suggestions, backfill jobs, imports: erased.
- the send log (``sends``): kept without the chat and the text: it is what the rate limits count,
  and erasing it would let a burst of sends pass the daily limit.
- the opt-out list (``optouts``): a person who said stop keeps a bare entry (their key, since when,
  no text), so no one messages them again; everything else about them goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pycore.audit.protocol import AuditRecord
from pycore.campaigns.protocol import CampaignRecord
from pycore.capture.protocol import ChatHealth
from pycore.contacts.protocol import ContactRecord
from pycore.identity.protocol import AliasRecord
from pycore.optout.protocol import ConsentEvent, OptoutRecord
from pycore.protocol.records import ChatRecord, MessageRecord
from pycore.sending.protocol import OutboxRecord
from pycore.storage.base import Range, Storage, WriteOp

Stores = dict[str, list[dict[str, Any]]]
TECHNICAL_META = ("schema_version", "messages.seq", "messages.removals", "messages.count", "debug.clock")  # bookkeeping, not the user's data
PERSON_META_PREFIXES = ("suggestion:", "backfill.job:")  # meta records that belong to one chat: "<prefix><chat>"


@dataclass(frozen=True)
class Person:
    """One person as Mettri may know them: their chats (a number and its LID, merged contacts),
    contact records, the ids that author their messages in groups, and a name to show; while they
    are erased, the groups that held messages of theirs."""

    chats: tuple[str, ...]
    contacts: tuple[str, ...]
    jids: frozenset[str]
    title: str
    groups: tuple[str, ...] | None = None  # None: not looked for yet


class ArchivePart(Protocol):
    name: str
    version: int
    holds_people: bool  # restoring requires it to be empty

    async def dump(self) -> Stores:
        """Every record of this part, by store (empty for parts left out of the archive)."""

    def validate(self, stores: Stores) -> Stores:
        """A dump read from an archive, checked record by record (ValueError on the first bad one)."""

    async def load(self, stores: Stores) -> int:
        """Put a validated dump back (into an empty profile); the records written."""

    async def count(self) -> int:
        """How many records this part holds."""

    async def about(self, person: Person) -> Stores:
        """Every record of this part about ``person``."""

    async def erase(self, person: Person) -> int:
        """Erase (or make anonymous) what this part holds about ``person``; the records touched."""

    async def erase_all(self) -> int:
        """Erase everything of this part (what must survive, as for erase)."""


class Forgets(Protocol):
    def forget_cached(self) -> None: ...


class MessageRemover(Protocol):
    async def in_chat(self, chat: str) -> list[dict]:
        """Every stored message of one chat."""

    async def remove(self, keys: list[str], extra: list[WriteOp] | None = None) -> None: ...

    async def remove_chats(self, chats: list[str], extra: list[WriteOp] | None = None) -> None: ...

    async def restore(self, messages: list[dict], chats: list[dict]) -> int:
        """Whole records (validated) back, each message with a fresh seq."""

    def forget_cached(self) -> None: ...

    async def removal(self) -> WriteOp:
        """The write that counts one more removal of messages, for the removal's own transaction."""

    def emptied(self) -> WriteOp:
        """The write that sets the kept count of messages to none, for the transaction that empties them."""


async def _all(storage: Storage, store: str) -> list[dict]:
    return await storage.query(store)


def _puts(store: str, records: list[dict]) -> list[WriteOp]:
    return [WriteOp(op="put", store=store, record=r) for r in records]


async def _deleted(storage: Storage, store: str, held: list[dict], key: str) -> int:
    """Delete these records of one store (by their ``key`` field); how many there were."""
    if held:
        await storage.apply([WriteOp(op="delete", store=store, key=r[key]) for r in held])
    return len(held)


async def _cleared(storage: Storage, store: str) -> int:
    """Empty one store; how many records it held."""
    n = await storage.count(store)
    await storage.apply([WriteOp(op="clear", store=store)])
    return n


async def _put_all(storage: Storage, stores: Stores) -> int:
    ops = [op for store, records in stores.items() for op in _puts(store, records)]
    if ops:
        await storage.apply(ops)
    return len(ops)


@dataclass
class MessagesPart:
    """Capture's stores, written through its one writer (the MessageStore), and identity's links
    between keys of one chat (the ``aliases`` store: without them a restored chat splits again)."""

    storage: Storage
    store: MessageRemover
    identity: Forgets
    name: str = "messages"
    version: int = 1
    holds_people: bool = True

    async def dump(self) -> Stores:
        return {s: await _all(self.storage, s) for s in ("messages", "chats", "capture_state", "aliases")}

    def validate(self, stores: Stores) -> Stores:
        return {"messages": [MessageRecord.model_validate(r).model_dump() for r in stores.get("messages", [])],
                "chats": [ChatRecord.model_validate(r).model_dump() for r in stores.get("chats", [])],
                "capture_state": [ChatHealth.model_validate(h).model_dump() for h in stores.get("capture_state", [])],
                "aliases": [AliasRecord.model_validate(a).model_dump() for a in stores.get("aliases", [])]}

    async def load(self, stores: Stores) -> int:
        n = await self.store.restore(stores["messages"], stores["chats"])
        rest = _puts("capture_state", stores["capture_state"]) + _puts("aliases", stores["aliases"])
        if rest:
            await self.storage.apply(rest)
        self.identity.forget_cached()
        return n + len(stores["chats"]) + len(rest)

    async def count(self) -> int:
        return await self.storage.count("messages") + await self.storage.count("chats")

    async def _group_messages(self, person: Person) -> list[dict]:
        """The person's own messages in groups (by the id that wrote them)."""
        if not person.jids:
            return []
        if person.groups is None:
            groups = [c["key"] for c in await self.storage.query("chats") if c.get("is_group") and c["key"] not in person.chats]
        else:  # found already (an erase looks once, before it removes anything)
            groups = list(person.groups)
        out = []
        for key in groups:
            rows = await self.store.in_chat(key)
            out += [r for r in rows if r.get("author_jid") in person.jids]
        return out

    async def _aliases(self, person: Person) -> list[dict]:
        """Links from or to the person's chats (an old key of theirs names them: it is their data too)."""
        return [a for a in await _all(self.storage, "aliases") if a["key"] in person.chats or a["canonical"] in person.chats]

    async def about(self, person: Person) -> Stores:
        messages = []
        for chat in person.chats:
            messages += await self.store.in_chat(chat)
        messages += await self._group_messages(person)
        chats = [c for c in await self.storage.get_many("chats", list(person.chats)) if c]
        health = [h for h in await self.storage.get_many("capture_state", list(person.chats)) if h]
        return {"messages": messages, "chats": chats, "capture_state": health, "aliases": await self._aliases(person)}

    async def erase(self, person: Person) -> int:
        held = await self.about(person)
        group_keys = [r["key"] for r in held["messages"] if r["chat"] not in person.chats]
        if group_keys:
            await self.store.remove(group_keys)
        await self.store.remove_chats(list(person.chats),
                                      [WriteOp(op="delete", store="capture_state", key=c) for c in person.chats]
                                      + [WriteOp(op="delete", store="aliases", key=a["key"]) for a in held["aliases"]])
        self.identity.forget_cached()
        return sum(len(v) for v in held.values())

    async def erase_all(self) -> int:
        n = await self.count()
        await self.storage.apply([WriteOp(op="clear", store=s) for s in ("messages", "chats", "capture_state", "aliases")]
                                 + [await self.store.removal(), self.store.emptied()])
        self.store.forget_cached()
        self.identity.forget_cached()
        return n


@dataclass
class ContactsPart:
    storage: Storage
    name: str = "contacts"
    version: int = 1
    holds_people: bool = True

    async def dump(self) -> Stores:
        return {"contacts": await _all(self.storage, "contacts")}

    def validate(self, stores: Stores) -> Stores:
        return {"contacts": [ContactRecord.model_validate(r).model_dump() for r in stores.get("contacts", [])]}

    async def load(self, stores: Stores) -> int:
        return await _put_all(self.storage, stores)

    async def count(self) -> int:
        return await self.storage.count("contacts")

    async def about(self, person: Person) -> Stores:
        return {"contacts": [c for c in await self.storage.get_many("contacts", list(person.contacts)) if c]}

    async def erase(self, person: Person) -> int:
        return await _deleted(self.storage, "contacts", (await self.about(person))["contacts"], "key")

    async def erase_all(self) -> int:
        return await _cleared(self.storage, "contacts")


def _anonymous_send(rec: dict) -> dict:
    return {**rec, "chat": None, "norm": ""}


@dataclass
class SendingPart:
    """The outbox, the send log, the limiter's state and campaigns."""

    storage: Storage
    name: str = "sending"
    version: int = 1
    holds_people: bool = True

    async def dump(self) -> Stores:
        return {s: await _all(self.storage, s) for s in ("outbox", "sends", "ratelimit", "campaigns")}

    def validate(self, stores: Stores) -> Stores:
        return {"outbox": [OutboxRecord.model_validate(r).model_dump() for r in stores.get("outbox", [])],
                "campaigns": [CampaignRecord.model_validate(r).model_dump() for r in stores.get("campaigns", [])],
                "sends": _keyed(stores.get("sends", []), "id"), "ratelimit": _keyed(stores.get("ratelimit", []), "key")}

    async def load(self, stores: Stores) -> int:
        return await _put_all(self.storage, stores)

    async def count(self) -> int:
        return await self.storage.count("outbox") + await self.storage.count("campaigns")

    async def about(self, person: Person) -> Stores:
        chats = set(person.chats)
        outbox = [r for r in await _all(self.storage, "outbox") if r.get("chat") in chats]
        sends = [r for r in await _all(self.storage, "sends") if r.get("chat") in chats]
        campaigns = []
        for c in await _all(self.storage, "campaigns"):
            mine = [r for r in c.get("recipients", []) if r.get("chat") in chats]
            if mine:
                campaigns.append({"id": c["id"], "name": c.get("name"), "recipients": mine})
        return {"outbox": outbox, "sends": sends, "campaigns": campaigns}

    async def erase(self, person: Person) -> int:
        chats = set(person.chats)
        held = await self.about(person)
        ops = [WriteOp(op="delete", store="outbox", key=r["id"]) for r in held["outbox"]]
        ops += _puts("sends", [_anonymous_send(r) for r in held["sends"]])
        for c in await _all(self.storage, "campaigns"):
            if any(r.get("chat") in chats for r in c.get("recipients", [])):
                kept = [r for r in c["recipients"] if r.get("chat") not in chats]
                plan = c.get("plan")
                if plan:
                    plan = {**plan, "recipients": [r for r in plan.get("recipients", []) if r.get("chat") not in chats]}
                ops.append(WriteOp(op="put", store="campaigns", record={**c, "recipients": kept, "plan": plan}))
        if ops:
            await self.storage.apply(ops)
        return sum(len(v) for v in held.values())

    async def erase_all(self) -> int:
        n = await self.count()
        sends = [_anonymous_send(r) for r in await _all(self.storage, "sends") if r.get("chat") or r.get("norm")]
        await self.storage.apply([WriteOp(op="clear", store="outbox"), WriteOp(op="clear", store="campaigns")]
                                 + _puts("sends", sends))
        return n + len(sends)


def _keyed(records: list, key: str) -> list[dict]:
    """Records of a store without a model here: objects with their key, nothing else checked."""
    out = []
    for r in records:
        if not isinstance(r, dict) or not isinstance(r.get(key), (str, int, float)):
            raise ValueError(f"a record without its {key!r}")
        out.append(r)
    return out


@dataclass
class AuditPart:
    storage: Storage
    name: str = "audit"
    version: int = 1
    holds_people: bool = True

    async def dump(self) -> Stores:
        return {"audit": await self.storage.query("audit", index="by_ts")}

    def validate(self, stores: Stores) -> Stores:
        return {"audit": [AuditRecord.model_validate(r).model_dump() for r in stores.get("audit", [])]}

    async def load(self, stores: Stores) -> int:
        return await _put_all(self.storage, stores)

    async def count(self) -> int:
        return await self.storage.count("audit")

    async def about(self, person: Person) -> Stores:
        chats = set(person.chats)
        return {"audit": [r for r in await _all(self.storage, "audit") if r.get("chat") in chats]}

    async def erase(self, person: Person) -> int:
        return await _deleted(self.storage, "audit", (await self.about(person))["audit"], "id")

    async def erase_all(self) -> int:
        return await _cleared(self.storage, "audit")


def _bare_optout(rec: dict) -> dict:
    return {"chat": rec["chat"], "opted_out": True, "since": rec["since"], "source": ""}


@dataclass
class ConsentPart:
    """The opt-out list and the consent history."""

    storage: Storage
    name: str = "consent"
    version: int = 1
    holds_people: bool = True

    async def dump(self) -> Stores:
        return {"optouts": await _all(self.storage, "optouts"), "consent": await _all(self.storage, "consent")}

    def validate(self, stores: Stores) -> Stores:
        return {"optouts": [OptoutRecord.model_validate(r).model_dump() for r in stores.get("optouts", [])],
                "consent": [ConsentEvent.model_validate(r).model_dump() for r in stores.get("consent", [])]}

    async def load(self, stores: Stores) -> int:
        return await _put_all(self.storage, stores)

    async def count(self) -> int:
        bare = [r for r in await _all(self.storage, "optouts") if r != _bare_optout(r)]
        return len(bare) + await self.storage.count("consent")

    async def about(self, person: Person) -> Stores:
        optouts = [r for r in await self.storage.get_many("optouts", list(person.chats)) if r]
        consent = []
        for chat in person.chats:
            consent += await self.storage.query("consent", index="by_chat_ts", range=Range(lower=[chat, -1e18], upper=[chat, 1e18]))
        return {"optouts": optouts, "consent": consent}

    def _erase_ops(self, held: Stores) -> list[WriteOp]:
        ops = [WriteOp(op="delete", store="consent", key=r["id"]) for r in held["consent"]]
        for r in held["optouts"]:
            if r.get("opted_out"):
                ops.append(WriteOp(op="put", store="optouts", record=_bare_optout(r)))
            else:
                ops.append(WriteOp(op="delete", store="optouts", key=r["chat"]))
        return ops

    async def erase(self, person: Person) -> int:
        held = await self.about(person)
        ops = self._erase_ops(held)
        if ops:
            await self.storage.apply(ops)
        return len(ops)

    async def erase_all(self) -> int:
        ops = self._erase_ops(await self.dump())
        if ops:
            await self.storage.apply(ops)
        return len(ops)


@dataclass
class SettingsPart:
    """The user's settings and small state kept in ``meta`` (not the bookkeeping)."""

    storage: Storage
    name: str = "settings"
    version: int = 1
    holds_people: bool = False

    async def dump(self) -> Stores:
        return {"meta": [r for r in await _all(self.storage, "meta") if r["key"] not in TECHNICAL_META]}

    def validate(self, stores: Stores) -> Stores:
        return {"meta": [r for r in _keyed(stores.get("meta", []), "key") if r["key"] not in TECHNICAL_META]}

    async def load(self, stores: Stores) -> int:
        return await _put_all(self.storage, stores)

    async def count(self) -> int:
        return len((await self.dump())["meta"])

    async def about(self, person: Person) -> Stores:
        keys = [p + c for p in PERSON_META_PREFIXES for c in person.chats]
        return {"meta": [r for r in await self.storage.get_many("meta", keys) if r]}

    async def erase(self, person: Person) -> int:
        held = (await self.about(person))["meta"]
        # A pending suggestion in another chat may quote this person's history ("as you answered
        # Ana on 12/03"): suggestions are transient, so every one drawn from history goes too.
        mine = {r["key"] for r in held}
        quoting = [r for r in await self.storage.query("meta", range=Range(lower="suggestion:", upper="suggestion:\uffff"))
                   if r["key"] not in mine and any(x.get("source") == "history" for x in (r.get("value") or {}).get("replies") or [])]
        held += quoting
        if held:
            await self.storage.apply([WriteOp(op="delete", store="meta", key=r["key"]) for r in held])
        return len(held)

    async def erase_all(self) -> int:
        ops = [WriteOp(op="delete", store="meta", range=Range(lower=p, upper=p + "\uffff")) for p in PERSON_META_PREFIXES]
        n = sum([len(await self.storage.query("meta", range=op.range)) for op in ops])
        await self.storage.apply(ops)
        return n


@dataclass
class ImportsPart:
    """Chat-export imports: transient (files being imported, jobs): never archived; erased with a person."""

    storage: Storage
    name: str = "imports"
    version: int = 1
    holds_people: bool = False

    async def dump(self) -> Stores:
        return {}

    def validate(self, stores: Stores) -> Stores:
        return {}

    async def load(self, stores: Stores) -> int:
        return 0

    async def count(self) -> int:
        return 0

    async def about(self, person: Person) -> Stores:
        jobs = [r for r in await self.storage.query("imports", range=Range(lower="job:", upper="job;"))
                if r.get("chat") in person.chats]
        return {"imports": [{k: v for k, v in j.items() if k not in ("roles",)} for j in jobs]}

    async def erase(self, person: Person) -> int:
        jobs = (await self.about(person))["imports"]
        ops: list[WriteOp] = []
        for j in jobs:
            ops += [WriteOp(op="delete", store="imports", key=j["key"]),
                    WriteOp(op="delete", store="imports", range=Range(lower=f"added:{j['id']}:", upper=f"added:{j['id']};")),
                    WriteOp(op="delete", store="imports", range=Range(lower=f"chunk:{j['upload_id']}:", upper=f"chunk:{j['upload_id']};")),
                    WriteOp(op="delete", store="imports", key=f"upload:{j['upload_id']}")]
        if ops:
            await self.storage.apply(ops)
        return len(jobs)

    async def erase_all(self) -> int:
        return await _cleared(self.storage, "imports")
