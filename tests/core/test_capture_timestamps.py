"""data-pre-plain-text in every locale shape: author and epoch seconds."""

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pycore.capture.timestamps import date_order, parse_pre_plain, parse_time


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    "raw, locale, author, when",
    [
        ("[8:19 PM, 6/13/2026] bundaa: ", "en", "bundaa", (2026, 6, 13, 20, 19)),
        ("[15:06, 03/07/2026] +55 37 9922-7293: ", "pt-BR", "+55 37 9922-7293", (2026, 7, 3, 15, 6)),
        ("[下午1:23, 2026年9月18日] Test: ", "zh-CN", "Test", (2026, 9, 18, 13, 23)),
        ("[上午12:05, 2026年1月2日] 王: ", "zh-TW", "王", (2026, 1, 2, 0, 5)),
        ("[12:30 AM, 1/2/2026] Ann: ", "en-US", "Ann", (2026, 1, 2, 0, 30)),
        ("[12:30 PM, 1/2/2026] Ann: ", "en-US", "Ann", (2026, 1, 2, 12, 30)),
        ("[10:54 PM, 12/9/2025] NAME: ", "en", "NAME", (2025, 12, 9, 22, 54)),
        ("[1:05 p. m., 9/2/2026] Luz: ", "es-US", "Luz", (2026, 9, 2, 13, 5)),
        ("[오후 1:23, 2026. 9. 18.] 민수: ", "ko", "민수", (2026, 9, 18, 13, 23)),
        ("[13.06, 3.7.2026] Matti: ", "fi", "Matti", (2026, 7, 3, 13, 6)),
        ("[09:15, 25/12/26] José: ", "pt-BR", "José", (2026, 12, 25, 9, 15)),
        ("[9:15 AM, 12/25/2026] Joe: ", "pt-BR", "Joe", (2026, 12, 25, 9, 15)),  # 25 > 12 beats the hint
        ("[18:00, 2026-03-04] Ana: Maria: ", "sv", "Ana: Maria", (2026, 3, 4, 18, 0)),
        ("[7:00 PM，3/4/2026] 李: ", "en", "李", (2026, 3, 4, 19, 0)),  # full-width comma
    ],
)
def test_locales(raw, locale, author, when):
    got = parse_pre_plain(raw, locale=locale)
    assert got.author == author
    assert got.ts == utc(*when)


def test_day_month_order_comes_from_locale_when_ambiguous():
    en = parse_pre_plain("[15:06, 03/07/2026] X: ", locale="en-US")
    pt = parse_pre_plain("[15:06, 03/07/2026] X: ", locale="pt-BR")
    assert en.ts == utc(2026, 3, 7, 15, 6) and pt.ts == utc(2026, 7, 3, 15, 6)
    assert en.ambiguous and pt.ambiguous
    assert not parse_pre_plain("[15:06, 13/07/2026] X: ", locale="en-US").ambiguous
    assert not parse_pre_plain("[15:06, 07/07/2026] X: ", locale="en-US").ambiguous


def test_utc_offset_converts_local_time():
    got = parse_pre_plain("[15:06, 03/07/2026] X: ", locale="pt-BR", utc_offset_min=-180)  # Brasília
    assert got.ts == utc(2026, 7, 3, 18, 6)


def test_date_order_hints():
    assert [date_order(x) for x in ("en", "en-US", "en_us", "pt-BR", "en-GB", None, "mdy", "ymd")] == [
        "mdy", "mdy", "mdy", "dmy", "dmy", "dmy", "mdy", "ymd"
    ]


@pytest.mark.parametrize("raw", [None, "", "hello", "8:19 PM, 6/13/2026 bundaa: ", "[8:19 PM] bundaa: "])
def test_not_the_shape(raw):
    assert parse_pre_plain(raw) is None


@pytest.mark.parametrize("raw", ["[25:99, 1/1/2026] A: ", "[10:00, 31/02/2026] A: ", "[10:00, 1/2] A: ", "[noon, 1/2/2026] A: "])
def test_shape_with_bad_parts_keeps_author_without_time(raw):
    got = parse_pre_plain(raw, locale="pt-BR")
    assert got.author == "A" and got.ts is None


def test_bidi_marks_stripped_from_author():
    assert parse_pre_plain("[15:06, 03/07/2026] \u202a+55 37 9922-7293\u202c: ").author == "+55 37 9922-7293"


@given(
    st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31)),
    st.sampled_from(["en-US", "pt-BR"]),
)
def test_round_trip_any_minute(dt, locale):
    dt = dt.replace(second=0, microsecond=0)
    if locale == "en-US":
        hour12 = dt.hour % 12 or 12
        raw = f"[{hour12}:{dt.minute:02d} {'PM' if dt.hour >= 12 else 'AM'}, {dt.month}/{dt.day}/{dt.year}] Zé: "
    else:
        raw = f"[{dt.hour:02d}:{dt.minute:02d}, {dt.day:02d}/{dt.month:02d}/{dt.year}] Zé: "
    assert parse_pre_plain(raw, locale=locale).ts == dt.replace(tzinfo=timezone.utc).timestamp()


def test_parse_time_markers():
    assert parse_time("晚上11:59") == (23, 59)
    assert parse_time("12:00 a.m.") == (0, 0)
    assert parse_time("7h30") == (7, 30)
