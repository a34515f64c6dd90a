"""WhatsApp's own words inside an export, in pt-BR, English and Spanish: media left out or
attached, deleted and edited messages, system events. Each hit also says which language the
exporting phone spoke (``ExportFormat.locale``).

iOS marks every line WhatsApp wrote itself with U+200E (LEFT-TO-RIGHT MARK) before the text;
Android writes no marks and gives system lines no author.
"""

from __future__ import annotations

import re

from pycore.chat_export.model import Locale, MediaType

LRM = "\u200e"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# -- edited: a suffix on the text (with or without a space, sometimes an LRM before) ------------
_EDITED_WORDS: dict[str, Locale] = {
    "This message was edited": "en",
    "Mensagem editada": "pt-BR",
    "Esta mensagem foi editada": "pt-BR",
    "Se editó este mensaje.": "es",
    "Se editó este mensaje": "es",
    "Mensaje editado": "es",
}
EDITED_ENDS = tuple(f"{w}>" for w in _EDITED_WORDS)  # a cheap test before the pattern
EDITED = re.compile(r"[ \u00a0\u200e\u200f]*<(" + "|".join(map(re.escape, _EDITED_WORDS)) + r")>[ \u200e]*$")


def edited_locale(word: str) -> Locale | None:
    return _EDITED_WORDS.get(word)


# -- deleted: the whole text, compared without marks and a final period --------------------------
DELETED: dict[str, Locale] = {
    "This message was deleted": "en",
    "You deleted this message": "en",
    "Esta mensagem foi apagada": "pt-BR",
    "Mensagem apagada": "pt-BR",
    "Você apagou esta mensagem": "pt-BR",
    "Se eliminó este mensaje": "es",
    "Este mensaje fue eliminado": "es",
    "Eliminaste este mensaje": "es",
}
DELETED_BY_ADMIN = re.compile(
    r"^(?:(This message was deleted by (?:admin|an admin))|"
    r"((?:Esta mensagem foi apagada|Mensagem apagada) pel[oa] (?:admin|administrador|administradora))|"
    r"(Este mensaje fue eliminado por (?:el|la|un) (?:admin|administrador|administradora)))\b"
)
ADMIN_LOCALES: tuple[Locale, ...] = ("en", "pt-BR", "es")

# -- media left out of a "without media" export ------------------------------------------------
OMITTED_ANDROID: dict[str, Locale] = {
    "<Media omitted>": "en",
    "<Mídia oculta>": "pt-BR",
    "<Arquivo de mídia oculto>": "pt-BR",
    "<arquivo de mídia oculto>": "pt-BR",
    "<Multimedia omitido>": "es",
    "<Archivo omitido>": "es",
}
# iOS: "‎image omitted", "‎imagem ocultada", "‎imagen omitida"; documents carry their title first:
# "‎report.pdf • ‎3 pages ‎document omitted". Old iOS wrapped the words in <>.
_OMITTED_NOUNS: dict[str, tuple[MediaType, Locale | None]] = {
    "image": ("image", "en"), "video": ("video", None), "audio": ("voice", None),
    "sticker": ("sticker", None), "GIF": ("video", None), "document": ("document", "en"),
    "Contact card": ("document", "en"),
    "imagem": ("image", "pt-BR"), "vídeo": ("video", "pt-BR"), "áudio": ("voice", "pt-BR"),
    "figurinha": ("sticker", "pt-BR"), "documento": ("document", None),
    "Cartão do contato": ("document", "pt-BR"), "Cartão de contato": ("document", "pt-BR"),
    "imagen": ("image", "es"), "Tarjeta de contacto": ("document", "es"),
}
_OMITTED_VERBS: dict[str, Locale | None] = {
    "omitted": "en", "ocultada": "pt-BR", "ocultado": "pt-BR", "oculta": "pt-BR", "oculto": "pt-BR",
    "omitida": None, "omitido": None,
}
OMITTED_IOS = re.compile(
    r"^(?:(?P<title>.*?)[ \u00a0\u200e•]*)??<?(?P<noun>" + "|".join(map(re.escape, _OMITTED_NOUNS))
    + r") (?P<verb>" + "|".join(_OMITTED_VERBS) + r")>?$"
)


OMITTED_ENDS = tuple(_OMITTED_VERBS) + tuple(f"{v}>" for v in _OMITTED_VERBS)


def omitted_ios(noun: str, verb: str) -> tuple[MediaType, Locale | None]:
    media_type, locale = _OMITTED_NOUNS[noun]
    return media_type, locale or _OMITTED_VERBS[verb]


# -- attached: "<attached: 00000012-PHOTO-2024-01-02-10-11-12.jpg>" (iOS, newer Android) or
#    "IMG-20240102-WA0001.jpg (file attached)" (Android); a caption follows on the next lines.
_ATTACHED_WORDS: dict[str, Locale] = {"attached": "en", "anexado": "pt-BR", "adjunto": "es"}
ATTACHED_ANGLE = re.compile(r"<(attached|anexado|adjunto): ?([^<>\n]+?) ?>")
_PAREN_WORDS: dict[str, Locale] = {"file attached": "en", "arquivo anexado": "pt-BR", "archivo adjunto": "es"}
ATTACHED_PAREN = re.compile(r"^[\u200e]?(.+?\.[0-9A-Za-z]{1,8}) \((file attached|arquivo anexado|archivo adjunto)\)")


def attached_locale(word: str) -> Locale | None:
    return _ATTACHED_WORDS.get(word) or _PAREN_WORDS.get(word)


# -- iOS location shares are messages of their author, not system lines -----------------------
LOCATION = re.compile(r"^(?:Location|Localização|Ubicación): ")

# -- system events: which language, and whether the chat is a group --------------------------
_SYSTEM: tuple[tuple[str, Locale, bool], ...] = (
    # encryption notices (chats and groups, old and new wordings)
    (r"end-to-end encrypted|secured with end-to-end encryption", "en", False),
    (r"criptografia de ponta a ponta", "pt-BR", False),
    (r"cifrados de extremo a extremo|cifrado de extremo a extremo", "es", False),
    # group events
    (r"\bcreated group\b|\bcreated this group\b|\badded\b|\bleft$|\bremoved\b|joined using this group's invite link"
     r"|changed the subject|changed this group's icon|changed the group description|deleted this group's icon"
     r"|You're now an admin", "en", True),
    (r"criou o grupo|criou este grupo|adicionou|\bsaiu$|removeu|entrou usando o link de convite"
     r"|mudou o nome|mudou a imagem|mudou a descrição|apagou a imagem deste grupo|agora é admin", "pt-BR", True),
    (r"creó el grupo|Creaste el grupo|añadió a|Añadiste a|\bsalió$|\bSaliste$|eliminó a|Eliminaste a"
     r"|se unió usando el enlace de invitación|Te uniste mediante el enlace|Te uniste usando el enlace"
     r"|cambió el asunto|cambió el ícono|cambió la descripción|Ahora eres admin", "es", True),
    # other notices
    (r"security code (?:with .+ )?changed|changed their phone number|changed to \+|disappearing messages"
     r"|This business uses|This chat is with a business|blocked this contact|unblocked this contact", "en", False),
    (r"código de segurança|mudou (?:seu número|o número)|mensagens temporárias|Esta empresa usa"
     r"|Esta conversa é com uma empresa|bloqueou este contato|desbloqueou este contato", "pt-BR", False),
    (r"código de seguridad|cambió su número|mensajes temporales|Esta empresa usa un servicio"
     r"|Este chat es con una empresa|bloqueaste a este contacto|desbloqueaste a este contacto", "es", False),
)
SYSTEM = tuple((re.compile(p), locale, group) for p, locale, group in _SYSTEM)


def system_hint(text: str) -> tuple[Locale | None, bool]:
    """(language, is a group event) of a system line; (None, False) when no wording is known."""
    for rx, locale, group in SYSTEM:
        if rx.search(text):
            return locale, group
    return None, False


def is_known_system(text: str) -> bool:
    return any(rx.search(text) for rx, _, _ in SYSTEM)


# -- media type from an attachment's file name ----------------------------------------------
_PREFIX_TYPES: tuple[tuple[str, MediaType], ...] = (
    ("IMG-", "image"), ("VID-", "video"), ("PTT-", "voice"), ("AUD-", "voice"), ("STK-", "sticker"),
    ("DOC-", "document"),
)
_IOS_WORDS: dict[str, MediaType] = {
    "PHOTO": "image", "VIDEO": "video", "AUDIO": "voice", "STICKER": "sticker", "GIF": "video",
    "DOCUMENT": "document",
}
_IOS_NAME = re.compile(r"^\d{8}-([A-Z]+)-")
_EXT_TYPES: dict[str, MediaType] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "heic", "heif", "bmp", "tif", "tiff"), "image"),
    **dict.fromkeys(("mp4", "mov", "3gp", "m4v", "mkv", "avi", "webm", "gif"), "video"),
    **dict.fromkeys(("opus", "ogg", "oga", "m4a", "mp3", "aac", "amr", "wav", "flac"), "voice"),
    "webp": "sticker",
    **dict.fromkeys(("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "zip", "rar", "vcf",
                     "odt", "ods", "rtf", "apk", "json", "xml", "html", "key", "pages", "numbers"), "document"),
}


def media_type_of(name: str) -> MediaType:
    base = name.rsplit("/", 1)[-1]
    for prefix, media_type in _PREFIX_TYPES:
        if base.startswith(prefix):
            return media_type
    m = _IOS_NAME.match(base)
    if m and m.group(1) in _IOS_WORDS:
        return _IOS_WORDS[m.group(1)]
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    return _EXT_TYPES.get(ext, "document" if ext else "unknown")


# -- 12-hour clock words ---------------------------------------------------------------------
# Latin letters with optional dots and (narrow) no-break spaces: AM, a.m., a. m., p.m.; and the
# day periods pt-BR and Spanish phones print instead ("2:30 da tarde", "9:15 de la mañana").
AMPM_PATTERN = (r"[aApP]\.?[ \u00a0\u202f]?[mM]\.?"
                r"|da manhã|da tarde|da noite|da madrugada"
                r"|de la mañana|de la tarde|de la noche|de la madrugada|del mediodía")
_PERIODS: dict[str, tuple[bool, Locale | None]] = {  # word -> (is afternoon, language)
    "am": (False, None), "pm": (True, None),
    "da manhã": (False, "pt-BR"), "da madrugada": (False, "pt-BR"),
    "da tarde": (True, "pt-BR"), "da noite": (True, "pt-BR"),
    "de la mañana": (False, "es"), "de la madrugada": (False, "es"),
    "de la tarde": (True, "es"), "de la noche": (True, "es"), "del mediodía": (True, "es"),
}


def period(word: str) -> tuple[bool, Locale | None]:
    """(is afternoon, language hint) of an am/pm word as written in a header."""
    key = word.lower()
    if key in _PERIODS:
        return _PERIODS[key]
    letters = "".join(ch for ch in key if ch.isalpha())
    # "a. m." with spaces is how Spanish phones write it; "AM"/"a.m." says nothing sure.
    spaced = any(ch in word for ch in " \u00a0\u202f")
    hint: Locale | None = "es" if spaced and "." in word else None
    return letters == "pm", hint
