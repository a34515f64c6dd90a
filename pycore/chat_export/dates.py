"""Which number is the day: deciding d/m/y or m/d/y from the whole file.

1. A first number above 12 anywhere means d/m/y; a second number above 12 means m/d/y
   ("day_over_12"). Both happening means some lines are not real message lines (a chat
   pasted from another phone): the reading that keeps more lines wins, the others stay text.
2. Otherwise the dates, in file order, must go forward: the reading with fewer steps back
   wins ("date_sequence"). An export can hold a few messages out of order, so this counts
   rather than requiring none.
3. Otherwise the file cannot tell (a short chat inside the first twelve days of months):
   the caller is told (``needs_date_order``) and asks the user once. The dates are read
   meanwhile with the likelier order, offered as the question's default: the number that
   changes more often between consecutive dates is the day (a chat spans more days than
   months); when that ties too, the language decides (English with a 12-hour clock: m/d/y).
A four-digit first number is a year: y/m/d, nothing to decide.
"""

from __future__ import annotations

from datetime import date

from pycore.chat_export.model import DateOrder, DateOrderSource

Parts = tuple[int, int, int, bool]  # the three numbers as written, and "the first is a 4-digit year"


def split_date(raw: str, sep: str) -> Parts:
    a, b, c = raw.split(sep)
    return int(a), int(b), int(c), len(a) == 4


def ymd(parts: Parts, order: DateOrder) -> date | None:
    a, b, c, year_first = parts
    if year_first:
        y, m, d = a, b, c
    elif order == "mdy":
        m, d, y = a, b, c
    else:
        d, m, y = a, b, c
    if y < 100:
        y += 2000
    try:
        return date(y, m, d)
    except ValueError:
        return None


def decide(seq: list[Parts], counts: dict[Parts, int]) -> tuple[DateOrder | None, DateOrderSource | None]:
    """The order the file proves, and how; (None, None) when it cannot tell.

    ``seq``: distinct dates in file order (consecutive repeats collapsed);
    ``counts``: message lines per distinct date."""
    if seq and all(p[3] for p in seq):
        return "ymd", "year_first"
    first = sum(n for p, n in counts.items() if not p[3] and p[0] > 12)
    second = sum(n for p, n in counts.items() if not p[3] and p[1] > 12)
    if first or second:
        return ("dmy" if first >= second else "mdy"), "day_over_12"
    back = {order: _steps_back(seq, order) for order in ("dmy", "mdy")}
    if back["dmy"] != back["mdy"]:
        return ("dmy" if back["dmy"] < back["mdy"] else "mdy"), "date_sequence"
    return None, None


def contradicts(order: DateOrder, counts: dict[Parts, int]) -> Parts | None:
    """A date the file holds that ``order`` cannot read while the other order can (the caller's
    choice is then wrong, not the file); None when the choice fits."""
    other: DateOrder = "mdy" if order == "dmy" else "dmy"
    for parts in counts:
        if not parts[3] and ymd(parts, order) is None and ymd(parts, other) is not None:
            return parts
    return None


def _steps_back(seq: list[Parts], order: DateOrder) -> int:
    steps, last = 0, None
    for parts in seq:
        day = ymd(parts, order)
        if day is None:
            steps += 1
            continue
        if last is not None and day < last:
            steps += 1
        last = day
    return steps


def likely(seq: list[Parts]) -> DateOrder | None:
    """The order suggested by which number changes more often (a hint, never proof)."""
    first = second = 0
    for prev, cur in zip(seq, seq[1:]):
        first += prev[0] != cur[0]
        second += prev[1] != cur[1]
    if first == second:
        return None
    return "dmy" if first > second else "mdy"
