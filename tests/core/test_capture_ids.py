"""Every message-id format WhatsApp Web has used parses into chat, id, author and direction."""

import pytest

from pycore.msgids import jid_kind, parse_id, parse_node_id
from pycore.chatkey import phone_jid


@pytest.mark.parametrize(
    "raw, chat, mid, from_me, participant",
    [
        ("false_5511987654321@c.us_3EB0C431C6C4A5B0F4", "5511987654321@c.us", "3EB0C431C6C4A5B0F4", False, None),
        ("true_5511987654321@c.us_3EB0AA11BB22", "5511987654321@c.us", "3EB0AA11BB22", True, None),
        ("true_189025889575055@lid_3EB0F00D", "189025889575055@lid", "3EB0F00D", True, None),
        (
            "false_120363025246125486@g.us_3A1B2C3D4E_5511912345678@c.us",
            "120363025246125486@g.us", "3A1B2C3D4E", False, "5511912345678@c.us",
        ),
        (
            "false_120363025246125486@g.us_3EB0ABCDEF_189025889575055@lid",
            "120363025246125486@g.us", "3EB0ABCDEF", False, "189025889575055@lid",
        ),
        ("false_972501234567-1416170171@g.us_3EB0DEAD_972509999999@c.us",
         "972501234567-1416170171@g.us", "3EB0DEAD", False, "972509999999@c.us"),
        ("false_120363199999999999@newsletter_3EB0CAFE", "120363199999999999@newsletter", "3EB0CAFE", False, None),
        ("false_status@broadcast_3EB0BEEF_5511912345678@c.us", "status@broadcast", "3EB0BEEF", False,
         "5511912345678@c.us"),
    ],
)
def test_serialized_ids(raw, chat, mid, from_me, participant):
    got = parse_id(raw)
    assert (got.chat, got.id, got.from_me, got.participant, got.format) == (chat, mid, from_me, participant, "serialized")


def test_group_flag_and_kinds():
    assert parse_id("false_972501234567-1416170171@g.us_3EB0DEAD_972509999999@c.us").is_group
    assert not parse_id("true_189025889575055@lid_3EB0F00D").is_group
    assert [jid_kind(j) for j in ("1@c.us", "1@lid", "1@g.us", "1@newsletter", "status@broadcast", "x@y")] == [
        "user", "lid", "group", "newsletter", "broadcast", "unknown"
    ]


@pytest.mark.parametrize("bare", ["3B6637D11A63081B8712", "A" * 32, "3EB0C431C6C4A5B0F4AB"])
def test_bare_2026_ids_from_data_id_or_testid(bare):
    for got in (parse_node_id(bare, None), parse_node_id(None, f"conv-msg-{bare}")):
        assert (got.id, got.chat, got.from_me, got.format) == (bare, None, None, "bare")


@pytest.mark.parametrize(
    "raw", [None, "", "hello", "A" * 19, "A" * 33, "maybe_5511@c.us_3EB0", "false_5511@c.us_", "false_5511@x.y_3EB0",
            "3B66-37D1-1A63-081B-8712"]
)
def test_not_ids(raw):
    assert parse_id(raw) is None
    assert parse_node_id(raw, "conv-msg-") is None


def test_testid_only_used_with_its_prefix():
    assert parse_node_id(None, "3B6637D11A63081B8712") is None
    assert parse_node_id("false_5511987654321@c.us_3EB0AA", "conv-msg-3B6637D11A63081B8712").id == "3EB0AA"


@pytest.mark.parametrize(
    "text, jid",
    [("+55 37 9922-7293", "553799227293@c.us"), ("\u202a+1 (415) 555-0100\u202c", "14155550100@c.us"),
     ("bundaa", None), ("~ Maria", None), ("123", None), (None, None)],
)
def test_phone_jid(text, jid):
    assert phone_jid(text) == jid
