"""Questions the gate asks about contacts and captured messages.

The defaults read the ``chats`` and ``messages`` stores; the integrator may
replace any of them (``gate.lookups.saved_contact = my_fn``) with a better
source, e.g. the contact scraper's list of saved contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Literal

from pycore.sending.policy import normalize
from pycore.storage.base import Range, Storage

Verdict = Literal["sent", "not_sent", "unknown"]
MINUTE = 60.0  # captured message times have minute precision


def _chat_range(chat: str, lower: float = -1e18, upper: float = 1e18) -> Range:
    return Range(lower=[chat, lower], upper=[chat, upper])


@dataclass
class Lookups:
    # Is this chat a saved contact (or a group the user is in)?
    saved_contact: Callable[[str], Awaitable[bool]]
    # Has this chat ever written to the user (any inbound message)?
    has_inbound: Callable[[str], Awaitable[bool]]
    # Is there an outgoing message in chat with this text sent between after and before?
    was_sent: Callable[[str, str, float, float], Awaitable[Verdict]]


def default_lookups(storage: Storage) -> Lookups:
    async def saved_contact(chat: str) -> bool:
        rec = await storage.get("chats", chat)
        return bool(rec and (rec.get("saved") or rec.get("is_contact") or rec.get("is_group")))

    async def has_inbound(chat: str) -> bool:
        rows = await storage.query("messages", index="by_chat_ts", range=_chat_range(chat))
        return any(r.get("direction") == "in" for r in rows)

    async def was_sent(chat: str, text: str, after: float, before: float) -> Verdict:
        rows = await storage.query("messages", index="by_chat_ts", range=_chat_range(chat, after - MINUTE, before + MINUTE))
        want = normalize(text)
        if any(r.get("direction") == "out" and normalize(r.get("text", "")) == want for r in rows):
            return "sent"
        # Absence is no proof: the capture may not have seen the chat since. The user decides.
        return "unknown"

    return Lookups(saved_contact=saved_contact, has_inbound=has_inbound, was_sent=was_sent)
