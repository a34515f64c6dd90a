"""Commands and events of the local search engine (pycore.search)."""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import Field

from pycore.chatkey import ChatKeyStr
from pycore.protocol.base import Command, Event, Model, command, event
from pycore.protocol.records import Direction

# "media" = image, video and sticker; the rest are MessageRecord types.
TypeFilter = Literal["media", "text", "image", "video", "sticker", "voice", "document", "system", "deleted", "unknown"]


class Segment(Model):
    """A piece of snippet text; ``hit`` pieces are what matched (render as text nodes, never HTML)."""

    text: str
    hit: bool


class SearchFilters(Model):
    chats: list[ChatKeyStr] | None = Field(default=None, max_length=500, description="only these chat keys")
    chat_name: str | None = Field(default=None, max_length=200, description="chats whose name/push name/number match")
    since: float | None = Field(default=None, description="epoch seconds, inclusive")
    until: float | None = Field(default=None, description="epoch seconds, inclusive")
    direction: Direction | None = None
    types: list[TypeFilter] | None = Field(default=None, max_length=16)
    tags: list[str] | None = Field(default=None, max_length=50, description="CRM: chats of people with every one of these tags")
    stages: list[str] | None = Field(default=None, max_length=30, description="CRM: chats of people with a deal in one of these stages")


class MessageHit(Model):
    key: str
    chat: str
    chat_title: str | None
    ts: float
    direction: str
    type: str
    author: str | None
    snippet: list[Segment]
    score: float


class SearchMessagesResult(Model):
    hits: list[MessageHit]
    total: int = Field(description="number of hits; a lower bound when total_exact is false")
    total_exact: bool
    took_ms: float
    cached: bool
    indexed_seq: int = Field(description="the message change sequence the index covers")


@command("search.messages", SearchMessagesResult)
class SearchMessages(Command):
    """Full-text search over captured messages, with optional filters (text may be empty when filters are set)."""

    q: str = Field(default="", max_length=500)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=5000)


class ContactHit(Model):
    key: str
    title: str
    number: str | None
    push_name: str | None
    is_group: bool
    last_ts: float | None
    matched: Literal["title", "push_name", "number"]
    title_segments: list[Segment]
    score: float


class SearchContactsResult(Model):
    hits: list[ContactHit]
    took_ms: float


@command("search.contacts", SearchContactsResult)
class SearchContacts(Command):
    """Chats and contacts by name, push name or phone number (formatting-insensitive)."""

    q: str = Field(min_length=1, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class RecordDocument(NamedTuple):
    """A CRM text search indexes (the CRM produces them through the RecordSource port): a note or a
    custom field's value of one record. A plain tuple: tens of thousands are made at start."""

    id: str
    record: str  # the record's chat key
    kind: Literal["note", "field"]
    ref: str  # the note's id, or the field's id
    label: str | None  # the field's label (notes: None)
    title: str  # the record's name
    text: str
    ts: float | None


class RecordHit(Model):
    """A CRM hit: open the record ``record`` (a chat key) to show it."""

    id: str
    record: str
    kind: Literal["note", "field"]
    ref: str
    label: str | None
    title: str
    ts: float | None
    snippet: list[Segment]


class SearchRecordsResult(Model):
    hits: list[RecordHit]
    total: int
    took_ms: float


@command("search.records", SearchRecordsResult)
class SearchRecords(Command):
    """CRM notes and custom field values matching the words (accents and case ignored, the last word as a
    prefix), optionally only of people with these tags / in these stages."""

    q: str = Field(min_length=1, max_length=500)
    tags: list[str] | None = Field(default=None, max_length=50)
    stages: list[str] | None = Field(default=None, max_length=30)
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1000)


class SnapshotStatus(Model):
    seq: int
    docs: int
    bytes: int
    raw_bytes: int
    created_at: float
    version: str
    read_early: bool = Field(False, description="its bytes were read from IndexedDB while the core's runtime loaded")


RebuildReason = Literal["snapshot_unusable", "snapshot_ahead_of_storage", "storage_unreadable"]

# Why the index started empty (shown in the search status / settings page).
REBUILD_REASONS: dict[str, dict[str, str]] = {
    "snapshot_unusable": {
        "pt_BR": "O índice salvo não existe, está danificado ou é de outra versão: reindexando as mensagens.",
        "en": "The saved index is missing, damaged or from another version: re-indexing messages.",
    },
    "snapshot_ahead_of_storage": {
        "pt_BR": "O índice salvo não corresponde às mensagens guardadas (dados apagados?): reindexando.",
        "en": "The saved index does not match the stored messages (data cleared?): re-indexing.",
    },
    "storage_unreadable": {
        "pt_BR": "Não foi possível ler o banco de dados ao iniciar a busca: reindexando.",
        "en": "The database could not be read when search started: re-indexing.",
    },
}


class SearchStatusResult(Model):
    indexed: int
    last_seq: int
    pending: int = Field(description="messages changed since last_seq, not yet indexed")
    generation: int
    snapshot: SnapshotStatus | None
    started_from: Literal["snapshot", "empty"]
    rebuild_reason: RebuildReason | None = Field(description="a code of REBUILD_REASONS; None once rebuilt")
    cache_size: int
    cache_hits: int
    cache_misses: int


@command("search.status", SearchStatusResult)
class SearchStatus(Command):
    """Index size, the sequence it covers, snapshot and cache information."""


class IndexRunResult(Model):
    indexed: int
    last_seq: int
    pending: int
    took_ms: float
    snapshot_saved: bool


@command("search.rebuild", IndexRunResult)
class SearchRebuild(Command):
    """Drop the index and its snapshot, re-index every message (emits search.progress), then snapshot."""


@command("search.reindex", IndexRunResult)
class SearchReindex(Command):
    """Catch up: index messages changed since the last run (at most max_records), snapshot when due."""

    max_records: int = Field(default=5000, ge=1, le=1_000_000)


@event("search.progress")
class SearchProgress(Event):
    """Indexing progress of a rebuild or a long catch-up."""

    done: int
    total: int
