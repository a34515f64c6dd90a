"""WhatsApp Web message ids, every format seen from 2018 to 2026.

Serialized ids (until early 2026) read ``<fromMe>_<chat jid>_<msg id>[_<participant jid>]``:

* ``false_5511999999999@c.us_3EB0C0FFEE``            1:1 chat
* ``true_189025889575055@lid_3EB0…``                  chat addressed by LID
* ``false_120363…@g.us_3EB0…_5511…@c.us`` (or ``@lid``) group message with its author
* ``false_972501234567-1416170171@g.us_…``            old group ids (creator-timestamp)
* ``false_status@broadcast_3EB0…_5511…@c.us``, ``…@newsletter_…`` status and channels

Since mid-2026 rows carry a bare id (20-32 characters) plus ``data-testid="conv-msg-<id>"``,
so the chat must come from the conversation header instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pycore.chatkey import SERVERS

JID_SERVERS = ("c.us", "g.us", "lid", "newsletter", "broadcast", "s.whatsapp.net")
_SERVER = "|".join(re.escape(s) for s in JID_SERVERS)
_SERIALIZED = re.compile(
    rf"^(?P<me>true|false)_(?P<chat>[^_@\s]+@(?:{_SERVER}))_(?P<id>[A-Za-z0-9]+)"
    rf"(?:_(?P<participant>[^_@\s]+@(?:{_SERVER})))?$"
)
_BARE = re.compile(r"^[A-Za-z0-9]{20,32}$")
TESTID_PREFIX = "conv-msg-"


@dataclass(frozen=True)
class MessageId:
    id: str
    chat: str | None = None  # the chat JID when the id carries it
    from_me: bool | None = None
    participant: str | None = None
    format: str = "serialized"  # or "bare"

    @property
    def is_group(self) -> bool:
        return self.chat is not None and self.chat.endswith("@g.us")


def parse_id(raw: str | None) -> MessageId | None:
    """One data-id value, or None when it is no message id we know."""
    if not raw:
        return None
    raw = raw.strip()
    m = _SERIALIZED.match(raw)
    if m:
        return MessageId(
            id=m["id"], chat=m["chat"], from_me=m["me"] == "true", participant=m["participant"], format="serialized"
        )
    if _BARE.match(raw):
        return MessageId(id=raw, format="bare")
    return None


@lru_cache(maxsize=4096)  # a batch asks for each row's id several times, and re-renders send the same rows
def parse_node_id(data_id: str | None, testid: str | None) -> MessageId | None:
    """The id of a row: its data-id, else the id inside data-testid="conv-msg-<id>"."""
    found = parse_id(data_id)
    if found is None and testid and testid.startswith(TESTID_PREFIX):
        found = parse_id(testid[len(TESTID_PREFIX):])
    return found


def jid_kind(jid: str) -> str:
    """'user' (@c.us / @s.whatsapp.net), 'lid', 'group', 'newsletter', 'broadcast' or 'unknown'."""
    return SERVERS.get(jid.rpartition("@")[2], "unknown")
