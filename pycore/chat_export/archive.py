"""The .zip WhatsApp makes: find the chat text, list the media (read only when asked).

Android: "WhatsApp Chat with Ana.zip" holds "WhatsApp Chat with Ana.txt" and files like
"IMG-20240102-WA0001.jpg". iOS: "WhatsApp Chat - Ana.zip" holds "_chat.txt" and files like
"00000012-PHOTO-2024-01-02-10-11-12.jpg". Zips re-made on a Mac add "__MACOSX/" copies.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from pycore.bilingual import number
from pycore.chat_export.errors import ChatExportError
from pycore.chat_export.header import DETECT
from pycore.chat_export.markers import media_type_of
from pycore.chat_export.model import Attachment
from pycore.chat_export.names import chat_name_from_file

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


def is_zip(data: bytes) -> bool:
    return data[:4] in ZIP_MAGIC


@dataclass(slots=True)
class Opened:
    chat_file: str
    chat_bytes: bytes
    attachments: list[Attachment]


def open_zip(data: bytes, *, keep_media: bool, max_text_bytes: int, max_media_bytes: int) -> Opened:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile as err:
        if b"PK\x05\x06" not in data[-65_557:]:  # no end-of-archive record: the download stopped
            raise ChatExportError("truncated", detail="of the .zip (its end is missing)",
                                  detail_pt="do .zip (falta o final)") from None
        raise ChatExportError("corrupt_zip", detail=str(err)) from None
    except (OSError, ValueError, EOFError, NotImplementedError) as err:
        raise ChatExportError("corrupt_zip", detail=str(err)) from None
    files = [(info, _name(info)) for info in infos if not info.is_dir() and not _junk(_name(info))]
    if any(info.flag_bits & _ENCRYPTED_FLAG for info, _ in files):
        raise ChatExportError("encrypted_zip")
    chat = _pick_chat(zf, files, max_text_bytes)
    if chat is None:
        raise ChatExportError("no_chat_in_zip")
    info, chat_name = chat
    chat_bytes = _read(zf, info, chat_name)
    attachments: list[Attachment] = []
    kept = 0
    for other, name in files:
        if other is info:
            continue
        payload = None
        if keep_media:
            kept += other.file_size
            if kept > max_media_bytes:
                raise ChatExportError("too_large", detail=f"media over {max_media_bytes} bytes",
                                      detail_pt=f"mídia acima de {number(max_media_bytes, 'pt')} bytes")
            payload = _read(zf, other, name)
        attachments.append(Attachment(name=name, size=other.file_size, type=media_type_of(name),
                                      referenced=False, data=payload))
    return Opened(chat_file=chat_name, chat_bytes=chat_bytes, attachments=attachments)


def _name(info: zipfile.ZipInfo) -> str:
    """Entry names from zips that did not set the UTF-8 flag were decoded as cp437 by zipfile;
    phones write UTF-8 regardless, so undo that when it gives valid UTF-8."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _junk(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or base in (".DS_Store", "Thumbs.db")


def _pick_chat(zf: zipfile.ZipFile, files, max_text_bytes: int):
    texts = [(info, name) for info, name in files if name.lower().endswith(".txt")]
    named = [(info, name) for info, name in texts
             if name.rsplit("/", 1)[-1] == "_chat.txt" or chat_name_from_file(name) is not None]
    candidates = named or texts
    if len(candidates) > 1:  # a .txt document sent in the chat: keep the ones that read as a chat
        candidates = [c for c in candidates if _looks_like_chat(zf, *c)] or candidates
        candidates.sort(key=lambda c: -c[0].file_size)
    if not candidates:
        return None
    info, name = candidates[0]
    if info.file_size > max_text_bytes:
        raise ChatExportError("too_large", detail=f"chat text over {max_text_bytes} bytes",
                              detail_pt=f"texto da conversa acima de {number(max_text_bytes, 'pt')} bytes")
    return info, name


def _looks_like_chat(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bool:
    try:
        with zf.open(info) as fh:
            head = fh.read(512)
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError, NotImplementedError):
        return False
    for enc in ("utf-8-sig", "utf-16"):
        try:
            first = head.decode(enc, errors="ignore").lstrip("\ufeff").splitlines()
        except UnicodeError:
            continue
        if first and DETECT.match(first[0]):
            return True
    return False


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    try:
        return zf.read(info)
    except (EOFError, zipfile.BadZipFile, zlib.error, OSError, NotImplementedError, RuntimeError) as err:
        text = str(err)
        if isinstance(err, EOFError) or "truncated" in text.lower() or "end of" in text.lower():
            raise ChatExportError("truncated", detail=f"of the .zip entry {name!r}",
                                  detail_pt=f"do arquivo {name!r} dentro do .zip") from None
        raise ChatExportError("corrupt_zip", detail=f"{name!r}: {text}") from None
