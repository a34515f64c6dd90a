"""Every export format Mettri claims, generated from the replica's corpus with its ground truth,
reads back exactly: each message's line, local time, author, kind, text, raw text, attachment
and edited flag, plus the detected format, the chat's name, the authors and the zip's media."""

from __future__ import annotations

from collections import Counter

import pytest

from pycore.chat_export import parse_export
from tests.chat_export.generate import STYLES, make_corpus, pick_chat, render

CORPUS = make_corpus()
USER = pick_chat(CORPUS, "user")
GROUP = pick_chat(CORPUS, "group")
SMALL = pick_chat(CORPUS, "user", index=8)  # 39 messages over three days


def as_tuples(export):
    return [(m.line, m.local, m.author, m.kind, m.text, m.raw, m.media.name if m.media else None,
             m.media.type if m.media else None, m.edited) for m in export.messages]


@pytest.mark.parametrize("chat", [USER, GROUP], ids=["user", "group"])
@pytest.mark.parametrize("style", list(STYLES.values()), ids=list(STYLES))
def test_generated_export_reads_back_exactly(style, chat):
    export = render(CORPUS, chat, style, shift_days=40)  # July: days above 12 decide the order
    got = parse_export(export.data, export.file_name)
    assert as_tuples(got) == [tuple(e) for e in export.expected]
    fmt = got.format
    assert (fmt.platform, fmt.date_order, fmt.date_order_source) == (style.platform, style.date_order, "day_over_12")
    assert fmt.clock == style.clock
    assert fmt.seconds is (style.platform == "ios")
    assert fmt.year_digits == style.year_digits
    assert fmt.locale == style.locale
    assert fmt.encoding == style.encoding
    assert fmt.container == style.container
    assert got.chat_name == export.chat_name
    if style.container == "txt":
        assert got.chat_file == export.file_name
    else:
        assert got.chat_file == ("_chat.txt" if style.platform == "ios" else export.file_name[:-4] + ".txt")
    assert not got.needs_date_order and got.suspect_lines == []
    assert got.looks_like_group is (chat is GROUP)
    assert {a.name: a.count for a in got.authors} == Counter(e.author for e in export.expected if e.kind != "system")


def test_authors_most_messages_first_with_phones():
    unsaved = next(c for c in CORPUS["chats"] if c["kind"] == "user" and not c.get("name") and c["count"] >= 5)
    export = render(CORPUS, unsaved, STYLES["ios_pt"], shift_days=40)
    got = parse_export(export.data, export.file_name)
    digits = unsaved["id"].split("@")[0]
    assert got.chat_name == unsaved["phone"] and got.phone == digits
    counts = [a.count for a in got.authors]
    assert counts == sorted(counts, reverse=True) and sum(counts) == sum(1 for e in export.expected if e.kind != "system")
    them = next(a for a in got.authors if a.name == unsaved["phone"])
    assert them.phone == digits  # iOS wrote the number between direction marks; the name comes back clean
    me = next(a for a in got.authors if a.name == CORPUS["me"]["name"])
    assert me.phone is None


@pytest.mark.parametrize("name", ["android_pt_media_zip", "ios_pt_media", "ios_en_us", "android_es_12h"])
def test_zip_media_are_listed_linked_and_not_read_unless_asked(name):
    export = render(CORPUS, GROUP, STYLES[name], shift_days=40)
    got = parse_export(export.data, export.file_name)
    assert [a.name for a in got.attachments] == list(export.media_files) and export.media_files
    assert all(a.referenced and a.data is None and a.size > 0 for a in got.attachments)
    attached = [m for m in got.messages if m.media and m.media.name]
    assert len(attached) == len(export.media_files) and all(m.media.in_archive for m in attached)
    assert got.missing_attachments == []
    kept = parse_export(export.data, export.file_name, keep_media=True)
    assert {a.name: a.data for a in kept.attachments} == {n: b"mettri-test-media:" + n.encode() for n in export.media_files}


def test_zip_missing_some_media_says_which():
    import io
    import zipfile

    export = render(CORPUS, GROUP, STYLES["android_pt_media_zip"], shift_days=40)
    src = zipfile.ZipFile(io.BytesIO(export.data))
    dropped = export.media_files[0]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            if info.filename != dropped:
                out.writestr(info, src.read(info))
    got = parse_export(buf.getvalue(), export.file_name)
    assert got.missing_attachments == [dropped]
    assert [m.media.in_archive for m in got.messages if m.media and m.media.name == dropped] == [False]


def test_zip_without_media_lists_nothing():
    export = render(CORPUS, GROUP, STYLES["android_pt_zip_no_media"], shift_days=40)
    got = parse_export(export.data, export.file_name)
    assert got.attachments == [] and got.missing_attachments == []
    assert {m.media.type for m in got.messages if m.media} == {"unknown"}  # "<Mídia oculta>" says no more


@pytest.mark.parametrize("name", ["android_pt", "android_en_us", "ios_en_us", "ios_es", "android_pt_periods"])
def test_undecidable_dates_are_asked_once_then_read_with_the_answer(name):
    style = STYLES[name]
    export = render(CORPUS, SMALL, style, shift_days=-5)  # June 6-8: every number <= 12, always forward
    first = parse_export(export.data, export.file_name)
    assert first.needs_date_order and first.format.date_order_source == "assumed"
    assert 1 <= len(first.ambiguous_dates) <= 5 and all(d in export.text for d in first.ambiguous_dates)
    assert first.format.date_order == style.date_order  # the likelier order is offered as the default
    answered = parse_export(export.data, export.file_name, date_order=style.date_order)
    assert not answered.needs_date_order and answered.format.date_order_source == "caller"
    assert as_tuples(answered) == [tuple(e) for e in export.expected]
    other = "mdy" if style.date_order == "dmy" else "dmy"
    wrong = parse_export(export.data, export.file_name, date_order=other)  # the user's answer is obeyed
    assert [m.local.month for m in wrong.messages][-1] != export.expected[-1].local.month


def test_a_later_month_decides_the_order_by_the_sequence_of_dates():
    export = render(CORPUS, SMALL, STYLES["android_en_us"], shift_days=-5)
    lines = export.text.splitlines(keepends=True)
    # the same chat, and the next message dated one month later (7/2/26 under m/d/y)
    later = lines[-1].replace("6/8/26", "7/2/26", 1)
    got = parse_export((export.text + later).encode(), export.file_name)
    assert (got.format.date_order, got.format.date_order_source) == ("mdy", "date_sequence")
    assert not got.needs_date_order


def test_same_file_gives_the_same_result_twice():
    export = render(CORPUS, GROUP, STYLES["ios_pt_media"], shift_days=40)
    assert as_tuples(parse_export(export.data, export.file_name)) == as_tuples(parse_export(export.data, export.file_name))
    assert render(CORPUS, GROUP, STYLES["ios_pt_media"], shift_days=40).data == export.data  # the generator too
