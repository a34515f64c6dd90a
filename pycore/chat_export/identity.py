"""Which exported message is which captured one, when the file carries no message ids.

A message's identity is (chat, minute, author, normalised text) plus an ordinal: the k-th
message with the same four values, in the chat's order, is the k-th on both sides. So "ok"
sent twice in one minute is two messages, in the export and in the capture alike, and
importing the same file again gives the same ids (nothing added).

- chat: the chat key the caller matched the file to.
- minute: epoch seconds // 60 (captures know the minute only; iOS exports also give seconds).
- author: the caller's stable name for the sender, e.g. "me" or the contact's key (an export
  names people as the exporting phone saw them, a capture as the page does); "" for system lines.
- text: NFC, without bidi marks, whitespace runs as one space, trimmed; case is kept. Media are
  one token whatever their caption (exports "without media" drop captions), deleted messages
  another: a capture that saw the text before it was deleted will not match its export.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from typing import NamedTuple

from pycore.chat_export.model import ExportedMessage
from pycore.chat_export.timeconv import to_epoch, zone
from pycore.chatkey import display_title, normalize_title

MEDIA_TOKEN = "\x1emedia"
DELETED_TOKEN = "\x1edeleted"
_KINDS = {"text": "text", "system": "system", "deleted": "deleted", "unknown": "text"}  # anything else is media


class Identity(NamedTuple):
    chat: str
    minute: int
    author: str
    text: str


def normalize_text(text: str) -> str:
    """The comparison form of a message's text."""
    return display_title(unicodedata.normalize("NFC", text))


def identity_text(kind: str, text: str) -> str:
    """``kind``: the export's kind or the store's message type (image, voice, … count as media)."""
    family = _KINDS.get(kind, "media")
    if family == "media":
        return MEDIA_TOKEN
    if family == "deleted":
        return DELETED_TOKEN
    return normalize_text(text)


def identity(chat: str, ts: float, author: str | None, kind: str, text: str) -> Identity:
    return Identity(chat, int(ts // 60), normalize_title(author) if author else "", identity_text(kind, text))


def ordinals(identities: Iterable[Identity]) -> list[int]:
    """The ordinal of each identity among the equal ones before it (in the order given)."""
    seen: dict[Identity, int] = {}
    out: list[int] = []
    for ident in identities:
        k = seen.get(ident, 0)
        seen[ident] = k + 1
        out.append(k)
    return out


def identity_id(ident: Identity, ordinal: int) -> str:
    """A stable message id for an imported message: 'exp-' and 32 hex digits."""
    raw = "\x1f".join((ident.chat, str(ident.minute), ident.author, ident.text, str(ordinal)))
    return "exp-" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def export_ids(chat: str, messages: Sequence[ExportedMessage], tz: tzinfo | str | int,
               author_of: Callable[[ExportedMessage], str | None] | None = None) -> list[str]:
    """The id of every message of one export, in order. ``author_of`` maps a message to the
    caller's stable author (default: the name in the file)."""
    where = zone(tz)
    who = author_of or (lambda m: m.author)
    idents = [identity(chat, to_epoch(m.local, where), who(m), m.kind, m.text) for m in messages]
    return [identity_id(i, k) for i, k in zip(idents, ordinals(idents))]
