"""A person's record: tags, notes, versions and conflicts, pipelines and deals, groups."""

import random

from pycore.app import Core, Services
from tests.core.conftest import run
from tests.core.crm_support import ANA, BIA, BIA_WITH_9, GROUP, card, deal, err, ok, row, tag, update


def test_a_chat_without_a_record_has_an_empty_card(core):
    c = card(core, ANA)
    assert c["row"]["exists"] is False and c["row"]["version"] == 0
    assert c["row"]["name"] == "+55 11 98765-4321" and c["row"]["phone"] == "+5511987654321"
    assert c["notes"] == [] and c["reminders"] == []
    assert c["chats"] == [ANA, "551187654321@c.us"]  # WhatsApp may know the number without its ninth digit
    assert ok(core, "crm.list")["total"] == 0  # looking writes nothing


def test_tags_are_unique_renamable_and_deletable(core, events):
    vip = tag(core, "VIP")
    atacado = tag(core, "Atacado")
    for label, reason in (("vip", "duplicate_tag"), ("  ", "tag_name_empty"), ("a,b", "tag_name_chars"),
                          ("a|b", "tag_name_chars")):
        code, d = err(core, "crm.tag.create", {"label": label})
        assert (code, d["reason"]) == ("invalid_args", reason), d
    assert err(core, "crm.tag.create", {"label": "Novo", "color": "red"})[1]["reason"] == "bad_color"
    update(core, ANA, tags=[vip, atacado, vip])
    update(core, BIA, add_tags=[vip])
    assert row(core, ANA)["tags"] == [vip, atacado]  # no duplicates, in the order added
    # a rename is one change every record shows
    t = ok(core, "crm.tag.update", {"id": vip, "version": 1, "label": "Cliente VIP"})
    names = {x["id"]: x["name"] for x in ok(core, "crm.defs")["tags"]}
    assert names[vip] == "Cliente VIP" and t["version"] == 2
    assert ok(core, "crm.list", {"filters": {"q": "cliente vip"}})["total"] == 2
    # deleting takes it off every record and changes their versions
    before = row(core, ANA)["version"]
    assert ok(core, "crm.tag.delete", {"id": vip, "version": 2}) == {"changed": 2}
    assert row(core, ANA)["tags"] == [atacado] and row(core, ANA)["version"] == before + 1
    assert row(core, BIA)["tags"] == []
    code, d = err(core, "crm.record.update", {"chat": ANA, "version": before + 1, "add_tags": [vip]})
    assert (code, d["reason"]) == ("invalid_args", "unknown_tag")
    assert any(e["keys"] == [ANA] for e in events.of("crm.changed"))


def test_notes_add_edit_delete_undo(core):
    n = ok(core, "crm.note.add", {"chat": ANA, "text": "  Pediu orçamento\r\nde 3 itens <b>já</b>\x07  "})
    assert n["text"] == "Pediu orçamento\nde 3 itens <b>já</b>" and n["version"] == 1
    r = row(core, ANA)
    assert r["exists"] and r["note_count"] == 1 and r["version"] == 0  # a note overwrites nothing: no version
    n2 = ok(core, "crm.note.edit", {"id": n["id"], "version": 1, "text": "Pediu orçamento de 4 itens"})
    assert n2["version"] == 2 and n2["text"] == "Pediu orçamento de 4 itens"
    code, d = err(core, "crm.note.edit", {"id": n["id"], "version": 1, "text": "outra coisa"})
    assert code == "conflict" and d["reason"] == "stale_version" and d["current"]["text"] == n2["text"]
    gone = ok(core, "crm.note.delete", {"id": n["id"], "version": 2})
    assert gone["deleted"] and row(core, ANA)["note_count"] == 0 and card(core, ANA)["notes"] == []
    back = ok(core, "crm.note.restore", {"id": n["id"]})
    assert not back["deleted"] and [x["text"] for x in card(core, ANA)["notes"]] == ["Pediu orçamento de 4 itens"]
    for text, reason in (("   ", "note_empty"), ("x" * 10_001, "note_too_long")):
        code, d = err(core, "crm.note.add", {"chat": ANA, "text": text})
        assert (code, d["reason"]) == ("invalid_args", reason) and d["pt_BR"] and d["en"]
    assert err(core, "crm.note.edit", {"id": "nope", "version": 1, "text": "x"})[1]["reason"] == "unknown_note"


def test_notes_are_paged_newest_first(core, clock):
    for i in range(25):
        ok(core, "crm.note.add", {"chat": ANA, "text": f"nota {i}"})
        clock.advance(60)
    ok(core, "crm.note.delete", {"id": card(core, ANA)["notes"][0]["id"], "version": 1})  # "nota 24"
    c = card(core, ANA)
    assert [n["text"] for n in c["notes"]] == [f"nota {i}" for i in range(23, 3, -1)]
    rest = ok(core, "crm.notes.list", {"chat": ANA, "cursor": c["notes_cursor"]})
    assert [n["text"] for n in rest["notes"]] == ["nota 3", "nota 2", "nota 1", "nota 0"] and rest["next_cursor"] is None
    code, detail = err(core, "crm.notes.list", {"chat": ANA, "cursor": "ontem|x"})  # not a cursor the core made
    assert (code, detail["reason"]) == ("invalid_args", "bad_cursor") and detail["pt_BR"].startswith("Não foi possível")


def test_two_pages_never_overwrite_each_other(core):
    """The side panel and the contacts page load the same record; both change it. The second write
    is refused with the current record; re-applied on it, both changes are kept."""
    vip, atacado = tag(core, "VIP"), tag(core, "Atacado")
    panel = row(core, ANA)
    page = row(core, ANA)
    first = ok(core, "crm.record.update", {"chat": ANA, "version": panel["version"], "tags": [vip]})
    code, d = err(core, "crm.record.update", {"chat": ANA, "version": page["version"], "tags": [atacado]})
    assert code == "conflict" and d["reason"] == "stale_version"
    assert d["current"] == {**first, "seq": None} and d["pt_BR"].startswith("Este registro foi alterado")
    assert row(core, ANA)["tags"] == [vip]  # the stale write changed nothing
    again = ok(core, "crm.record.update", {"chat": ANA, "version": d["current"]["version"],
                                           "tags": d["current"]["tags"] + [atacado]})
    assert again["tags"] == [vip, atacado] and again["version"] == first["version"] + 1
    # every record write is checked: deals too, and a write that changes nothing keeps the version
    code, _ = err(core, "crm.deal.set", {"chat": ANA, "version": first["version"], "stage": "won"})
    assert code == "conflict"
    same = ok(core, "crm.record.update", {"chat": ANA, "version": again["version"], "tags": [vip, atacado]})
    assert same["version"] == again["version"]


def test_a_person_is_one_record_whatever_form_of_the_number(core):
    vip = tag(core, "VIP")
    update(core, BIA_WITH_9, tags=[vip], person_name="Bia")
    assert row(core, BIA)["key"] == BIA_WITH_9 and row(core, BIA)["name"] == "Bia"
    assert set(card(core, BIA)["chats"]) == {BIA, BIA_WITH_9}
    update(core, BIA, add_tags=[])  # a write through the other form reaches the same record
    assert ok(core, "crm.list")["total"] == 1


def test_deals_stages_values_and_the_timeline(core, clock):
    r = deal(core, ANA, value="R$ 1.500,00", expected_date="20/12/2026")
    d = r["deals"][0]
    assert (d["pipeline"], d["stage"], d["value_cents"], d["expected_date"]) == ("default", "new", 150000, "2026-12-20")
    clock.advance(3600)
    r = deal(core, ANA, stage="proposal")
    assert r["deals"][0]["stage_since"] == clock.now()
    clock.advance(3600)
    r = deal(core, ANA, stage="won", value=175000)
    code, dd = err(core, "crm.deal.set", {"chat": ANA, "version": r["version"], "stage": "nope"})
    assert (code, dd["reason"]) == ("invalid_args", "unknown_stage")
    code, dd = err(core, "crm.deal.set", {"chat": ANA, "version": r["version"], "value": "muito"})
    assert dd["reason"] == "bad_money" and dd["pt_BR"].startswith('"Valor"') and dd["en"].startswith('"Value"')
    items = ok(core, "crm.timeline", {"chat": ANA})["items"]
    assert [(i["kind"], i["summary"]["pt_BR"]) for i in items] == [
        ("stage", "Vendas: Proposta enviada → Ganho"),
        ("stage", "Vendas: Novo contato → Proposta enviada"),
        ("deal_opened", "Vendas: negócio aberto em Novo contato"),
    ]
    assert items[0]["summary"]["en"] == "Sales: Proposal sent → Won"
    r = ok(core, "crm.deal.remove", {"chat": ANA, "version": r["version"], "pipeline": "default"})
    assert r["deals"] == []
    assert ok(core, "crm.timeline", {"chat": ANA})["items"][0]["summary"]["en"] == "Sales: deal removed (was at Won)"


def test_pipelines_and_stages(core):
    defs = ok(core, "crm.defs")
    p = defs["pipelines"][0]
    assert [s["label"]["pt_BR"] for s in p["stages"]] == ["Novo contato", "Em conversa", "Proposta enviada", "Ganho", "Perdido"]
    assert [s["label"]["en"] for s in p["stages"]] == ["New contact", "In conversation", "Proposal sent", "Won", "Lost"]
    assert (p["label"], defs["settings"]["default_pipeline"]) == ({"pt_BR": "Vendas", "en": "Sales"}, "default")
    deal(core, ANA, stage="talking")
    deal(core, BIA, stage="talking")
    # rename and reorder; the renamed stage shows the user's name in both languages
    stages = [{"id": "new"}, {"id": "proposal"}, {"id": "talking", "name": "Negociando"}, {"id": "won", "outcome": "won"},
              {"id": "lost", "outcome": "lost"}]
    p2 = ok(core, "crm.pipeline.update", {"id": "default", "version": p["version"], "stages": stages})
    assert [s["id"] for s in p2["stages"]] == ["new", "proposal", "talking", "won", "lost"]
    assert p2["stages"][2]["label"] == {"pt_BR": "Negociando", "en": "Negociando"}
    # deleting a stage in use is refused with the count, in both languages
    without = [s for s in stages if s["id"] != "talking"]
    code, d = err(core, "crm.pipeline.update", {"id": "default", "version": p2["version"], "stages": without})
    assert (code, d["reason"]) == ("invalid_args", "stage_in_use")
    assert d["pt_BR"] == 'A etapa "Negociando" tem 2 negócio(s); mova-os para outra etapa antes de excluí-la.'
    assert d["en"] == 'The stage "Negociando" has 2 deal(s); move them to another stage before deleting it.'
    code, d = err(core, "crm.pipeline.update", {"id": "default", "version": p2["version"], "stages": without,
                                                "move_deals": {"talking": "talking"}})
    assert d["reason"] == "move_to_deleted"
    # moving its deals lets it go; each move is a stage change in the timeline
    p3 = ok(core, "crm.pipeline.update", {"id": "default", "version": p2["version"], "stages": without,
                                          "move_deals": {"talking": "proposal"}})
    assert "talking" not in [s["id"] for s in p3["stages"]]
    assert row(core, ANA)["deals"][0]["stage"] == "proposal" == row(core, BIA)["deals"][0]["stage"]
    assert ok(core, "crm.timeline", {"chat": BIA})["items"][0]["summary"]["pt_BR"] == "Vendas: Negociando → Proposta enviada"
    # more pipelines; a pipeline with deals cannot be deleted; one must remain
    pos = ok(core, "crm.pipeline.create", {"label": "Pós-venda", "stages": [{"name": "Aberto"}, {"name": "Resolvido", "outcome": "won"}]})
    assert err(core, "crm.pipeline.create", {"label": "pos-venda"})[1]["reason"] == "duplicate_pipeline"
    deal(core, ANA, pipeline=pos["id"])
    assert len(row(core, ANA)["deals"]) == 2
    code, d = err(core, "crm.pipeline.delete", {"id": pos["id"], "version": pos["version"]})
    assert d["reason"] == "pipeline_in_use"
    ok(core, "crm.deal.remove", {"chat": ANA, "version": row(core, ANA)["version"], "pipeline": pos["id"]})
    ok(core, "crm.pipeline.delete", {"id": pos["id"], "version": pos["version"]})
    assert err(core, "crm.pipeline.delete", {"id": "default", "version": p3["version"]})[1]["reason"] in ("pipeline_in_use",)
    code, d = err(core, "crm.pipeline.update", {"id": "default", "version": p3["version"], "stages": [{"name": "  "}]})
    assert d["reason"] == "stage_name_empty"


def test_settings(core):
    s = ok(core, "crm.defs")["settings"]
    assert s["waiting_minutes"] == 30
    s2 = ok(core, "crm.settings.set", {"version": s["version"], "waiting_minutes": 90})
    assert s2["waiting_minutes"] == 90
    assert err(core, "crm.settings.set", {"version": s["version"], "waiting_minutes": 5})[0] == "conflict"
    assert err(core, "crm.settings.set", {"version": s2["version"], "default_pipeline": "x"})[1]["reason"] == "unknown_pipeline"
    assert call_invalid(core, {"version": s2["version"], "waiting_minutes": 0})


def call_invalid(core, args):
    code, _ = err(core, "crm.settings.set", args)
    return code == "invalid_args"


def test_a_group_chat_can_have_a_record(core):
    vip = tag(core, "Fornecedores")
    r = update(core, GROUP, tags=[vip], person_name="Grupo de compras")
    assert r["is_group"] and r["phone"] is None and r["name"] == "Grupo de compras"
    assert ok(core, "crm.list", {"filters": {"kind": "group"}})["rows"][0]["key"] == GROUP
    ok(core, "crm.note.add", {"chat": GROUP, "text": "pedido mensal"})
    assert row(core, GROUP)["note_count"] == 1


def test_erase_one_person(core):
    update(core, ANA, person_name="Ana")
    ok(core, "crm.note.add", {"chat": ANA, "text": "nota"})
    ok(core, "crm.reminder.add", {"chat": ANA, "due_at": 1, "text": "ligar"})
    deal(core, ANA, stage="won")
    update(core, BIA, person_name="Bia")
    erased = ok(core, "crm.record.erase", {"chat": ANA, "version": row(core, ANA)["version"]})
    assert erased == {"records": 1, "notes": 1, "reminders": 1, "events": 1}
    assert row(core, ANA)["exists"] is False and ok(core, "crm.timeline", {"chat": ANA})["items"] == []
    assert ok(core, "crm.reminders.list", {"scope": "open"})["total"] == 0
    assert [r["key"] for r in ok(core, "crm.list")["rows"]] == [BIA]


def test_the_export_features_reads(core, clock):
    """What the export feature calls: everything, one person, and erasing one person."""
    import asyncio

    crm = core.features.crm
    update(core, ANA, person_name="Ana")
    ok(core, "crm.note.add", {"chat": ANA, "text": "nota da Ana"})
    ok(core, "crm.reminder.add", {"chat": ANA, "due_at": clock.now(), "text": "ligar"})
    deal(core, BIA, stage="won")
    everything = asyncio.run(crm.export_all())
    assert {r.key for r in everything.records} == {ANA, BIA} and [n.text for n in everything.notes] == ["nota da Ana"]
    assert len(everything.reminders) == 1 and {e.kind for e in everything.events} == {"deal_opened"}
    assert [p.id for p in everything.pipelines] == ["default"] and everything.settings.waiting_minutes == 30
    ana = asyncio.run(crm.export_person("551187654321@c.us"))  # any of her keys
    assert [r.key for r in ana.records] == [ANA] and len(ana.notes) == 1 and ana.events == []
    assert asyncio.run(crm.erase_person(ANA)).records == 1
    assert asyncio.run(crm.export_person(ANA)).records == [] and {r.key for r in asyncio.run(crm.export_all()).records} == {BIA}


def test_a_card_says_which_changes_it_already_holds(clock, storage, events):
    """crm.changed's seq grows with every change; a card read after a change has a seq at or above
    it (the page skips that change's event: it is drawn), one read before has a lower one. A core
    started again later numbers its changes above the first core's."""
    core = Core(Services(clock=clock, rng=random.Random(7), storage=storage, emit=events))
    run(core.start())
    before = card(core, ANA)["seq"]
    ok(core, "crm.note.add", {"chat": ANA, "text": "Pediu orçamento"})
    note = events.of("crm.changed")[-1]
    assert note["keys"] == [ANA] and note["seq"] > before
    after = card(core, ANA)
    assert after["seq"] >= note["seq"] and [n["text"] for n in after["notes"]] == ["Pediu orçamento"]
    written = ok(core, "crm.record.update", {"chat": ANA, "version": after["row"]["version"], "person_name": "Ana Souza"})
    assert events.of("crm.changed")[-1]["seq"] == written["seq"] == note["seq"] + 1 > after["seq"]
    assert row(core, ANA)["seq"] is None  # only a write's reply carries one
    assert card(core, ANA)["seq"] == note["seq"] + 1

    clock.advance(1.0)
    again = Core(Services(clock=clock, rng=random.Random(7), storage=storage, emit=events))
    run(again.start())
    ok(again, "crm.note.add", {"chat": ANA, "text": "Confirmou"})
    assert events.of("crm.changed")[-1]["seq"] > note["seq"] + 1
