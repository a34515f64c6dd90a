"""The line that starts a message: its shapes, and reading its date and time.

Android: ``12/03/2023 09:15 - Ana: oi`` (pt-BR has no comma; en/es write ``3/12/23, 9:15 AM -``).
iOS:     ``[12/03/2023, 09:15:02] Ana: oi`` (an LRM before ``[`` on lines WhatsApp wrote itself).
Dates use ``/``, ``.`` or ``-``; years have 2 or 4 digits (4 digits first means y/m/d); times
``9:15``, ``09.15``, ``9:15:02``, with an am/pm word after a space, a no-break space (U+00A0)
or a narrow no-break space (U+202F).

The first line decides the shape (bracket or dash, date separator); every later message line
must have the same shape, so a pasted line in another shape stays text of its message.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pycore.chat_export.markers import AMPM_PATTERN, period
from pycore.chat_export.model import Locale

_SP = "[ \u00a0]"  # between date and time, and around the dash
_AP_SP = "[ \u00a0\u202f]*"
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"

DETECT = re.compile(
    r"^[\u200e\u200f]*(\[)?(\d{1,4}([./-])\d{1,2}\3\d{1,4})\.?,?" + _SP
    + r"(" + _TIME + r"(?:" + _AP_SP + r"(?:" + AMPM_PATTERN + r"))?)"
    + r"(?(1)\]|" + _SP + r"[-–]) "
)


@lru_cache(maxsize=16)
def line_pattern(ios: bool, sep: str) -> re.Pattern[str]:
    """The message-line pattern of one file's shape, for ``split``. Groups: 1 the whole header,
    2 the date, 3 hours:minutes, 4 seconds (or None), 5 the am/pm word (or None)."""
    s = re.escape(sep)
    date = r"(\d{1,4}" + s + r"\d{1,2}" + s + r"\d{1,4})\.?,?"
    time = (r"(\d{1,2}[:.]\d{2})(?:[:.](\d{2}))?(?:" + _AP_SP + r"(" + AMPM_PATTERN + r"))?")
    if ios:
        return re.compile(r"^([\u200e\u200f]*\[" + date + _SP + time + r"\] )", re.M)
    return re.compile(r"^([\u200e\u200f]*" + date + _SP + time + _SP + r"[-–] )", re.M)


@lru_cache(maxsize=16)
def partial_pattern(ios: bool, sep: str) -> re.Pattern[str]:
    """A message line cut before its text: the last line of a truncated file."""
    s = re.escape(sep)
    if ios:  # a bracket opened on a date and never closed
        return re.compile(r"^[\u200e\u200f]*\[\d{1,4}" + s + r"[^\]\n]*$")
    return re.compile(r"^[\u200e\u200f]*\d{1,4}" + s + r"\d{1,2}" + s + r"\d{1,4}\.?,?" + _SP
                      + r"\d{1,2}(?:[:.]\d{0,2}){0,2}(?:" + _AP_SP + r"[^-–\n]{0,16})?(?:" + _SP + r"[-–]?)?$")


_TIME_PARTS = re.compile(r"(\d{1,2}[:.]\d{2})(?:[:.](\d{2}))?" + _AP_SP + r"(.*)$")


def read_clock(hm: str, word: str | None) -> tuple[tuple[int, int] | None, Locale | None]:
    """((hour, minute) on a 24-hour clock, or None when impossible; language hint of the word)."""
    h, mi = int(hm[:-3]), int(hm[-2:])
    hint: Locale | None = None
    if word:
        afternoon, hint = period(word.strip())
        if not 0 <= h <= 12:
            return None, hint
        h = h % 12 + (12 if afternoon else 0)
    if h > 23 or mi > 59:
        return None, hint
    return (h, mi), hint


def read_time(raw: str) -> tuple[tuple[int, int, int] | None, bool, bool, Locale | None]:
    """((hour, minute, second) or None when impossible, 12-hour clock, has seconds, language hint)."""
    m = _TIME_PARTS.match(raw)
    if m is None:
        return None, False, False, None
    hm, sec, word = m.groups()
    clock, hint = read_clock(hm, word or None)
    s = int(sec) if sec else 0
    if clock is None or s > 59:
        return None, bool(word), sec is not None, hint
    return (clock[0], clock[1], s), bool(word), sec is not None, hint
