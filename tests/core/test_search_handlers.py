"""The search.* commands through the bridge, as the JS side calls them."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from pycore.protocol.records import MessageRecord
from tests.core.conftest import call
from tests.core.test_search_support import ANA, NOW


def store(core, *texts, start_seq=1, **fields):
    recs = [
        MessageRecord(key=f"{ANA}|m{start_seq + i}", chat=ANA, id=f"m{start_seq + i}", seq=start_seq + i,
                      ts=NOW - i * 60, direction="in", text=t, first_seen=NOW, last_seen=NOW, **fields).model_dump()
        for i, t in enumerate(texts)
    ]
    asyncio.run(core.storage.put_many("messages", recs))


def ok(reply):
    assert reply["ok"], reply
    return reply["result"]


def test_messages_found_after_capture_and_reindex(core):
    asyncio.run(core.storage.put("chats", {"key": ANA, "title": "Ana Souza"}))
    store(core, "Pagamento confirmado via pix", "Ação de natal")
    assert ok(call(core, "search.messages", {"q": "pix"}))["hits"] == []
    run = ok(call(core, "search.reindex", {"max_records": 100}))
    assert run["indexed"] == 2 and run["last_seq"] == 2 and run["pending"] == 0
    res = ok(call(core, "search.messages", {"q": "acao", "filters": {"chat_name": "ana"}, "limit": 5}))
    assert res["total"] == 1 and res["total_exact"] and res["took_ms"] >= 0 and res["indexed_seq"] == 2
    hit = res["hits"][0]
    assert hit["chat_title"] == "Ana Souza" and hit["snippet"][0] == {"text": "Ação", "hit": True}


def test_catch_up_through_the_engine(core):
    store(core, "boleto vencido")
    assert asyncio.run(core.features.search.catch_up(10)) == 1
    assert ok(call(core, "search.messages", {"q": "boleto"}))["total"] == 1


def test_status_reports_index_and_snapshot(core):
    store(core, "um", "dois", "três")
    st0 = ok(call(core, "search.status"))
    assert (st0["indexed"], st0["pending"], st0["snapshot"], st0["started_from"]) == (0, 3, None, "empty")
    ok(call(core, "search.reindex"))
    st1 = ok(call(core, "search.status"))
    assert (st1["indexed"], st1["last_seq"], st1["pending"]) == (3, 3, 0)
    assert st1["snapshot"]["seq"] == 3 and st1["snapshot"]["bytes"] > 0


def test_rebuild_emits_progress(core, events):
    store(core, *[f"mensagem {i}" for i in range(5)])
    res = ok(call(core, "search.rebuild"))
    assert res["indexed"] == 5 and res["snapshot_saved"]
    prog = events.of("search.progress")
    assert prog[0] == {"done": 0, "total": 5} and prog[-1] == {"done": 5, "total": 5}


def test_contacts_command(core):
    asyncio.run(core.storage.put("chats", {"key": ANA, "title": "Ana Souza"}))
    ok(call(core, "search.reindex"))
    res = ok(call(core, "search.contacts", {"q": "987654321"}))
    assert [(h["key"], h["matched"], h["number"]) for h in res["hits"]] == [(ANA, "number", "5511987654321")]


def test_bad_arguments_are_rejected(core):
    assert call(core, "search.messages", {"q": "x", "limit": 0})["error"]["code"] == "invalid_args"
    assert call(core, "search.messages", {"filters": {"types": ["gif"]}})["error"]["code"] == "invalid_args"
    assert call(core, "search.contacts", {"q": ""})["error"]["code"] == "invalid_args"


def _world():
    from tests.core.test_search_support import World

    w = World()
    w.add('a b "NEAR" OR AND NOT ção', "ab ba aa bb", "não", "a_b c:d (x) {y} ^z -w")
    w.catch_up()
    return w


WORLD = _world()
PIECES = list('ab "*^-:()+{}\'_\n') + ["ção", "ã", "NEAR", "OR", "AND", "NOT", "text:", "NEAR/2"]


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.sampled_from(PIECES), max_size=12))
def test_any_text_is_a_valid_query(parts):
    res = WORLD.search("".join(parts))
    assert res["total"] >= len(res["hits"])
    for h in res["hits"]:
        assert all(isinstance(s["text"], str) and isinstance(s["hit"], bool) for s in h["snippet"])
