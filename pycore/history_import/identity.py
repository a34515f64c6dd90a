"""One identity for a message, whether it came from a chat export or from capture.

The export has no WhatsApp ids, so an exported message and a captured one are matched on
(chat, minute, author, normalised text) and an ordinal for equal ones (pycore.chat_export's
rule). Both sides compute it from the fields the store holds, with one author token:

- an outgoing message is "me", a system line has no author;
- an incoming message in a one-to-one chat is "them" (the export names the contact as the
  exporting phone saw them, the page as WhatsApp Web does: the names may differ);
- in a group, the author's name (the same account saw both, so the names agree).

A media row whose kind nobody knows and that has no text (an Android export "without media")
counts as media, like a picture or a voice message.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from pycore.chat_export import Identity, identity_id, identity_text
from pycore.chat_export.identity import MEDIA_TOKEN
from pycore.chatkey import normalize_title

ME = "\x1eme"
THEM = "\x1ethem"
EPOCH = datetime(1970, 1, 1)
IMPORTED_PREFIX = "exp-"  # ids of imported messages (pycore.chat_export.identity_id)


def author_token(direction: str, author: str | None, group: bool) -> str:
    if direction == "out":
        return ME
    if direction == "system":
        return ""
    return normalize_title(author or "") if group else THEM


# What normalize_text (pycore.chat_export.identity) removes besides whitespace: bidi and zero-width
# marks and lone surrogates. Most texts hold none, and then joining the words is all it does.
_ODD = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]")
_PLAIN = {"text", "system", "unknown"}


def text_token(mtype: str, text: str) -> str:
    """identity_text(), faster for the common case (100,000 texts per import)."""
    if mtype not in _PLAIN:
        return identity_text(mtype, text)
    if mtype == "unknown" and not text.strip():
        return MEDIA_TOKEN
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        if _ODD.search(text):
            return identity_text(mtype, text)
    return " ".join(text.split())


def of_fields(fields: dict, group: bool) -> Identity | None:
    """The identity of a stored record or a sighting (None without a time)."""
    ts = fields.get("ts")
    if ts is None:
        return None
    return Identity(fields["chat"], int(ts // 60), author_token(fields["direction"], fields.get("author"), group),
                    text_token(fields.get("type") or "text", fields.get("text") or ""))


def imported_id(ident: Identity, ordinal: int) -> str:
    """'exp-', the minute (8 hex digits), then 24 hex digits of the identity's hash
    (pycore.chat_export.identity_id): stable like it, and time-ordered, so a long import puts its
    keys into IndexedDB in order (a quarter faster than keys in random order, measured)."""
    return f"exp-{ident.minute & 0xFFFFFFFF:08x}{identity_id(ident, ordinal)[4:28]}"


def is_imported(message_id: str) -> bool:
    return message_id.startswith(IMPORTED_PREFIX)


def epoch(local: datetime, utc_offset_min: int) -> int:
    """An export's wall-clock time as epoch seconds, with the fixed offset capture uses for the
    page's times (pycore.capture.timestamps), so both copies of a message land in one minute."""
    return int((local - EPOCH).total_seconds()) - utc_offset_min * 60
