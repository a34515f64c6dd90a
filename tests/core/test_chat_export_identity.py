"""The identity of an exported message (the file has no ids): chat + minute + author +
normalised text, and an ordinal among equal ones. Re-importing gives the same ids; a later
export of the same chat keeps the ids of what it shares; a captured message meets its export."""

from __future__ import annotations

from datetime import datetime

from pycore.chat_export import (
    export_ids, identity, identity_id, identity_text, normalize_text, ordinals, parse_export, to_epoch,
)
from tests.chat_export import fixture
from tests.chat_export.generate import STYLES, make_corpus, pick_chat, render

CHAT = "5511987654321@c.us"


def test_normalised_text_ignores_marks_spacing_and_composition():
    composed = "Pedido de ação  confirmado\u00a0✅"
    decomposed = "\u200ePedido de ac\u0327a\u0303o\nconfirmado ✅ "
    assert normalize_text(composed) == normalize_text(decomposed) == "Pedido de ação confirmado ✅"
    assert normalize_text("OK") != normalize_text("ok")  # case is part of what was written


def test_media_and_deleted_are_tokens_whatever_their_caption():
    assert identity_text("media", "") == identity_text("image", "legenda") == identity_text("voice", "")
    assert identity_text("deleted", "") == identity_text("deleted", "x") != identity_text("media", "")
    assert identity_text("text", "") != identity_text("media", "")


def test_minute_author_text_make_the_identity():
    a = identity(CHAT, 1781380800, "me", "text", "ok")
    assert a == identity(CHAT, 1781380859, "me", "text", " ok ")  # same minute, seconds differ
    assert a != identity(CHAT, 1781380860, "me", "text", "ok")  # next minute
    assert a != identity(CHAT, 1781380800, "5511@c.us", "text", "ok")
    assert a != identity("120363000000000001@g.us", 1781380800, "me", "text", "ok")
    assert identity(CHAT, 0, None, "system", "x").author == ""


def test_the_same_text_twice_in_a_minute_is_two_messages():
    ok = identity(CHAT, 1781380800, "me", "text", "ok")
    other = identity(CHAT, 1781380800, "me", "text", "obrigado")
    seq = [ok, other, ok, ok]
    assert ordinals(seq) == [0, 0, 1, 2]
    ids = [identity_id(i, k) for i, k in zip(seq, ordinals(seq))]
    assert len(set(ids)) == 4 and all(x.startswith("exp-") and len(x) == 36 for x in ids)
    assert ids == [identity_id(i, k) for i, k in zip(seq, ordinals(seq))]  # stable


def test_reimporting_a_file_gives_the_same_ids():
    data = fixture("Conversa do WhatsApp com Clientes VIP.txt")
    first = export_ids("120363000000000001@g.us", parse_export(data, "a.txt").messages, -180)
    again = export_ids("120363000000000001@g.us", parse_export(data, "a.txt").messages, -180)
    assert first == again and len(set(first)) == len(first)


def test_a_later_export_keeps_the_ids_of_what_both_hold():
    corpus = make_corpus()
    export = render(corpus, pick_chat(corpus, "group"), STYLES["android_pt"], shift_days=40)
    lines = export.text.split("\n")
    cut = next(e.line for e in export.expected[150:] if e.kind == "text")  # an earlier export stopped here
    earlier = parse_export("\n".join(lines[: cut - 1]).encode() + b"\n", export.file_name)
    later = parse_export(export.data, export.file_name)
    old, new = export_ids("g@g.us", earlier.messages, -180), export_ids("g@g.us", later.messages, -180)
    assert len(old) < len(new) and new[: len(old)] == old


def test_a_captured_message_meets_its_export():
    data = ("12/06/2026 14:05 - Ana Souza: Oi! tudo bem?\n12/06/2026 14:05 - Loja Mettri: IMG-20260612-WA0001.jpg "
            "(arquivo anexado)\nsegue a foto\n12/06/2026 14:05 - Loja Mettri: ok\n12/06/2026 14:05 - Loja Mettri: ok\n")
    exported = parse_export(data.encode(), "x.txt").messages
    me = {"Loja Mettri": "me"}
    ids = export_ids(CHAT, exported, -180, author_of=lambda m: me.get(m.author, CHAT))
    ts = to_epoch(datetime(2026, 6, 12, 14, 5), -180)
    captured = [  # as capture stores them: epoch minute, its own author key, type, text with marks
        identity(CHAT, ts + 30, CHAT, "text", "Oi!  tudo bem?\u200e"),
        identity(CHAT, ts + 30, "me", "image", "segue a foto"),
        identity(CHAT, ts + 31, "me", "text", "ok"),
        identity(CHAT, ts + 40, "me", "text", "ok"),
    ]
    assert [identity_id(i, k) for i, k in zip(captured, ordinals(captured))] == ids
