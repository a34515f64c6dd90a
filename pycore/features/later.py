"""The composition root's later set (see ``pycore.features``): the features no first request
needs, built on the start set once it serves. A feature with a schema migration, or whose start
hook must run before the first request, belongs to the start set instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycore.campaigns import handlers as campaign_handlers
from pycore.campaigns.service import Campaigns
from pycore.capture.protocol import MessagesCaptured
from pycore.capture.queries import MessageQueries
from pycore.capture.store import MessageStore
from pycore.contacts.protocol import ContactsChanged
from pycore.contacts.service import Contacts
from pycore.crm import handlers as crm_handlers
from pycore.crm.protocol import CrmChanged
from pycore.crm.service import Crm
from pycore.features import Features, StartHook
from pycore.history_import import handlers as history_import_handlers
from pycore.history_import.protocol import ImportProgress
from pycore.history_import.service import HistoryImports
from pycore.identity.protocol import ChatsLinked
from pycore.identity.service import ChatIdentity
from pycore.importer.protocol import MessagesImported
from pycore.privacy import handlers as privacy_handlers
from pycore.privacy.parts import (
    ArchivePart, AuditPart, ConsentPart, ContactsPart, ImportsPart, MessagesPart, SendingPart, SettingsPart,
)
from pycore.privacy.service import Privacy
from pycore.search.engine import SearchEngine
from pycore.sending import outbox
from pycore.sending.protocol import OutboxChanged
from pycore.storage.base import Storage
from pycore.storage.ranges import in_time_order
from pycore.suggest import handlers as suggest_handlers
from pycore.suggest.engine import SuggestEngine
from pycore.suggest.model import ModelSource
from pycore.templates import handlers as template_handlers
from pycore.templates.service import Templates
from pycore.templates.variables import Locale, field_value
from pycore.transfers import handlers as transfer_handlers
from pycore.transfers.service import Transfers


@dataclass
class Later:
    crm: Crm
    templates: Templates
    campaigns: Campaigns
    transfers: Transfers
    history_imports: HistoryImports
    privacy: Privacy
    suggest: SuggestEngine
    model: ModelSource
    start_hooks: list[StartHook] = field(default_factory=list)


class PersonKeys:
    """The CRM's merges: a chat key linked to another by identity, then the contacts' own merges."""

    def __init__(self, contacts: Contacts, identity: ChatIdentity) -> None:
        self.contacts, self.identity = contacts, identity

    async def merged_pairs(self) -> dict[str, str]:
        pairs = dict(await self.contacts.merged_pairs())
        for alias in await self.identity.aliases():
            canonical = await self.identity.canonical(alias)
            pairs[alias] = pairs.get(canonical, canonical)
        return pairs

    async def merged_into(self, keys: list[str]) -> dict[str, str | None]:
        linked = {k: await self.identity.canonical(k) for k in keys}
        state = await self.contacts.merged_into(sorted(set(linked.values())))
        return {k: (state.get(c) or c) if c != k else state.get(k) for k, c in linked.items()}


class CrmMessages:
    """The CRM's reads of capture: messages changed after a sequence number, a chat's title."""

    def __init__(self, store: MessageStore, queries: MessageQueries) -> None:
        self.store = store
        self.queries = queries

    async def changed_after(self, seq: int, limit: int) -> list[dict]:
        return await self.store.changed_after(seq, limit)

    async def in_chat(self, chat: str) -> list[dict]:
        return await self.store.in_chat(chat)

    async def title(self, chat: str) -> str:
        return await self.queries.title(chat)


class KnownPeople:
    """Chat keys the page has shown (captured chats, scanned contacts): a CSV import files a number
    under the chat WhatsApp already uses for it."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def person_chats(self) -> set[str]:
        keys = {c["key"] for c in await self.storage.query("chats")}
        keys |= {c.get("jid") or c["key"] for c in await self.storage.query("contacts")}
        return keys


class _NoReminders:
    async def open_of(self, key: str) -> list:
        return []


class CrmCards:
    """The CRM as templates read it: a contact's card (without notes or reminders) and the definitions."""

    def __init__(self, crm: Crm) -> None:
        self.crm = crm

    async def card(self, chat: str):
        return await self.crm.records.card(chat, 0, None, _NoReminders())

    async def defs(self):
        return await self.crm.defs.get()


class TemplateTexts:
    """Campaigns render through the templates' one renderer."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates

    async def template_text(self, template_id: str) -> str:
        return (await self.templates.get(template_id)).text

    async def render(self, text: str, chat: str, values: dict[str, str], locale: str,
                     utc_offset_min: int) -> tuple[str | None, list[tuple[str, str]]]:
        r = await self.templates.render(text, chat, Locale(locale, utc_offset_min), values)
        return r.text, [(p.code, p.variable) for p in r.problems]


class SearchHistory:
    """The suggestion engine's view of the search index, brought up to date before it is asked."""

    def __init__(self, search: SearchEngine) -> None:
        self.search = search

    async def similar_incoming(self, terms: list[str], limit: int, before_ts: float) -> list[dict]:
        await self.search.catch_up()
        return self.search.similar_incoming(terms, limit, before_ts)

    def following(self, rowid: int, limit: int) -> list[dict]:
        return self.search.following(rowid, limit)


class StoredMessages:
    def __init__(self, storage: Storage, store: MessageStore) -> None:
        self.storage = storage
        self.store = store

    def remembered(self, keys: list[str]) -> list[dict] | None:
        return self.store.remembered(keys)

    async def newest(self, chat: str) -> dict | None:
        rows = await self.storage.query("messages", index="by_chat_ts_seq", range=in_time_order(chat),
                                        reverse=True, limit=1)
        return rows[0] if rows else None

    async def recent(self, chat: str, limit: int) -> list[dict]:
        rows = await self.storage.query("messages", index="by_chat_ts_seq", range=in_time_order(chat),
                                        reverse=True, limit=limit)
        return rows[::-1]


class CardFacts:
    """The CRM card as the language model's prompt tells it (names of tags and fields, the stage's label)."""

    def __init__(self, cards: CrmCards, templates: Templates) -> None:
        self.cards = cards
        self.templates = templates

    async def facts(self, chat: str) -> dict:
        values = (await self.templates.variables(chat, Locale())).values
        card, defs = await self.cards.card(chat), await self.cards.defs()
        tags = {t.id: t.name for t in defs.tags}
        fields = [(f.label, v) for f in defs.fields if (v := field_value(f, card.row.fields.get(f.id), Locale()))]
        return {"name": values.get("nome", ""), "stage": values.get("etapa", ""),
                "tags": [tags[t] for t in card.row.tags if t in tags], "fields": fields}


class SuggestTexts:
    """Templates and names for suggestions, in Brazil's locale (the core does not know the page's here)."""

    def __init__(self, templates: Templates) -> None:
        self.templates = templates

    async def names(self, chat: str) -> tuple[str, str]:
        values = (await self.templates.variables(chat, Locale())).values
        return values.get("nome", ""), values.get("primeiro_nome", "")

    async def all(self):
        return await self.templates.all()

    async def fill(self, text: str, chat: str) -> str | None:
        return (await self.templates.render(text, chat, Locale())).text


def build(kernel, g: Features) -> Later:
    st, clock, rng, emit, on, spawn = kernel.storage, kernel.clock, kernel.rng, kernel.bus.emit, kernel.dispatcher.on, kernel.tasks.spawn
    store, queries, search, audit = g.store, g.queries, g.search, g.audit

    crm = Crm(st, clock, rng, emit, merges=PersonKeys(g.contacts, g.identity), messages=CrmMessages(store, queries),
              known=KnownPeople(st), spawn=spawn)
    templates = Templates(st, clock, rng, emit, cards=CrmCards(crm))
    campaigns = Campaigns(st, clock, rng, emit, gate=g.gate, texts=TemplateTexts(templates))
    transfers = Transfers(st, clock, rng)
    history_imports = HistoryImports(st, clock, emit, spawn, writer=store, files=transfers, copies=g.copies,
                                     search=search, audit=audit)
    # Each feature's part of the archive, of a person's data and of an erase (pycore/privacy/parts.py).
    archive_parts: list[ArchivePart] = [
        MessagesPart(st, store, g.identity), ContactsPart(st), SendingPart(st), AuditPart(st), ConsentPart(st), SettingsPart(st),
        ImportsPart(st), crm.archive_part,
    ]
    privacy = Privacy(st, clock, emit, files=transfers, search=search, audit=audit, parts=archive_parts)
    replies = SuggestTexts(templates)
    stored = StoredMessages(st, store)
    model = ModelSource(st, kernel.model_client, conversation=stored, facts=CardFacts(CrmCards(crm), templates))
    suggest = SuggestEngine(clock, history=SearchHistory(search), messages=stored, contacts=replies,
                            texts=replies, offers=g.suggestions, model=model)

    campaign_handlers.register(on, campaigns)
    suggest_handlers.register(on, model)
    crm_handlers.register(on, crm)
    transfer_handlers.register(on, transfers)
    history_import_handlers.register(on, history_imports)
    privacy_handlers.register(on, privacy)
    template_handlers.register(on, templates)

    def on_captured(ev: MessagesCaptured) -> None:
        crm.messages_changed()
        if privacy.prune_due():  # at most once a day: old audit and consent records go
            spawn(privacy.prune())
        if ev.new:
            spawn(suggest.captured(ev.chat, list(ev.new)))  # beside capture: its reply never waits for it

    def on_import_progress(ev: ImportProgress) -> None:
        job = ev.job  # a finished import is a line in the person's timeline; a rolled back one is not
        if job.state == "done" and job.added:
            spawn(crm.record_import(job.id, job.chat, job.file_name, job.added, job.updated_at))
        elif job.state == "rolled_back":
            spawn(crm.forget_import(job.id, job.chat))

    async def send_to_crm(entry_id: str) -> None:
        entry = await outbox.find(st, entry_id)
        if entry is not None:
            await crm.record_send(entry.id, entry.chat, entry.text, entry.origin, entry.sent_at or clock.now())

    def on_outbox(ev: OutboxChanged) -> None:
        if ev.campaign_id and ev.state != "sending":
            spawn(campaigns.progress(ev.campaign_id))
        if ev.state == "sent":
            spawn(send_to_crm(ev.id))

    def on_crm(ev: CrmChanged) -> None:
        if ev.activity_only:
            return
        search.records_changed(None if ev.many or ev.defs else ev.keys)
        spawn(search.sync_records())

    bus = kernel.bus
    bus.listen(MessagesCaptured, on_captured)
    bus.listen(MessagesImported, lambda ev: crm.messages_changed())
    bus.listen(ImportProgress, on_import_progress)
    bus.listen(ContactsChanged, lambda ev: crm.contacts_changed(ev.keys))
    bus.listen(CrmChanged, on_crm)
    bus.listen(ChatsLinked, lambda ev: crm.contacts_changed([ev.alias, ev.canonical]))  # the alias's card, notes, reminders
    bus.listen(OutboxChanged, on_outbox)

    async def crm_warm() -> None:
        await search.loaded()  # after the snapshot: both are seconds of CPU at a million messages
        await crm.warm()
        await search.sync_records()

    async def crm_after_start() -> None:
        spawn(crm_warm())  # load the CRM and index its texts without delaying "ready"

    return Later(crm=crm, templates=templates, campaigns=campaigns, transfers=transfers, history_imports=history_imports,
                 privacy=privacy, suggest=suggest, model=model,
                 start_hooks=[history_imports.recover, privacy.recover, privacy.prune, crm_after_start])
