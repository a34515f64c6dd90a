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


def _chats_index(n_chats: int = 150, path: str | None = None) -> Index:
    ix = Index(path=path)
    recs = [rec(f"chat{i}@c.us|m{j}", 1000.0 + i * 10 + j, "pedido novo" if j % 2 else "outra coisa", chat=f"chat{i}@c.us")
            for i in range(n_chats) for j in range(4)]
    ix.upsert(recs, len(recs))
    return ix


@pytest.mark.parametrize("n", [1, 3, 99, 100, 101, 150])
def test_a_chat_filter_gives_the_same_hits_inside_fts_or_through_docs(monkeypatch, n):
    """Up to FTS_CHATS chats the filter runs inside FTS5, beyond through docs.chat: same answer either way."""
    import pycore.search.index as index_module

    ix = _chats_index()
    f = Filters(chats=tuple(f"chat{i}@c.us" for i in range(0, 2 * n, 2)) + ("unknown@c.us",))
    answers = []
    for threshold in (0, 10**6):
        monkeypatch.setattr(index_module, "FTS_CHATS", threshold)
        answers.append([r for r, _ in ix.newest('"pedido"', f, 1000)])
        assert ix.count_upto('"pedido"', f, 1000)[0] == len(answers[-1])
    assert answers[0] == answers[1]
    assert {ix.rows([r])[r]["chat"] for r in answers[0]} == {f"chat{i}@c.us" for i in range(0, min(2 * n, 150), 2)}
    assert len(answers[0]) == 2 * min(n, 75)


def test_a_filter_of_unknown_chats_matches_nothing():
    ix = _chats_index(3)
    assert ix.newest('"pedido"', Filters(chats=("nobody@c.us",)), 10) == []
    assert ix.newest(None, Filters(chats=()), 10) == []


def test_user_words_never_match_the_chat_tokens():
    """Chats travel as tokens like "c1" in a second FTS column; a user's "c1" must only find message text."""
    ix = _chats_index(3)
    ix.upsert([rec("chat0@c.us|x", 5000.0, "c1 c2 c3", chat="chat0@c.us")], 99)
    for word in ('"c1"', '"c1"*', '"c2" AND "c3"'):
        assert [ix.rows([r])[r]["text"] for r, _ in ix.newest(word, Filters(), 10)] == ["c1 c2 c3"]


@pytest.mark.parametrize("in_file", [False, True], ids=["memory", "file"])
def test_a_failed_batch_leaves_no_trace(in_file, tmp_path):
    """In memory, and in a database file (how Pyodide keeps it: the journal in memory rolls back)."""
    ix = _chats_index(2, str(tmp_path / "index.db") if in_file else None)
    assert (ix.path is not None) == in_file
    before = (ix.count(), ix.seq, ix.newest('"pedido"', Filters(chats=("chat1@c.us",)), 10))
    with pytest.raises(KeyError):
        ix.upsert([rec("new@c.us|1", 9000.0, "pedido", chat="new@c.us"), {"key": "broken"}], 500)
    assert (ix.count(), ix.seq, ix.newest('"pedido"', Filters(chats=("chat1@c.us",)), 10)) == before
    assert ix.newest('"pedido"', Filters(chats=("new@c.us",)), 10) == []
    ix.upsert([rec("new@c.us|1", 9000.0, "pedido", chat="new@c.us")], 501)  # the rolled-back chat is numbered again
    assert len(ix.newest('"pedido"', Filters(chats=("new@c.us",)), 10)) == 1


def test_a_long_prefix_is_spelled_out_as_its_words_and_finds_the_same_hits():
    """A prefix longer than FTS5's prefix indexes is sent as an OR of the words it starts (FTS5 would
    merge their whole doclists first: slow at 1M messages); the hits, their order and count stay."""
    from pycore.search.engine import SearchEngine
    from pycore.search.text import fts_expression, parse

    ix = Index()
    texts = ["entrega amanhã", "Entregamos hoje", "vão entregar", "sem entrega", "entregue", "entrada", "entre nós"]
    ix.upsert([rec(f"c@c.us|{i}", 1000.0 + i, t) for i, t in enumerate(texts)], len(texts))
    spelled = ix.prefix_words("entreg")
    assert spelled == ["entrega", "entregamos", "entregar", "entregue"]
    assert ix.prefix_words("ent") is None  # FTS5's own prefix index answers 2-3 letters
    assert ix.prefix_words("zzzz") is None  # nothing to spell: FTS5 finds nothing as fast
    query = parse("entreg")
    native, fast = fts_expression(query), fts_expression(query, expand=ix.prefix_words)
    assert native == '"entreg"*' and fast == '("entrega" OR "entregamos" OR "entregar" OR "entregue")'
    assert [r for r, _ in ix.newest(fast, Filters(), 10, rank=True)] == [r for r, _ in ix.newest(native, Filters(), 10, rank=True)]
    assert ix.count_upto(fast, Filters(), 100) == ix.count_upto(native, Filters(), 100) == (5, 1000 * SLOTS)
    assert SearchEngine._tiers(query, ix.prefix_words)[-1] == (0, fast)


def test_a_typed_word_that_starts_no_other_word_is_asked_once():
    """A last word typed in full, starting no other indexed word, is not asked again as a prefix
    (its partial tier would hold the exact tier's hits, at the cost of a second bm25 pass); the
    ranking, hits and total are those of asking it as a prefix too."""
    from pycore.search.engine import SearchEngine
    from pycore.search.text import parse

    ix = Index()
    texts = ["comprovante enviado", "segue o comprovante", "comprovantes do mês", "sem comprovante ainda",
             "o comprovante do pix", "pix enviado"]
    ix.upsert([rec(f"c@c.us|{i}", 1000.0 + i, t) for i, t in enumerate(texts)], len(texts))
    assert SearchEngine._tiers(parse("comprovantes"), ix.prefix_words) == [(1, '"comprovantes"')]
    assert SearchEngine._tiers(parse("pix comprovante"), ix.prefix_words)[-1][0] == 0  # "comprovantes" too
    ix.delete(["c@c.us|2"])
    assert SearchEngine._tiers(parse("comprovante"), ix.prefix_words) == [(1, '"comprovante"')]
    assert SearchEngine._tiers(parse("comprovante "), ix.prefix_words) == [(1, '"comprovante"')]

    class NoSpelling(SearchEngine):  # every prefix left to FTS5: the partial tier always asked
        @staticmethod
        def _tiers(query, expand=None):
            return SearchEngine._tiers(query, lambda _: None)

    from pycore.clock import FakeClock
    from pycore.search.protocol import SearchFilters
    from pycore.storage.memory import MemoryStorage

    got = []
    for cls in (SearchEngine, NoSpelling):
        engine = cls(MemoryStorage(), FakeClock(2000.0))
        engine.index = ix
        got.append(engine.search_messages("comprovante", SearchFilters()))
    assert sorted(h["key"] for h in got[0]["hits"]) == ["c@c.us|0", "c@c.us|1", "c@c.us|3", "c@c.us|4"]
    assert got[0]["hits"] == got[1]["hits"]  # same order, same scores
    assert (got[0]["total"], got[0]["total_exact"]) == (got[1]["total"], got[1]["total_exact"]) == (4, True)


def test_a_prefix_of_too_many_words_is_left_to_fts5():
    from pycore.search.index import PREFIX_WORDS

    ix = Index()
    ix.upsert([rec(f"c@c.us|{i}", 1000.0 + i, f"palavra{i:03d}") for i in range(PREFIX_WORDS + 1)], PREFIX_WORDS + 1)
    assert ix.prefix_words("palavra") is None
    ix.delete([f"c@c.us|{PREFIX_WORDS}"])
    assert len(ix.prefix_words("palavra")) == PREFIX_WORDS


def test_an_index_in_a_file_answers_as_one_in_memory_and_its_file_goes_with_it(tmp_path):
    import gc
    import os

    path = str(tmp_path / "index.db")
    in_file, in_memory = _chats_index(path=path), _chats_index()
    for f in (Filters(), Filters(chats=("chat1@c.us", "chat7@c.us"))):
        assert in_file.newest('"pedido"', f, 50, rank=True) == in_memory.newest('"pedido"', f, 50, rank=True)
    assert (in_file.count(), in_file.seq) == (in_memory.count(), in_memory.seq) and os.path.exists(path)
    del in_file
    gc.collect()
    assert not os.path.exists(path)
