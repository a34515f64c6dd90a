"""An export's messages as the store's fields, with their identities and ids.

Roles decide direction: an author the user marked as "me" wrote outgoing messages, every
other author incoming ones; system lines have no author. Media keep their kind (an Android
export "without media" does not say which: "unknown", which a later capture fills in).
"""

from __future__ import annotations

from dataclasses import dataclass

from pycore import steps
from pycore.capture.protocol import MAX_TEXT
from pycore.chat_export import ChatExport, Identity, ordinals
from pycore.chatkey import ChatKey, phone_jid
from pycore.history_import.identity import epoch, imported_id, of_fields

MEDIA_TYPES = {"image", "video", "voice", "document", "sticker"}


@dataclass
class Rows:
    fields: list[dict]  # MessageRecord fields, "id" included
    idents: list[Identity]
    ordinals: list[int]
    prev_text: list[float]  # time of the nearest text message at or before each row (its own time if none)
    next_text: list[float]  # ... at or after
    ident_set: frozenset[Identity]


def _contact_jid(chat: str) -> str | None:
    try:
        key = ChatKey.parse(chat)
    except ValueError:
        return None
    return chat if key.kind in ("user", "lid") else None


def build(export: ChatExport, chat: str, group: bool, roles: dict[str, str], utc_offset_min: int) -> Rows:
    return steps.finish(build_steps(export, chat, group, roles, utc_offset_min))


def build_steps(export: ChatExport, chat: str, group: bool, roles: dict[str, str], utc_offset_min: int) -> steps.Steps[Rows]:
    """build() in steps (pycore/steps.py): a step per piece of the export's messages."""
    contact_jid = None if group else _contact_jid(chat)
    jid_of: dict[str, str | None] = {}
    fields: list[dict] = []
    for part in steps.parts(export.messages):
        for m in part:
            if m.kind == "system" or m.author is None:
                direction, author, mtype = "system", None, "system"
            else:
                direction = "out" if roles.get(m.author) == "me" else "in"
                author = m.author
                if m.kind == "deleted":
                    mtype = "deleted"
                elif m.kind == "media":
                    mtype = m.media.type if m.media and m.media.type in MEDIA_TYPES else "unknown"
                else:
                    mtype = "text"
            if direction == "in":
                if group:
                    if author not in jid_of:
                        jid_of[author] = phone_jid(author)
                    author_jid = jid_of[author]
                else:
                    author_jid = contact_jid
            else:
                author_jid = None
            fields.append({
                "chat": chat, "id": "", "ts": float(epoch(m.local, utc_offset_min)), "direction": direction,
                "author": author, "author_jid": author_jid, "type": mtype,
                "text": "" if mtype == "deleted" else m.text[:MAX_TEXT], "quoted": None, "forwarded": False, "status": None,
            })
        yield
    idents: list[Identity] = []
    for part in steps.parts(fields):
        idents += [of_fields(f, group) for f in part]
        yield
    ords = ordinals(idents)
    for some_fields, some_idents, some_ords in zip(steps.parts(fields), steps.parts(idents), steps.parts(ords)):
        for f, ident, k in zip(some_fields, some_idents, some_ords):
            f["id"] = imported_id(ident, k)
        yield
    prev, nxt = [0.0] * len(fields), [0.0] * len(fields)
    last = None
    for i, f in enumerate(fields):
        last = f["ts"] if f["type"] == "text" else last
        prev[i] = f["ts"] if last is None else last
    last = None
    for i in range(len(fields) - 1, -1, -1):
        f = fields[i]
        last = f["ts"] if f["type"] == "text" else last
        nxt[i] = f["ts"] if last is None else last
    return Rows(fields, idents, ords, prev, nxt, frozenset(idents))
