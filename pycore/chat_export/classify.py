"""What one authored message is: text, media (attached or left out), deleted, or, on iOS, a
system line written under the chat's name. Most messages are plain text and leave after two
cheap tests; the patterns of markers.py run only when the text hints at one."""

from __future__ import annotations

from datetime import datetime

from pycore.chat_export.markers import (
    ADMIN_LOCALES, ATTACHED_ANGLE, ATTACHED_PAREN, BIDI, DELETED, DELETED_BY_ADMIN, EDITED, EDITED_ENDS, LOCATION,
    LRM, OMITTED_ANDROID, OMITTED_ENDS, OMITTED_IOS, attached_locale, edited_locale, media_type_of, omitted_ios,
)
from pycore.chat_export.model import ExportedMessage, Locale, Media

_MARK_ENDS = (" ", "\u200e")
_DELETED_HEADS = tuple(DELETED) + ("This message was deleted", "Esta mensagem foi apagada", "Mensagem apagada",
                                   "Este mensaje fue eliminado")  # the last four also start the admin forms


def classify(line: int, local: datetime, author: str, raw: str, ios: bool, votes: dict) -> ExportedMessage:
    """The message ``author: raw`` (``votes`` counts the languages its markers are written in)."""
    text = raw
    edited = False
    if text.endswith(EDITED_ENDS) or (text[-1:] in _MARK_ENDS and text.rstrip(" \u200e").endswith(EDITED_ENDS)):
        m = EDITED.search(text)
        if m:
            text = text[: m.start()]
            edited = True
            vote(votes, edited_locale(m.group(1)))
    head = text[:1]
    marked = head == LRM
    if not (marked or head == "<" or "(" in text or text.startswith(_DELETED_HEADS)):
        return ExportedMessage(line, local, author, "text", text, raw, None, edited)
    body = text.lstrip(BIDI) if marked else text
    nl = body.find("\n")
    first = body if nl < 0 else body[:nl]
    rest = "" if nl < 0 else body[nl + 1:]
    if "<" in first:
        # media attached: "<attached: 00000012-PHOTO-….jpg>", a caption may follow
        m = ATTACHED_ANGLE.search(first)
        if m:
            vote(votes, attached_locale(m.group(1)))
            name = m.group(2).strip()
            tail = first[m.end():].strip(BIDI + " ")
            caption = "\n".join(x for x in (tail, rest) if x)
            return ExportedMessage(line, local, author, "media", caption, raw, Media(media_type_of(name), name), edited)
        # media left out, Android: "<Mídia oculta>"
        locale = OMITTED_ANDROID.get(first.strip())
        if locale is not None:
            vote(votes, locale)
            return ExportedMessage(line, local, author, "media", rest, raw, Media("unknown"), edited)
    if "(" in first:  # media attached, Android: "IMG-20240102-WA0001.jpg (arquivo anexado)"
        m = ATTACHED_PAREN.match(first)
        if m and m.end() >= len(first.rstrip()):
            vote(votes, attached_locale(m.group(2)))
            name = m.group(1).strip(BIDI)
            return ExportedMessage(line, local, author, "media", rest, raw, Media(media_type_of(name), name), edited)
    bare = first.strip(BIDI + " ").rstrip(".")
    if nl < 0 and bare.startswith(_DELETED_HEADS):  # deleted
        locale = DELETED.get(bare)
        if locale is None:
            admin = DELETED_BY_ADMIN.match(bare)
            if admin:
                locale = ADMIN_LOCALES[admin.lastindex - 1]
        if locale is not None:
            vote(votes, locale)
            return ExportedMessage(line, local, author, "deleted", "", raw, None, edited)
    if (marked or head == "<") and bare.endswith(OMITTED_ENDS):  # media left out, iOS: "‎image omitted"
        m = OMITTED_IOS.match(first.replace(LRM, ""))
        if m:
            media_type, locale = omitted_ios(m.group("noun"), m.group("verb"))
            vote(votes, locale)
            title = (m.group("title") or "").split(" • ")[0].strip()
            caption = "\n".join(x for x in (title, rest) if x)
            return ExportedMessage(line, local, author, "media", caption, raw, Media(media_type), edited)
    if marked and ios:
        if LOCATION.match(body):
            return ExportedMessage(line, local, author, "text", body, raw, None, edited)
        return ExportedMessage(line, local, None, "system", body, raw, None, edited)
    return ExportedMessage(line, local, author, "text", text, raw, None, edited)


def vote(votes: dict, locale: Locale | None) -> None:
    if locale:
        votes[locale] = votes.get(locale, 0) + 1
