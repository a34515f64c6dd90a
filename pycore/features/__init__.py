"""The composition root: every feature's service, built once in dependency order, each handed
only the ports it declares; their handlers registered; and how features hear each other.

Features never see the Core or each other's modules (import-linter checks it): what one
feature needs from another is a port, filled in here. Events cross features only as listeners
registered here, and listeners only schedule work (the emitter, often the capture path, never
waits for them).

The graph is built in two sets (issue 16, start time). This module builds the start set: what
serves capture, the chat list, the send gate, search and the page's state, and what must run
before the first request (migrations, the gate's recovery). ``later.py`` builds the rest (the
CRM, templates, campaigns, suggestions' engine, imports of chat files, transfers, privacy): in
the browser it is imported and built right after the core says it is ready, a module at a time
so requests are served in between. A command of the later set that comes first waits for it; an
event emitted before it is heard by its listeners once it is in (``EventBus.hold``).
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from pycore.audit import handlers as audit_handlers
from pycore.audit.log import AuditLog
from pycore.backfill import handlers as backfill_handlers
from pycore.backfill.service import Backfills
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
from pycore.contacts.service import Contacts
from pycore.crm.phone import shown_title
from pycore.identity import handlers as identity_handlers
from pycore.identity.protocol import ChatsLinked
from pycore.identity.service import ChatIdentity
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
from pycore.protocol.base import CoreError
from pycore.protocol.records import MessageRecord
from pycore.search import handlers as search_handlers
from pycore.search.engine import SearchEngine
from pycore.search.protocol import SearchProgress
from pycore.sending import handlers as sending_handlers
from pycore.sending.gate import SendGate
from pycore.suggestions import handlers as suggestion_handlers
from pycore.suggestions.service import Suggestions
from pycore.whatsapp import handlers as whatsapp_handlers
from pycore.whatsapp.service import WhatsAppPage

StartHook = Callable[[], Awaitable[Any]]
Migration = Callable[[], Awaitable[Any]]
PAUSE_ON_STATE = {"logged_out": "logged_out", "other_window": "other_window"}

# What ``later.py`` imports, heaviest first, one step each: a request waits for one step at most.
LATER_MODULES = (
    "pycore.crm.protocol", "pycore.crm.service", "pycore.crm.handlers",
    "pycore.privacy.protocol", "pycore.privacy.service", "pycore.privacy.parts", "pycore.privacy.handlers",
    "pycore.history_import.protocol", "pycore.history_import.service", "pycore.history_import.handlers",
    "pycore.templates.protocol", "pycore.templates.service", "pycore.templates.handlers",
    "pycore.campaigns.handlers", "pycore.suggest.handlers", "pycore.suggest.engine", "pycore.transfers.handlers",
    "pycore.features.later",
)


class LaterSet:
    """The later set's arrival, which commands of its features and search's CRM questions wait for."""

    def __init__(self) -> None:
        self.built = asyncio.Event()  # set when it is built and its start hooks ran, or when that failed
        self.failed: str | None = None
        self.later: Any = None  # later.Later

    async def get(self) -> Any:
        await self.built.wait()
        if self.later is None:
            raise CoreError("not_ready", f"part of the core failed to start: {self.failed}")
        return self.later


class CrmForSearch:
    """The CRM as search sees it (search.engine.RecordSource): a question waits for the later set."""

    def __init__(self, later: LaterSet) -> None:
        self.later = later

    async def documents(self, keys: list[str] | None) -> list:
        return await (await self.later.get()).crm.documents(keys)

    async def record_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        return await (await self.later.get()).crm.record_keys(tags, stages)

    async def chat_keys(self, tags: list[str], stages: list[str]) -> set[str]:
        return await (await self.later.get()).crm.chat_keys(tags, stages)


@dataclass
class Features:
    """The built graph (for the JS host and tests; features never hold it). The later set's
    services (``crm``, ``templates``...) are read through it once they are built."""

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
    suggestions: Suggestions
    logs: LogBook
    copies: ImportedCopies
    indexer: search_handlers.BackgroundIndexer
    start_hooks: list[StartHook] = field(default_factory=list)
    migrations: dict[int, Migration] = field(default_factory=dict)  # schema version -> data step a feature owns
    later_set: LaterSet = field(default_factory=lambda: LaterSet())

    def __getattr__(self, name: str) -> Any:
        later = self.__dict__["later_set"].later if "later_set" in self.__dict__ else None
        if later is not None and hasattr(later, name):
            return getattr(later, name)
        raise AttributeError(f"no feature {name!r}" + ("" if later is not None else " (the later set is not built yet)"))


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


class ChatTitles:
    """A chat's name as the tab finds it (the title WhatsApp shows, else the id's digits) and as pages
    show it (such digits written as a phone number)."""

    def __init__(self, queries: MessageQueries) -> None:
        self.queries = queries

    async def title(self, chat: str) -> str:
        return await self.queries.title(chat)

    async def shown(self, chat: str) -> str:
        return shown_title(chat, await self.queries.title(chat))


class PageState:
    """Whether the gate may hand out a job: the self-test's verdict and the connection."""

    def __init__(self, page: WhatsAppPage, connection: Connection) -> None:
        self.page = page
        self.connection = connection

    def read_only(self) -> bool:
        return self.page.read_only()

    def offline(self) -> bool:
        return self.connection.offline()


async def load_later(kernel, graph: Features) -> list[StartHook]:
    """Import the later set a module at a time, letting requests run in between, then build it."""
    for name in LATER_MODULES:
        importlib.import_module(name)
        await asyncio.sleep(0)
    return build_later(kernel, graph)


def build_later(kernel, graph: Features) -> list[StartHook]:
    """Build the later set on the start set; return its start hooks."""
    from pycore.features import later

    graph.later_set.later = built = later.build(kernel, graph)
    return built.start_hooks


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
    later_set = LaterSet()
    search = SearchEngine(st, clock, progress=lambda done, total: emit(SearchProgress(done=done, total=total)),
                          records=CrmForSearch(later_set), changes=store)
    indexer = search_handlers.BackgroundIndexer(search, kernel.tasks.spawn)
    audit = AuditLog(st, rng)
    names = ChatTitles(queries)
    consent = Consent(st, clock, rng, emit, audit=audit, names=names)
    gate = SendGate(
        st, clock, rng, emit,
        recipients=overrides.get("recipients") or RecipientFacts(queries, contacts, identity),
        evidence=overrides.get("evidence") or queries,
        names=names, suppression=consent, audit=audit, page=PageState(page, connection),
    )
    if "pacing" in overrides:
        gate.handout.pacing_model = overrides["pacing"]
    suggestions = Suggestions(st, clock, emit, names=names, sender=gate)
    keyed += [capturer, gate, consent, suggestions, contacts]

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
    suggestion_handlers.register(on, suggestions)
    metric_handlers.register(on, st, clock, store)
    log_handlers.register(on, logs)

    spawn = kernel.tasks.spawn

    async def scan_optouts(keys: list[str]) -> None:
        # Just written, so in the store's memory; only the few that read as a consent answer are validated.
        rows = (await store.records(keys)).values()
        records = [MessageRecord.model_validate(r) for r in rows
                   if r.get("direction") == "in" and r.get("type") == "text" and optout_detect(r.get("text") or "")]
        await consent.scan(records)

    def on_captured(ev: MessagesCaptured) -> None:
        indexer.poke()
        if ev.new or ev.updated:
            spawn(scan_optouts(list(ev.new) + list(ev.updated)))

    def on_ban(ev: BanSignal) -> None:
        spawn(gate.pause("too_many_messages" if ev.code == "too_many_messages" else "warning_banner", ev.text[:200]))

    def on_connection(ev: ConnectionChanged) -> None:
        if ev.state in PAUSE_ON_STATE:
            spawn(gate.pause(PAUSE_ON_STATE[ev.state], ev.code))

    def on_linked(ev: ChatsLinked) -> None:
        capturer.forget(ev.alias, ev.canonical)
        indexer.poke()  # the moved messages carry new seqs and the keys they replace

    kernel.bus.listen(MessagesCaptured, on_captured)
    kernel.bus.listen(MessagesImported, lambda ev: indexer.poke())
    kernel.bus.listen(ChatsLinked, on_linked)
    kernel.bus.listen(BanSignal, on_ban)
    kernel.bus.listen(ConnectionChanged, on_connection)

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

    async def index_after_start() -> None:
        indexer.poke()  # catch up with what came after the snapshot without delaying "ready"

    hooks += [page.start, gate.recover, search_begin, index_after_start]
    return Features(
        store=store, identity=identity, capturer=capturer, queries=queries, importer=importer, navigator=navigator,
        connection=connection, contacts=contacts, page=page, backfills=backfills, search=search, audit=audit,
        consent=consent, gate=gate, suggestions=suggestions, logs=logs, copies=copies, indexer=indexer,
        start_hooks=hooks, migrations={3: identity.migrate}, later_set=later_set,
    )
