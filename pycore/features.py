"""The composition root: every feature's service, built once in dependency order, each handed
only the ports it declares; their handlers registered; and how features hear each other.

Features never see the Core or each other's modules (import-linter checks it): what one
feature needs from another is a port, filled in here. Events cross features only as listeners
registered here, and listeners only schedule work (the emitter, often the capture path, never
waits for them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from pycore.audit import handlers as audit_handlers
from pycore.audit.log import AuditLog
from pycore.backfill import handlers as backfill_handlers
from pycore.backfill.service import Backfills
from pycore.campaigns import handlers as campaign_handlers
from pycore.campaigns.service import Campaigns
from pycore.capture import handlers as capture_handlers
from pycore.capture.capturer import Capturer
from pycore.capture.protocol import MessagesCaptured
from pycore.capture.queries import MessageQueries
from pycore.capture.store import MessageStore
from pycore.chatkey import ChatKey
from pycore.connection import handlers as connection_handlers
from pycore.connection.protocol import BanSignal, ConnectionChanged
from pycore.connection.service import Connection
from pycore.contacts import handlers as contact_handlers
from pycore.contacts.protocol import ContactsChanged
from pycore.contacts.service import Contacts
from pycore.crm import handlers as crm_handlers
from pycore.crm.protocol import CrmChanged
from pycore.crm.service import Crm
from pycore.identity import handlers as identity_handlers
from pycore.identity.protocol import ChatsLinked
from pycore.identity.service import ChatIdentity
from pycore.history_import import handlers as history_import_handlers
from pycore.history_import.protocol import ImportProgress
from pycore.history_import.service import HistoryImports
from pycore.history_import.twins import ImportedCopies
from pycore.importer import handlers as import_handlers
from pycore.importer.protocol import MessagesImported
from pycore.importer.service import Importer
from pycore.logs import handlers as log_handlers
from pycore.logs.service import LogBook
from pycore.metrics import handlers as metric_handlers
from pycore.navigation import handlers as navigation_handlers
from pycore.navigation.service import Navigator
from pycore.optout import handlers as optout_handlers
from pycore.optout.service import Consent
from pycore.optout.service import detect as optout_detect
from pycore.privacy import handlers as privacy_handlers
from pycore.privacy.parts import (
    ArchivePart, AuditPart, ConsentPart, ContactsPart, ImportsPart, MessagesPart, SendingPart, SettingsPart,
)
from pycore.privacy.service import Privacy
from pycore.protocol.records import MessageRecord
from pycore.search import handlers as search_handlers
from pycore.search.engine import SearchEngine
from pycore.search.protocol import SearchProgress
from pycore.sending import handlers as sending_handlers
from pycore.sending import outbox
from pycore.sending.gate import SendGate
from pycore.sending.protocol import OutboxChanged
from pycore.suggestions import handlers as suggestion_handlers
from pycore.suggestions.service import Suggestions
from pycore.transfers import handlers as transfer_handlers
from pycore.transfers.service import Transfers
from pycore.suggest import handlers as suggest_handlers
from pycore.suggest.engine import SuggestEngine
from pycore.suggest.model import ModelSource
from pycore.templates import handlers as template_handlers
from pycore.templates.service import Templates
from pycore.templates.variables import Locale, field_value
from pycore.whatsapp import handlers as whatsapp_handlers
from pycore.storage.base import Range, Storage
from pycore.whatsapp.service import WhatsAppPage

StartHook = Callable[[], Awaitable[Any]]
Migration = Callable[[], Awaitable[Any]]
PAUSE_ON_STATE = {"logged_out": "logged_out", "other_window": "other_window"}


@dataclass
class Features:
    """The built graph (for the JS host and tests; features never hold it)."""

    store: MessageStore
    identity: ChatIdentity
    capturer: Capturer
    queries: MessageQueries
    importer: Importer
    navigator: Navigator
    connection: Connection
    contacts: Contacts
    page: WhatsAppPage
    backfills: Backfills
    search: SearchEngine
    audit: AuditLog
    consent: Consent
    gate: SendGate
    campaigns: Campaigns
    suggestions: Suggestions
    logs: LogBook
    crm: Crm
    transfers: Transfers
    history_imports: HistoryImports
    privacy: Privacy
    templates: Templates
    suggest: SuggestEngine
    model: ModelSource
    start_hooks: list[StartHook] = field(default_factory=list)
    migrations: dict[int, Migration] = field(default_factory=dict)  # schema version -> data step a feature owns


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


class RecipientFacts:
    """The send gate's questions about a recipient, answered from capture and the contact list."""

    def __init__(self, queries: MessageQueries, contacts: Contacts, identity: ChatIdentity) -> None:
        self.queries = queries
        self.contacts = contacts
        self.identity = identity

    async def saved_contact(self, chat: str) -> bool:
        # A contact listed by name counts only while no other chat shows that name: a stranger
        # who picks a saved customer's name never passes as saved (pycore.identity.named_by).
        title = await self.queries.title(chat)
        named = await self.identity.named_by(chat, title)
        if not ChatKey.parse(chat).is_jid:  # a chat known by its name: its key is that name
            return named and await self.contacts.is_saved(chat, title)
        return await self.contacts.is_saved(chat, title if named else None)

    async def has_inbound(self, chat: str) -> bool:
        return await self.queries.has_inbound(chat)

    async def outgoing_since(self, since: float) -> list[tuple[str, str]]:
        return await self.queries.outgoing_since(since)


class CrmMessages:
    """The CRM's reads of capture: messages changed after a sequence number, a chat's title."""

    def __init__(self, store: MessageStore, queries: MessageQueries) -> None:
        self.store = store
        self.queries = queries

    async def changed_after(self, seq: int, limit: int) -> list[dict]:
        return await self.store.changed_after(seq, limit)

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
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def newest(self, chat: str) -> dict | None:
        rows = await self.storage.query("messages", index="by_chat_ts", range=Range(lower=[chat, -1e18], upper=[chat, 1e18]),
                                        reverse=True, limit=1)
        return rows[0] if rows else None

    async def recent(self, chat: str, limit: int) -> list[dict]:
        rows = await self.storage.query("messages", index="by_chat_ts", range=Range(lower=[chat, -1e18], upper=[chat, 1e18]),
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


class PageState:
    """Whether the gate may hand out a job: the self-test's verdict and the connection."""

    def __init__(self, page: WhatsAppPage, connection: Connection) -> None:
        self.page = page
        self.connection = connection

    def read_only(self) -> bool:
        return self.page.read_only()

    def offline(self) -> bool:
        return self.connection.offline()


def build(kernel, overrides: dict[str, Any]) -> Features:
    """``overrides``: ports replaced by name (``recipients``, ``evidence``, ``pacing``), for tests."""
    st, clock, rng, emit, on = kernel.storage, kernel.clock, kernel.rng, kernel.bus.emit, kernel.dispatcher.on

    logs = LogBook(clock, emit)
    copies = ImportedCopies(st)  # capture asks it whether a new message was imported before
    store = MessageStore(st, twins=copies)
    keyed: list = []  # every feature keeping records by chat key, filled below once they exist
    identity = ChatIdentity(st, clock, rng, emit, chats=store, keyed=keyed)
    capturer = Capturer(st, clock, emit, store, rng, resolver=identity)
    connection = Connection(st, clock, rng, emit)
    contacts = Contacts(st, clock, rng, emit, presence=connection)
    queries = MessageQueries(st, clock, scanned=contacts)
    importer = Importer(clock, emit, writer=store)
    navigator = Navigator(st, emit)
    page = WhatsAppPage(st, clock, emit)
    backfills = Backfills(st, clock, rng, emit, captured=capturer, presence=connection)
    crm = Crm(st, clock, rng, emit, merges=PersonKeys(contacts, identity), messages=CrmMessages(store, queries), known=KnownPeople(st),
              spawn=kernel.tasks.spawn)
    search = SearchEngine(st, clock, progress=lambda done, total: emit(SearchProgress(done=done, total=total)),
                          records=crm, changes=store)
    indexer = search_handlers.BackgroundIndexer(search, kernel.tasks.spawn)
    audit = AuditLog(st, rng)
    consent = Consent(st, clock, rng, emit, audit=audit, names=queries)
    gate = SendGate(
        st, clock, rng, emit,
        recipients=overrides.get("recipients") or RecipientFacts(queries, contacts, identity),
        evidence=overrides.get("evidence") or queries,
        names=queries, suppression=consent, audit=audit, page=PageState(page, connection),
    )
    if "pacing" in overrides:
        gate.handout.pacing_model = overrides["pacing"]
    templates = Templates(st, clock, rng, emit, cards=CrmCards(crm))
    campaigns = Campaigns(st, clock, rng, emit, gate=gate, texts=TemplateTexts(templates))
    suggestions = Suggestions(st, clock, emit, names=queries, sender=gate)
    keyed += [capturer, gate, consent, suggestions, contacts]
    transfers = Transfers(st, clock, rng)
    history_imports = HistoryImports(st, clock, emit, kernel.tasks.spawn, writer=store, files=transfers, copies=copies,
                                     search=search, audit=audit)
    # Each feature's part of the archive, of a person's data and of an erase (pycore/privacy/parts.py).
    archive_parts: list[ArchivePart] = [
        MessagesPart(st, store, identity), ContactsPart(st), SendingPart(st), AuditPart(st), ConsentPart(st), SettingsPart(st),
        ImportsPart(st), crm.archive_part,
    ]
    privacy = Privacy(st, clock, emit, files=transfers, search=search, audit=audit, parts=archive_parts)
    replies = SuggestTexts(templates)
    stored = StoredMessages(st)
    model = ModelSource(st, kernel.model_client, conversation=stored, facts=CardFacts(CrmCards(crm), templates))
    suggest = SuggestEngine(clock, history=SearchHistory(search), messages=stored, contacts=replies,
                            texts=replies, offers=suggestions, model=model)

    capture_handlers.register(on, capturer, queries)
    identity_handlers.register(on, identity)
    import_handlers.register(on, importer)
    navigation_handlers.register(on, navigator)
    connection_handlers.register(on, connection)
    contact_handlers.register(on, contacts)
    whatsapp_handlers.register(on, page)
    backfill_handlers.register(on, backfills)
    search_handlers.register(on, search)
    audit_handlers.register(on, audit, clock)
    optout_handlers.register(on, consent)
    sending_handlers.register(on, gate)
    campaign_handlers.register(on, campaigns)
    suggestion_handlers.register(on, suggestions)
    suggest_handlers.register(on, model)
    metric_handlers.register(on, st, clock)
    log_handlers.register(on, logs)
    crm_handlers.register(on, crm)
    transfer_handlers.register(on, transfers)
    history_import_handlers.register(on, history_imports)
    privacy_handlers.register(on, privacy)
    template_handlers.register(on, templates)

    spawn = kernel.tasks.spawn

    async def scan_optouts(keys: list[str]) -> None:
        # Just written, so in the store's memory; only the few that read as a consent answer are validated.
        rows = (await store.records(keys)).values()
        records = [MessageRecord.model_validate(r) for r in rows
                   if r.get("direction") == "in" and r.get("type") == "text" and optout_detect(r.get("text") or "")]
        await consent.scan(records)

    def on_captured(ev: MessagesCaptured) -> None:
        indexer.poke()
        crm.messages_changed()
        if ev.new or ev.updated:
            spawn(scan_optouts(list(ev.new) + list(ev.updated)))
        if privacy.prune_due():  # at most once a day: old audit and consent records go
            spawn(privacy.prune())
        if ev.new:
            spawn(suggest.captured(ev.chat, list(ev.new)))  # beside capture: its reply never waits for it

    def on_imported(ev: MessagesImported) -> None:
        indexer.poke()
        crm.messages_changed()

    def on_import_progress(ev: ImportProgress) -> None:
        job = ev.job  # a finished import is a line in the person's timeline; a rolled back one is not
        if job.state == "done" and job.added:
            spawn(crm.record_import(job.id, job.chat, job.file_name, job.added, job.updated_at))
        elif job.state == "rolled_back":
            spawn(crm.forget_import(job.id, job.chat))

    def on_ban(ev: BanSignal) -> None:
        spawn(gate.pause("too_many_messages" if ev.code == "too_many_messages" else "warning_banner", ev.text[:200]))

    def on_connection(ev: ConnectionChanged) -> None:
        if ev.state in PAUSE_ON_STATE:
            spawn(gate.pause(PAUSE_ON_STATE[ev.state], ev.code))

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

    def on_linked(ev: ChatsLinked) -> None:
        capturer.forget(ev.alias, ev.canonical)
        indexer.poke()  # the moved messages carry new seqs and the keys they replace
        crm.contacts_changed([ev.alias, ev.canonical])  # the alias's card, notes and reminders move too

    kernel.bus.listen(MessagesCaptured, on_captured)
    kernel.bus.listen(MessagesImported, on_imported)
    kernel.bus.listen(ImportProgress, on_import_progress)
    kernel.bus.listen(ContactsChanged, lambda ev: crm.contacts_changed(ev.keys))
    kernel.bus.listen(CrmChanged, on_crm)
    kernel.bus.listen(ChatsLinked, on_linked)
    kernel.bus.listen(BanSignal, on_ban)
    kernel.bus.listen(ConnectionChanged, on_connection)
    kernel.bus.listen(OutboxChanged, on_outbox)

    hooks: list[StartHook] = []
    if kernel.dev:
        from pycore.dev.clock import ClockControl, WarpClock
        from pycore.protocol.debug import ClockAdvance

        if isinstance(clock, WarpClock):
            control = ClockControl(clock, st, emit)
            on(ClockAdvance, control.advance)
            hooks.append(control.restore)  # first: the gate's recovery must see the restored time
    async def search_begin() -> None:
        search.begin(kernel.tasks.spawn)  # the snapshot loads after "ready"

    hooks += [page.start, gate.recover, search_begin, history_imports.recover, privacy.recover, privacy.prune]

    async def index_after_start() -> None:
        indexer.poke()  # catch up with what came after the snapshot without delaying "ready"

    async def crm_warm() -> None:
        await search.loaded()  # after the snapshot: both are seconds of CPU at a million messages
        await crm.warm()
        await search.sync_records()

    async def crm_after_start() -> None:
        spawn(crm_warm())  # load the CRM and index its texts without delaying "ready"

    hooks += [index_after_start, crm_after_start]
    return Features(
        store=store, identity=identity, capturer=capturer, queries=queries, importer=importer, navigator=navigator,
        connection=connection, contacts=contacts, page=page, backfills=backfills, search=search, audit=audit,
        consent=consent, gate=gate, campaigns=campaigns, suggestions=suggestions, logs=logs, crm=crm,
        transfers=transfers, history_imports=history_imports, privacy=privacy, templates=templates, suggest=suggest, model=model,
        start_hooks=hooks, migrations={3: identity.migrate},
    )
