"""Bytes of a chat .txt to text, whatever encoding the phone (or a later editor) used.

WhatsApp writes UTF-8 (Android without a BOM, some iOS versions and Windows editors with one).
Files re-saved by desktop tools arrive as UTF-16 (with a BOM, or without one from a few
editors) or as Latin-1/cp1252. The rules, in order:

1. a BOM decides (UTF-32 is refused: no phone writes it and it is usually a mistake);
2. NUL bytes on every other position mean UTF-16 without a BOM;
3. strict UTF-8; when it fails:
   - an incomplete character at the very end of a file that is otherwise UTF-8 with accents
     is a file cut short ("truncated");
   - a byte that is not UTF-8 in a file that also holds valid multi-byte UTF-8 is damage
     (two encodings in one file): refused with its line, never shown as mojibake;
   - a file without any multi-byte UTF-8 sequence is cp1252 (Latin-1 for the five bytes
     cp1252 leaves undefined).
A NUL character left after decoding means binary data: refused with its line.
"""

from __future__ import annotations

import codecs
import re

from pycore.chat_export.errors import ChatExportError

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SNIFF = 4096


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). Newlines are left as they are. Raises ChatExportError."""
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        raise ChatExportError("encoding", line=1, detail="UTF-32 text", detail_pt="texto em UTF-32")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE):
        return _utf16(data[2:], "utf-16-le"), "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return _utf16(data[2:], "utf-16-be"), "utf-16-be"
    unmarked = _utf16_without_bom(data)
    if unmarked:
        return _utf16(data, unmarked), unmarked
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return _not_utf8(data, err)
    return _no_nul(text), "utf-8"


def _strict(data: bytes, encoding: str) -> str:
    try:
        return _no_nul(data.decode(encoding))
    except UnicodeDecodeError as err:
        raise _decode_error(data, err, encoding) from None


def _utf16(data: bytes, encoding: str) -> str:
    if len(data) % 2:
        raise ChatExportError("truncated", line=_line_at_utf16(data, len(data) - 1, encoding),
                              detail="of a character (odd number of UTF-16 bytes)",
                              detail_pt="de um caractere (número ímpar de bytes UTF-16)")
    return _strict(data, encoding)


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:_SNIFF]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def _not_utf8(data: bytes, err: UnicodeDecodeError) -> tuple[str, str]:
    head = data[: err.start]
    at_end = err.end >= len(data) and "unexpected end" in err.reason
    if at_end and _UTF8_MULTIBYTE.search(head):
        raise ChatExportError("truncated", line=head.count(b"\n") + 1,
                              detail="of a character", detail_pt="de um caractere")
    if _UTF8_MULTIBYTE.search(data):
        raise _decode_error(data, err, "utf-8")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: undefined in cp1252
        text = data.decode("latin-1")
    return _no_nul(text), "cp1252"


def _decode_error(data: bytes, err: UnicodeDecodeError, encoding: str) -> ChatExportError:
    if encoding.startswith("utf-16"):
        line = _line_at_utf16(data, err.start, encoding)
        if err.end >= len(data):
            return ChatExportError("truncated", line=line, detail="of a character", detail_pt="de um caractere")
    else:
        line = data.count(b"\n", 0, err.start) + 1
    bad = data[err.start: err.end].hex(" ")
    return ChatExportError("encoding", line=line, detail=f"invalid {encoding} bytes {bad}",
                           detail_pt=f"bytes {bad} inválidos em {encoding}")


def _line_at_utf16(data: bytes, offset: int, encoding: str) -> int:
    head = data[: offset - offset % 2]
    return head.decode(encoding, errors="replace").count("\n") + 1


def _no_nul(text: str) -> str:
    at = text.find("\x00")
    if at >= 0:
        raise ChatExportError("encoding", line=text.count("\n", 0, at) + 1,
                              detail="NUL characters (binary data, or text in another encoding)",
                              detail_pt="caracteres NUL (dados binários ou texto em outra codificação)")
    return text
