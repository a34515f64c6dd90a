"""Which chat an export belongs to, and who is who in it.

Evidence, strongest first: a phone number (in the file name, or an author that is a number)
equal to a chat's or contact's number; the chat's name in the file name equal to a chat's
title or a contact's name; for a one-to-one chat, the other author's name; for a group, the
group's name. Brazilian mobile numbers are compared with and without the ninth digit (older
WhatsApp ids lack it). Names are compared folded (case, accents, punctuation).
"""

from __future__ import annotations

from pycore.chat_export import ChatExport
from pycore.chatkey import ChatKey, phone_jid
from pycore.history_import.protocol import AuthorInfo, ChatCandidate
from pycore.textfold import fold

MAX_CANDIDATES = 5
WEIGHTS = {"phone": 10.0, "name": 6.0, "group": 4.0, "author": 5.0, "contact": 3.0}


def phone_forms(digits: str | None) -> set[str]:
    """A number as it may appear in a WhatsApp id: as is, and a Brazilian mobile with or without its 9."""
    if not digits:
        return set()
    forms = {digits}
    if digits.startswith("55") and len(digits) == 13 and digits[4] == "9":
        forms.add(digits[:4] + digits[5:])
    if digits.startswith("55") and len(digits) == 12:
        forms.add(digits[:4] + "9" + digits[4:])
    return forms


def _phone_of_key(key: str) -> str | None:
    try:
        return ChatKey.parse(key).phone
    except ValueError:
        return None


def roles(export: ChatExport, contact_names: set[str] = frozenset()) -> list[AuthorInfo]:
    """Proposed roles. In a one-to-one export the author named like the chat (or with its
    number) is the contact and the other one is the user; in a group nobody is guessed to be
    the user unless a single author is not a member of it by name (the user picks)."""
    chat_name = fold(export.chat_name or "")
    phones = phone_forms(export.phone)
    out: list[AuthorInfo] = []
    group = export.looks_like_group
    for a in export.authors:
        is_contact = (chat_name and fold(a.name) == chat_name) or bool(phone_forms(a.phone) & phones)
        if group:
            role = "member"
        elif is_contact or fold(a.name) in contact_names:
            role = "contact"
        else:
            role = "me"
        out.append(AuthorInfo(name=a.name, count=a.count, phone=a.phone, role=role))
    if not group and out and all(a.role == "me" for a in out):
        out[0] = out[0].model_copy(update={"role": "contact"})  # nobody named like the chat: the busiest is the contact
    if not group and sum(a.role == "me" for a in out) > 1:
        for i, a in enumerate(out):  # keep one "me": the busiest
            if a.role == "me" and i != next(j for j, b in enumerate(out) if b.role == "me"):
                out[i] = a.model_copy(update={"role": "contact"})
    return out


def candidates(export: ChatExport, chats: list[dict], contacts: list[dict]) -> list[ChatCandidate]:
    """Stored chats and scanned contacts that may be this export's chat, best first."""
    name = fold(export.chat_name or "")
    others = {fold(a.name) for a in roles(export) if a.role == "contact"}
    phones = set()
    for digits in [export.phone] + [a.phone for a in export.authors]:
        phones |= phone_forms(digits)
    group = export.looks_like_group
    found: dict[str, ChatCandidate] = {}

    def consider(key: str, title: str, is_group: bool, extra_names: list[str], count: int, last_ts, exists: bool,
                 from_contact: bool) -> None:
        reasons: list[str] = []
        phone = _phone_of_key(key)
        if phone and phone_forms(phone) & phones:
            reasons.append("phone")
        names = {fold(n) for n in [title, *extra_names] if n}
        if name and name in names:
            reasons.append("group" if group and is_group else "name")
        if not is_group and names & others:
            reasons.append("author")
        if not reasons:
            return
        if from_contact:
            reasons.append("contact")
        score = sum(WEIGHTS[r] for r in reasons) - (3.0 if is_group != group else 0.0)
        old = found.get(key)
        if old is None or score > old.score:
            found[key] = ChatCandidate(chat=key, title=title, is_group=is_group, phone=phone, message_count=count,
                                       last_ts=last_ts, score=score, reasons=reasons, exists=exists)

    for c in chats:
        consider(c["key"], c.get("title") or c["key"], bool(c.get("is_group")), [], int(c.get("message_count") or 0),
                 c.get("last_ts"), True, False)
    for c in contacts:
        if c.get("merged_into"):
            continue
        key = c.get("jid") or c["key"]
        names = [c.get("push_name") or "", c.get("title") or ""]
        if c.get("phone") and not _phone_of_key(key):
            names.append(c["phone"])
        consider(key, c.get("title") or key, bool(c.get("is_group")), names, 0, None, True, True)
        if c.get("phone") and phone_forms(c["phone"]) & phones and key not in found:
            found[key] = ChatCandidate(chat=key, title=c.get("title") or key, is_group=False, phone=c["phone"], score=WEIGHTS["phone"],
                                       reasons=["phone", "contact"], exists=True)
    return sorted(found.values(), key=lambda c: (-c.score, -(c.last_ts or 0), c.chat))[:MAX_CANDIDATES]


def new_chat(export: ChatExport) -> ChatCandidate | None:
    """A chat to create for the export: by its number when it has one, else by its name."""
    contact = next((a for a in roles(export) if a.role == "contact"), None)
    digits = export.phone or (contact.phone if contact and not export.looks_like_group else None)
    title = export.chat_name or (contact.name if contact and not export.looks_like_group else None)
    if digits:
        jid = phone_jid(digits)
        if jid:
            return ChatCandidate(chat=jid, title=title or digits, is_group=False, phone=digits, score=0.0, reasons=[], exists=False)
    if title:
        try:
            key = str(ChatKey.from_title(title))
        except ValueError:
            return None
        return ChatCandidate(chat=key, title=title, is_group=export.looks_like_group, score=0.0, reasons=[], exists=False)
    return None
