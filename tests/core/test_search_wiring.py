"""Search hears captures through the core's internal events: a captured message
is searchable once background indexing ran, and capture never waited for it."""

from __future__ import annotations

import asyncio


def batch(text: str, msg_id: str) -> dict:
    return {
        "chat": {"title": "Ana Souza", "header_testid": None, "composer_label": None, "jid": None},
        "nodes": [
            {
                "data_id": f"false_5511987654321@c.us_{msg_id}",
                "testid": None,
                "classes": ["message-in"],
                "pre_plain_text": "[10:54, 12/09/2025] Ana Souza: ",
                "text": text,
                "quoted": None,
                "icons": [],
                "labels": [],
                "testids": [],
                "has_media": False,
            }
        ],
        "hidden": False,
        "observed_at": 1757670000,
        "locale": "pt-BR",
        "utc_offset_min": -180,
    }


def test_captured_message_becomes_searchable_in_the_background(core):
    async def scenario():
        reply = await core.handle({"id": "1", "type": "capture.batch", "args": batch("Quero o orçamento da instalação", "3EB0AAAA1111"), "source": "content"})
        assert reply["ok"], reply
        await core.drain()
        found = await core.handle({"id": "2", "type": "search.messages", "args": {"q": "orcamento instalacao"}})
        assert [h["key"] for h in found["result"]["hits"]] == ["5511987654321@c.us|3EB0AAAA1111"]
        # a second capture invalidates what was cached for the same query
        await core.handle({"id": "3", "type": "capture.batch", "args": batch("Outro orçamento, por favor", "3EB0BBBB2222"), "source": "content"})
        await core.drain()
        again = await core.handle({"id": "4", "type": "search.messages", "args": {"q": "orcamento"}})
        assert {h["key"].split("|")[1] for h in again["result"]["hits"]} == {"3EB0AAAA1111", "3EB0BBBB2222"}

    asyncio.run(scenario())
