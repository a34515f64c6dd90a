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


def text_token(mtype: str, text: str) -> str:
    if mtype == "unknown" and not text.strip():
        return MEDIA_TOKEN
    return identity_text(mtype, text)


def of_fields(fields: dict, group: bool) -> Identity | None:
    """The identity of a stored record or a sighting (None without a time)."""
    ts = fields.get("ts")
    if ts is None:
        return None
    return Identity(fields["chat"], int(ts // 60), author_token(fields["direction"], fields.get("author"), group),
                    text_token(fields.get("type") or "text", fields.get("text") or ""))


def imported_id(ident: Identity, ordinal: int) -> str:
    return identity_id(ident, ordinal)


def is_imported(message_id: str) -> bool:
    return message_id.startswith(IMPORTED_PREFIX)


def epoch(local: datetime, utc_offset_min: int) -> int:
    """An export's wall-clock time as epoch seconds, with the fixed offset capture uses for the
    page's times (pycore.capture.timestamps), so both copies of a message land in one minute."""
    return int((local - EPOCH).total_seconds()) - utc_offset_min * 60
