"""WhatsApp "Export chat" files in every format Mettri reads, made from the replica's corpus.

Deterministic: the same corpus, chat and style give the same bytes. Each file comes with its
ground truth (what a correct reader must return), written here from WhatsApp's own wordings,
independently of the parser's tables, so a typo on one side shows up as a test failure.

    corpus = make_corpus(messages=2000)
    chat = pick_chat(corpus, "group")
    export = render(corpus, chat, STYLES["ios_en_us"])
    export.data, export.file_name, export.expected

Styles name a platform, a language and how the phone prints dates and times; ``shift_days``
moves the whole chat in time (the corpus ends on 2026-06-13, whose days are all <= 13: the
date order is then decided by the sequence of dates, or not at all, which tests want too).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from tests.replica import corpus as corpus_

LRM = "\u200e"
NBSP = "\u00a0"
NNBSP = "\u202f"
LTR_EMBED, POP = "\u202a", "\u202c"


@dataclass(frozen=True)
class Style:
    name: str
    platform: str  # android | ios
    locale: str  # pt-BR | en | es
    date_order: str = "dmy"  # dmy | mdy
    year_digits: int = 4
    pad: bool = True  # 05/03 rather than 5/3
    clock: str = "24h"
    ampm: str = "AM"  # AM | am | a.m. | a. m. | periods
    ampm_space: str = NNBSP  # before the am/pm word (older phones: a plain space)
    comma: bool = True  # "12/03/2023, 09:15" (pt-BR Android writes no comma)
    media: str = "omitted"  # omitted | attached
    container: str = "txt"  # txt | zip
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | utf-16-le | utf-16-be | cp1252
    newline: str = "\n"
    lrm_line: bool = True  # iOS: an LRM before "[" on lines WhatsApp wrote itself
    lib_understands: bool = True  # whatsapp-chat-parser claims this format (see the differential test)


_ANDROID_PT = Style("android_pt", "android", "pt-BR", comma=False)
_IOS_PT = Style("ios_pt", "ios", "pt-BR", container="zip")
STYLES: dict[str, Style] = {s.name: s for s in (
    _ANDROID_PT,
    replace(_ANDROID_PT, name="android_pt_2digit", year_digits=2),
    replace(_ANDROID_PT, name="android_pt_media_zip", media="attached", container="zip"),
    replace(_ANDROID_PT, name="android_pt_zip_no_media", container="zip"),
    replace(_ANDROID_PT, name="android_pt_periods", clock="12h", ampm="periods", ampm_space=" ",
            lib_understands=False),
    replace(_ANDROID_PT, name="android_pt_utf16le", encoding="utf-16-le"),
    replace(_ANDROID_PT, name="android_pt_utf16be", encoding="utf-16-be", newline="\r\n"),
    replace(_ANDROID_PT, name="android_pt_utf8_bom", encoding="utf-8-sig"),
    replace(_ANDROID_PT, name="android_pt_cp1252", encoding="cp1252"),
    Style("android_en_us", "android", "en", date_order="mdy", year_digits=2, pad=False, clock="12h"),
    Style("android_en_us_old", "android", "en", date_order="mdy", year_digits=2, pad=False, clock="12h",
          ampm_space=" "),
    Style("android_en_gb", "android", "en"),
    Style("android_en_dots", "android", "en", clock="12h", ampm="a.m.", ampm_space=" ", media="attached"),
    Style("android_es", "android", "es", year_digits=4, pad=False),
    Style("android_es_12h", "android", "es", pad=False, clock="12h", ampm="a. m.", media="attached",
          container="zip"),
    replace(_IOS_PT, name="ios_pt"),
    replace(_IOS_PT, name="ios_pt_txt", container="txt", newline="\r\n"),
    replace(_IOS_PT, name="ios_pt_media", media="attached"),
    replace(_IOS_PT, name="ios_pt_periods", clock="12h", ampm="periods", ampm_space=" ", lib_understands=False),
    Style("ios_en_us", "ios", "en", date_order="mdy", year_digits=2, pad=False, clock="12h", container="zip",
          media="attached"),
    Style("ios_en_gb", "ios", "en", container="zip", lrm_line=False),
    Style("ios_es", "ios", "es", year_digits=2, pad=False, container="zip"),
    Style("ios_es_12h", "ios", "es", year_digits=2, pad=False, clock="12h", ampm="a. m.", container="zip"),
)}


class Expected(NamedTuple):
    line: int
    local: datetime
    author: str | None
    kind: str  # text | media | deleted | system
    text: str
    raw: str  # what follows "author: " in the file
    media_name: str | None
    media_type: str | None
    edited: bool


@dataclass(frozen=True)
class Export:
    file_name: str
    data: bytes
    text: str  # the chat text as written (before encoding)
    chat_name: str
    expected: list[Expected]
    style: Style
    media_files: tuple[str, ...]  # names inside the zip besides the chat text


# -- WhatsApp's words, per language -----------------------------------------------------------
_NOTICE = {
    "pt-BR": "As mensagens e ligações são protegidas com a criptografia de ponta a ponta e ficam somente entre "
             "você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvi-las.",
    "en": "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
          "can read or listen to them.",
    "es": "Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, ni siquiera "
          "WhatsApp, puede leerlos ni escucharlos.",
}
_TAP = {"pt-BR": " Toque para saber mais.", "en": " Tap to learn more.", "es": " Toca para obtener más información."}
_CREATED = {"pt-BR": "{a} criou o grupo {q}{g}{Q}", "en": "{a} created group {q}{g}{Q}", "es": "{a} creó el grupo {q}{g}{Q}"}
_ADDED = {"pt-BR": "{a} adicionou {b}", "en": "{a} added {b}", "es": "{a} añadió a {b}"}
_LEFT = {"pt-BR": "{a} saiu", "en": "{a} left", "es": "{a} salió"}
_OMITTED = {"pt-BR": "<Mídia oculta>", "en": "<Media omitted>", "es": "<Multimedia omitido>"}
_IOS_OMITTED = {
    "pt-BR": {"image": "imagem ocultada", "voice": "áudio ocultado", "document": "documento omitido"},
    "en": {"image": "image omitted", "voice": "audio omitted", "document": "document omitted"},
    "es": {"image": "imagen omitida", "voice": "audio omitido", "document": "documento omitido"},
}
_PAGES = {"pt-BR": "1 página", "en": "1 page", "es": "1 página"}
_ATTACHED = {"pt-BR": "anexado", "en": "attached", "es": "adjunto"}
_FILE_ATTACHED = {"pt-BR": "arquivo anexado", "en": "file attached", "es": "archivo adjunto"}
_DELETED_MINE = {"pt-BR": "Você apagou esta mensagem", "en": "You deleted this message", "es": "Eliminaste este mensaje."}
_DELETED_THEIRS = {"pt-BR": "Mensagem apagada", "en": "This message was deleted", "es": "Se eliminó este mensaje."}
_EDITED = {"pt-BR": "<Mensagem editada>", "en": "<This message was edited>", "es": "<Se editó este mensaje.>"}
_FILE_PREFIX = {
    ("android", "pt-BR"): "Conversa do WhatsApp com ", ("android", "en"): "WhatsApp Chat with ",
    ("android", "es"): "Chat de WhatsApp con ",
    ("ios", "pt-BR"): "Conversa do WhatsApp - ", ("ios", "en"): "WhatsApp Chat - ", ("ios", "es"): "Chat de WhatsApp - ",
}
_PERIODS = {
    "pt-BR": ((6, "da madrugada"), (12, "da manhã"), (18, "da tarde"), (24, "da noite")),
    "es": ((6, "de la madrugada"), (12, "de la mañana"), (20, "de la tarde"), (24, "de la noche")),
}
# the corpus's own system lines, read back into their parts
_CORPUS_ADDED = re.compile(r"^(.+?) (?:adicionou|added) (.+)$")
_CORPUS_LEFT = re.compile(r"^(.+?) (?:saiu|left)$")


def make_corpus(messages: int = 2000, chats: int = 40, seed: int = 7) -> dict:
    return corpus_.generate(seed=seed, chats=chats, messages=messages)


def pick_chat(corpus: dict, kind: str = "user", min_messages: int = 20, index: int = 0) -> dict:
    """The index-th chat of a kind with at least min_messages messages (newsletters cannot be exported)."""
    found = [c for c in corpus["chats"] if c["kind"] == kind and c["count"] >= min_messages]
    if len(found) <= index:
        raise LookupError(f"no {kind} chat with {min_messages}+ messages at index {index}")
    return found[index]


def render(corpus: dict, chat: dict, style: Style, *, shift_days: int = 0, tz_minutes: int = -180,
           faithful: bool = False) -> Export:
    """``faithful``: every text exactly as the corpus has it (no added lines: what WhatsApp Web shows
    of the same messages, for the import tests); line breaks and edit marks still vary."""
    if chat["kind"] == "newsletter":
        raise ValueError("WhatsApp does not export channels")
    return _Writer(corpus, chat, style, shift_days, tz_minutes, faithful).run()


class _Writer:
    def __init__(self, corpus, chat, style, shift_days, tz_minutes, faithful=False):
        self.corpus, self.chat, self.s = corpus, chat, style
        self.faithful = faithful
        self.offset = timedelta(days=shift_days, minutes=tz_minutes)
        self.me = corpus["me"]["name"]
        self.people = {p["jid"]: p for p in chat.get("participants", ())}
        self.lines: list[str] = []
        self.line = 1  # the next message's line number
        self.expected: list[Expected] = []
        self.media: list[str] = []
        self.wa_counter: dict[str, int] = {}

    # -- names ---------------------------------------------------------------------------
    def chat_name(self) -> str:
        c = self.chat
        return c.get("name") or c.get("phone") or c.get("push_name") or c["id"].split("@")[0]

    def author_of(self, m) -> tuple[str, str]:
        """(as written in the file, as a reader must return it)."""
        if m["from_me"]:
            return self.me, self.me
        if self.chat["kind"] == "group":
            p = self.people.get(m.get("sender"), {})
            if p.get("saved") or p.get("jid", "").endswith("@lid"):
                name = p.get("name", "?")
                return name, name
            shown = corpus_.format_phone(p.get("jid", "0@c.us"))
        else:
            if self.chat.get("name"):
                return self.chat["name"], self.chat["name"]
            if self.chat["kind"] != "user":
                return self.chat["push_name"], self.chat["push_name"]
            shown = self.chat["phone"]
        if self.s.platform == "ios":  # iOS wraps numbers in direction marks
            return LTR_EMBED + shown + POP, shown
        return shown, shown

    # -- dates ---------------------------------------------------------------------------
    def local(self, ts: int) -> datetime:
        t = datetime(1970, 1, 1) + timedelta(seconds=ts) + self.offset
        return t if self.s.platform == "ios" else t.replace(second=0)

    def header(self, t: datetime, system: bool) -> str:
        s = self.s
        d, mo = (f"{t.day:02d}", f"{t.month:02d}") if s.pad else (str(t.day), str(t.month))
        y = f"{t.year:04d}" if s.year_digits == 4 else f"{t.year % 100:02d}"
        day = f"{d}/{mo}/{y}" if s.date_order == "dmy" else f"{mo}/{d}/{y}"
        if s.clock == "24h":
            clock = f"{t.hour:02d}:{t.minute:02d}"
        else:
            h12 = t.hour % 12 or 12
            clock = f"{h12}:{t.minute:02d}" if not s.pad or s.platform == "ios" else f"{h12:02d}:{t.minute:02d}"
        if s.platform == "ios":
            clock += f":{t.second:02d}"
        if s.clock == "12h":
            clock += s.ampm_space + self.period(t.hour)
        if s.platform == "ios":
            return (LRM if system and s.lrm_line else "") + f"[{day}, {clock}] "
        return f"{day}{',' if s.comma else ''} {clock} - "

    def period(self, hour: int) -> str:
        pm = hour >= 12
        kind = self.s.ampm
        if kind == "periods":
            return next(word for end, word in _PERIODS[self.s.locale] if hour < end)
        if kind == "AM":
            return "PM" if pm else "AM"
        if kind == "am":
            return "pm" if pm else "am"
        if kind == "a.m.":
            return "p.m." if pm else "a.m."
        return f"p.{NBSP}m." if pm else f"a.{NBSP}m."  # "a. m.", as Spanish phones print it

    # -- writing -------------------------------------------------------------------------
    def emit(self, t: datetime, author: tuple[str, str] | None, kind: str, body: str, text: str,
             media_name: str | None = None, media_type: str | None = None, edited: bool = False,
             marked: bool = False) -> None:
        line = self.line
        self.line += body.count("\n") + 1
        if author is None and self.s.platform == "android":
            self.lines.append(self.header(t, True) + body)
            self.expected.append(Expected(line, t, None, "system", text, body, None, None, False))
            return
        if author is None:  # iOS: under the chat's name, marked
            written = self.chat_name()
            self.lines.append(self.header(t, True) + f"{written}: {body}")
            self.expected.append(Expected(line, t, None, "system", text, body, None, None, False))
            return
        self.lines.append(self.header(t, marked) + f"{author[0]}: {body}")
        self.expected.append(Expected(line, t, author[1], kind, text, body, media_name, media_type, edited))

    def run(self) -> Export:
        s, chat = self.s, self.chat
        msgs = [m for m in self.corpus["messages"] if m["chat"] == chat["id"]]
        ios = s.platform == "ios"
        mark = LRM if ios else ""
        for j, m in enumerate(msgs):
            t = self.local(m["ts"])
            roll = zlib.crc32(m["id"].encode())
            kind = m["type"]
            if kind == "system":
                self.system(m, t, j, mark)
                continue
            who = self.author_of(m)
            if kind == "text":
                text = m.get("text", "")
                if roll % 7 == 0:
                    text = re.sub(r"([.?!]) ", r"\1\n", text, count=1)
                if roll % 31 == 0 and not self.faithful:
                    text = text + "\n\n" + "Obrigado!"
                edited = roll % 13 == 0
                body = text + (" " + mark + _EDITED[s.locale] if edited else "")
                self.emit(t, who, "text", body, text, edited=edited)
            elif kind == "deleted":
                words = (_DELETED_MINE if m["from_me"] else _DELETED_THEIRS)[s.locale]
                if ios and not words.endswith("."):
                    words += "."
                self.emit(t, who, "deleted", mark + words, "", marked=True)
            else:
                self.media_message(m, t, who, kind, mark)
        # Only the line ends between messages follow the style; a message's own newlines stay "\n".
        return self.pack(s.newline.join(self.lines) + s.newline)

    def system(self, m, t, j, mark) -> None:
        s = self.s
        words = m["text"]
        if j == 0:
            notice = _NOTICE[s.locale] + ("" if s.platform == "ios" else _TAP[s.locale])
            self.emit(t, None, "system", mark + notice, notice)
            if self.chat["kind"] == "group":
                parts = self.chat["participants"]
                q, Q = ("“", "”") if s.platform == "ios" else ('"', '"')
                created = _CREATED[s.locale].format(a=parts[0]["name"], g=self.chat["name"], q=q, Q=Q)
                self.emit(t, None, "system", mark + created, created)
            return
        added, left = _CORPUS_ADDED.match(words), _CORPUS_LEFT.match(words)
        if added:
            words = _ADDED[s.locale].format(a=added.group(1), b=added.group(2))
        elif left:
            words = _LEFT[s.locale].format(a=left.group(1))
        self.emit(t, None, "system", mark + words, words)

    def media_message(self, m, t, who, kind, mark) -> None:
        s = self.s
        media_type = {"image": "image", "ptt": "voice", "document": "document"}[kind]
        caption = m.get("text", "") if kind == "image" else ""
        if s.media == "attached":
            name = self.file_name(m, t, media_type)
            self.media.append(name)
            if s.platform == "ios":
                first = f"{mark}<{_ATTACHED[s.locale]}: {name}>"
            else:
                first = f"{name} ({_FILE_ATTACHED[s.locale]})"
            body = first + ("\n" + caption if caption else "")
            self.emit(t, who, "media", body, caption, name, media_type, marked=True)
            return
        if s.platform == "android":
            self.emit(t, who, "media", _OMITTED[s.locale], "", None, "unknown", marked=True)
            return
        words = _IOS_OMITTED[s.locale][media_type]
        if kind == "document":
            title = m["file"]
            self.emit(t, who, "media", f"{mark}{title} • {mark}{_PAGES[s.locale]} {mark}{words}", title,
                      None, "document", marked=True)
            return
        self.emit(t, who, "media", mark + words, "", None, media_type, marked=True)

    def file_name(self, m, t: datetime, media_type: str) -> str:
        if media_type == "document":
            base = m["file"]
            if self.s.platform == "ios":
                return f"{len(self.media) + 1:08d}-{base}"
            stem, ext = base.rsplit(".", 1)
            n = sum(1 for x in self.media if x == base or x.startswith(stem + " ("))
            return f"{stem} ({n}).{ext}" if n else base  # as phones name a second file of one name
        if self.s.platform == "ios":
            word = {"image": "PHOTO", "voice": "AUDIO"}[media_type]
            ext = {"image": "jpg", "voice": "opus"}[media_type]
            return f"{len(self.media) + 1:08d}-{word}-{t:%Y-%m-%d-%H-%M-%S}.{ext}"
        day = f"{t:%Y%m%d}"
        n = self.wa_counter[day] = self.wa_counter.get(day, 0) + 1
        prefix, ext = {"image": ("IMG", "jpg"), "voice": ("PTT", "opus")}[media_type]
        return f"{prefix}-{day}-WA{n:04d}.{ext}"

    # -- files ---------------------------------------------------------------------------
    def pack(self, text: str) -> Export:
        s = self.s
        expected = self.expected
        if s.encoding == "cp1252":  # what cannot be written in cp1252 becomes "?", in the truth too
            fit = lambda x: x if x is None else x.encode("cp1252", "replace").decode("cp1252")  # noqa: E731
            text = fit(text)
            expected = [e._replace(author=fit(e.author), text=fit(e.text), raw=fit(e.raw),
                                   media_name=fit(e.media_name)) for e in expected]
        data = _encode(text, s.encoding)
        name = self.chat_name()
        stem = _FILE_PREFIX[(s.platform, s.locale)] + name
        if s.container == "txt":
            return Export(stem + ".txt", data, text, name, expected, s, ())
        inner = "_chat.txt" if s.platform == "ios" else stem + ".txt"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_entry(inner), data)
            for media in self.media:
                zf.writestr(_entry(media), b"mettri-test-media:" + media.encode())
        return Export(stem + ".zip", buf.getvalue(), text, name, expected, s, tuple(self.media))


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 6, 13, 20, 0, 0))  # fixed: the same bytes every run
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)


def big_export(messages: int, style: Style = _ANDROID_PT, seed: int = 11) -> Export:
    """One chat with ``messages`` messages (the benchmark's file)."""
    corpus = corpus_.generate(seed=seed, chats=1, messages=messages, lang_mix=0.0)
    chat = corpus["chats"][0]
    if chat["kind"] == "newsletter":  # cannot happen for one chat; kept as a guard
        raise ValueError("seed gave a channel")
    return render(corpus, chat, style)
