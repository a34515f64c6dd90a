"""The FTS5 index on its own: time-ordered rowids, keys, replacing rows, query plans."""

from __future__ import annotations

import pytest

from pycore.search.index import SLOTS, Filters, Index, join_key, rowid_bound, split_key


def rec(key: str, ts: float | None, text: str, chat: str = "c@c.us") -> dict:
    return {"key": key, "chat": chat, "ts": ts, "direction": "in", "type": "text", "text": text, "first_seen": 5.0}


def test_rowid_order_is_time_order_even_when_history_arrives_late():
    ix = Index()
    ix.upsert([rec("c@c.us|new", 2000.0, "oi")], 1)
    ix.upsert([rec("c@c.us|old", 1000.0, "oi"), rec("c@c.us|same", 2000.0, "oi")], 3)
    rows = ix.newest('"oi"', Filters(), 10)
    keys = [ix.rows([r])[r]["key"] for r, _ in rows]
    assert keys == ["c@c.us|same", "c@c.us|new", "c@c.us|old"]
    assert rows[0][0] == 2000 * SLOTS + 1


def test_missing_ts_falls_back_to_first_seen_and_absurd_ts_is_clamped():
    ix = Index()
    ix.upsert([rec("c@c.us|a", None, "x"), rec("c@c.us|b", -50.0, "x"), rec("c@c.us|c", 1e30, "x")], 3)
    got = {r["key"]: r["ts"] for r in ix.rows([rid for rid, _ in ix.newest(None, Filters(), 5)]).values()}
    assert got["c@c.us|a"] == 5.0 and got["c@c.us|b"] == 0.0 and got["c@c.us|c"] < 2**63 / SLOTS


@pytest.mark.parametrize("key, chat", [("c@c.us|3EB0A", "c@c.us"), ("other|x", "c@c.us"), ("c@c.us|", "c@c.us"),
                                       ("\x01weird", "c"), ("c|a|b", "c")])
def test_key_split_and_join_round_trip(key, chat):
    assert join_key(chat, split_key(key, chat)) == key


def test_upsert_replaces_the_previous_version():
    ix = Index()
    ix.upsert([rec("c@c.us|1", 100.0, "texto antigo")], 1)
    ix.upsert([rec("c@c.us|1", 100.0, "texto novo")], 2)
    assert ix.count() == 1 and ix.seq == 2
    assert ix.newest('"antigo"', Filters(), 5) == [] and len(ix.newest('"novo"', Filters(), 5)) == 1


def test_same_id_in_another_chat_is_another_message():
    ix = Index()
    ix.upsert([rec("a@c.us|1", 100.0, "x", chat="a@c.us"), rec("b@c.us|1", 100.0, "x", chat="b@c.us")], 2)
    assert ix.count() == 2


def test_replacing_looks_the_id_up_by_its_index():
    ix = Index()
    plan = ix.conn.execute("EXPLAIN QUERY PLAN SELECT rowid FROM docs INDEXED BY docs_mid WHERE mid=? AND chat=?",
                           ("1", "c")).fetchall()
    assert "docs_mid" in plan[0][-1]


def test_text_queries_walk_hits_newest_first_without_sorting():
    ix = Index()
    for f in (Filters(), Filters(chats=("c",), lo=rowid_bound(1.0, False), hi=rowid_bound(9.0, True))):
        plan = " ".join(ix.plan('"x"', f))
        assert "TEMP B-TREE" not in plan, plan
