"""CRM notes and field values in the search, and search filtered by tag and stage."""

import asyncio

from tests.core.crm_support import ANA, BIA, BIA_WITH_9, deal, field, messages, ok, tag, update


def hits(core, q, **args):
    return ok(core, "search.records", {"q": q, **args})


def test_notes_and_field_values_are_found_and_say_which_record(core):
    cidade = field(core, "Cidade", "text")["id"]
    plano = field(core, "Plano", "choice", ["Básico", "Premium Ouro"])
    update(core, ANA, person_name="Ana Souza", fields={cidade: "São José dos Campos", plano["id"]: "Premium Ouro"})
    n = ok(core, "crm.note.add", {"chat": BIA, "text": "Pediu orçamento da instalação elétrica"})
    found = hits(core, "orcamento instal")  # accents and case ignored, the last word as a prefix
    assert [(h["record"], h["kind"], h["ref"]) for h in found["hits"]] == [(BIA, "note", n["id"])]
    assert [s["text"] for s in found["hits"][0]["snippet"] if s["hit"]] == ["orçamento", "instalação"]
    city = hits(core, "sao jose")["hits"]
    assert [(h["record"], h["kind"], h["ref"], h["label"], h["title"]) for h in city] == [
        (ANA, "field", cidade, "Cidade", "Ana Souza")]
    assert hits(core, "ouro")["hits"][0]["label"] == "Plano"  # a choice is found by its label
    # edits and deletions reach the index before the next search
    ok(core, "crm.note.edit", {"id": n["id"], "version": 1, "text": "Quer visita técnica"})
    assert hits(core, "orcamento")["total"] == 0 and hits(core, "visita")["total"] == 1
    ok(core, "crm.note.delete", {"id": n["id"], "version": 2})
    assert hits(core, "visita")["total"] == 0
    ok(core, "crm.note.restore", {"id": n["id"]})
    assert hits(core, "visita")["total"] == 1


def test_crm_search_filtered_by_tag_and_stage(core):
    vip = tag(core, "VIP")
    update(core, ANA, tags=[vip])
    deal(core, BIA, stage="proposal")
    ok(core, "crm.note.add", {"chat": ANA, "text": "entrega na sexta"})
    ok(core, "crm.note.add", {"chat": BIA, "text": "entrega no sábado"})
    assert {h["record"] for h in hits(core, "entrega")["hits"]} == {ANA, BIA}
    assert [h["record"] for h in hits(core, "entrega", tags=[vip])["hits"]] == [ANA]
    assert [h["record"] for h in hits(core, "entrega", stages=["proposal"])["hits"]] == [BIA]
    assert hits(core, "entrega", tags=[vip], stages=["proposal"])["hits"] == []


def test_message_search_filtered_by_tag_and_stage(core, clock):
    vip = tag(core, "VIP")
    update(core, BIA_WITH_9, tags=[vip])  # the record holds the 9-digit form; WhatsApp's chat is the 9-less one
    deal(core, ANA, stage="won")
    t = clock.now() - 3600
    messages(core, BIA, [(t, "in", "qual o prazo de entrega?")])
    messages(core, ANA, [(t, "in", "a entrega chegou")])

    async def search(filters):
        await core.drain()
        reply = await core.handle({"id": "s", "type": "search.messages", "args": {"q": "entrega", "filters": filters},
                                   "source": "page"})
        assert reply["ok"], reply
        return [h["chat"] for h in reply["result"]["hits"]]

    async def scenario():
        assert sorted(await search({})) == sorted([ANA, BIA])
        assert await search({"tags": [vip]}) == [BIA]
        assert await search({"stages": ["won"]}) == [ANA]
        assert await search({"stages": ["won"], "chats": [BIA]}) == []

    asyncio.run(scenario())


def test_a_full_load_reads_every_note_page_by_page(core, monkeypatch):
    from pycore.crm import documents

    monkeypatch.setattr(documents, "NOTE_PAGE", 2)
    for i in range(7):
        ok(core, "crm.note.add", {"chat": ANA if i % 2 else BIA, "text": f"pagamento {i}"})
    core.features.search.records_changed(None)  # as at start: load every record's texts again
    assert hits(core, "pagamento", limit=20)["total"] == 7
