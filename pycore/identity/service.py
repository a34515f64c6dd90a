"""Which stored chat a chat on the page is, and one chat under one key.

Deciding (``decide``), strongest evidence first:

1. A JID the page proves: a message id, the header, the avatar, a title or header line or
   contact-info drawer line that is a phone number (pycore.identity.signals).
2. Stored messages on screen: message ids are unique, so a conversation showing messages
   stored under key K *is* K (``overlap``); so is the key this same open chat got from an
   earlier batch (``hint``, the tab forgets it when the open chat changes).
3. Its name alone (``title``), only while no chat with stored messages carries that name.
   A chat whose name is already taken and that nothing else identifies gets a key of its own
   (``minted``, ``local:<id>``): two people are never merged by name; one person split in two
   is healed as soon as the page proves it (a phone in the drawer, a message of both on screen).

Every key the same sighting proves to be this chat (a title key, a local key) is *linked* to the
strongest one: its messages, chat record and every feature's records move there in one
transaction, an alias record keeps old references working, and ``chats.linked`` is emitted.
JIDs are never linked to each other (the user merges a LID and a phone in contacts).
"""

from __future__ import annotations

import asyncio

import logging
import random
from dataclasses import dataclass, field
from typing import Callable, Protocol

from pycore.capture.protocol import ChatFacts
from pycore.chatkey import ChatKey, normalize_title, phone_jid
from pycore.clock import Clock
from pycore.identity.protocol import ChatsLinked, MatchResult, SeenRow, VerifyResult
from pycore.identity.signals import Sighting, sighting
from pycore.msgids import MessageId, parse_node_id
from pycore.storage.base import Range, Storage, WriteOp

log = logging.getLogger("mettri.identity")

STRONG = ("jid", "phone", "drawer", "overlap", "hint")
MAX_PHONE_CANDIDATES = 5
PAGE = 5000  # messages read per step by the migration


class ChatStore(Protocol):
    async def chat(self, key: str) -> dict | None:
        """The stored chat record (cached by the one writer of chats)."""

    async def move_chat(self, alias: str, canonical: str, now: float, extra: list[WriteOp] | None = None) -> object:
        """Every message and the chat record of ``alias`` move to ``canonical``, with ``extra``, in one transaction."""


class ChatKeyed(Protocol):
    async def rekey_ops(self, alias: str, canonical: str) -> list[WriteOp]:
        """The writes that move this feature's records of ``alias`` to ``canonical`` (applied with the messages)."""


@dataclass
class Resolution:
    key: str | None
    how: str
    twins: int = 1
    ambiguous: bool = False
    read_drawer: bool = False
    links: list[str] = field(default_factory=list)  # weaker keys this sighting proves to be ``key``
    others: list[str] = field(default_factory=list)  # other chats showing the same name (their twins count changes)


def strength(key: str) -> int:
    return ChatKey.parse(key).strength


TEXTS = {
    "match": ("É a conversa certa.", "It is the right chat."),
    "other": ("Esta conversa é de outra pessoa.", "This chat is someone else's."),
    "unknown": (
        "Há mais de uma conversa com este nome e nada na página diz qual é a certa.",
        "More than one chat has this name and nothing on the page says which one is right.",
    ),
    "read_drawer": ("Lendo os dados do contato para ter certeza.", "Reading the contact's details to be sure."),
}


def verdict(v: str, how: str, key: str | None) -> VerifyResult:
    pt, en = TEXTS[v]
    return VerifyResult(verdict=v, how=how, key=key, reason_pt=pt, reason_en=en)


class ChatIdentity:
    def __init__(self, storage: Storage, clock: Clock, rng: random.Random, emit: Callable,
                 chats: ChatStore, keyed: list[ChatKeyed]) -> None:
        self.storage = storage
        self.clock = clock
        self.rng = rng
        self.emit = emit
        self.chats = chats
        self.keyed = keyed  # every feature keeping records by chat key (pycore.features fills it)
        self._aliases: dict[str, str] | None = None

    # -- aliases -------------------------------------------------------------------------------
    async def aliases(self) -> dict[str, str]:
        if self._aliases is None:
            self._aliases = {r["key"]: r["canonical"] for r in await self.storage.query("aliases")}
        return self._aliases

    def forget_cached(self) -> None:
        """Read the links from storage again (after a person or everything was erased)."""
        self._aliases = None

    async def canonical(self, key: str) -> str:
        """The key a chat is stored under now (a linked key names its canonical chat)."""
        aliases = await self.aliases()
        for _ in range(8):  # chains are re-pointed on every link; the bound only guards bad data
            if key not in aliases:
                break
            key = aliases[key]
        return key

    # -- looking things up ------------------------------------------------------------------------
    async def _owners(self, msg_ids: list[str]) -> dict[str, int]:
        """Canonical chats holding these message ids, and how many each holds."""
        owners: dict[str, int] = {}
        ids = list(dict.fromkeys(msg_ids))
        # All at once: IndexedDB answers them side by side instead of one round trip after another.
        found = await asyncio.gather(*(self.storage.query("messages", index="by_id", range=Range(eq=mid)) for mid in ids))
        for rows in found:
            for rec in rows:
                key = await self.canonical(rec["chat"])
                owners[key] = owners.get(key, 0) + 1
        return owners

    async def _same_title(self, norm: str) -> dict[str, dict]:
        """Chats with stored messages whose name compares equal to ``norm``."""
        if not norm:
            return {}
        out = {}
        for rec in await self.storage.query("chats", index="by_norm_title", range=Range(eq=norm)):
            if rec.get("message_count", 0) > 0:
                out[await self.canonical(rec["key"])] = rec
        return out

    async def _hint(self, s: Sighting) -> str | None:
        """The key this open chat got before, if it still names a chat of this name."""
        if not s.hint:
            return None
        try:
            key = await self.canonical(str(ChatKey.parse(s.hint)))
        except ValueError:
            return None
        rec = await self.chats.chat(key)
        if rec is None or (s.norm and normalize_title(rec.get("title") or "") != s.norm):
            return None  # the tab kept a key across a chat switch (or a rename): decide afresh
        return key

    # -- deciding -------------------------------------------------------------------------------
    async def decide(self, s: Sighting, *, mint: bool) -> Resolution:
        strong = await self.canonical(s.strong) if s.strong else None
        hint = await self._hint(s)
        if hint is not None and (strong is None or strong == hint):
            # The same open chat as the last batch: nothing to look up again.
            rec = await self.chats.chat(hint) or {}
            twins = max(s.list_twins, rec.get("twins", 1))
            weak = not ChatKey.parse(hint).is_jid
            return Resolution(hint, "hint" if strong is None else s.strong_how or "jid", twins=twins,
                              ambiguous=weak and twins >= 2, read_drawer=weak and twins >= 2 and not s.drawer_read)
        owners = await self._owners(s.msg_ids)
        known = dict(owners)
        if hint is not None:
            known.setdefault(hint, 0)
        same = await self._same_title(s.norm)
        if strong is not None:
            key, how = strong, s.strong_how or "jid"
        else:
            jids = [k for k in known if ChatKey.parse(k).is_jid]
            if jids:
                key = max(jids, key=lambda k: known[k])
                if len(jids) > 1:
                    log.warning("messages on screen are stored under %d JIDs; kept apart: %s", len(jids), jids)
                how = "overlap" if owners.get(key) else "hint"
            elif known:
                key = max(known, key=lambda k: (strength(k), known[k]))
                how = "overlap" if owners.get(key) else "hint"
            else:
                title_key = str(ChatKey.from_title(s.title, group=s.group))
                taken = set(same) - {title_key}
                if await self.canonical(title_key) != title_key:
                    taken.add(title_key)  # the name was proven to be a JID once: this may be someone else now
                if not taken and not (title_key in same and s.list_twins >= 2):
                    key, how = title_key, "title"  # the first chat of this name
                elif mint:
                    key, how = f"local:{self.rng.getrandbits(48):012x}", "minted"
                else:
                    key, how = None, "none"
        twins = max(s.list_twins, len(set(same) | ({key} if key else set())))
        weak = key is None or not ChatKey.parse(key).is_jid
        links = [k for k in known if k != key and key is not None and not ChatKey.parse(k).is_jid
                 and strength(k) <= strength(key)]
        others = sorted(k for k in same if k != key and k not in links)
        return Resolution(key, how, twins=twins, ambiguous=weak and twins >= 2, links=links, others=others,
                          read_drawer=weak and not s.drawer_read and not s.group and (twins >= 2 or how in ("minted", "none")))

    async def identify(self, facts: ChatFacts, ids: list[MessageId | None], *, group: bool = False) -> Resolution:
        """The chat a capture batch belongs to (a new one is minted when its name is taken);
        keys it proves to be the same chat are linked first. ValueError: nothing names it."""
        r = await self.decide(sighting(facts, ids, group=group), mint=True)
        await self._settle(r)
        return r

    async def _settle(self, r: Resolution) -> None:
        for alias in r.links:
            await self.link(alias, r.key, r.how)

    # -- linking --------------------------------------------------------------------------------
    async def link(self, alias: str, canonical: str, how: str) -> None:
        """Everything stored under ``alias`` moves to ``canonical``, in one transaction."""
        alias, canonical = await self.canonical(alias), await self.canonical(canonical)
        if alias == canonical:
            return
        if ChatKey.parse(alias).is_jid or strength(alias) > strength(canonical):
            raise ValueError(f"{alias!r} cannot become an alias of {canonical!r}")
        now = self.clock.now()
        aliases = await self.aliases()
        extra: list[WriteOp] = []
        for keyed in self.keyed:
            extra += await keyed.rekey_ops(alias, canonical)
        repoint = [a for a, c in aliases.items() if c == alias] + [alias]
        extra += [WriteOp(op="put", store="aliases", record={"key": a, "canonical": canonical, "how": how, "at": now})
                  for a in repoint]
        await self.chats.move_chat(alias, canonical, now, extra)
        for a in repoint:
            aliases[a] = canonical
        log.info("chat %s linked to %s (%s)", alias, canonical, how)
        self.emit(ChatsLinked(alias=alias, canonical=canonical, how=how))

    # -- for the tab: which rows, and is it the right chat ----------------------------------------
    async def _names(self, target: str) -> set[str]:
        """The normalised names ``target`` is known by: its title, its aliases' titles."""
        rec = await self.chats.chat(target) or {}
        key = ChatKey.parse(target)
        names = {normalize_title(rec.get("title") or "")} | ({key.value} if key.kind == "title" else set())
        for alias in rec.get("aliases") or []:
            try:
                a = ChatKey.parse(alias)
            except ValueError:
                continue
            if a.kind == "title":
                names.add(a.value)
        return {n for n in names if n}

    async def match(self, chat: str, rows: list[SeenRow], by: str) -> MatchResult:
        target = await self.canonical(chat)
        names = await self._names(target)
        own, cands = 0, []
        for i, row in enumerate(rows):
            norm = normalize_title(row.title)
            named = norm in names
            own += named
            if named or phone_jid(norm) == target:
                cands.append(i)
        if by == "phone" and not cands:
            cands = list(range(min(len(rows), MAX_PHONE_CANDIDATES)))  # WhatsApp matched the number: verify each
        return MatchResult(candidates=cands, twins=own)

    async def verify(self, chat: str, facts: ChatFacts, rows: list[str]) -> VerifyResult:
        """Is the open chat ``chat``? ``match`` only on evidence beyond the name, or on a name no
        other chat bears (in the rows the tab saw and in storage) once the drawer was read."""
        target = await self.canonical(chat)
        ids = [parse_node_id(r, r) for r in rows]
        try:
            s = sighting(facts, ids)
        except ValueError:
            return verdict("unknown", "none", None)
        r = await self.decide(s, mint=False)
        if r.key is not None:
            await self._settle(r)  # what the page proves is kept, whoever asked
            r.key = await self.canonical(r.key)
        if r.key == target and r.how in STRONG:
            return verdict("match", r.how, r.key)
        if not ChatKey.parse(target).is_jid and s.norm in await self._names(target):
            # The target is known only by this name (a contact listed by name, never read): it is
            # this chat only if no other chat shows the name, in storage and in the rows looked at.
            own = await self._has_messages(target)
            if r.how in STRONG and own:
                return verdict("other", r.how, r.key)  # the target is a stored chat of its own, not this one
            unique = r.twins <= 1 and not own
            if r.how in STRONG:
                if not unique:
                    return verdict("unknown", r.how, r.key)
                await self.link(target, r.key, r.how)  # the name was this chat's: keep what the page proved
                return verdict("match", r.how, r.key)
            if not s.drawer_read and not s.group:
                return verdict("read_drawer", r.how, r.key)
            return verdict("match", "unique_title", target) if unique else verdict("unknown", r.how, r.key)
        if r.how in STRONG:
            return verdict("other", r.how, r.key)
        if not s.drawer_read and not s.group:
            return verdict("read_drawer", r.how, r.key)
        return verdict("unknown", r.how, r.key)

    async def _has_messages(self, key: str) -> bool:
        rec = await self.chats.chat(key)
        return bool(rec and rec.get("message_count", 0) > 0)

    async def named_by(self, chat: str, title: str | None) -> bool:
        """May ``chat`` be recognised by its name alone (a saved contact listed by name)? Only when
        no other chat Mettri knows bears that name: a stranger choosing a customer's name never
        borrows the customer's standing, nor the customer the stranger's."""
        if not title:
            return False
        chat = await self.canonical(chat)
        return not (set(await self._same_title(normalize_title(title))) - {chat})

    # -- the data stored twice before this existed (schema 2) -------------------------------------
    async def migrate(self) -> None:
        """One chat under one key for data stored before: every chat gets its normalised title; a
        title key holding messages also stored under one other key (the same conversation read in
        another DOM generation) is linked to it; a title that is a phone number to that phone's JID.
        Idempotent: an interrupted run is finished by the next start."""
        chats = await self.storage.query("chats")
        fixed = [{**c, "norm_title": normalize_title(c.get("title") or "") or None} for c in chats
                 if c.get("norm_title") != (normalize_title(c.get("title") or "") or None)]
        if fixed:
            await self.storage.put_many("chats", fixed)
        holders: dict[str, set[str]] = {}
        after: str | None = None
        while True:
            page = await self.storage.query("messages", range=Range(lower=after) if after else None, limit=PAGE + 1,
                                            fields=("key", "id", "chat"))
            page = [r for r in page if r["key"] != after]
            for rec in page:
                holders.setdefault(rec["id"], set()).add(rec["chat"])
            if len(page) < PAGE:
                break
            after = page[-1]["key"]
        shared: dict[str, dict[str, int]] = {}  # weak key -> other key -> messages in common
        for keys in holders.values():
            if len(keys) < 2:
                continue
            for k in keys:
                if ChatKey.parse(k).is_jid:
                    continue
                for other in keys - {k}:
                    shared.setdefault(k, {})[other] = shared.setdefault(k, {}).get(other, 0) + 1
        for weak, others in sorted(shared.items(), key=lambda kv: strength(kv[0])):
            jids = [o for o in others if ChatKey.parse(o).is_jid]
            if len(jids) > 1:
                log.warning("%s shares messages with %d JIDs: left as it is", weak, len(jids))
                continue
            best = jids[0] if jids else max(others, key=lambda o: (strength(o), others[o], o))
            try:
                await self.link(weak, best, "overlap")
            except ValueError:  # an earlier link of this run made ``best`` the weaker one
                continue
        keys = {c["key"] for c in chats} | {c["key"] for c in await self.storage.query("contacts")}
        for key in sorted(keys):
            parsed = ChatKey.parse(key) if _valid(key) else None
            if parsed is not None and parsed.kind == "title":
                phone = ChatKey.from_title(parsed.value)
                if phone.is_jid:
                    await self.link(key, str(phone), "phone")


def _valid(key: str) -> bool:
    try:
        ChatKey.parse(key)
    except ValueError:
        return False
    return True
