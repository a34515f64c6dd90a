"""A chat's key as one value: parsed, normalised and bounded here and nowhere else.

A key is a WhatsApp JID (``5511…@c.us``, ``…@lid``, ``…@g.us``, ``…@newsletter``,
``…@broadcast``) or, when the page shows no JID (2026 builds with bare message ids),
``title:<normalised title>`` (a chat known only by its name, provisional: it is linked to a
JID once the page proves one), or ``local:<id>`` (a chat Mettri knows is distinct from another
of the same name but cannot name by a JID; pycore.identity mints it). A title that is a phone
number is that phone's JID, whatever the DOM generation. Stored records and the protocol carry
the string form; code that needs to know what a key is asks :class:`ChatKey`. JavaScript never
parses a key: the core sends the title or phone a page needs alongside it.

Titles reach us with bidi marks (U+202A/U+202C around numbers, U+200E/U+200F),
runs of whitespace, tabs and newlines; two sightings of one name must compare equal,
so every comparison uses :func:`normalize_title`, while pages show the visible form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

TITLE_PREFIX = "title:"
LOCAL_PREFIX = "local:"
TITLE_MAX = 200  # code points of a normalised title (WhatsApp's own names are far shorter)
KEY_MAX = 256  # one bound for every chat key: "title:" + TITLE_MAX fits, JIDs are < 100

Kind = Literal["user", "lid", "group", "newsletter", "broadcast", "title", "local"]
SERVERS: dict[str, Kind] = {
    "c.us": "user",
    "s.whatsapp.net": "user",
    "lid": "lid",
    "g.us": "group",
    "newsletter": "newsletter",
    "broadcast": "broadcast",
}
_JID = re.compile(r"^[^\s@/|]{1,96}@(c\.us|s\.whatsapp\.net|lid|g\.us|newsletter|broadcast)$")
# Invisible marks that change how a name is drawn, never which name it is. ZWJ (U+200D) and
# variation selectors stay: they are part of emoji sequences.
_MARKS = dict.fromkeys(
    map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\u061c\ufeff"), None
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_LOCAL = re.compile(r"^[0-9a-z]{4,32}$")
# How strongly a key names a person: a JID says who it is; a local key only that it is not another
# chat of the same name; a title key only the name (pycore.identity links weaker keys to stronger).
STRENGTH = {"title": 0, "local": 1}


def clean_text(text: str) -> str:
    """Text without lone surrogates (JSON can carry them; nothing downstream can store them)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def normalize_title(title: str) -> str:
    """The comparison form of a chat or contact name: NFC, no bidi marks, one space between
    words, at most TITLE_MAX code points. Case and emoji are kept: they are part of the name."""
    text = unicodedata.normalize("NFC", clean_text(title)).translate(_MARKS)
    return " ".join(text.split())[:TITLE_MAX].rstrip()


def display_title(title: str) -> str:
    """The visible form for pages: as WhatsApp drew it, minus marks that only steer layout."""
    return " ".join(clean_text(title).translate(_MARKS).split())


@dataclass(frozen=True)
class ChatKey:
    kind: Kind
    value: str  # the JID, or the normalised title

    # -- building ------------------------------------------------------------------
    @classmethod
    def parse(cls, raw: str) -> "ChatKey":
        """A stored or received key; ValueError when it is neither a JID nor a title key."""
        if not isinstance(raw, str) or not raw or len(raw) > KEY_MAX:
            raise ValueError(f"a chat key is 1-{KEY_MAX} characters")
        if raw.startswith(TITLE_PREFIX):
            title = normalize_title(raw[len(TITLE_PREFIX):])
            if not title:
                raise ValueError("a title chat key needs a title")
            return cls("title", title)
        if raw.startswith(LOCAL_PREFIX):
            if not _LOCAL.match(raw[len(LOCAL_PREFIX):]):
                raise ValueError(f"not a local chat key: {raw[:80]!r}")
            return cls("local", raw[len(LOCAL_PREFIX):])
        m = _JID.match(raw)
        if m is None:
            raise ValueError(f"not a chat key: {raw[:80]!r}")
        return cls(SERVERS[m.group(1)], raw)

    @classmethod
    def from_jid(cls, jid: str) -> "ChatKey":
        return cls.parse(jid)

    @classmethod
    def from_title(cls, title: str, *, group: bool = False) -> "ChatKey":
        """The key of a chat known by the name WhatsApp shows: a phone number is that phone's JID
        (an unsaved number is the same chat in every DOM generation), anything else a title key."""
        norm = normalize_title(title)
        if not norm:
            raise ValueError("a chat needs a title or a JID")
        jid = None if group else phone_jid(norm)
        return cls("user", jid) if jid else cls("title", norm)

    @classmethod
    def local(cls, ident: str) -> "ChatKey":
        return cls.parse(LOCAL_PREFIX + ident)

    # -- reading -------------------------------------------------------------------
    def __str__(self) -> str:
        if self.kind == "title":
            return TITLE_PREFIX + self.value
        return LOCAL_PREFIX + self.value if self.kind == "local" else self.value

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def title(self) -> str | None:
        """The name a title key was made from (None for JIDs)."""
        return self.value if self.kind == "title" else None

    @property
    def is_jid(self) -> bool:
        return self.kind not in ("title", "local")

    @property
    def strength(self) -> int:
        """0 a name, 1 a local key, 2 a JID: a weaker key is linked to a stronger one, never back."""
        return STRENGTH.get(self.kind, 2)

    @property
    def user(self) -> str:
        """The part before '@' of a JID (a phone number for 'user' keys), or the title / local id."""
        return self.value.split("@", 1)[0] if self.is_jid else self.value

    @property
    def phone(self) -> str | None:
        return self.user if self.kind == "user" and self.user.isdigit() else None

    def fallback_title(self) -> str:
        """What to call the chat when no stored title is known."""
        if self.kind == "local":
            return "?"
        return self.value if self.kind == "title" else self.user


_PHONE_TEXT = re.compile(r"\+?[\d\s().\-]{8,24}")
_NOT_DIGIT = re.compile(r"\D")


def phone_jid(text: str | None) -> str | None:
    """'+55 37 9922-7293' -> '553799227293@c.us'; None unless the text is only a phone number."""
    text = (text or "").translate(_MARKS).strip()
    if not _PHONE_TEXT.fullmatch(text):  # compiled once: every captured message's sender is asked
        return None
    digits = _NOT_DIGIT.sub("", text)
    return f"{digits}@c.us" if 8 <= len(digits) <= 15 else None


def is_group(raw: str) -> bool:
    return raw.endswith("@g.us")


def canonical(raw: str) -> str:
    """The one string form of a key (title keys normalised); ValueError when malformed."""
    return str(ChatKey.parse(raw))


# The protocol's type for a chat key field: validated and normalised on the way in.
ChatKeyStr = Annotated[str, Field(min_length=1, max_length=KEY_MAX), AfterValidator(canonical)]
