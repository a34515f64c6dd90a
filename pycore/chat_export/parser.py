"""Reading a WhatsApp "Export chat" file: bytes in, every message out, or one clear error.

How lines are read (the rules the tests hold us to):
- The first non-blank line must be a message line; it fixes the file's shape (header.py).
  A file that starts otherwise is not an export ("not_chat_export", that line).
- A line in that shape starts a message. Any other line continues the previous message: that
  is how multi-line messages are written. Two exceptions, where continuing would be wrong:
  * a message line whose date or time cannot exist (31/02, 25:00) is kept as text of the
    previous message and its line number reported in ``suspect_lines`` (an export never writes
    one; a pasted line can);
  * the last line being a message line cut before its text means the file was cut short
    ("truncated"): continuing would import a wrong last message silently.
- A message cut in the middle of its text cannot be told from a complete one by the text
  alone; zips catch it with their checksum, plain .txt files cannot.
- Android: "author: text", or no ": " at all for a system line. A system line whose wording
  holds ": " inside quotes (a group renamed to "Promo: hoje") is recognised by its wording.
  iOS: every line has an author; lines WhatsApp wrote itself start their text with U+200E and
  are system lines unless they are media, deleted or location markers. Their "author" is the
  chat's name, which is where ``chat_name`` comes from when the file name does not say.
"""

from __future__ import annotations

from datetime import datetime

from pycore.chat_export import dates as dates_
from pycore.chat_export.archive import is_zip, open_zip
from pycore.chat_export.decode import decode
from pycore.chat_export.errors import ChatExportError, excerpt
from pycore.chat_export.header import DETECT, line_pattern, partial_pattern, read_time
from pycore.chat_export.markers import (
    ADMIN_LOCALES, ATTACHED_ANGLE, ATTACHED_PAREN, BIDI, DELETED, DELETED_BY_ADMIN, EDITED, LOCATION, LRM,
    OMITTED_ANDROID, OMITTED_IOS, attached_locale, edited_locale, is_known_system, media_type_of,
    omitted_ios, system_hint,
)
from pycore.chat_export.model import (
    Author, ChatExport, DateOrder, ExportedMessage, ExportFormat, Locale, Media,
)
from pycore.chat_export.names import chat_name_from_file, phone_digits
from pycore.chatkey import display_title

MAX_TEXT_BYTES = 256 * 1024 * 1024  # ~2 million messages; far above any phone's export
MAX_MEDIA_BYTES = 2 * 1024 * 1024 * 1024
_ORDERS = ("dmy", "mdy")
_AMBIGUOUS_SAMPLE = 5
_QUOTES = ('"', "“", "”", "«")
_DELETED_HEADS = ("This message was deleted", "Esta mensagem foi apagada", "Mensagem apagada",
                  "Este mensaje fue eliminado")


def parse_export(data: bytes, file_name: str = "", *, date_order: DateOrder | None = None,
                 keep_media: bool = False, max_text_bytes: int = MAX_TEXT_BYTES,
                 max_media_bytes: int = MAX_MEDIA_BYTES) -> ChatExport:
    """Read a .txt or .zip export (recognised by its content; the name only gives the chat's
    name). ``date_order``: the user's answer when an earlier call said ``needs_date_order``.
    ``keep_media``: also return the zip's media bytes. Raises ChatExportError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ChatExportError("bad_argument", detail="data must be bytes", detail_pt="os dados devem ser bytes")
    if date_order is not None and date_order not in _ORDERS:
        raise ChatExportError("bad_argument", detail=f"date_order must be one of {_ORDERS}",
                              detail_pt=f"date_order deve ser um de {_ORDERS}")
    data = bytes(data)
    if not data.strip():
        raise ChatExportError("empty")
    attachments = []
    if is_zip(data) or file_name.lower().endswith(".zip"):
        if not is_zip(data):
            raise ChatExportError("corrupt_zip", detail="not a zip archive", detail_pt="não é um arquivo zip")
        opened = open_zip(data, keep_media=keep_media, max_text_bytes=max_text_bytes,
                          max_media_bytes=max_media_bytes)
        chat_file, raw, attachments, container = opened.chat_file, opened.chat_bytes, opened.attachments, "zip"
    else:
        if len(data) > max_text_bytes:
            raise ChatExportError("too_large", detail=f"over {max_text_bytes} bytes",
                                  detail_pt=f"acima de {max_text_bytes} bytes")
        chat_file, raw, container = file_name, data, "txt"
    text, encoding = decode(raw)
    result = parse_text(text, file_name=file_name, date_order=date_order, encoding=encoding, container=container)
    result.chat_file = chat_file
    if container == "zip":
        named = chat_name_from_file(file_name) or chat_name_from_file(chat_file)
        if named:
            result.chat_name = named
            result.phone = phone_digits(named)
        _link_attachments(result, attachments)
    return result


def parse_text(text: str, *, file_name: str = "", date_order: DateOrder | None = None,
               encoding: str = "utf-8", container: str = "txt") -> ChatExport:
    """Read an already decoded export text. Raises ChatExportError."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    start = len(text) - len(text.lstrip())
    start = text.rfind("\n", 0, start) + 1  # back to the start of the first non-blank line
    if not text[start:].strip():
        raise ChatExportError("empty")
    first_line_no = text.count("\n", 0, start) + 1
    first_end = text.find("\n", start)
    first = text[start:] if first_end < 0 else text[start:first_end]
    shape = DETECT.match(first)
    if shape is None:
        raise ChatExportError("not_chat_export", line=first_line_no, detail=excerpt(first))
    ios, sep = shape.group(1) is not None, shape.group(3)
    pattern = line_pattern(ios, sep)

    starts: list[int] = []
    ends: list[int] = []
    date_raw: list[str] = []
    time_raw: list[str] = []
    for m in pattern.finditer(text, start):
        starts.append(m.start())
        ends.append(m.end())
        date_raw.append(m.group(1))
        time_raw.append(m.group(2))

    # -- dates: decide the order from all of them ----------------------------------------
    parts_of: dict[str, dates_.Parts] = {}
    counts: dict[dates_.Parts, int] = {}
    seq: list[dates_.Parts] = []
    last_raw = None
    for raw in date_raw:
        if raw is last_raw or raw == last_raw:
            parts = parts_of[raw]
            counts[parts] += 1
            continue
        parts = parts_of.get(raw)
        if parts is None:
            parts = parts_of[raw] = dates_.split_date(raw, sep)
        counts[parts] = counts.get(parts, 0) + 1
        if not seq or seq[-1] != parts:
            seq.append(parts)
        last_raw = raw
    proven, source = dates_.decide(seq, counts)
    needs_order = False
    if date_order is not None and proven != "ymd":
        if source == "day_over_12" and proven != date_order:
            bad = dates_.contradicts(date_order, counts)
            line = _line_of(text, starts, date_raw, bad, sep) if bad else None
            raise ChatExportError("date_order_mismatch", line=line,
                                  detail=f"{date_order} cannot read {_show(bad, sep)}" if bad else date_order,
                                  detail_pt=f"{date_order} não lê {_show(bad, sep)}" if bad else date_order)
        order, source = date_order, "caller"
    elif proven is not None:
        order = proven
    else:
        order, source, needs_order = None, "assumed", True  # order chosen below from the locale

    # -- times ---------------------------------------------------------------------------
    time_of: dict[str, tuple[int, int, int] | None] = {}
    clock12 = seconds = False
    time_votes: dict[str, int] = {}
    for raw in set(time_raw):
        hms, is12, has_s, hint = read_time(raw)
        time_of[raw] = hms
        clock12 |= is12
        seconds |= has_s
        if hint:
            time_votes[hint] = time_votes.get(hint, 0) + 1

    # -- messages ------------------------------------------------------------------------
    # The provisional order for an undecidable file needs the locale, which needs the messages;
    # build with d/m/y, then rebuild with m/d/y only if the locale says so (rare, small files).
    build_order = order or "dmy"
    locale_votes = dict(time_votes)
    built = _build(text, starts, ends, date_raw, time_raw, parts_of, time_of, build_order, ios, locale_votes)
    locale = _winner(locale_votes)
    if order is None:
        order = dates_.likely(seq) or ("mdy" if (locale == "en" and clock12) else "dmy")
        if order != build_order:
            built = _build(text, starts, ends, date_raw, time_raw, parts_of, time_of, order, ios, {})
    messages, suspect, system_authors, group_events = built
    if not messages:
        raise ChatExportError("not_chat_export", line=first_line_no, detail=excerpt(first))
    if messages[0].line != first_line_no:  # the first line looked like a message line but cannot be one
        raise ChatExportError("not_chat_export", line=first_line_no, detail=excerpt(first))
    _check_end(text, messages[-1], partial_pattern(ios, sep))

    # -- who, what, which chat -------------------------------------------------------------
    authors = _authors(messages)
    chat_name = chat_name_from_file(file_name)
    if chat_name is None and system_authors:
        chat_name = max(system_authors, key=system_authors.get)
    ambiguous: list[str] = []
    if needs_order:
        ambiguous = list(dict.fromkeys(r for r in date_raw if _ambiguous(parts_of[r])))[:_AMBIGUOUS_SAMPLE]
        needs_order = bool(ambiguous)  # every date reads the same both ways (05/05): nothing to ask
    year_digits = 4 if any(p[3] or p[2] >= 100 for p in counts) else 2
    fmt = ExportFormat(platform="ios" if ios else "android", date_order=order, date_order_source=source,
                       clock="12h" if clock12 else "24h", seconds=seconds, year_digits=year_digits,
                       locale=locale, encoding=encoding, container=container)  # type: ignore[arg-type]
    return ChatExport(file_name=file_name, chat_file=file_name, chat_name=chat_name, phone=phone_digits(chat_name),
                      format=fmt, messages=messages, authors=authors, needs_date_order=needs_order,
                      ambiguous_dates=ambiguous, suspect_lines=suspect,
                      looks_like_group=group_events or len(authors) > 2)


def _build(text, starts, ends, date_raw, time_raw, parts_of, time_of, order, ios, votes):
    """The messages of the file, read with one date order."""
    day_of = {raw: dates_.ymd(parts, order) for raw, parts in parts_of.items()}
    valid: list[tuple[int, int, datetime]] = []
    suspect: list[int] = []
    lines_before = 0
    prev = 0
    for i in range(len(starts)):
        day = day_of[date_raw[i]]
        hms = time_of[time_raw[i]]
        if day is None or hms is None:
            lines_before += text.count("\n", prev, starts[i])
            prev = starts[i]
            suspect.append(lines_before + 1)
            continue
        valid.append((starts[i], ends[i], datetime(day.year, day.month, day.day, *hms)))

    messages: list[ExportedMessage] = []
    system_authors: dict[str, int] = {}
    group_events = False
    author_cache: dict[str, str] = {}
    n = len(valid)
    line = 1
    prev = 0
    classify = _classify
    for k in range(n):
        begin, end, local = valid[k]
        line += text.count("\n", prev, begin)
        prev = begin
        if k + 1 < n:
            body = text[end: valid[k + 1][0] - 1]
        else:
            body = text[end:].rstrip("\n")
        nl = body.find("\n")
        cut = body.find(": ", 0, nl if nl >= 0 else len(body))
        if cut < 0 and body.endswith(":") and nl < 0:  # "Ana:" with its trailing space trimmed
            cut = len(body) - 1
        if cut < 0:
            author = None
            raw = body
        else:
            author = body[:cut]
            raw = body[cut + 2:]
            if not ios and any(q in author for q in _QUOTES) and is_known_system(body[:nl] if nl >= 0 else body):
                author, raw = None, body  # a system wording with ": " inside quotes
        if author is None:
            text_ = raw[1:] if raw.startswith(LRM) else raw
            hint, is_group = system_hint(text_)
            group_events |= is_group
            if hint:
                votes[hint] = votes.get(hint, 0) + 1
            messages.append(ExportedMessage(line, local, None, "system", text_, raw))
            continue
        name = author_cache.get(author)
        if name is None:
            name = author_cache[author] = display_title(author) or author
        msg = classify(line, local, name, raw, ios, votes)
        if msg.author is None:  # an iOS system line, under the chat's name
            system_authors[name] = system_authors.get(name, 0) + 1
            _, is_group = system_hint(msg.text)
            group_events |= is_group
        messages.append(msg)
    return messages, suspect, system_authors, group_events


def _classify(line: int, local: datetime, author: str, raw: str, ios: bool, votes: dict) -> ExportedMessage:
    """One authored message: text, media, deleted, or (iOS) a system line under the chat's name."""
    text = raw
    edited = False
    if text.endswith(">"):
        m = EDITED.search(text)
        if m:
            text = text[: m.start()]
            edited = True
            _vote(votes, edited_locale(m.group(1)))
    head = text[:1]
    marked = head == LRM
    if not (marked or head == "<" or "(" in text or len(text) <= 32 or text.startswith(_DELETED_HEADS)):
        return ExportedMessage(line, local, author, "text", text, raw, None, edited)
    body = text.lstrip(BIDI) if marked else text
    nl = body.find("\n")
    first = body if nl < 0 else body[:nl]
    rest = "" if nl < 0 else body[nl + 1:]
    # deleted
    bare = first.strip(BIDI + " ").rstrip(".")
    if nl < 0:
        locale = DELETED.get(bare)
        if locale is None and len(bare) > 24:
            admin = DELETED_BY_ADMIN.match(bare)
            if admin:
                locale = ADMIN_LOCALES[admin.lastindex - 1]
        if locale is not None:
            _vote(votes, locale)
            return ExportedMessage(line, local, author, "deleted", "", raw, None, edited)
    # media left out
    locale = OMITTED_ANDROID.get(first.strip())
    if locale is not None:
        _vote(votes, locale)
        return ExportedMessage(line, local, author, "media", rest, raw, Media("unknown"), edited)
    if marked or first.startswith("<"):
        m = OMITTED_IOS.match(first.replace(LRM, ""))
        if m:
            media_type, locale = omitted_ios(m.group("noun"), m.group("verb"))
            _vote(votes, locale)
            title = (m.group("title") or "").split(" • ")[0].strip()
            caption = "\n".join(x for x in (title, rest) if x)
            return ExportedMessage(line, local, author, "media", caption, raw, Media(media_type), edited)
    # media attached
    if "<" in first:
        m = ATTACHED_ANGLE.search(first)
        if m:
            _vote(votes, attached_locale(m.group(1)))
            name = m.group(2).strip()
            tail = first[m.end():].strip(BIDI + " ")
            caption = "\n".join(x for x in (tail, rest) if x)
            return ExportedMessage(line, local, author, "media", caption, raw, Media(media_type_of(name), name), edited)
    if "(" in first:
        m = ATTACHED_PAREN.match(first)
        if m and m.end() >= len(first.rstrip()):
            _vote(votes, attached_locale(m.group(2)))
            name = m.group(1).strip(BIDI)
            return ExportedMessage(line, local, author, "media", rest, raw, Media(media_type_of(name), name), edited)
    if marked and ios:
        if LOCATION.match(body):
            return ExportedMessage(line, local, author, "text", body, raw, None, edited)
        return ExportedMessage(line, local, None, "system", body, raw, None, edited)
    return ExportedMessage(line, local, author, "text", text, raw, None, edited)


def _vote(votes: dict, locale: Locale | None) -> None:
    if locale:
        votes[locale] = votes.get(locale, 0) + 1


def _winner(votes: dict) -> Locale | None:
    if not votes:
        return None
    return max(("pt-BR", "es", "en"), key=lambda loc: votes.get(loc, 0))  # ties: pt-BR, es, en


def _check_end(text: str, last: ExportedMessage, partial) -> None:
    tail = text.rstrip("\n")
    cut = tail.rfind("\n") + 1
    last_line = tail[cut:]
    line = tail.count("\n") + 1
    if line != last.line and partial.match(last_line):
        raise ChatExportError("truncated", line=line, detail=f"of a message line {excerpt(last_line)}",
                              detail_pt=f"de uma linha de mensagem {excerpt(last_line)}")
    if line == last.line and last.author is None and not last.raw.strip():
        raise ChatExportError("truncated", line=line, detail=f"of a message line {excerpt(last_line)}",
                              detail_pt=f"de uma linha de mensagem {excerpt(last_line)}")


def _authors(messages: list[ExportedMessage]) -> list[Author]:
    counts: dict[str, int] = {}
    for msg in messages:
        if msg.author is not None and msg.kind != "system":
            counts[msg.author] = counts.get(msg.author, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: first seen first among equals
    return [Author(name, n, phone_digits(name)) for name, n in ordered]


def _link_attachments(result: ChatExport, attachments) -> None:
    by_base = {a.name.rsplit("/", 1)[-1]: a for a in attachments}
    missing: list[str] = []
    for i, msg in enumerate(result.messages):
        media = msg.media
        if media is None or media.name is None:
            continue
        found = by_base.get(media.name)
        if found is None:
            missing.append(media.name)
            continue
        found.referenced = True
        result.messages[i].media = Media(media.type, media.name, True)
    result.attachments = attachments
    result.missing_attachments = missing


def _ambiguous(parts: dates_.Parts) -> bool:
    a, b, _, year_first = parts
    return not year_first and a != b and a <= 12 and b <= 12


def _show(parts: dates_.Parts | None, sep: str) -> str:
    if parts is None:
        return ""
    return sep.join(str(x) for x in parts[:3])


def _line_of(text: str, starts: list[int], date_raw: list[str], parts: dates_.Parts, sep: str) -> int | None:
    for begin, raw in zip(starts, date_raw):
        if dates_.split_date(raw, sep) == parts:
            return text.count("\n", 0, begin) + 1
    return None
