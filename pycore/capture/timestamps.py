"""data-pre-plain-text: ``"[" time ", " date "] " author ": "`` in any locale.

Examples: ``[8:19 PM, 6/13/2026] bundaa: ``, ``[15:06, 03/07/2026] +55 37 9922-7293: ``,
``[下午1:23, 2026年9月18日] Test: ``. The time is local wall-clock time with minute
precision; the day/month order depends on the locale, so a locale hint decides unless a
component above 12 settles it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

_SHAPE = re.compile(r"^\s*\[(?P<time>[^\],，،]+)[,，،]\s*(?P<date>[^\]]+)\]\s*(?P<author>.*?)\s*:\s*$", re.S)
_TIME = re.compile(r"(\d{1,2})\s*[:.h]\s*(\d{2})")
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


def parse_time(text: str) -> tuple[int, int] | None:
    m = _TIME.search(text)
    if not m:
        return None
    hour, minute = int(m[1]), int(m[2])
    marker = re.sub(r"[\s.]", "", text).lower()
    if any(p in marker for p in _PM):
        hour = hour % 12 + 12
    elif any(a in marker for a in _AM):
        hour = hour % 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute


def parse_date(text: str, order: str) -> tuple[tuple[int, int, int] | None, bool]:
    """((year, month, day) or None, ambiguous)."""
    nums = re.findall(r"\d+", text)
    if len(nums) != 3:
        return None, False
    a, b, c = (int(n) for n in nums)
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
