"""messages.import stores a backup batch (validated per record, one sequence with
capture, known messages only moved forward) and search finds it; chat.open
turns a search hit into an event for the WhatsApp tab."""

from __future__ import annotations

import asyncio

from tests.core.test_search_wiring import batch


def rec(i: int, text: str, chat: str = "5511900000001@c.us", **kw) -> dict:
    return {"chat": chat, "id": f"IMP{i:05d}", "ts": 1_750_000_000 + i * 60, "direction": "in", "text": text,
            "chat_title": "Loja Aurora", **kw}


async def ask(core, type_, args, source="page"):
    return await core.handle({"id": "x", "type": type_, "args": args, "source": source})


def test_import_then_search_then_reimport_is_unchanged(core, events):
    async def scenario():
        records = [rec(i, f"pedido número {i} de orçamento") for i in range(30)]
        r = await ask(core, "messages.import", {"records": records})
        assert r["ok"], r
        assert (r["result"]["new"], r["result"]["updated"], r["result"]["unchanged"]) == (30, 0, 0)
        assert r["result"]["seq_to"] - r["result"]["seq_from"] == 29
        await core.drain()
        found = await ask(core, "search.messages", {"q": "numero 17 orcamento"})
        assert found["result"]["hits"][0]["key"] == "5511900000001@c.us|IMP00017"
        assert found["result"]["hits"][0]["chat_title"] == "Loja Aurora"
        again = await ask(core, "messages.import", {"records": records})
        assert (again["result"]["new"], again["result"]["unchanged"]) == (0, 30)
        chats = await ask(core, "chats.list", {})
        assert chats["result"]["chats"][0]["message_count"] == 30
        # an update moves a message forward (a tick), never back
        fwd = await ask(core, "messages.import", {"records": [rec(3, "pedido número 3 de orçamento", status="read", direction="out")]})
        assert fwd["result"]["updated"] == 1
        assert len(events.of("messages.imported")) == 2

    asyncio.run(scenario())


def test_import_and_capture_share_one_sequence(core):
    async def scenario():
        await ask(core, "messages.import", {"records": [rec(i, "x") for i in range(5)]})
        cap = await ask(core, "capture.batch", batch("depois do import", "3EB0CCCC3333"), source="content")
        assert cap["result"]["seq_from"] == 6
        imp = await ask(core, "messages.import", {"records": [rec(99, "y")]})
        assert imp["result"]["seq_from"] == 7

    asyncio.run(scenario())


def test_import_refuses_a_bad_record_and_content_scripts(core):
    async def scenario():
        bad = await ask(core, "messages.import", {"records": [rec(1, "ok"), {**rec(2, "x"), "direction": "sideways"}]})
        assert not bad["ok"] and bad["error"]["code"] == "invalid_args"
        assert bad["error"]["details"]  # says which record
        count = await core.storage.count("messages")
        assert count == 0  # nothing half-stored
        denied = await ask(core, "messages.import", {"records": [rec(1, "ok")]}, source="content")
        assert denied["error"]["code"] == "forbidden"

    asyncio.run(scenario())


def test_chat_open_emits_the_request_for_the_tab(core, events):
    async def scenario():
        await ask(core, "messages.import", {"records": [rec(1, "o boleto venceu")]})
        r = await ask(core, "chat.open", {"chat": "5511900000001@c.us", "message_key": "5511900000001@c.us|IMP00001"})
        assert r["ok"], r
        ev = events.of("chat.open_requested")[-1]
        assert ev == {"chat": "5511900000001@c.us", "title": "Loja Aurora", "find": ["Loja Aurora", "5511900000001"], "message_id": "IMP00001",
                      "ts": 1_750_000_060.0, "text": "o boleto venceu"}
        missing = await ask(core, "chat.open", {"chat": "5511900000001@c.us", "message_key": "5511900000001@c.us|NOPE"})
        assert missing["error"]["code"] == "not_found"

    asyncio.run(scenario())


def test_a_status_never_moves_back_when_captures_and_imports_interleave(core):
    """Captured as sent, imported as read, captured again as delivered: the record stays read.
    (The importer used to write around capture's record cache, and the stale cached "sent" let the
    later "delivered" sighting win.)"""
    from tests.core.test_capture_capturer import capture, node

    chat = "5511988887777@c.us"
    out = {"classes": ["message-out"], "labels": []}

    async def imported(status):
        return await ask(core, "messages.import", {"records": [
            {"chat": chat, "id": "3EB0AAAA0001", "ts": 1_780_000_000, "direction": "out", "text": "Seu pedido saiu",
             "status": status}]})

    mid = "true_5511988887777@c.us_3EB0AAAA0001"
    capture(core, [node(mid, "Seu pedido saiu", **out, icons=["msg-check"])])  # sent
    assert asyncio.run(imported("read"))["result"]["updated"] == 1
    capture(core, [node(mid, "Seu pedido saiu", **out, icons=["msg-dblcheck"])])  # delivered, seen later
    stored = asyncio.run(core.storage.get("messages", f"{chat}|3EB0AAAA0001"))
    assert stored["status"] == "read"
