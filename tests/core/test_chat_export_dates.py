"""Reading an export's times (12/24 h, every am/pm spelling, day periods) and deciding the date
order from the whole file; turning the naive local time into epoch seconds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pycore.chat_export import parse_export, to_epoch
from pycore.chat_export.dates import decide, likely, split_date
from pycore.chat_export.header import read_time

NN, NB = "\u202f", "\u00a0"


@pytest.mark.parametrize("raw, hms, twelve", [
    ("09:15", (9, 15, 0), False), ("9.15", (9, 15, 0), False), ("21:25:15", (21, 25, 15), False),
    ("9:15 AM", (9, 15, 0), True), (f"9:15{NN}PM", (21, 15, 0), True), ("12:00 AM", (0, 0, 0), True),
    ("12:30 PM", (12, 30, 0), True), ("1:55 p.m.", (13, 55, 0), True), (f"1:55 p.{NB}m.", (13, 55, 0), True),
    (f"1:55{NN}a.{NB}m.", (1, 55, 0), True), ("1:55 pm", (13, 55, 0), True), ("11:05:09 PM", (23, 5, 9), True),
    ("2:30 da tarde", (14, 30, 0), True), ("12:05 da madrugada", (0, 5, 0), True), ("9:00 da manhã", (9, 0, 0), True),
    ("8:15 da noite", (20, 15, 0), True), ("9:15 de la mañana", (9, 15, 0), True), ("8:00 de la noche", (20, 0, 0), True),
    ("12:10 del mediodía", (12, 10, 0), True),
])
def test_times(raw, hms, twelve):
    got, is12, _, _ = read_time(raw)
    assert (got, is12) == (hms, twelve)


@pytest.mark.parametrize("raw", ["25:00", "13:00 PM", "10:60", "10:10:61"])
def test_impossible_times(raw):
    assert read_time(raw)[0] is None


def parts(*dates: str):
    return [split_date(d, "/") for d in dates]


def counts(seq):
    out = {}
    for p in seq:
        out[p] = out.get(p, 0) + 1
    return out


@pytest.mark.parametrize("dates, want", [
    (("01/02/2024", "13/02/2024"), ("dmy", "day_over_12")),
    (("02/01/2024", "02/13/2024"), ("mdy", "day_over_12")),
    (("11/05/2024", "12/05/2024", "01/06/2024"), ("dmy", "date_sequence")),
    (("05/11/2024", "05/12/2024", "06/01/2024"), ("mdy", "date_sequence")),
    (("03/04/2024", "05/04/2024"), (None, None)),
    (("2024/03/04", "2024/03/05"), ("ymd", "year_first")),
])
def test_decide(dates, want):
    seq = parts(*dates)
    assert decide(seq, counts(seq)) == want


def test_conflicting_days_over_12_keep_the_majority():
    seq = parts("13/01/2024", "14/01/2024", "15/01/2024", "01/13/2024")
    assert decide(seq, counts(seq)) == ("dmy", "day_over_12")


def test_likely_order_is_the_number_that_changes_more():
    assert likely(parts("03/04/2024", "04/04/2024", "05/04/2024")) == "dmy"
    assert likely(parts("04/03/2024", "04/04/2024", "04/05/2024")) == "mdy"
    assert likely(parts("03/04/2024")) is None


def test_a_pasted_line_in_the_other_order_stays_text_and_is_reported():
    text = "13/01/2024 10:00 - Ana: oi\n14/01/2024 10:00 - Ana: veja\n01/13/2024 10:00 - Bob: colado\n15/01/2024 10:00 - Ana: ok\n"
    got = parse_export(text.encode(), "x.txt")
    assert [m.text for m in got.messages] == ["oi", "veja\n01/13/2024 10:00 - Bob: colado", "ok"]
    assert got.suspect_lines == [3]


def test_every_date_reading_the_same_both_ways_needs_no_question():
    got = parse_export(b"05/05/2024 10:00 - Ana: oi\n05/05/2024 10:01 - Bob: ola\n", "x.txt")
    assert not got.needs_date_order and got.ambiguous_dates == []
    assert got.messages[0].local == datetime(2024, 5, 5, 10, 0)


def test_a_caller_order_is_obeyed_when_the_file_cannot_prove_it_wrong():
    got = parse_export(b"11/05/2024 10:00 - Ana: a\n12/05/2024 10:00 - Ana: b\n01/06/2024 10:00 - Ana: c\n", "x.txt",
                       date_order="mdy")
    assert got.format.date_order_source == "caller"
    assert [m.local.date().isoformat() for m in got.messages] == ["2024-11-05", "2024-12-05", "2024-01-06"]


def test_english_12h_without_other_clues_assumes_month_first():
    text = ("3/4/24, 9:14\u202fAM - Messages and calls are end-to-end encrypted. Tap to learn more.\n"
            "3/4/24, 9:15\u202fAM - Ana: Hi\n3/4/24, 9:16\u202fAM - Bob: Hello\n")
    got = parse_export(text.encode(), "x.txt")
    assert got.needs_date_order and (got.format.locale, got.format.date_order) == ("en", "mdy")
    assert got.messages[1].local == datetime(2024, 3, 4, 9, 15)
    unknown = parse_export(text.split("\n", 1)[1].encode(), "x.txt")  # "AM" alone says no language
    assert unknown.format.locale is None and unknown.format.date_order == "dmy"


def test_to_epoch():
    local = datetime(2026, 6, 13, 17, 0)
    assert to_epoch(local, -180) == 1781380800  # 17:00 in Brasília is 20:00 UTC
    assert to_epoch(local, timezone(timedelta(hours=-3))) == 1781380800
    assert to_epoch(local, 0) == 1781370000
    for bad in (True, 24 * 60, "Nowhere/Atlantis", 1.5):
        with pytest.raises(ValueError):
            to_epoch(local, bad)  # type: ignore[arg-type]
