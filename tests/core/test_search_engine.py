"""Relevance and behaviour of the search engine over a small known corpus."""

from __future__ import annotations

import pytest

from tests.core.test_search_support import ANA, BETO, DAY, GROUP, NOW, World, text_of


@pytest.fixture
def w() -> World:
    w = World()
    w.chats(
        {"key": ANA, "title": "Ana Souza", "last_ts": NOW},
        {"key": BETO, "title": "Beto Mecânico", "last_ts": NOW - DAY},
        {"key": GROUP, "title": "Fornecedores SP", "is_group": True, "last_ts": NOW - 2 * DAY},
    )
    w.add(
        "A ação promocional começa amanhã",
        ("Não consigo pagar hoje", {"ago_days": 1}),
        ("nao recebi o boleto", {"chat": BETO, "ago_days": 2}),
        ("Segue a foto do produto", {"type": "image", "ago_days": 3, "direction": "out"}),
        ("contrato assinado.pdf", {"type": "document", "chat": GROUP, "ago_days": 4}),
        ("", {"type": "voice", "chat": BETO, "ago_days": 5}),
        ("Qual o prazo de entrega para São Paulo?", {"chat": GROUP, "ago_days": 6}),
        ("A entrega tem prazo curto", {"chat": GROUP, "ago_days": 7}),
        ("Invoice attached, payment due Friday", {"chat": BETO, "ago_days": 8, "direction": "out"}),
    )
    w.catch_up()
    return w


@pytest.mark.parametrize("q, expected", [
    ("acao", "A ação promocional começa amanhã"),
    ("ação", "A ação promocional começa amanhã"),
    ("AÇÃO ", "A ação promocional começa amanhã"),
    ("sao paulo", "Qual o prazo de entrega para São Paulo?"),
])
def test_accents_and_case_are_ignored_both_ways(w, q, expected):
    assert w.texts(q) == [expected]


def test_nao_finds_both_spellings(w):
    assert set(w.texts("nao ")) == {"Não consigo pagar hoje", "nao recebi o boleto"}
    assert set(w.texts("não ")) == set(w.texts("nao "))


def test_snippet_marks_the_hits_as_segments(w):
    hit = w.search("acao promo")["hits"][0]
    assert hit["snippet"] == [
        {"text": "A ", "hit": False}, {"text": "ação", "hit": True}, {"text": " ", "hit": False},
        {"text": "promocional", "hit": True}, {"text": " começa amanhã", "hit": False},
    ]


def test_last_word_is_a_prefix_while_typing(w):
    assert w.texts("promo") == ["A ação promocional começa amanhã"]
    assert w.texts("bol") == ["nao recebi o boleto"]
    assert w.texts("promo ") == []  # a finished word is a whole word
    assert w.texts("pro") == ["A ação promocional começa amanhã", "Segue a foto do produto"]


def test_phrase_requires_adjacent_words(w):
    assert w.texts('"prazo de entrega"') == ["Qual o prazo de entrega para São Paulo?"]
    assert set(w.texts("prazo entrega ")) == {"Qual o prazo de entrega para São Paulo?", "A entrega tem prazo curto"}
    assert w.texts('"entrega prazo"') == []


def test_exact_word_ranks_above_prefix_even_when_older():
    w = World()
    w.add(("casa nova na praia", {"ago_days": 300}), *[(f"casamento numero {i}", {"ago_days": i}) for i in range(30)])
    w.catch_up()
    assert w.texts("casa")[0] == "casa nova na praia"


def test_exact_phrase_ranks_above_scattered_words():
    w = World()
    w.add(("prazo de entrega atrasado", {"ago_days": 60}),
          *[(f"entrega feita, o prazo era {i} dias", {"ago_days": i}) for i in range(10)])
    w.catch_up()
    assert w.texts("prazo entrega ")[0] != "prazo de entrega atrasado"  # words not adjacent in query order
    assert w.texts("entrega atrasado ")[0] == "prazo de entrega atrasado"


def test_exact_phrase_tier_uses_query_order():
    w = World()
    w.add(("bom dia pessoal", {"ago_days": 90}), *[(f"dia {i}: bom trabalho", {"ago_days": i}) for i in range(10)])
    w.catch_up()
    assert w.texts("bom dia ")[0] == "bom dia pessoal"


def test_recency_breaks_ties_between_equal_matches():
    w = World()
    w.add(("pedido 1", {"ago_days": 10}), ("pedido 2", {"ago_days": 1}), ("pedido 3", {"ago_days": 5}))
    w.catch_up()
    assert w.texts("pedido ") == ["pedido 2", "pedido 3", "pedido 1"]


def test_filter_by_chat_key(w):
    assert set(w.texts("", chats=[BETO])) == {"nao recebi o boleto", "", "Invoice attached, payment due Friday"}
    assert w.texts("nao ", chats=[BETO]) == ["nao recebi o boleto"]


def test_filter_by_chat_name_and_number(w):
    assert w.texts("nao ", chat_name="beto mec") == ["nao recebi o boleto"]
    assert w.texts("nao ", chat_name="+55 21 91234-5678") == ["nao recebi o boleto"]
    assert w.texts("nao ", chat_name="ninguém") == []
    assert w.texts("nao ", chat_name="ana", chats=[BETO]) == []  # combined filters narrow


def test_filter_by_date_range(w):
    assert w.texts("", since=NOW - 2.5 * DAY) == [
        "A ação promocional começa amanhã", "Não consigo pagar hoje", "nao recebi o boleto"]
    assert w.texts("prazo ", until=NOW - 6.5 * DAY) == ["A entrega tem prazo curto"]
    assert w.texts("", since=NOW - 5 * DAY, until=NOW - 4 * DAY) == ["contrato assinado.pdf", ""]


def test_filter_by_direction(w):
    assert w.texts("", direction="out") == ["Segue a foto do produto", "Invoice attached, payment due Friday"]
    assert w.texts("payment ", direction="in") == []


@pytest.mark.parametrize("types, expected", [
    (["media"], ["Segue a foto do produto"]),
    (["document"], ["contrato assinado.pdf"]),
    (["voice"], [""]),
    (["document", "voice"], ["contrato assinado.pdf", ""]),
])
def test_filter_by_type(w, types, expected):
    assert w.texts("", types=types) == expected


def test_text_with_every_filter_combined(w):
    res = w.search("prazo", chats=[GROUP], since=NOW - 6.5 * DAY, direction="in", types=["text"])
    assert [text_of(h) for h in res["hits"]] == ["Qual o prazo de entrega para São Paulo?"]
    hit = res["hits"][0]
    assert (hit["chat"], hit["chat_title"], hit["direction"], hit["type"]) == (GROUP, "Fornecedores SP", "in", "text")
    assert res["total"] == 1 and res["total_exact"]


def test_no_words_and_no_filters_is_empty(w):
    assert w.search("")["hits"] == [] and w.search("  ***  ")["total"] == 0


@pytest.mark.parametrize("q", [
    '"unbalanced', 'a "b', 'AND', 'OR OR', 'NOT pagar', 'NEAR(pagar hoje)', 'pagar*', '*', '^pagar',
    '-pagar', 'text:pagar', 'text : pagar', '{text}: x', '"', '""', "'", '(', ')', 'pagar +', "\\", "\x00", ":",
    "pag OR", "a" * 500, "💳 pagar",
])
def test_malformed_queries_are_words_and_never_raise(w, q):
    res = w.search(q)
    assert isinstance(res["hits"], list)


def test_operators_are_matched_as_words(w):
    w.add("pagar AND boleto OR pix")
    w.catch_up()
    assert w.texts("pagar AND boleto OR") == ["pagar AND boleto OR pix"]
    assert w.texts("-pagar") == w.texts("pagar")


def test_new_message_is_found_after_catch_up(w):
    assert w.texts("orçamento") == []
    w.add("Segue o orçamento revisado")
    assert w.catch_up() == 1
    assert w.texts("orcamento") == ["Segue o orçamento revisado"]


def test_cache_is_never_stale(w):
    first = w.search("boleto")
    again = w.search("boleto")
    assert again["cached"] and again["hits"] == first["hits"]
    w.add(("segundo boleto", {"ago_days": 0}))
    w.catch_up()
    third = w.search("boleto")
    assert not third["cached"]
    assert [text_of(h) for h in third["hits"]] == ["segundo boleto", "nao recebi o boleto"]


def test_cache_key_is_the_normalized_query(w):
    w.search("Ação  ")
    assert w.search("acao ")["cached"]
    assert not w.search("acao", direction="out")["cached"]


def test_updated_message_replaces_its_old_text(w):
    rec = w.add("mensagem original sobre frete")[0]
    w.catch_up()
    w.update(rec, type="deleted", text="Mensagem apagada")
    w.catch_up()
    assert w.texts("frete") == []
    hits = w.search("apagada")["hits"]
    assert [h["type"] for h in hits] == ["deleted"]
    assert w.engine.index.count() == 10


def test_catch_up_is_bounded_and_resumes(w):
    w.add(*[f"lote {i}" for i in range(25)])
    assert w.catch_up(10) == 10
    assert w.search("lote")["total"] == 10
    assert w.catch_up(100) == 15
    assert w.search("lote")["total"] == 25


def test_records_sharing_one_seq_across_a_batch_are_not_skipped(w):
    recs = [w.message(f"mesmo seq {i}") for i in range(5)]
    for r in recs:
        r["seq"] = recs[0]["seq"]
    import asyncio

    from pycore.search import indexer

    asyncio.run(w.storage.put_many("messages", recs))
    asyncio.run(indexer.catch_up(w.storage, w.engine.index, None, batch=3))
    assert w.engine.index.count() == 14


def test_pagination_and_totals():
    w = World()
    w.add(*[(f"pix recebido {i}", {"ago_days": i}) for i in range(30)])
    w.catch_up()
    p1, p2 = w.search("pix", limit=10), w.search("pix", limit=10, offset=10)
    assert p1["total"] == 30 and p1["total_exact"]
    assert [text_of(h) for h in p1["hits"] + p2["hits"]] == [f"pix recebido {i}" for i in range(20)]


def test_many_hits_report_a_bounded_total():
    w = World()
    w.engine = w.new_engine(window=5)
    w.add(*[(f"pix recebido {i}", {"ago_days": i}) for i in range(30)])
    w.catch_up()
    res = w.search("pix ", limit=3)
    assert res["total"] == 30 and len(res["hits"]) == 3
    assert [text_of(h) for h in res["hits"]] == ["pix recebido 0", "pix recebido 1", "pix recebido 2"]


def test_contacts_by_name_number_and_push_name(w):
    import asyncio

    w.storage._specs["contacts"] = w.storage._specs["chats"]
    w.storage._data["contacts"] = {}
    asyncio.run(w.storage.put("contacts", {"key": ANA, "title": "", "push_name": "Aninha Doces"}))
    asyncio.run(w.engine.refresh_directory())
    eng = w.engine
    assert [h["key"] for h in eng.search_contacts("beto")["hits"]] == [BETO]
    assert [h["key"] for h in eng.search_contacts("mecanico")["hits"]] == [BETO]
    assert [h["key"] for h in eng.search_contacts("11987654321")["hits"]] == [ANA]
    assert [h["key"] for h in eng.search_contacts("+55 (11) 98765-4321")["hits"]] == [ANA]
    hit = eng.search_contacts("aninha")["hits"][0]
    assert (hit["key"], hit["matched"], hit["title"]) == (ANA, "push_name", "Ana Souza")
    assert eng.search_contacts("fornecedores")["hits"][0]["title_segments"] == [
        {"text": "Fornecedores", "hit": True}, {"text": " SP", "hit": False}]


def test_contacts_rank_exact_name_first():
    w = World()
    w.chats({"key": "1@c.us", "title": "Ana Paula", "last_ts": NOW}, {"key": "2@c.us", "title": "Ana", "last_ts": 1.0},
            {"key": "3@c.us", "title": "Mariana", "last_ts": NOW})
    import asyncio

    asyncio.run(w.engine.refresh_directory())
    assert [h["title"] for h in w.engine.search_contacts("ana")["hits"]] == ["Ana", "Ana Paula"]


def test_chat_title_follows_renames_without_stale_cache(w):
    assert w.search("boleto")["hits"][0]["chat_title"] == "Beto Mecânico"
    w.chats({"key": BETO, "title": "Beto Oficina"})
    w.clock.advance(61)
    w.catch_up()
    assert w.search("boleto")["hits"][0]["chat_title"] == "Beto Oficina"


def test_a_catch_up_reads_again_only_the_chats_whose_messages_it_indexed(w):
    """A captured batch names its chat again at once (a rename shows in the next search), without
    reading every chat: at 5,000 chats that cost the core hundreds of milliseconds per batch."""
    whole_store = []
    query = w.storage.query

    async def counted(store, **kw):
        if store in ("chats", "contacts") and kw.get("index") is None and kw.get("range") is None:
            whole_store.append(store)
        return await query(store, **kw)

    w.storage.query = counted
    w.chats({"key": BETO, "title": "Beto Oficina"}, {"key": ANA, "title": "Ana Ferreira"})
    w.add(("troca de óleo", {"chat": BETO}))
    w.catch_up()
    assert w.search("boleto")["hits"][0]["chat_title"] == "Beto Oficina"  # its message was indexed
    assert w.search("pagar")["hits"][0]["chat_title"] == "Ana Souza"  # no message: renamed within DIRECTORY_TTL
    assert [h["title"] for h in w.engine.search_contacts("oficina")["hits"]] == ["Beto Oficina"]
    assert whole_store == []
    w.clock.advance(61)
    w.add(("obrigado", {"chat": BETO}))
    w.catch_up()
    assert whole_store == ["chats", "contacts"]  # every name, once they are older than the TTL
    assert w.search("pagar")["hits"][0]["chat_title"] == "Ana Ferreira"


def test_total_beyond_the_count_cap_is_an_estimate(monkeypatch):
    from pycore.search import engine as engine_mod

    monkeypatch.setattr(engine_mod, "COUNT_CAP", 10)
    w = World()
    w.engine = w.new_engine(window=5)
    w.add(*[(f"pix {i}" if i % 2 else f"ted {i}", {"ago_days": i}) for i in range(60)])
    w.catch_up()
    res = w.search("pix ")
    assert not res["total_exact"] and 25 <= res["total"] <= 35
    assert w.search("pix ", until=NOW - 40 * DAY)["total"] == 10  # 10 hits left: counted exactly


def test_searches_between_indexing_batches_are_never_stale():
    w = World()
    w.engine = w.new_engine(batch=10)
    w.add(*[f"frete {i}" for i in range(25)])
    seen = []
    w.engine.progress = lambda done, total: seen.append((done, total, w.search("frete")["total"]))
    w.catch_up()
    assert seen == [(10, 25, 10), (20, 25, 20), (25, 25, 25)]


def test_a_small_catch_up_reports_no_progress():
    w = World()
    w.add("um", "dois")
    w.catch_up()
    assert w.progress == []
