"""Direction, type, ticks and author for rows of each DOM generation."""

import pytest

from pycore.capture.interpret import interpret, is_placeholder
from pycore.capture.protocol import ChatFacts, RawMessageNode

# Example facts as read-dom.js sends them, one per generation.
GEN_2024_IN = dict(
    data_id="false_5511987654321@c.us_3EB0C431C6C4A5B0F4",
    classes=["message-in", "focusable-list-item"],
    pre_plain_text="[10:54 PM, 12/9/2025] Maria: ",
    text="Oi, tudo bem? 😀",
    icons=["tail-in"],
    labels=["Maria:"],
)
GEN_2024_OUT = dict(
    data_id="true_5511987654321@c.us_3EB0AA11BB22CC33",
    classes=["message-out", "focusable-list-item"],
    pre_plain_text="[10:55 PM, 12/9/2025] Loja: ",
    text="Tudo ótimo!",
    icons=["tail-out", "msg-dblcheck"],
    labels=["You:", " Read "],
)
GEN_LATE_2025_GROUP = dict(
    data_id="false_120363025246125486@g.us_3A1B2C3D4E5F_189025889575055@lid",
    classes=["message-in"],
    pre_plain_text="[15:06, 03/07/2026] +55 37 9922-7293: ",
    text="Bom dia grupo",
    icons=["forward-refreshed"],
    labels=["Forwarded", "Mensagem citada"],
    quoted="Alguém tem o catálogo?",
)
GEN_2026_OUT = dict(
    data_id="3B6637D11A63081B8712",
    testid="conv-msg-3B6637D11A63081B8712",
    pre_plain_text="[8:19 PM, 6/13/2026] bundaa: ",
    text="ok",
    icons=[],
    labels=["Você:", " Entregue "],
)
GEN_2026_IN_NO_TAIL = dict(testid="conv-msg-3A9F00AA11BB22CC33DD", pre_plain_text="[8:20 PM, 6/13/2026] Zé: ", text="valeu")


def run(facts, chat="title:Zé", locale="en"):
    return interpret(RawMessageNode(**facts), chat, locale=locale)


def test_2024_incoming():
    it = run(GEN_2024_IN)
    assert it.chat == "5511987654321@c.us" and it.key == "5511987654321@c.us|3EB0C431C6C4A5B0F4"
    f = it.fields
    assert (f["direction"], f["type"], f["author"], f["author_jid"], f["status"]) == (
        "in", "text", "Maria", "5511987654321@c.us", None
    )
    assert it.clean


def test_2024_outgoing_read_label_beats_dblcheck_icon():
    f = run(GEN_2024_OUT).fields
    assert (f["direction"], f["status"], f["author_jid"]) == ("out", "read", None)


def test_late_2025_group_with_lid_author_forwarded_and_quoted():
    f = run(GEN_LATE_2025_GROUP, locale="pt-BR").fields
    assert f["chat"] == "120363025246125486@g.us"
    assert f["author"] == "+55 37 9922-7293" and f["author_jid"] == "189025889575055@lid"
    assert f["forwarded"] and f["quoted"] == "Alguém tem o catálogo?"


def test_2026_bare_id_uses_batch_chat_and_localized_labels():
    it = run(GEN_2026_OUT, chat="title:bundaa")
    assert it.key == "title:bundaa|3B6637D11A63081B8712"
    assert (it.fields["direction"], it.fields["status"]) == ("out", "delivered")


def test_2026_incoming_without_any_direction_mark():
    f = run(GEN_2026_IN_NO_TAIL).fields
    assert (f["direction"], f["type"], f["status"]) == ("in", "text", None)


@pytest.mark.parametrize(
    "extra, direction",
    [
        ({"icons": ["tail-out"]}, "out"),
        ({"icons": ["tail-in"]}, "in"),
        ({"classes": ["message-out"]}, "out"),
        ({"labels": ["You:"]}, "out"),
        ({"labels": ["Você:"]}, "out"),
        ({"icons": ["msg-time"]}, "out"),
        ({"labels": ["wds-ic-read"]}, "out"),
    ],
)
def test_direction_evidence(extra, direction):
    assert run({"data_id": "3B6637D11A63081B8712", "text": "x", **extra}).fields["direction"] == direction


@pytest.mark.parametrize(
    "marks, status",
    [
        ({"icons": ["msg-time"]}, "pending"),
        ({"icons": ["msg-check"]}, "sent"),
        ({"icons": ["msg-dblcheck"]}, "delivered"),
        ({"labels": [" Pending "]}, "pending"),
        ({"labels": [" Sent "]}, "sent"),
        ({"labels": [" Delivered "]}, "delivered"),
        ({"labels": [" Read "]}, "read"),
        ({"labels": ["Pendente"]}, "pending"),
        ({"labels": ["Enviada"]}, "sent"),
        ({"labels": ["Entregue"]}, "delivered"),
        ({"labels": ["Lida"]}, "read"),
        ({"labels": [" Letto "]}, "read"),
        ({"labels": ["wds-ic-delivered"]}, "delivered"),
        ({"labels": ["wds-ic-read"]}, "read"),
    ],
)
def test_ticks(marks, status):
    assert run({"data_id": "true_1@c.us_3EB0", "text": "x", **marks}).fields["status"] == status


def test_status_only_on_own_messages():
    f = run({"data_id": "false_1@c.us_3EB0", "text": "x", "labels": ["Read"]}).fields
    assert f["direction"] == "in" and f["status"] is None


@pytest.mark.parametrize(
    "facts, mtype",
    [
        ({"icons": ["ptt-status"]}, "voice"),
        ({"labels": ["Play voice message"], "icons": ["audio-play"]}, "voice"),
        ({"labels": ["Mensagem de voz"]}, "voice"),
        ({"labels": ["Open picture"], "has_media": True}, "image"),
        ({"testids": ["image-thumb"]}, "image"),
        ({"has_media": True, "text": "legenda"}, "image"),
        ({"icons": ["document-PDF-icon"], "text": "nota.pdf"}, "document"),
        ({"labels": ["Figurinha"]}, "sticker"),
        ({"labels": ["Play video"]}, "video"),
        ({"labels": ["This message was deleted"], "text": "This message was deleted"}, "deleted"),
        ({"labels": ["Você apagou esta mensagem"]}, "deleted"),
        ({"text": "hello"}, "text"),
    ],
)
def test_types(facts, mtype):
    assert run({"data_id": "false_1@c.us_3EB0", **facts}).fields["type"] == mtype


def test_deleted_keeps_no_text():
    f = run({"data_id": "false_1@c.us_3EB0", "labels": ["This message was deleted"], "text": "secret"}).fields
    assert f["text"] == "" and f["quoted"] is None


def test_system_row_has_no_direction_and_no_content():
    it = run({"data_id": "false_120363@g.us_3EB0AB_5511@c.us"})
    assert it.fields["direction"] == "in"  # serialized ids always say fromMe: content-less, but not system
    sys_row = run({"data_id": "3B6637D11A63081B8712"})
    assert (sys_row.fields["direction"], sys_row.fields["type"]) == ("system", "system")


def test_unknown_shapes_and_issues():
    assert interpret(RawMessageNode(data_id="weird", text="x"), "title:a") is None
    assert interpret(RawMessageNode(), "title:a") is None
    bad = run({"data_id": "3B6637D11A63081B8712", "pre_plain_text": "[99:99, 1/1/2026] A: ", "text": "x"})
    assert bad.issues == ["bad_pre_plain_text"] and not bad.clean and bad.fields["ts"] is None


def test_a_row_with_an_id_but_nothing_a_bubble_has_is_a_system_row():
    node = RawMessageNode(data_id="false_120363040000000001@g.us_3EB0FFEE0011", texts=["Ana mudou a descrição"])
    it = interpret(node, "120363040000000001@g.us")
    assert (it.fields["direction"], it.fields["type"], it.clean) == ("system", "system", True)
    assert it.fields["text"] == "Ana mudou a descrição"
    assert is_placeholder(RawMessageNode(data_id=node.data_id))  # with nothing at all it is not even that
    # An unknown bubble (a poll, say) has icons or labels: it stays unknown, not system.
    poll = RawMessageNode(data_id="false_5511987654321@c.us_3EB0AB", icons=["poll"], labels=["Poll"])
    assert interpret(poll, "5511987654321@c.us").fields["type"] == "unknown"
