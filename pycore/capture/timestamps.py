"""data-pre-plain-text: ``"[" time ", " date "] " author ": "`` in any locale.

Examples: ``[8:19 PM, 6/13/2026] bundaa: ``, ``[15:06, 03/07/2026] +55 37 9922-7293: ``,
``[下午1:23, 2026年9月18日] Test: ``. The time is local wall-clock time with minute
precision; the day/month order depends on the locale, so a locale hint decides unless a
component above 12 settles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone

_SHAPE = re.compile(r"^\s*\[(?P<time>[^\],，،]+)[,，،]\s*(?P<date>[^\]]+)\]\s*(?P<author>.*?)\s*:\s*$", re.S)
_TIME = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})")
_SPACE_OR_DOT = re.compile(r"[\s.]")
_NUMBER = re.compile(r"\d+")
# A batch repeats a handful of times and dates hundreds of times: both parses are pure and their
# results immutable, so each distinct text is parsed once.
_PARSED = 4096
# Markers after removing spaces and dots and lower-casing ("p. m." -> "pm").
_PM = ("pm", "下午", "晚上", "中午", "午後", "오후", "م", "μμ", "ch")
_AM = ("am", "上午", "凌晨", "早上", "午前", "오전", "ص", "πμ", "sa")
# Locales writing month before day; everything else is day first (pt-BR first).
_MONTH_FIRST = {"en", "en-us", "en-ph", "es-us", "fil", "en-ca"}


@dataclass(frozen=True)
class PrePlain:
    author: str
    ts: float | None  # epoch seconds, None when time or date did not parse
    ambiguous: bool = False  # day and month both <= 12 and differ: the locale hint decided


def date_order(locale: str | None) -> str:
    """'mdy' or 'dmy' for a BCP-47 tag; an explicit 'mdy'/'dmy'/'ymd' passes through."""
    tag = (locale or "").strip().lower().replace("_", "-")
    if tag in ("mdy", "dmy", "ymd"):
        return tag
    return "mdy" if tag in _MONTH_FIRST else "dmy"


@lru_cache(maxsize=_PARSED)
def parse_time(text: str) -> tuple[int, int] | None:
    m = _TIME.search(text)
    if not m:
        return None
    hour, minute = int(m[1]), int(m[2])
    marker = _SPACE_OR_DOT.sub("", text).lower()
    if any(p in marker for p in _PM):
        hour = hour % 12 + 12
    elif any(a in marker for a in _AM):
        hour = hour % 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute


@lru_cache(maxsize=_PARSED)
def parse_date(text: str, order: str) -> tuple[tuple[int, int, int] | None, bool]:
    """((year, month, day) or None, ambiguous)."""
    nums = _NUMBER.findall(text)
    if len(nums) != 3:
        return None, False
    a, b, c = map(int, nums)
    if "年" in text or len(nums[0]) == 4 or order == "ymd":
        year, month, day, ambiguous = a, b, c, False
    else:
        year = c + 2000 if c < 100 else c
        if a > 12 >= b:
            month, day = b, a
        elif b > 12 >= a:
            month, day = a, b
        elif order == "mdy":
            month, day = a, b
        else:
            month, day = b, a
        ambiguous = a <= 12 and b <= 12 and a != b
    try:
        datetime(year, month, day)
    except ValueError:
        return None, False
    return (year, month, day), ambiguous


@lru_cache(maxsize=_PARSED)  # rows of one minute and sender share the line
def parse_pre_plain(raw: str | None, *, locale: str | None = None, utc_offset_min: int = 0) -> PrePlain | None:
    """None when the text does not have the bracket shape at all."""
    if not raw:
        return None
    m = _SHAPE.match(raw)
    if not m:
        return None
    author = m["author"].replace("\u202a", "").replace("\u202c", "").strip()
    hm = parse_time(m["time"])
    ymd, ambiguous = parse_date(m["date"], date_order(locale))
    if hm is None or ymd is None:
        return PrePlain(author=author, ts=None)
    local = datetime(*ymd, *hm, tzinfo=timezone.utc).timestamp()
    return PrePlain(author=author, ts=local - utc_offset_min * 60, ambiguous=ambiguous)


# -- rows without data-pre-plain-text: the time in the bubble and the day dividers ------------
# How sure a stored time is, by its evidence (a later sighting replaces a time of lower rank):
# the sender line, the bubble's time under a day divider, the bubble's time on an assumed day
# (the newest day on which that time is not in the future), a neighbour's time, the moment seen.
TS_RANK = {"pre_plain": 5, "bubble": 4, "bubble_guess": 2, "neighbour": 1, "observed": 0}
DAY = 86400.0
INFERRED = frozenset({"bubble_guess", "neighbour", "observed"})
LEGACY_RANK = 3  # a time stored before its source was recorded (maybe a neighbour's): what is seen wins

_CLOCK = re.compile(r"^\s*(?:[^\d\s]{1,4}\s?)?\d{1,2}\s*[:.h]\s*\d{2}(?:\s*[^\d\s]{1,6}(?:\s?[^\d\s]{1,3})?)?\s*$")
_DAYS = {
    # today, yesterday, then weekdays Monday..Sunday (datetime.weekday() order); compared case-folded
    "today": ("today", "hoje", "hoy"),
    "yesterday": ("yesterday", "ontem", "ayer"),
}
_WEEKDAYS = (
    ("monday", "segunda-feira", "segunda", "lunes"),
    ("tuesday", "terça-feira", "terça", "martes"),
    ("wednesday", "quarta-feira", "quarta", "miércoles", "miercoles"),
    ("thursday", "quinta-feira", "quinta", "jueves"),
    ("friday", "sexta-feira", "sexta", "viernes"),
    ("saturday", "sábado", "sabado"),
    ("sunday", "domingo"),
)


@lru_cache(maxsize=_PARSED)
def parse_clock(text: str) -> tuple[int, int] | None:
    """A text that is only a time of day ('8:19 PM', '15:06', '下午1:23'), else None."""
    if not text or len(text) > 16 or not _CLOCK.match(text):
        return None
    return parse_time(text)


def local_date(epoch: float, utc_offset_min: int) -> date:
    return datetime.fromtimestamp(epoch + utc_offset_min * 60, tz=timezone.utc).date()


@lru_cache(maxsize=_PARSED)
def parse_day_label(label: str, today: date, locale: str | None = None) -> date | None:
    """A conversation's day divider ('HOJE', 'YESTERDAY', 'SEGUNDA-FEIRA', '03/07/2026') -> its date."""
    text = " ".join((label or "").split()).casefold()
    if not text or len(text) > 40:
        return None
    if text in _DAYS["today"]:
        return today
    if text in _DAYS["yesterday"]:
        return today - timedelta(days=1)
    for weekday, names in enumerate(_WEEKDAYS):
        if text in names:
            back = (today.weekday() - weekday) % 7 or 7  # dividers name days of the past week
            return today - timedelta(days=back)
    if not re.fullmatch(r"[\d\s./\-年月日]+", text):
        return None
    ymd, _ = parse_date(text, date_order(locale))
    return date(*ymd) if ymd else None


def bubble_ts(
    texts: list[str], day_labels: list[str], *, observed_at: float, utc_offset_min: int = 0, locale: str | None = None
) -> tuple[float, str] | None:
    """(epoch seconds, source) from the time drawn in a bubble (the last text that is a time:
    the meta line comes after a voice message's duration) and the nearest day divider above it."""
    clock = next((hm for hm in map(parse_clock, reversed(texts)) if hm), None)
    if clock is None:
        return None
    today = local_date(observed_at, utc_offset_min)
    day = next((d for d in (parse_day_label(lab, today, locale) for lab in day_labels) if d), None)
    source = "bubble"
    if day is None:
        now_local = datetime.fromtimestamp(observed_at + utc_offset_min * 60, tz=timezone.utc)
        day, source = today, "bubble_guess"
        if clock > (now_local.hour, now_local.minute):
            day -= timedelta(days=1)  # a time later than now was yesterday's
    local = datetime(day.year, day.month, day.day, *clock, tzinfo=timezone.utc).timestamp()
    return local - utc_offset_min * 60, source


def day_start(day_labels: list[str], *, observed_at: float, utc_offset_min: int = 0, locale: str | None = None) -> float | None:
    """Epoch seconds of local midnight of the nearest day divider above a row, if any parses."""
    if not day_labels:
        return None
    return _midnight(tuple(day_labels), local_date(observed_at, utc_offset_min), utc_offset_min, locale)


@lru_cache(maxsize=_PARSED)
def _midnight(day_labels: tuple[str, ...], today: date, utc_offset_min: int, locale: str | None) -> float | None:
    # Every row under one divider asks the same question: asked once per batch, not once per row.
    day = next((d for d in (parse_day_label(lab, today, locale) for lab in day_labels) if d), None)
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() - utc_offset_min * 60


def fill_times(rows: list[tuple[dict, float | None]], *, observed_at: float) -> None:
    """Rows still without a time (system rows: WhatsApp draws none) take a neighbour's on the same
    day: the row before them in the DOM, else the row after (rows are in time order); else the start
    of their day divider's day, else the moment they were seen. Each row is (MessageRecord fields
    with "ts" and "ts_source", the start of its divider's day or None); "ts_inferred" is set on all."""
    dated = [fields["ts"] is not None for fields, _ in rows]
    sure = [d and fields.get("ts_source") not in INFERRED for d, (fields, _) in zip(dated, rows)]
    # A bubble's time with no day divider above it was put on today (or yesterday): a row of the same
    # batch whose day is known says better. Rows are in time order, so the guess moves by whole days
    # to the nearest time not before the row above it (or not after the row below).
    for i, (fields, _) in enumerate(rows):
        if fields.get("ts_source") != "bubble_guess":
            continue
        before = next((j for j in range(i - 1, -1, -1) if sure[j]), None)
        after = next((j for j in range(i + 1, len(rows)) if sure[j]), None)
        guess = fields["ts"]
        if before is not None:
            ref = rows[before][0]["ts"]
            fields["ts"] = ref + (guess - ref) % DAY
        elif after is not None:
            ref = rows[after][0]["ts"]
            fields["ts"] = ref - (ref - guess) % DAY

    def same_day(i: int, j: int | None) -> bool:
        return j is not None and rows[j][1] == rows[i][1]

    for i, (fields, day) in enumerate(rows):
        if dated[i]:
            continue
        before = next((j for j in range(i - 1, -1, -1) if dated[j]), None)
        after = next((j for j in range(i + 1, len(rows)) if dated[j]), None)
        source = next((j for j in (before, after) if same_day(i, j)), None)
        if source is not None:
            fields["ts"], fields["ts_source"] = rows[source][0]["ts"], "neighbour"
        elif day is not None:
            fields["ts"], fields["ts_source"] = day, "neighbour"
        else:
            fields["ts"], fields["ts_source"] = observed_at, "observed"
    for fields, _ in rows:
        fields["ts_inferred"] = fields.get("ts_source") in INFERRED
