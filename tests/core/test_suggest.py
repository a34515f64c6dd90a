"""The suggestion engine: a new incoming message in the open chat gets up to three replies, from what
the user answered to similar questions before (names re-filled for this contact) and from templates,
each with its source; old history being read, an outgoing last message, or a failing engine offers
nothing and never stops capture. Nothing is sent by offering."""

from __future__ import annotations

import datetime as dt

from tests.core.conftest import run
from tests.core.crm_support import ANA, BIA, messages, ok, update

BRT = dt.timezone(dt.timedelta(hours=-3))
DAY = 86400.0
NOBODY = "5511900000001@c.us"
GROUP_FREE = "5511900000002@c.us"


def capture(core, chat_jid, title, text, ts, mid, author=None):
    """One incoming row of the open chat through capture.batch, then the work it starts (drained)."""
    when = dt.datetime.fromtimestamp(ts, BRT)
    node = {"data_id": f"false_{chat_jid}_{mid}", "classes": ["message-in"], "text": text,
            "pre_plain_text": f"[{when:%H:%M}, {when:%d/%m/%Y}] {author or title}: "}
    args = {"chat": {"title": title, "jid": chat_jid}, "nodes": [node], "observed_at": ts, "locale": "pt-BR",
            "utc_offset_min": -180}

    async def go():
        reply = await core.handle({"id": "c", "type": "capture.batch", "args": args, "source": "content"})
        assert reply["ok"], reply
        await core.drain()
        return reply["result"]

    return run(go())


def pending(core, chat):
    return [s for s in ok(core, "suggestion.pending")["suggestions"] if s["chat"] == chat]


def ana_history(core, clock):
    then = clock.now() - 3 * DAY
    messages(core, ANA, [
        (then, "in", "Boa tarde! Quanto custa o bolo de cenoura?"),
        (then + 60, "in", "É para sábado"),
        (then + 180, "out", "Oi Ana! O bolo de cenoura custa R$ 45, Ana Souza."),
        (then + 3600, "in", "Vocês entregam em Niterói?"),
        (then + 3700, "out", "Entregamos sim, a taxa é R$ 10."),
    ], title="Ana Souza")
    update(core, ANA, person_name="Ana Souza")
    return then + 180


def test_a_new_question_gets_the_answer_the_user_gave_before_with_the_names_refilled(core, clock, events):
    answered = ana_history(core, clock)
    update(core, BIA, person_name="Beatriz Lima")
    capture(core, BIA, "Beatriz Lima", "Qual o preço do bolo de cenoura? 🥕", clock.now(), "Q1")
    [s] = pending(core, BIA)
    first = s["replies"][0]
    assert first == {"text": "Oi Beatriz! O bolo de cenoura custa R$ 45, Beatriz Lima.", "source": "history",
                     "contact": "Ana Souza", "answered_at": answered, "template": ""}
    assert s["text"] == first["text"]
    assert events.of("suggestion.offered")[-1]["suggestion"]["replies"][0] == first
    # Offering sends nothing: the outbox is empty.
    assert ok(core, "outbox.list", {"limit": 10})["entries"] == []


def test_templates_are_offered_by_their_words_and_filled_for_the_contact(core, clock):
    ana_history(core, clock)
    update(core, BIA, person_name="Beatriz Lima")
    ok(core, "templates.save", {"label": "Entrega", "shortcut": "entrega", "category": "Logística",
                                "text": "Entregamos em Niterói e São Gonçalo, {{primeiro_nome}}: taxa R$ 10."})
    ok(core, "templates.save", {"label": "Pix", "shortcut": "pix", "text": "Chave Pix: loja@exemplo.com"})
    ok(core, "templates.save", {"label": "Cupom", "shortcut": "cupom", "text": "Seu cupom de entrega: {{cupom}}"})
    capture(core, BIA, "Beatriz Lima", "Oi, vocês fazem entrega em Niterói?", clock.now(), "Q2")
    [s] = pending(core, BIA)
    got = [(r["source"], r["text"]) for r in s["replies"]]
    assert got == [("history", "Entregamos sim, a taxa é R$ 10."),
                   ("template", "Entregamos em Niterói e São Gonçalo, Beatriz: taxa R$ 10.")], got
    assert s["replies"][1]["template"] == "Entrega"
    # {{cupom}} has no value: that template is never offered half-written.
    assert all("{{" not in r["text"] and "cupom" not in r["text"] for r in s["replies"])


def test_at_most_three_replies_each_text_once(core, clock):
    ana_history(core, clock)
    for i, word in enumerate(("Bolo", "Cenoura", "Bolo de cenoura", "Encomenda")):
        ok(core, "templates.save", {"label": word, "shortcut": f"t{i}", "text": f"Sobre {word.lower()}: fale conosco."})
    ok(core, "templates.save", {"label": "Bolo igual", "shortcut": "igual", "text": "Entregamos sim, a taxa é R$ 10."})
    capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now(), "Q3")
    [s] = pending(core, BIA)
    texts = [r["text"] for r in s["replies"]]
    assert len(texts) == 3 and len(set(texts)) == 3
    assert s["replies"][0]["source"] == "history" and s["replies"][1]["source"] == "template"


def test_a_contact_without_a_name_never_gets_an_empty_name(core, clock):
    then = clock.now() - DAY
    messages(core, ANA, [(then, "in", "Qual o horário de funcionamento?"), (then + 60, "out", "Oi Ana, abrimos às 9h."),
                         (then + 120, "in", "Qual o horário de sábado?"), (then + 180, "out", "Sábado abrimos às 8h.")],
             title="Ana Souza")
    update(core, ANA, person_name="Ana Souza")
    capture(core, NOBODY, "+55 11 90000-0001", "Qual o horário de funcionamento no sábado?", clock.now(), "Q4")
    [s] = pending(core, NOBODY)
    assert [r["text"] for r in s["replies"]] == ["Sábado abrimos às 8h."]


def test_history_being_read_or_an_answered_chat_offers_nothing(core, clock):
    ana_history(core, clock)
    # An old message captured now (the user scrolled back): history, not news.
    capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now() - 3600, "OLD")
    assert pending(core, BIA) == []
    # The newest message of the chat is the user's own: nothing to answer.
    messages(core, BIA, [(clock.now() + 120, "out", "Já te respondo!")])
    capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now() + 60, "Q5")
    assert pending(core, BIA) == []
    # Nothing similar and no template: no bar.
    capture(core, ANA, "Ana Souza", "Xyzzy plugh", clock.now() + 600, "Q6")
    assert pending(core, ANA) == []


def test_a_batch_of_history_being_read_is_settled_without_asking_storage(core, clock):
    # A backfill stores old messages batch after batch: the records just written say there is no
    # news in them, and the chat's newest message is not read again for each batch.
    engine = core.features.suggest
    asked = []
    newest = engine.messages.newest

    async def counted(chat):
        asked.append(chat)
        return await newest(chat)

    engine.messages.newest = counted
    capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now() - 3600, "OLD")
    assert asked == [] and pending(core, BIA) == []
    capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now(), "NEW")
    assert asked == [BIA]  # a fresh question still looks at the chat's newest message


def test_a_failing_engine_never_stops_capture(core, clock):
    ana_history(core, clock)

    class Broken:
        async def similar_incoming(self, *a):
            raise RuntimeError("index gone")

        def following(self, *a):
            raise RuntimeError("index gone")

    core.features.suggest.history = Broken()
    result = capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now(), "Q7")
    assert result["new"] == 1
    assert ok(core, "messages.list", {"chat": BIA})["messages"][0]["text"] == "Quanto custa o bolo de cenoura?"
    assert pending(core, BIA) == []


def test_a_reply_offered_while_the_engine_ranks_is_not_replaced_by_the_engine(core, clock):
    ana_history(core, clock)
    history = core.features.suggest.history

    class OfferedMeanwhile:
        """The search answers only after someone (the side panel, a test) offered a reply."""

        async def similar_incoming(self, *a):
            reply = await core.handle({"id": "o", "type": "suggestion.offer", "source": "page",
                                       "args": {"chat": BIA, "text": "Já te mando o preço, Beatriz!"}})
            assert reply["ok"], reply
            return await history.similar_incoming(*a)

        def following(self, *a):
            return history.following(*a)

    core.features.suggest.history = OfferedMeanwhile()
    capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now(), "Q9")
    [s] = pending(core, BIA)
    assert [(r["text"], r["source"]) for r in s["replies"]] == [("Já te mando o preço, Beatriz!", "manual")]
    # Without the offer in between, the same question gets the engine's replies.
    core.features.suggest.history = history
    ok(core, "suggestion.dismiss", {"chat": BIA})
    clock.advance(60)
    capture(core, BIA, "Beatriz Lima", "Quanto custa o bolo de cenoura?", clock.now(), "Q10")
    [s] = pending(core, BIA)
    assert s["replies"][0]["source"] == "history", s


def test_an_answer_given_right_after_the_question_outranks_one_given_after_other_messages(core, clock):
    then = clock.now() - DAY
    messages(core, ANA, [(then, "in", "Vocês aceitam cartão de crédito?"), (then + 60, "in", "E fazem entrega no domingo?"),
                         (then + 120, "out", "Domingo não entregamos.")], title="Ana Souza")
    messages(core, BIA, [(then + 600, "in", "Aceitam cartão de crédito?"), (then + 660, "out", "Aceitamos cartão em até 3x.")],
             title="Beatriz Lima")
    # A user's message that repeats the question is never offered as its answer.
    messages(core, GROUP_FREE, [(then + 900, "in", "Aceitam cartão de crédito no débito?"),
                                (then + 960, "out", "Aceitam cartão de crédito no débito?")], title="Caio Lima")
    capture(core, NOBODY, "+55 11 90000-0001", "Aceitam cartão de crédito no débito?", clock.now(), "Q8")
    [s] = pending(core, NOBODY)
    assert [r["text"] for r in s["replies"]] == ["Aceitamos cartão em até 3x.", "Domingo não entregamos."]


def test_the_commonest_words_are_left_out_when_rarer_ones_bring_enough_hits():
    from pycore.search.index import Index

    idx = Index()
    rows = [{"chat": "c@c.us", "key": f"c@c.us|{i}", "ts": 1000.0 + i, "direction": "in", "text": "pedido comum"}
            for i in range(50)]
    rows.append({"chat": "c@c.us", "key": "c@c.us|rare", "ts": 999.0, "direction": "in", "text": "pedido xarope"})
    idx.upsert(rows, 1)
    assert idx.doc_counts(["pedido", "xarope"]) == {"pedido": 51, "xarope": 1}
    [(rowid, _)] = idx.similar(["pedido", "xarope"], "in", 5, budget=10)  # "pedido" would add 51 hits: left out
    assert idx.rows([rowid])[rowid]["text"] == "pedido xarope"
    assert len(idx.similar(["pedido", "xarope"], "in", 5, budget=100)) == 5
    assert len(idx.similar(["pedido"], "in", 5, budget=10)) == 5  # the rarest term is always kept
