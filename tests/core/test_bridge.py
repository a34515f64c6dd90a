"""The bridge answers everything with a structured reply and never stops."""

import json

import pytest

from tests.core.conftest import call


def test_ping_round_trip(core, clock):
    reply = call(core, "core.ping", {"echo": "olá"})
    assert reply == {
        "id": "t1",
        "ok": True,
        "result": {"echo": "olá", "core_version": "0.1.0", "protocol_version": 1, "now": clock.now()},
    }


@pytest.mark.parametrize(
    "raw, code",
    [
        ("not json{", "invalid_message"),
        ("[1,2]", "invalid_message"),
        (42, "invalid_message"),
        ({"type": "core.ping"}, "invalid_message"),  # no id
        ({"id": "", "type": "core.ping"}, "invalid_message"),
        ({"id": "x", "type": "core.ping", "args": [], "source": "page"}, "invalid_message"),
        ({"id": "x", "type": "core.ping", "source": "evil"}, "invalid_message"),
        ({"id": "x", "type": "nope.nothing"}, "unknown_command"),
        ({"id": "x", "type": "core.ping", "args": {"echo": 5}}, "invalid_args"),
        ({"id": "x", "type": "core.ping", "args": {"unexpected": 1}}, "invalid_args"),
    ],
)
def test_malformed_messages_get_structured_errors(core, raw, code):
    import asyncio

    reply = asyncio.run(core.handle(raw))
    assert reply["ok"] is False
    assert reply["error"]["code"] == code
    assert reply["error"]["message"]
    # the core keeps serving afterwards
    assert call(core, "core.ping")["ok"] is True


def test_invalid_args_name_the_field(core):
    reply = call(core, "core.ping", {"echo": 5})
    assert reply["error"]["details"][0]["loc"] == "echo"


def test_handle_json_is_json(core):
    import asyncio

    out = asyncio.run(core.handle_json(json.dumps({"id": "a", "type": "core.status"})))
    data = json.loads(out)
    assert data["ok"] and data["result"]["schema_version"] >= 1
    assert "core.ping" in data["result"]["commands"]


def test_a_reply_is_ascii_text_that_reads_back_whole(core):
    # Escaped, a reply crosses from Pyodide to JavaScript in one copy; a str holding accents or emoji
    # is copied character by character (71-117 ms for 700,000 characters). A lone surrogate made by
    # the core itself is escaped too (JSON.parse reads it back; raw, the text would not encode).
    import asyncio

    from pycore.bridge import dumps

    echo = "Olá, preço “ok” 😀 fim"
    out = asyncio.run(core.handle_json(json.dumps({"id": "a", "type": "core.ping", "args": {"echo": echo}})))
    assert out.isascii()
    assert json.loads(out)["result"]["echo"] == echo
    lone = dumps({"id": "b", "ok": True, "result": {"text": "a\ud800b"}})
    assert lone.isascii() and json.loads(lone)["result"]["text"] == "a\ud800b"


def test_handler_crash_is_internal_error_and_core_survives():
    import asyncio

    from pycore.bridge import Dispatcher
    from pycore.protocol import system

    async def boom(cmd):
        raise RuntimeError("kaput")

    async def ok(cmd):
        return system.StatusResult(core_version="", protocol_version=1, python="", schema_version=1, counts={}, commands=[])

    d = Dispatcher()
    d.on(system.Ping, boom)
    d.on(system.Status, ok)
    reply = asyncio.run(d.handle({"id": "t1", "type": "core.ping"}))
    assert reply["error"] == {"code": "internal_error", "message": "RuntimeError: kaput", "details": []}
    assert asyncio.run(d.handle({"id": "t2", "type": "core.status"}))["ok"]


def test_handlers_see_the_stamped_source_and_tab():
    import asyncio

    from pycore.bridge import Dispatcher, current_request
    from pycore.protocol import system

    seen = []

    async def spy(cmd):
        seen.append((current_request().source, current_request().tab_id))
        return system.PingResult(echo="", core_version="", protocol_version=1, now=0)

    d = Dispatcher()
    d.on(system.Ping, spy)
    asyncio.run(d.handle({"id": "a", "type": "core.ping", "source": "content", "tab_id": 7}))
    assert seen == [("content", 7)]
    assert current_request() is None
