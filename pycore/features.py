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
from pycore.connection import handlers as connection_handlers
from pycore.connection.protocol import BanSignal, ConnectionChanged
from pycore.connection.service import Connection
from pycore.contacts import handlers as contact_handlers
from pycore.contacts.service import Contacts
from pycore.history_import import handlers as history_import_handlers
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
from pycore.sending.gate import SendGate
from pycore.sending.protocol import OutboxChanged
from pycore.suggestions import handlers as suggestion_handlers
from pycore.suggestions.service import Suggestions
from pycore.transfers import handlers as transfer_handlers
from pycore.transfers.service import Transfers
from pycore.whatsapp import handlers as whatsapp_handlers
from pycore.whatsapp.service import WhatsAppPage

StartHook = Callable[[], Awaitable[Any]]
PAUSE_ON_STATE = {"logged_out": "logged_out", "other_window": "other_window"}


@dataclass
class Features:
    """The built graph (for the JS host and tests; features never hold it)."""

    store: MessageStore
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
    transfers: Transfers
    history_imports: HistoryImports
    privacy: Privacy
    start_hooks: list[StartHook] = field(default_factory=list)


class RecipientFacts:
    """The send gate's questions about a recipient, answered from capture and the contact list."""

    def __init__(self, queries: MessageQueries, contacts: Contacts) -> None:
        self.queries = queries
        self.contacts = contacts

    async def saved_contact(self, chat: str) -> bool:
        return await self.contacts.is_saved(chat, await self.queries.title(chat))

    async def has_inbound(self, chat: str) -> bool:
        return await self.queries.has_inbound(chat)

    async def outgoing_since(self, since: float) -> list[tuple[str, str]]:
        return await self.queries.outgoing_since(since)


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
    capturer = Capturer(st, clock, emit, store)
    connection = Connection(st, clock, rng, emit)
    contacts = Contacts(st, clock, rng, emit, presence=connection)
    queries = MessageQueries(st, clock, scanned=contacts)
    importer = Importer(clock, emit, writer=store)
    navigator = Navigator(st, emit)
    page = WhatsAppPage(st, clock, emit)
    backfills = Backfills(st, clock, rng, emit, captured=capturer, presence=connection)
    search = SearchEngine(st, clock, progress=lambda done, total: emit(SearchProgress(done=done, total=total)))
    indexer = search_handlers.BackgroundIndexer(search, kernel.tasks.spawn)
    audit = AuditLog(st, rng)
    consent = Consent(st, clock, rng, emit, audit=audit)
    gate = SendGate(
        st, clock, rng, emit,
        recipients=overrides.get("recipients") or RecipientFacts(queries, contacts),
        evidence=overrides.get("evidence") or queries,
        names=queries, suppression=consent, audit=audit, page=PageState(page, connection),
    )
    if "pacing" in overrides:
        gate.handout.pacing_model = overrides["pacing"]
    campaigns = Campaigns(st, clock, rng, emit, gate=gate)
    suggestions = Suggestions(st, clock, emit, names=queries, sender=gate)
    transfers = Transfers(st, clock, rng)
    history_imports = HistoryImports(st, clock, emit, kernel.tasks.spawn, writer=store, files=transfers, copies=copies,
                                     search=search, audit=audit)
    # Each feature's part of the archive, of a person's data and of an erase (pycore/privacy/parts.py).
    archive_parts: list[ArchivePart] = [
        MessagesPart(st, store), ContactsPart(st), SendingPart(st), AuditPart(st), ConsentPart(st), SettingsPart(st),
        ImportsPart(st),
    ]
    # CRM_ARCHIVE_PART: the CRM (pycore/crm, in progress) brings its own ArchivePart (its records, a person's
    # card, notes and timeline, their erase); append it here when it lands: archive_parts.append(crm.archive_part)
    privacy = Privacy(st, clock, emit, files=transfers, search=search, audit=audit, parts=archive_parts)

    capture_handlers.register(on, capturer, queries)
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
    metric_handlers.register(on, st, clock)
    log_handlers.register(on, logs)
    transfer_handlers.register(on, transfers)
    history_import_handlers.register(on, history_imports)
    privacy_handlers.register(on, privacy)

    spawn = kernel.tasks.spawn

    async def scan_optouts(keys: list[str]) -> None:
        records = [MessageRecord.model_validate(r) for r in await st.get_many("messages", keys) if r]
        await consent.scan(r for r in records if r.direction == "in")

    def on_captured(ev: MessagesCaptured) -> None:
        indexer.poke()
        if ev.new or ev.updated:
            spawn(scan_optouts(list(ev.new) + list(ev.updated)))
        if privacy.prune_due():  # at most once a day: old audit and consent records go
            spawn(privacy.prune())

    def on_ban(ev: BanSignal) -> None:
        spawn(gate.pause("too_many_messages" if ev.code == "too_many_messages" else "warning_banner", ev.text[:200]))

    def on_connection(ev: ConnectionChanged) -> None:
        if ev.state in PAUSE_ON_STATE:
            spawn(gate.pause(PAUSE_ON_STATE[ev.state], ev.code))

    def on_outbox(ev: OutboxChanged) -> None:
        if ev.campaign_id and ev.state != "sending":
            spawn(campaigns.progress(ev.campaign_id))

    kernel.bus.listen(MessagesCaptured, on_captured)
    kernel.bus.listen(MessagesImported, lambda ev: indexer.poke())
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
    hooks += [page.start, gate.recover, search.start, history_imports.recover, privacy.recover, privacy.prune]

    async def index_after_start() -> None:
        indexer.poke()  # catch up with what came after the snapshot without delaying "ready"

    hooks.append(index_after_start)
    return Features(
        store=store, capturer=capturer, queries=queries, importer=importer, navigator=navigator,
        connection=connection, contacts=contacts, page=page, backfills=backfills, search=search, audit=audit,
        consent=consent, gate=gate, campaigns=campaigns, suggestions=suggestions, logs=logs, transfers=transfers,
        history_imports=history_imports, privacy=privacy, start_hooks=hooks,
    )
