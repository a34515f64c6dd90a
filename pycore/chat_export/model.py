"""What reading an export gives back. Plain dataclasses: the parser makes 100,000 messages in
well under a second and pydantic validation per message would cost more than the parsing; the
core turns these into its protocol models when it stores them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["text", "media", "deleted", "system"]
# The media vocabulary of pycore.protocol.records.MessageType (contact cards are documents,
# GIFs are videos: that is what WhatsApp sends them as).
MediaType = Literal["image", "video", "voice", "document", "sticker", "unknown"]
DateOrder = Literal["dmy", "mdy", "ymd"]
DateOrderSource = Literal[
    "day_over_12",  # some first or second number is above 12
    "date_sequence",  # only one reading keeps the dates going forward
    "year_first",  # 2024-03-04 style: nothing to decide
    "caller",  # the caller (the user) said so
    "assumed",  # the file cannot tell: a provisional order; ``needs_date_order`` is set unless every
    #            date reads the same both ways (05/05)
]
Platform = Literal["android", "ios"]
Clock = Literal["24h", "12h"]
Locale = Literal["pt-BR", "en", "es"]


@dataclass(frozen=True, slots=True)
class Media:
    type: MediaType
    name: str | None = None  # the attachment's file name; None when the export left media out
    in_archive: bool = False  # the zip holds a file of that name


@dataclass(slots=True)
class ExportedMessage:
    line: int  # 1-based line of the message's first line in the chat text
    local: datetime  # naive: the exporting phone's wall clock (see timeconv.to_epoch)
    author: str | None  # as the file names them, without bidi marks; None for system lines
    kind: Kind
    text: str  # the message; a media caption; "" for deleted and caption-less media
    raw: str  # everything after "author: " as in the file (lines joined by "\n")
    media: Media | None = None
    edited: bool = False


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    count: int
    phone: str | None = None  # digits only (country code first) when the name is a phone number


@dataclass(slots=True)
class Attachment:
    name: str  # path inside the zip
    size: int  # uncompressed bytes
    type: MediaType
    referenced: bool  # some message names it
    data: bytes | None = None  # only with keep_media=True


@dataclass(frozen=True, slots=True)
class ExportFormat:
    platform: Platform  # "ios" for the [date, time] form, "android" for "date time - "
    date_order: DateOrder  # the order the dates were read with
    date_order_source: DateOrderSource
    clock: Clock
    seconds: bool
    year_digits: int  # 2 or 4
    locale: Locale | None  # from WhatsApp's own words (system lines, media markers, am/pm words)
    encoding: str  # utf-8, utf-8-sig, utf-16-le, utf-16-be, cp1252
    container: Literal["txt", "zip"]


@dataclass(slots=True)
class ChatExport:
    file_name: str  # as given by the caller
    chat_file: str  # the .txt read (inside the zip, or file_name)
    chat_name: str | None  # from "Conversa do WhatsApp com <name>" and its en/es/iOS forms
    phone: str | None  # digits, when chat_name is a phone number
    format: ExportFormat
    messages: list[ExportedMessage]
    authors: list[Author]  # most messages first
    attachments: list[Attachment] = field(default_factory=list)
    needs_date_order: bool = False  # ask the user once, then parse again with date_order=
    ambiguous_dates: list[str] = field(default_factory=list)  # a few dates as written, for that question
    missing_attachments: list[str] = field(default_factory=list)  # named by messages, absent from the zip
    suspect_lines: list[int] = field(default_factory=list)  # looked like a message line, kept as text
    looks_like_group: bool = False  # group events, or more than two authors
