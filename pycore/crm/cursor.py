"""The (time, id) cursor that pages a record's notes and its timeline, newest first."""

from __future__ import annotations

from pycore.crm.texts import fail


def cursor_at(ts: float, ident: str) -> str:
    # repr keeps every digit of the float, so the next page starts exactly after this item
    return f"{ts!r}|{ident}"


def parse_cursor(cursor: str | None) -> tuple[float, str] | None:
    """The (time, id) a page starts after; None for the first page. A cursor this core did not
    make is refused: starting over would show the first page again as if it were the next."""
    if not cursor:
        return None
    ts, _, ident = cursor.partition("|")
    try:
        return float(ts), ident
    except ValueError:
        raise fail("invalid_args", "bad_cursor") from None
