"""What the page says about who the open chat is, beyond its name. Pure.

In order of strength: a JID in a message id (until early 2026) or the header; a title that is a
phone number (an unsaved number); a phone number in the header's other lines or in the
contact-info drawer; a JID in the avatar's address (R: when WhatsApp draws one). A group's
header lists its participants, some of them numbers: no phone read there names a group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pycore.capture.protocol import ChatFacts
from pycore.chatkey import ChatKey, normalize_title, phone_jid
from pycore.msgids import MessageId

_AVATAR_JID = re.compile(r"(?:^|[/=_?&])(\d{6,20})(?:@|%40)(c\.us|s\.whatsapp\.net|lid|g\.us)(?=$|[^\w.])")
MSG_IDS = 30  # newest message ids looked up per sighting: enough to recognise a conversation


@dataclass
class Sighting:
    """One look at the open chat: its name and every stronger signal, ready to decide on."""

    title: str
    norm: str
    group: bool = False
    strong: str | None = None  # a JID the page proves
    strong_how: str | None = None  # "jid" | "phone" | "drawer"
    drawer_read: bool = False
    msg_ids: list[str] = field(default_factory=list)  # newest last
    list_twins: int = 0  # rows of the chat list drawn with this same name (0: not looked at)
    hint: str | None = None


def phone_in(texts: list[str]) -> str | None:
    """The phone JID of the first line that is only a phone number."""
    for text in texts:
        jid = phone_jid(text)
        if jid:
            return jid
    return None


def avatar_jid(src: str | None) -> str | None:
    m = _AVATAR_JID.search(src or "")
    if not m:
        return None
    server = "c.us" if m.group(2) == "s.whatsapp.net" else m.group(2)
    return f"{m.group(1)}@{server}"


def twins_in(titles: list[str] | None, norm: str) -> int:
    return sum(1 for t in titles or [] if normalize_title(t) == norm)


def sighting(facts: ChatFacts, ids: list[MessageId | None], *, group: bool = False) -> Sighting:
    """ValueError when the header shows no name and no id names the chat."""
    chat_jids = [m.chat for m in ids if m is not None and m.chat]
    norm = normalize_title(facts.title)
    group = group or any(j.endswith("@g.us") for j in chat_jids)
    s = Sighting(title=facts.title, norm=norm, group=group, drawer_read=facts.drawer is not None,
                 msg_ids=[m.id for m in ids if m is not None][-MSG_IDS:],
                 list_twins=twins_in(facts.list_titles, norm), hint=facts.key_hint or None)
    title_key = ChatKey.from_title(facts.title, group=group) if norm else None
    drawer = facts.drawer
    found = [
        (chat_jids[0] if chat_jids else None, "jid"),
        (facts.jid if facts.jid and _is_jid(facts.jid) else None, "jid"),
        (avatar_jid(facts.avatar), "jid"),
        (str(title_key) if title_key is not None and title_key.is_jid else None, "phone"),
        (None if group else phone_in(facts.header_texts), "phone"),
        (None if group or drawer is None else phone_in([drawer.title or "", *drawer.texts]), "drawer"),
    ]
    for jid, how in found:
        if jid:
            s.strong, s.strong_how = jid, how
            break
    if not norm and s.strong is None:
        raise ValueError("the header shows no name")
    return s


def _is_jid(raw: str) -> bool:
    try:
        return ChatKey.parse(raw).is_jid
    except ValueError:
        return False
