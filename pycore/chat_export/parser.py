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

import re
from datetime import datetime

from pycore import gcpause, steps
from pycore.bilingual import number
from pycore.chat_export import dates as dates_
from pycore.chat_export.archive import is_zip, open_zip
from pycore.chat_export.classify import classify, vote
from pycore.chat_export.decode import decode
from pycore.chat_export.errors import ChatExportError, excerpt
from pycore.chat_export.header import DETECT, line_pattern, partial_pattern, read_clock
from pycore.chat_export.markers import LRM, is_known_system, system_hint
from pycore.chat_export.model import Author, ChatExport, DateOrder, ExportedMessage, ExportFormat, Locale, Media
from pycore.chat_export.names import chat_name_from_file, phone_digits
from pycore.chatkey import display_title

MAX_TEXT_BYTES = 256 * 1024 * 1024  # ~2 million messages; far above any phone's export
MAX_MEDIA_BYTES = 2 * 1024 * 1024 * 1024
_ORDERS = ("dmy", "mdy")
_AMBIGUOUS_SAMPLE = 5
_VISIBLE = re.compile(r"\S")
_VISIBLE_BYTES = re.compile(rb"\S")
SPLIT_CHARS = 1_000_000  # the text split into lines a million characters at a time (~12,000 messages)


def parse_export(data: bytes, file_name: str = "", *, date_order: DateOrder | None = None,
                 keep_media: bool = False, max_text_bytes: int = MAX_TEXT_BYTES,
                 max_media_bytes: int = MAX_MEDIA_BYTES) -> ChatExport:
    """Read a .txt or .zip export (recognised by its content; the name only gives the chat's
    name). ``date_order``: the user's answer when an earlier call said ``needs_date_order``.
    ``keep_media``: also return the zip's media bytes. Raises ChatExportError."""
    return steps.finish(parse_export_steps(data, file_name, date_order=date_order, keep_media=keep_media,
                                           max_text_bytes=max_text_bytes, max_media_bytes=max_media_bytes))


def parse_export_steps(data: bytes, file_name: str = "", *, date_order: DateOrder | None = None,
                       keep_media: bool = False, max_text_bytes: int = MAX_TEXT_BYTES,
                       max_media_bytes: int = MAX_MEDIA_BYTES) -> steps.Steps[ChatExport]:
    """parse_export() in steps (pycore/steps.py): the core reads a large export between other requests."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ChatExportError("bad_argument", detail="data must be bytes", detail_pt="os dados devem ser bytes")
    if date_order is not None and date_order not in _ORDERS:
        raise ChatExportError("bad_argument", detail=f"date_order must be one of {_ORDERS}",
                              detail_pt=f"date_order deve ser um de {_ORDERS}")
    data = bytes(data)
    if not _VISIBLE_BYTES.search(data):
        raise ChatExportError("empty")
    # Reading makes hundreds of thousands of objects and no cycles: the collector rescanning them
    # took a quarter of the time at 100k messages.
    with gcpause.paused():
        return (yield from _parse_bytes(data, file_name, date_order, keep_media, max_text_bytes, max_media_bytes))


def _parse_bytes(data: bytes, file_name: str, date_order, keep_media: bool, max_text_bytes: int,
                 max_media_bytes: int) -> steps.Steps[ChatExport]:
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
                                  detail_pt=f"acima de {number(max_text_bytes, 'pt')} bytes")
        chat_file, raw, container = file_name, data, "txt"
    text, encoding = decode(raw)
    result = yield from _parse_text(text, file_name, date_order, encoding, container)
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
    with gcpause.paused():
        return steps.finish(_parse_text(text, file_name, date_order, encoding, container))


def _parse_text(text: str, file_name: str, date_order: DateOrder | None, encoding: str,
                container: str) -> steps.Steps[ChatExport]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    visible = _VISIBLE.search(text)  # no copies of the whole text: it can be 100 MB
    if visible is None:
        raise ChatExportError("empty")
    start = text.rfind("\n", 0, visible.start()) + 1  # the start of the first non-blank line
    first_line_no = text.count("\n", 0, start) + 1
    first_end = text.find("\n", start)
    first = text[start:] if first_end < 0 else text[start:first_end]
    shape = DETECT.match(first)
    if shape is None:
        raise ChatExportError("not_chat_export", line=first_line_no, detail=excerpt(first))
    ios, sep = shape.group(1) is not None, shape.group(3)
    # split() does the line work in C: [before, (header, date, h:mm, ss, am/pm, text) * n]
    pieces = yield from _split(line_pattern(ios, sep), text[start:] if start else text)
    if pieces[0]:  # the first line matched the loose shape but not the file's own pattern
        raise ChatExportError("not_chat_export", line=first_line_no, detail=excerpt(first))
    date_raw = pieces[2::6]

    # -- dates: decide the order from all of them ----------------------------------------
    parts_of: dict[str, dates_.Parts] = {}
    counts: dict[dates_.Parts, int] = {}
    seq: list[dates_.Parts] = []
    last_raw = parts = None  # a repeated date reuses the parts of the line before
    for some in steps.parts(date_raw):
        for raw in some:
            if raw == last_raw:
                counts[parts] += 1
                continue
            parts = parts_of.get(raw)
            if parts is None:
                parts = parts_of[raw] = dates_.split_date(raw, sep)
            counts[parts] = counts.get(parts, 0) + 1
            if not seq or seq[-1] != parts:
                seq.append(parts)
            last_raw = raw
        yield
    proven, source = dates_.decide(seq, counts)
    needs_order = False
    if date_order is not None and proven != "ymd":
        if source == "day_over_12" and proven != date_order:
            bad = dates_.contradicts(date_order, counts)
            line = _line_of(pieces, first_line_no, bad, sep) if bad else None
            raise ChatExportError("date_order_mismatch", line=line,
                                  detail=f"{date_order} cannot read {_show(bad, sep)}" if bad else date_order,
                                  detail_pt=f"{date_order} não lê {_show(bad, sep)}" if bad else date_order)
        order, source = date_order, "caller"
    elif proven is not None:
        order = proven
    else:
        order, source, needs_order = None, "assumed", True  # order chosen below

    # -- times: one reading per distinct h:mm and am/pm word ---------------------------------
    clock_of: dict[tuple[str, str | None], tuple[int, int] | None] = {}
    time_votes: dict[str, int] = {}
    for key in set(zip(pieces[3::6], pieces[5::6])):
        clock_of[key], hint = read_clock(*key)
        vote(time_votes, hint)
    clock12 = any(word for _, word in clock_of)
    seconds = any(pieces[4::6])

    # -- messages ------------------------------------------------------------------------
    # The provisional order of an undecidable file needs the locale, which needs the messages:
    # build with d/m/y, then again only if another order is likelier (small files only).
    build_order = order or "dmy"
    locale_votes = dict(time_votes)
    built = yield from _build(pieces, first_line_no, parts_of, clock_of, build_order, ios, locale_votes)
    locale = _winner(locale_votes)
    if order is None:
        order = dates_.likely(seq) or ("mdy" if (locale == "en" and clock12) else "dmy")
        if order != build_order:
            built = yield from _build(pieces, first_line_no, parts_of, clock_of, order, ios, {})
    messages, suspect, system_authors, group_events = built
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


def _split(pattern: re.Pattern[str], text: str) -> steps.Steps[list[str]]:
    """``pattern.split(text)`` a piece of the text at a time (SPLIT_CHARS): every piece after the
    first starts where a message line starts, where the split of the whole text cuts too, so the
    pieces' splits joined are that split (a 100k-message file's was one stretch of the core's)."""
    pieces: list[str] = []
    at = 0
    while at < len(text) or not pieces:
        cut = len(text)
        if cut - at > SPLIT_CHARS:
            found = pattern.search(text, at + SPLIT_CHARS)
            cut = found.start() if found else cut
        part = pattern.split(text[at:cut])  # the whole text's slice is the text itself: no copy
        pieces += part[1:] if pieces else part  # a later piece starts with a message line: "" before it
        at = cut
        yield
    return pieces


def _build(pieces, line, parts_of, clock_of, order, ios, votes):
    """The messages of the file, read with one date order. ``line``: the first message's line.
    Steps: a step per piece of the file's lines, and per piece of its messages."""
    day_of = {raw: dates_.ymd(parts, order) for raw, parts in parts_of.items()}
    lines: list[int] = []
    stamps: list[datetime] = []
    bodies: list[str] = []
    suspect: list[int] = []
    for part in steps.parts(zip(pieces[1::6], pieces[2::6], pieces[3::6], pieces[4::6], pieces[5::6], pieces[6::6])):
        for header, date_raw, hm, sec, word, body in part:
            day = day_of[date_raw]
            clock = clock_of[hm, word]
            s = int(sec) if sec else 0
            if day is None or clock is None or s > 59:
                if not bodies:
                    raise ChatExportError("not_chat_export", line=line, detail=excerpt(header + body.split("\n", 1)[0]))
                bodies[-1] += header + body  # a line that cannot be a message line: text of the one before
                suspect.append(line)
            else:
                lines.append(line)
                stamps.append(datetime(day.year, day.month, day.day, clock[0], clock[1], s))
                bodies.append(body)
            line += body.count("\n")
        yield
    if bodies:
        bodies[-1] = bodies[-1].rstrip("\n") + "\n"  # every body now ends with exactly its own newline

    messages: list[ExportedMessage] = []
    append = messages.append
    system_authors: dict[str, int] = {}
    group_events = False
    author_cache: dict[str, str] = {}
    for part in steps.parts(zip(lines, stamps, bodies)):
        for line, local, body in part:
            body = body[:-1]
            nl = body.find("\n")
            cut = body.find(": ", 0, nl) if nl >= 0 else body.find(": ")
            if cut < 0 and nl < 0 and body[-1:] == ":":  # "Ana:" with its trailing space trimmed
                cut = len(body) - 1
            if cut >= 0:
                author = body[:cut]
                name = author_cache.get(author)
                if name is None:
                    if not ios and _quoted(author) and is_known_system(body[:nl] if nl >= 0 else body):
                        cut = -1  # a system wording with ": " inside quotes (a group renamed "Promo: hoje")
                    else:
                        name = author_cache[author] = display_title(author) or author
            if cut < 0:
                text = body[1:] if body[:1] == LRM else body
                hint, is_group = system_hint(text)
                group_events |= is_group
                vote(votes, hint)
                append(ExportedMessage(line, local, None, "system", text, body))
                continue
            msg = classify(line, local, name, body[cut + 2:], ios, votes)
            if msg.author is None:  # an iOS system line, under the chat's name
                system_authors[name] = system_authors.get(name, 0) + 1
                group_events |= system_hint(msg.text)[1]
            append(msg)
        yield
    return messages, suspect, system_authors, group_events


def _quoted(author: str) -> bool:
    return '"' in author or "“" in author or "”" in author or "«" in author


def _winner(votes: dict) -> Locale | None:
    if not votes:
        return None
    return max(("pt-BR", "es", "en"), key=lambda loc: votes.get(loc, 0))  # ties: pt-BR, es, en


def _check_end(text: str, last: ExportedMessage, partial) -> None:
    end = len(text)
    while end and text[end - 1] == "\n":
        end -= 1
    cut = text.rfind("\n", 0, end) + 1
    last_line = text[cut:end]
    line = text.count("\n", 0, cut) + 1
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


def _line_of(pieces: list, line: int, parts: dates_.Parts, sep: str) -> int | None:
    for k in range(1, len(pieces), 6):
        if dates_.split_date(pieces[k + 1], sep) == parts:
            return line
        line += pieces[k + 5].count("\n")
    return None
