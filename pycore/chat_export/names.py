"""The chat's name in an export's file name, and phone numbers in names.

Android names the file (and the .txt inside its zip) "Conversa do WhatsApp com Ana Souza.txt",
"WhatsApp Chat with Ana Souza.txt", "Chat de WhatsApp con Ana Souza.txt"; iOS names the zip
"WhatsApp Chat - Ana Souza.zip" and the text inside "_chat.txt". Browsers and file managers add
" (1)" to a second download; unsaved contacts appear as their number ("+55 11 98765-4321").
"""

from __future__ import annotations

import re

from pycore.chatkey import display_title

_PREFIXES = (
    "Conversa do WhatsApp com", "Conversa no WhatsApp com", "WhatsApp Chat with", "Chat de WhatsApp con",
    "Chat de WhatsApp com", "Chat do WhatsApp com",
    "WhatsApp Chat -", "Conversa do WhatsApp -", "Chat de WhatsApp -", "WhatsApp Chat –",
)
_NAME = re.compile(
    r"^(?:" + "|".join(map(re.escape, _PREFIXES)) + r")\s*(.+?)(?:\s*\(\d{1,3}\))?(?:\.(?:txt|zip))?$",
    re.IGNORECASE,
)
_PHONE = re.compile(r"^\+?[0-9 \u00a0\u202f\u2011\u2010().\-]{8,24}$")


def chat_name_from_file(file_name: str) -> str | None:
    """'…/WhatsApp Chat with Ana Souza (1).zip' -> 'Ana Souza'; None when the name does not say."""
    base = re.split(r"[/\\]", file_name)[-1]
    m = _NAME.match(display_title(base))
    if m is None:
        return None
    name = m.group(1).strip()
    return name or None


def phone_digits(name: str | None) -> str | None:
    """The digits of a name that is a phone number ('+55 11 98765-4321' -> '5511987654321')."""
    if not name:
        return None
    shown = display_title(name)
    if not _PHONE.match(shown):
        return None
    digits = "".join(ch for ch in shown if "0" <= ch <= "9")
    return digits if 8 <= len(digits) <= 15 else None
