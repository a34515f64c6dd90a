"""The database schema, as data: both storage implementations build from it.

Bump SCHEMA_VERSION when a store or index is added or removed; add a data migration in
migrations.py when existing records must change shape. IndexedDB creates missing
stores and indexes on upgrade, and drops the indexes of a store no longer listed here
(extension/offscreen/idb-shim.js).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoreSpec:
    key_path: str | tuple[str, ...]
    # index name -> key path (a field, or a tuple of fields for a compound index)
    indexes: dict[str, str | tuple[str, ...]] = field(default_factory=dict)


# 2: the CRM's stores (crm_*); 3: one chat under one key (pycore.identity): message ids, normalised titles,
# aliases; 4: imports and transfers; 5: messages lose by_chat_ts (by_chat_ts_seq answers the same ranges)
SCHEMA_VERSION = 5

STORES: dict[str, StoreSpec] = {
    # key/value settings and bookkeeping (schema version, watermarks, ...)
    "meta": StoreSpec(key_path="key"),
    # one record per message, keyed by "<chat key>|<message id>"
    "messages": StoreSpec(
        key_path="key",
        indexes={
            "by_ts": "ts",
            "by_seq": "seq",
            # one chat in conversation order (messages of one minute in the order they were stored;
            # pycore.storage.ranges.in_time_order), and in capture order. Every index costs each put:
            # a (chat, ts) index beside the first made 500 puts take 1.16x as long (docs/decisions.md).
            "by_chat_ts_seq": ("chat", "ts", "seq"),
            "by_chat_seq": ("chat", "seq"),
            # identity: the chats already holding a message seen under another key (one message, one chat)
            "by_id": "id",
        },
    ),
    # one record per chat
    "chats": StoreSpec(key_path="key", indexes={"by_last_ts": "last_ts", "by_norm_title": "norm_title"}),
    # identity: a key that turned out to name the same chat as a stronger one (title -> JID), kept so
    # later sightings and references under the old key land on the chat it names now
    "aliases": StoreSpec(key_path="key", indexes={"by_canonical": "canonical"}),
    # capture: per-chat watermark and health counters (pycore.capture.capturer), keyed by chat key
    "capture_state": StoreSpec(key_path="chat"),
    # contacts: chat-list rows as scraped (pycore.contacts), keyed by "title:<name>"
    "contacts": StoreSpec(key_path="key", indexes={"by_phone": "phone", "by_merged_into": "merged_into"}),
    # the search index, serialized (one record, key "index"): derived data, rebuilt when missing
    "search_snapshot": StoreSpec(key_path="key"),
    # sending: outbound messages and their states (pycore.sending.outbox)
    "outbox": StoreSpec(
        key_path="id",
        indexes={
            "by_state_next": ("state", "next_at"),
            "by_state_id": ("state", "id"),
            "by_campaign": ("campaign_id", "id"),
        },
    ),
    # sending: log of sends (and scrapes/searches) that did or may have happen(ed); the limiter's windows
    "sends": StoreSpec(
        key_path="id", indexes={"by_kind_ts": ("kind", "ts"), "by_ts": "ts", "by_chat_ts": ("chat", "ts")}
    ),
    # sending: token buckets, pause state, pacing target, warm-up start (keyed by name)
    "ratelimit": StoreSpec(key_path="key"),
    # sending: every decision of the gate, for the user to read and export
    "audit": StoreSpec(key_path="id", indexes={"by_ts": "ts"}),
    # sending: suppression list, one record per chat
    "optouts": StoreSpec(key_path="chat"),
    # sending: consent history (opt-out / opt-in events)
    "consent": StoreSpec(key_path="id", indexes={"by_chat_ts": ("chat", "ts")}),
    # sending: campaigns (drafts, running, done)
    "campaigns": StoreSpec(key_path="id", indexes={"by_created": "created_at"}),
    # crm (pycore.crm): one record per person, keyed by the canonical chat key; read whole into memory
    "crm_records": StoreSpec(key_path="key"),
    # crm: tags, pipelines, custom fields, settings ("tag:<id>", "pipeline:<id>", "field:<id>", "settings"),
    # and the activity watermark ("meta:activity_seq")
    "crm_defs": StoreSpec(key_path="key"),
    # crm: notes, a record's newest first by (record, created_at); deleted ones by deleted_at (purged after 30 days)
    "crm_notes": StoreSpec(
        key_path="id", indexes={"by_record_ts": ("record", "created_at"), "by_deleted": "deleted_at"}
    ),
    # crm: reminders; open_due is set only while open, so by_open_due lists what may still fire
    "crm_reminders": StoreSpec(
        key_path="id", indexes={"by_record_ts": ("record", "created_at"), "by_open_due": "open_due"}
    ),
    # crm: timeline entries it keeps itself (stage changes, sends, imports, merges)
    "crm_events": StoreSpec(key_path="id", indexes={"by_record_ts": ("record", "ts")}),
    # crm: first and last message per chat, derived from messages (by seq; watermark in crm_defs)
    "crm_activity": StoreSpec(key_path="chat"),
    # (v4) transfers and chat-export imports, keyed by prefix: "upload:<id>", "chunk:<id>:<n>" (file bytes
    # in pieces), "job:<id>" (an import's state), "added:<job>:<n>" (message keys each batch added, for rollback)
    "imports": StoreSpec(key_path="key"),
}


def schema_json() -> dict:
    """The schema in the shape the IndexedDB shim consumes."""
    return {
        "version": SCHEMA_VERSION,
        "stores": {
            name: {
                "keyPath": list(spec.key_path) if isinstance(spec.key_path, tuple) else spec.key_path,
                "indexes": {
                    iname: list(path) if isinstance(path, tuple) else path for iname, path in spec.indexes.items()
                },
            }
            for name, spec in STORES.items()
        },
    }
