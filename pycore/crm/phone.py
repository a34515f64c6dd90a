"""Phone numbers as customers' spreadsheets write them, normalised to E.164.

Brazil first: ``(37) 99922-7293``, ``37 9922-7293``, ``+55 37 99922-7293``, ``5537999227293``,
``0 21 37 99922-7293`` (trunk and carrier prefixes) all become ``+5537999227293``.

The ninth digit. Since 2016 every Brazilian mobile number has nine digits starting with 9; older
spreadsheets (and many WhatsApp ids, which kept the number the account was created with) lack it.
A number of eight digits whose first digit is 6-9 is a mobile without its ninth digit: E.164
gets the 9 (``+55 37 9922-7293`` -> ``+5537999227293``); eight digits starting 2-5 are a
landline and stay as they are (Anatel's numbering plan). Two numbers are the same person when
their E.164 forms are equal (the *match key*), so ``553799227293@c.us`` (WhatsApp's id without
the 9) and ``+55 37 99922-7293`` (the spreadsheet's) find each other, in both directions, while
the landline ``(11) 3456-7890`` never meets the mobile ``(11) 93456-7890``. Numbers of other countries (written with ``+`` and their country code) are kept as
digits and matched exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pycore.chatkey import ChatKey, phone_jid
from pycore.crm.texts import Invalid

# Every area code (DDD) Anatel assigns.
DDDS = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38]
    + list(range(41, 50)) + [51, 53, 54, 55] + list(range(61, 70)) + [71, 73, 74, 75, 77, 79]
    + list(range(81, 90)) + list(range(91, 100))
)
BR = "55"
_ALLOWED = re.compile(r"^\+?[\d\s().\-/]+$")


@dataclass(frozen=True)
class Phone:
    e164: str  # "+5537999227293"
    match: str  # "5537999227293": the same for every way of writing this number (the E.164 digits)
    national: str | None = None  # Brazil: "37999227293"

    @property
    def digits(self) -> str:
        return self.e164[1:]

    def jids(self) -> list[str]:
        """WhatsApp ids this number may have: for a Brazilian mobile, with and without the ninth digit
        (without it only when that reads back as this mobile, never as a landline)."""
        out = [self.digits]
        if self.national is not None and len(self.national) == 11 and self.national[3] in "6789":
            out.append(BR + self.national[:2] + self.national[3:])
        return [f"{d}@c.us" for d in out]

    def display(self) -> str:
        """'+55 37 99922-7293' for Brazil; other countries as E.164."""
        n = self.national
        if n is None:
            return self.e164
        return f"+55 {n[:2]} {n[2:-4]}-{n[-4:]}"


def _brazil(national: str, raw: str) -> Phone:
    if len(national) not in (10, 11):
        raise Invalid("bad_phone", value=raw)
    ddd, sub = national[:2], national[2:]
    if int(ddd) not in DDDS:
        raise Invalid("bad_area_code", value=raw, ddd=ddd)
    if len(sub) == 9:
        if sub[0] != "9":
            raise Invalid("bad_phone", value=raw)
    elif sub[0] in "6789":
        sub = "9" + sub  # a mobile written without its ninth digit
    elif sub[0] not in "2345":  # 2-5: a landline
        raise Invalid("bad_phone", value=raw)
    full = ddd + sub
    return Phone(e164=f"+{BR}{full}", match=BR + full, national=full)


def normalize(text: str) -> Phone:
    """E.164 of a phone number as people write it; ``Invalid`` (with the reason) otherwise."""
    raw = (text or "").strip()
    shown = raw[:40]
    if not raw or not _ALLOWED.match(raw):
        raise Invalid("bad_phone", value=shown)
    digits = re.sub(r"\D", "", raw)
    international = raw.startswith("+")
    if not international and digits.startswith("00"):  # "00 55 …": the international prefix
        digits, international = digits[2:], True
    if international:
        if digits.startswith(BR):
            return _brazil(digits[2:], shown)
        if not 8 <= len(digits) <= 15 or digits[0] == "0":
            raise Invalid("bad_phone", value=shown)
        return Phone(e164="+" + digits, match=digits)
    if digits.startswith("0"):  # trunk prefix "0", maybe a carrier code: 0 21 37 99922-7293
        rest = digits[1:]
        if len(rest) in (12, 13) and int(rest[2:4] or 0) in DDDS:
            rest = rest[2:]
        return _brazil(rest, shown)
    if len(digits) in (12, 13) and digits.startswith(BR) and int(digits[2:4]) in DDDS:
        return _brazil(digits[2:], shown)
    if len(digits) in (10, 11):
        return _brazil(digits, shown)
    if len(digits) in (8, 9):
        raise Invalid("phone_needs_area_code", value=shown)
    raise Invalid("bad_phone", value=shown)


@lru_cache(maxsize=1 << 16)
def of_chat(chat: str) -> Phone | None:
    """The phone number of a person's chat key (None for groups, LIDs, titles, or odd numbers).
    Cached: lists ask it of every record."""
    digits = ChatKey.parse(chat).phone
    if digits is None:
        return None
    try:
        return normalize("+" + digits)
    except Invalid:
        return None


def shown_title(chat: str, title: str) -> str:
    """A chat's name as pages show it: ``title``, unless it is only the id's digits (what a chat never
    seen with a name is called: a number typed or imported), then the number as people write it.
    Only for showing: the tab looks a chat up by the title WhatsApp draws, never by this."""
    try:
        ph = of_chat(chat)  # cached; None unless the key is a person's number
    except ValueError:
        return title
    return ph.display() if ph is not None and title == chat.partition("@")[0] else title


def chat_of(phone: Phone) -> str:
    """The chat key to file a new person under: the E.164 number's WhatsApp id."""
    jid = phone_jid(phone.e164)
    assert jid is not None
    return jid
