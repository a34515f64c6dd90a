"""Chat-list row facts -> contact fields (name kind, unread count, preview)."""

from __future__ import annotations


from pycore.chatkey import ChatKey, display_title, phone_jid
from pycore.contacts.protocol import RawChatRow
from pycore.pagetext import unread_count

OWN_PREFIXES = ("You:", "Você:", "Tú:", "Tu:")
FLAG_WORDS = {
    "muted": ("muted chat", "conversa silenciada", "silenciada"),
    "pinned": ("pinned chat", "conversa fixada", "fixada"),
    "archived": ("archived chat", "conversa arquivada", "arquivada"),
    "draft": ("draft", "rascunho"),
}
GROUP_ICONS = {"default-group", "group", "community"}


def preview_of(raw: str | None) -> tuple[str | None, bool]:
    """(preview without the own-message prefix, the last message was ours)."""
    if not raw:
        return None, False
    text = display_title(raw)
    for prefix in OWN_PREFIXES:
        if text == prefix or text.startswith(prefix + " "):
            return text[len(prefix):].strip() or None, True
    return text, False


def contact_fields(row: RawChatRow) -> dict:
    """Fields of ContactRecord the scraper owns (never merge bookkeeping)."""
    title = display_title(row.title)
    is_group = bool(row.is_group) or bool(GROUP_ICONS & set(row.icons)) or (row.jid or "").endswith("@g.us")
    phone = push_name = None
    if is_group:
        kind = "group"
    elif title.startswith("~"):
        kind, push_name = "push_name", title.lstrip("~ ").strip()
    elif (pj := phone_jid(title)) is not None:
        kind, phone = "number", pj.split("@")[0]
    else:
        kind = "saved"
    unread, marked = unread_count(row.unread_label, row.unread_text)
    preview, own = preview_of(row.preview_title or row.preview)
    labels = " ".join(row.labels).casefold()
    jid = row.jid
    return {
        "key": jid or str(ChatKey.from_title(title, group=is_group)),
        "title": title,
        "kind": kind,
        "phone": phone or (jid.split("@")[0] if jid and jid.endswith("@c.us") else None),
        "push_name": push_name,
        "jid": jid,
        "lid": jid if jid and jid.endswith("@lid") else None,
        "is_group": is_group,
        "unread": unread,
        "marked_unread": marked,
        "preview": preview,
        "own_last": own,
        "time_label": display_title(row.time) if row.time else None,
        "flags": sorted(f for f, words in FLAG_WORDS.items() if any(w in labels for w in words)),
    }


def scanned_only(chats: list[dict], contacts: list[dict]) -> list[dict]:
    """Chat records for the scanned contacts that are not already among the captured ``chats``.

    Keys follow one scheme (the JID, else "title:<name>"); a contact known only by its
    title is taken to be the captured chat of that title. Merged contacts are left out.
    """
    keys = {c["key"] for c in chats}
    titles = {c.get("title") for c in chats}
    out = []
    for c in contacts:
        if c.get("merged_into") or c["key"] in keys or (c.get("jid") and c["jid"] in keys):
            continue
        if not c.get("jid") and c.get("title") in titles:
            continue
        out.append({"key": c["key"], "title": c.get("title") or c["key"], "is_group": bool(c.get("is_group")),
                    "unread": c.get("unread", 0), "preview": c.get("preview"), "message_count": 0})
    return out
