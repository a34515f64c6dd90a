"""Who "one person" is: the chat the user picked, and every key Mettri may hold them under.

A person's chats are the chat picked, the JID and LID of their contact records, and the contacts
merged with them (pycore.contacts: one person seen under a LID and a phone number). Groups are
never a person: their messages by the person are found by the ids that wrote them.
"""

from __future__ import annotations

from pycore.chatkey import ChatKey, phone_jid
from pycore.privacy.parts import Person
from pycore.protocol.base import CoreError
from pycore.storage.base import Storage

PERSON_KINDS = ("user", "lid", "title")


def _person_key(key: str | None) -> str | None:
    if not key:
        return None
    try:
        kind = ChatKey.parse(key).kind
    except ValueError:
        return None
    return key if kind in PERSON_KINDS else None


async def resolve(storage: Storage, chat: str) -> Person:
    try:
        kind = ChatKey.parse(chat).kind
    except ValueError:
        raise CoreError("invalid_args", f"not a chat key: {chat!r}") from None
    if kind not in PERSON_KINDS:
        raise CoreError("invalid_args", "a group or a channel is not a person: pick the person's own chat", [{
            "message_pt": "Um grupo não é uma pessoa: escolha a conversa da própria pessoa.",
            "message_en": "A group is not a person: pick the person's own chat.",
        }])
    chat_rec = await storage.get("chats", chat)
    contacts: dict[str, dict] = {}
    for c in await storage.query("contacts"):
        if chat in (c["key"], c.get("jid"), c.get("lid")):
            contacts[c["key"]] = c
    if chat_rec and not contacts:  # a contact scanned under the chat's title
        title_key = str(ChatKey.from_title(chat_rec["title"])) if chat_rec.get("title") else None
        found = await storage.get("contacts", title_key) if title_key else None
        if found and not found.get("jid"):
            contacts[found["key"]] = found
    queue = list(contacts.values())
    while queue:  # merged contacts are the same person
        c = queue.pop()
        for other in [c.get("merged_into"), *c.get("merged_from", [])]:
            if other and other not in contacts:
                rec = await storage.get("contacts", other)
                if rec:
                    contacts[other] = rec
                    queue.append(rec)
    chats = [chat]
    for c in contacts.values():
        for key in (c["key"], c.get("jid"), c.get("lid")):
            k = _person_key(key)
            if k and k not in chats:
                chats.append(k)
    jids = {k for k in chats if not k.startswith("title:")}
    for c in contacts.values():
        if c.get("phone") and (pj := phone_jid(c["phone"])):
            jids.add(pj)
    title = (chat_rec or {}).get("title") or next((c.get("title") for c in contacts.values() if c.get("title")), None)
    return Person(chats=tuple(chats), contacts=tuple(sorted(contacts)), jids=frozenset(jids),
                  title=title or ChatKey.parse(chat).fallback_title())
