"""From the export's wall-clock time to epoch seconds.

An export prints the exporting phone's local time without any offset, so the caller supplies
the zone: a ``tzinfo``, an IANA name ("America/Sao_Paulo") or a fixed offset in minutes east of
UTC (-180 for Brasília). With a zone that has daylight saving, a time that happened twice (the
hour repeated when clocks go back) is read as the first one, and a time that never happened
(the hour skipped) is read with the offset before the change, as Python's ``fold=0`` does.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo


def zone(tz: tzinfo | str | int) -> tzinfo:
    """A tzinfo from what the caller has. Raises ValueError for an unknown zone name."""
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, bool):
        raise ValueError("a time zone is a tzinfo, an IANA name or minutes east of UTC")
    if isinstance(tz, int):
        if not -16 * 60 <= tz <= 16 * 60:
            raise ValueError(f"UTC offset out of range: {tz} minutes")
        return timezone(timedelta(minutes=tz))
    if isinstance(tz, str):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # Pyodide ships tzdata only when asked

        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone: {tz!r}") from err
    raise ValueError("a time zone is a tzinfo, an IANA name or minutes east of UTC")


def to_epoch(local: datetime, tz: tzinfo | str | int) -> int:
    """Epoch seconds of an export's naive local time in ``tz``."""
    return int(local.replace(tzinfo=zone(tz), fold=0).timestamp())
