"""The one error a chat export can end in: a code, the line, and the words for the user.

A file is either read whole or refused with one of these; nothing in between. ``line`` is
1-based in the decoded chat text (None when the problem is the container, e.g. a broken zip).
"""

from __future__ import annotations

from typing import Literal

ErrorCode = Literal[
    "empty",  # no bytes, or only blank lines
    "corrupt_zip",  # a .zip that cannot be opened or whose entries fail their checksum
    "encrypted_zip",  # a password-protected zip
    "no_chat_in_zip",  # a valid zip without a chat .txt
    "too_large",  # the chat text (or the media to keep) is over the caller's bound
    "truncated",  # the file stops in the middle of a character, a zip entry or a message line
    "encoding",  # text that no supported encoding reads cleanly
    "not_chat_export",  # readable text, but not a WhatsApp "Export chat" file
    "date_order_mismatch",  # the caller's date order is impossible for this file
    "bad_argument",  # the caller passed something this API does not accept
]

# (pt-BR, en) per code; {line} and {detail} are filled in when known.
_TEXTS: dict[str, tuple[str, str]] = {
    "empty": ("O arquivo está vazio.", "The file is empty."),
    "corrupt_zip": (
        "O arquivo .zip está corrompido e não pode ser lido{detail}. Exporte a conversa de novo.",
        "The .zip file is corrupt and cannot be read{detail}. Export the chat again.",
    ),
    "encrypted_zip": (
        "O arquivo .zip está protegido por senha. Use o arquivo exportado pelo WhatsApp, sem senha.",
        "The .zip file is password-protected. Use the file WhatsApp exported, without a password.",
    ),
    "no_chat_in_zip": (
        "O .zip não contém o arquivo de texto da conversa (.txt) exportado pelo WhatsApp.",
        "The .zip does not contain the chat's text file (.txt) exported by WhatsApp.",
    ),
    "too_large": (
        "O arquivo é grande demais para importar{detail}.",
        "The file is too large to import{detail}.",
    ),
    "truncated": (
        "O arquivo está incompleto: ele termina no meio{detail}. Exporte ou copie o arquivo de novo.",
        "The file is incomplete: it ends in the middle{detail}. Export or copy the file again.",
    ),
    "encoding": (
        "O arquivo não está numa codificação de texto legível{detail}. Exporte a conversa de novo pelo WhatsApp.",
        "The file is not in a readable text encoding{detail}. Export the chat again from WhatsApp.",
    ),
    "not_chat_export": (
        "Este arquivo não parece uma conversa exportada do WhatsApp{detail}.",
        "This file does not look like a chat exported from WhatsApp{detail}.",
    ),
    "date_order_mismatch": (
        "A ordem de data escolhida não serve para este arquivo{detail}.",
        "The chosen date order does not fit this file{detail}.",
    ),
    "bad_argument": ("Pedido inválido{detail}.", "Invalid request{detail}."),
}

_DETAIL_LINE = (" (linha {line})", " (line {line})")


class ChatExportError(Exception):
    """Raised by :func:`pycore.chat_export.parse_export`; carries both languages."""

    def __init__(self, code: ErrorCode, *, line: int | None = None, detail: str = "",
                 detail_pt: str | None = None) -> None:
        self.code = code
        self.line = line
        self.detail = detail  # a short English fact (an excerpt, an entry name, a bound)
        pt, en = _TEXTS[code]
        where_pt = _DETAIL_LINE[0].format(line=line) if line else ""
        where_en = _DETAIL_LINE[1].format(line=line) if line else ""
        extra_pt = f": {detail_pt if detail_pt is not None else detail}" if (detail_pt or detail) else ""
        extra_en = f": {detail}" if detail else ""
        self.message_pt = pt.format(detail=where_pt + extra_pt)
        self.message_en = en.format(detail=where_en + extra_en)
        super().__init__(self.message_en)

    def as_dict(self) -> dict:
        return {"code": self.code, "line": self.line, "detail": self.detail,
                "message_pt": self.message_pt, "message_en": self.message_en}


def excerpt(text: str, limit: int = 60) -> str:
    """A line as shown inside an error message: quoted, bounded, control characters visible."""
    shown = text if len(text) <= limit else text[:limit] + "…"
    return repr(shown)
