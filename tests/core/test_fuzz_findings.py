"""One regression test per finding of the fuzzing run and the independent policy check (issue 10)."""

from __future__ import annotations

import asyncio
import json

from tests.core.conftest import call
from tests.core.test_capture_capturer import capture, listed, node


def handle_text(core, text: str) -> dict:
    return json.loads(asyncio.run(core.handle_json(text)))


def test_json_nested_a_thousand_deep_gets_a_structured_reply(core):
    for depth in (1000, 5000):  # CPython refuses these depths; Python 3.14 (Pyodide) reads them: either way a reply
        for text in ("[" * depth + "]" * depth, '{"id":"n","type":"core.ping","args":' + '{"a":' * depth + "1" + "}" * (depth + 1)):
            reply = handle_text(core, text)
            assert reply["ok"] is False and reply["error"]["code"] in ("invalid_message", "invalid_args"), reply
    assert call(core, "core.ping")["ok"]


def test_error_replies_always_carry_an_id(core):
    for text in ['{"type": "core.ping"}', "[]", '{"id": 7, "type": "core.ping"}', "not json"]:
        reply = handle_text(core, text)
        assert "id" in reply and reply["id"] is None and reply["ok"] is False


def test_a_poisoned_selector_override_is_refused_and_never_breaks_selectors_get(core):
    deep: list = []
    for _ in range(256):
        deep = [deep]
    for features in ({"app": {"purpose": "x", "candidates": [{"css": "#app"}], "weird": deep}},
                     {"app\ud800": {"purpose": "\ud800", "candidates": [{"css": "#a\udfff"}]}}):
        table = {"version": 1, "generations": {}, "classes": [], "features": features}
        text = json.dumps({"id": "o", "type": "selectors.override", "args": {"table": table}})
        handle_text(core, text)  # refused, or stored cleaned
        got = call(core, "selectors.get")
        assert got["ok"], got
        json.dumps(got, ensure_ascii=False).encode("utf-8")  # nothing unencodable came back


def test_non_finite_numbers_are_refused_and_never_stored(core):
    for bad in ('{"id":"a","type":"send.request","args":{"chat":"5511@c.us","text":"oi","scheduled_at":1e400}}',
                '{"id":"b","type":"send.request","args":{"chat":"5511@c.us","text":"oi","scheduled_at":Infinity}}',
                '{"id":"c","type":"send.request","args":{"chat":"5511@c.us","text":"oi","scheduled_at":NaN}}'):
        reply = handle_text(core, bad)
        assert reply["ok"] is False and reply["error"]["code"] == "invalid_message"
    assert call(core, "send.request", {"chat": "5511@c.us", "text": "oi", "scheduled_at": float("inf")})["error"]["code"] == "invalid_args"
    out = asyncio.run(core.handle_json('{"id":"l","type":"outbox.list","args":{}}'))
    assert json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))["ok"]


def test_a_lone_surrogate_in_a_row_never_sinks_its_batch(core):
    batch = {"chat": {"title": "Ana \ud83d"}, "nodes": [
        {"data_id": "false_5511987654321@c.us_3EB0AA01", "pre_plain_text": "[10:01, 03/07/2026] Ana: ", "text": "oi \ud83d"},
        {"data_id": "false_5511987654321@c.us_3EB0AA02", "pre_plain_text": "[10:02, 03/07/2026] Ana: ", "text": "tudo bem?"},
    ], "observed_at": 1.0, "locale": "pt-BR"}
    reply = handle_text(core, json.dumps({"id": "s", "type": "capture.batch", "args": batch, "source": "content"}))
    assert reply["ok"] and reply["result"]["new"] == 2, reply
    texts = [m["text"] for m in listed(core, "5511987654321@c.us", order_by="seq", newest_first=False)["messages"]]
    assert texts == ["oi \ufffd", "tudo bem?"]


def test_a_title_of_500_characters_gives_a_listable_and_sendable_chat(core):
    title = "N" * 510
    res = capture(core, [node("3B6637D11A63081B8712", "olá")], chat={"title": title})
    assert len(res["chat"]) <= 256
    assert listed(core, res["chat"])["messages"][0]["text"] == "olá"
    sent = call(core, "send.request", {"chat": res["chat"], "text": "Oi, tudo certo?"})
    assert sent["ok"], sent


def test_health_counts_go_to_each_rows_own_chat(core):
    rows = [node("false_5511911111111@c.us_3EB0AA01", "um"), node("false_5511922222222@c.us_3EB0AA02", "dois"),
            node("false_5511922222222@c.us_3EB0AA03", "três")]
    capture(core, rows)
    health = {h["chat"]: h for h in call(core, "capture.health", {})["result"]["chats"]}
    assert health["5511911111111@c.us"]["count"] == 1 and health["5511922222222@c.us"]["count"] == 2
    assert health["5511922222222@c.us"]["nodes_seen"] == 2


def test_no_job_is_handed_out_while_whatsapp_reconnects(core):
    assert call(core, "send.request", {"chat": "5511@c.us", "text": "Seu pedido chegou"})["ok"]
    report = {"tab_id": "7", "logged_in": True, "observed_at": 1.0}
    call(core, "connection.report", report, source="content")
    call(core, "connection.report", {**report, "offline": True}, source="content")
    nxt = call(core, "sender.next", {}, source="content")["result"]
    assert nxt["job"] is None and nxt["wait_code"] == "whatsapp_offline" and nxt["retry_in"] > 0
    call(core, "connection.report", report, source="content")
    assert call(core, "sender.next", {}, source="content")["result"]["wait_code"] != "whatsapp_offline"


def test_the_bulk_rule_counts_the_same_promo_typed_by_hand(core, clock):
    promo = "Promoção de hoje: 20% de desconto em todas as pizzas grandes!"
    for i in range(10):  # typed by hand in WhatsApp to ten people: captured as outgoing messages
        chat = f"55119000000{i:02d}@c.us"
        capture(core, [node(f"true_{chat}_3EB0BB{i:02d}", promo, classes=["message-out"])], chat={"title": f"C{i}"})
    asyncio.run(core.storage.put("contacts", {"key": "5511999999999@c.us", "title": "Zé", "kind": "saved"}))
    decision = call(core, "send.request", {"chat": "5511999999999@c.us", "text": promo})["result"]["decision"]
    assert (decision["verdict"], decision["code"]) == ("block", "bulk_identical")
