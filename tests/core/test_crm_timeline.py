"""A person's timeline (messages, notes, stages, reminders, sends, imports) and the card's activity."""

import asyncio

from tests.core.crm_support import ANA, b64, card, deal, err, messages, ok, restart

MIN = 60.0


def send_through_the_gate(core, clock, chat, text):
    """A manual send: requested from a page, handed to the tab, reported sent."""

    async def go():
        async def call(type_, args, source="page"):
            reply = await core.handle({"id": "x", "type": type_, "args": args, "source": source})
            assert reply["ok"], reply
            return reply["result"]

        await call("send.request", {"chat": chat, "text": text})
        while True:
            nxt = await call("sender.next", {}, "content")
            if nxt["job"]:
                job = nxt["job"]
                await call("sender.report", {"job_id": job["id"], "attempt": job["attempt"], "outcome": "sent",
                                             "message_id": "3EB0SENT"}, "content")
                break
            clock.advance(max(nxt["retry_in"], 0.001))
        await core.drain()

    asyncio.run(go())


def test_every_source_merged_newest_first_and_paged(core, clock):
    t0 = clock.now()
    messages(core, ANA, [(t0 - 50 * MIN, "in", "Olá, quero um orçamento"), (t0 - 40 * MIN, "out", "Claro!"),
                         (t0 - 30 * MIN, "in", "Quanto fica?")], title="Ana Souza")
    ok(core, "crm.note.add", {"chat": ANA, "text": "cliente antiga"})
    clock.advance(MIN)
    deal(core, ANA, stage="talking")
    clock.advance(MIN)
    ok(core, "crm.reminder.add", {"chat": ANA, "due_at": clock.now() + 3600, "text": "mandar preço"})
    clock.advance(MIN)
    send_through_the_gate(core, clock, ANA, "O preço é R$ 100")
    clock.advance(MIN)
    parsed = ok(core, "crm.import.parse", {"data": b64("Nome,Telefone,Etapa\nAna Souza,11 98765-4321,Proposta enviada\n"),
                                           "filename": "planilha.csv"})
    ok(core, "crm.import.apply", {"import_id": parsed["import_id"], "mapping": parsed["mapping"]})
    items = ok(core, "crm.timeline", {"chat": ANA, "limit": 50})["items"]
    kinds = [i["kind"] for i in items]
    assert kinds == ["import", "stage", "send", "reminder", "deal_opened", "note", "last_message", "first_message"], kinds
    assert [i["ts"] for i in items] == sorted((i["ts"] for i in items), reverse=True)
    by = {i["kind"]: i for i in items}
    assert by["first_message"]["text"] == "Olá, quero um orçamento" and by["last_message"]["text"] == "Quanto fica?"
    assert by["send"]["text"] == "O preço é R$ 100" and by["send"]["chat"] == ANA
    assert by["send"]["summary"] == {"pt_BR": "Mensagem enviada pelo Mettri", "en": "Message sent by Mettri"}
    assert by["import"]["summary"]["pt_BR"] == "Importado de planilha.csv"
    assert by["reminder"]["due_at"] == by["reminder"]["ts"] + 3600 and by["reminder"]["text"] == "mandar preço"
    # paging: three at a time, no item twice, none lost
    seen, cursor = [], None
    while True:
        page = ok(core, "crm.timeline", {"chat": ANA, "limit": 3, **({"cursor": cursor} if cursor else {})})
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [i["id"] for i in items]
    # a cursor the core did not make is refused, not read as "from the top" (the first page again)
    code, detail = err(core, "crm.timeline", {"chat": ANA, "limit": 3, "cursor": "x|y"})
    assert (code, detail["reason"]) == ("invalid_args", "bad_cursor") and detail["en"].startswith("The list could not")


def test_a_send_is_written_once_even_if_heard_twice(core, clock):
    messages(core, ANA, [(clock.now() - MIN, "in", "oi")])
    send_through_the_gate(core, clock, ANA, "Olá!")
    entry = ok(core, "outbox.list", {})["entries"][0]

    async def again():
        await core.features.crm.record_send(entry["id"], ANA, entry["text"], "manual", clock.now())

    asyncio.run(again())
    assert [i["kind"] for i in ok(core, "crm.timeline", {"chat": ANA})["items"]].count("send") == 1


def test_the_card_shows_the_last_interaction_and_who_is_waiting(core, clock):
    t0 = clock.now()
    messages(core, ANA, [(t0 - 40 * MIN, "out", "Bom dia"), (t0 - 35 * MIN, "in", "Tem entrega hoje?")], title="Ana Souza")
    a = card(core, ANA)["activity"]
    assert (a["last_direction"], a["last_preview"], a["waiting"], a["waiting_since"]) == ("in", "Tem entrega hoje?", True, t0 - 35 * MIN)
    assert a["first_at"] == t0 - 40 * MIN and a["first_direction"] == "out"
    assert card(core, ANA)["row"]["name"] == "Ana Souza"  # the chat's title, no record needed
    messages(core, ANA, [(t0 - 35 * MIN, "out", "Tem sim!")])  # answered within the same minute
    assert card(core, ANA)["activity"]["waiting"] is False
    messages(core, ANA, [(t0 - 10 * MIN, "in", "Obrigada")])
    assert card(core, ANA)["activity"]["waiting"] is False  # 10 minutes: not yet
    clock.advance(25 * MIN)
    assert card(core, ANA)["activity"]["waiting"] is True


def test_history_stored_before_the_crm_existed_is_read_at_start(core, clock):
    """Messages already stored when the CRM arrived (an upgrade), or stored while its background
    catch-up never ran, are read from the change sequence at the next start."""
    ts = clock.now() - 3600

    async def history_from_an_older_build():
        await core.storage.put_many("messages", [
            {"key": f"{ANA}|H1", "chat": ANA, "id": "H1", "seq": 1, "ts": ts - 60, "direction": "out", "text": "Bom dia",
             "type": "text", "first_seen": ts, "last_seen": ts},
            {"key": f"{ANA}|H2", "chat": ANA, "id": "H2", "seq": 2, "ts": ts, "direction": "in", "text": "alguém?",
             "type": "text", "first_seen": ts, "last_seen": ts},
        ])
        await core.storage.put("meta", {"key": "messages.seq", "value": 2})

    asyncio.run(history_from_an_older_build())
    again = restart(core, clock)
    asyncio.run(again.features.crm.warm())
    a = card(again, ANA)["activity"]
    assert (a["waiting"], a["last_preview"], a["first_at"]) == (True, "alguém?", ts - 60)
