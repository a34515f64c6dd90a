"""Contact merges and splits move the CRM data with them, losing nothing."""

import asyncio

from pycore.contacts import person_merge
from tests.core.crm_support import BIA, BIA_WITH_9, LID, card, deal, err, field, ok, restart, row, tag, update

ROWS = [{"title": "Bia Costa", "jid": BIA}, {"title": "Loja LID", "jid": LID}]


def contacts(core):
    ok(core, "contacts.upsert_rows", {"rows": ROWS}, source="content")


def setup(core):
    """Bia's number and her LID both got CRM data before anyone knew they are one person."""
    contacts(core)
    vip, atacado, novo = tag(core, "VIP"), tag(core, "Atacado"), tag(core, "Novo")
    cidade = field(core, "Cidade", "text")["id"]
    limite = field(core, "Limite", "money")["id"]
    update(core, BIA, tags=[vip], fields={cidade: "Divinópolis"})
    deal(core, BIA, stage="talking", value=50000)
    update(core, LID, tags=[vip, atacado, novo], fields={cidade: "BH", limite: 100000}, person_name="Bia (loja)")
    deal(core, LID, stage="proposal", value=90000)
    other = ok(core, "crm.pipeline.create", {"label": "Suporte"})
    deal(core, LID, pipeline=other["id"])
    ok(core, "crm.note.add", {"chat": LID, "text": "nota escrita no LID"})
    ok(core, "crm.reminder.add", {"chat": LID, "due_at": 1, "text": "lembrete do LID"})
    return vip, atacado, novo, cidade, limite, other["id"]


def test_merging_joins_the_records_and_the_card_follows_at_once(core):
    vip, atacado, novo, cidade, limite, other = setup(core)
    ok(core, "contacts.merge", {"primary": BIA, "secondary": LID})
    c = card(core, LID)  # the LID chat now shows Bia's record
    r = c["row"]
    assert c["row"]["key"] == BIA and set(c["chats"]) == {BIA, BIA_WITH_9, LID}
    assert r["tags"] == [vip, atacado, novo]
    assert r["fields"] == {cidade: "Divinópolis", limite: 100000}  # Bia's own value wins; the empty one is filled
    assert r["name"] == "Bia (loja)"
    deals = {d["pipeline"]: d for d in r["deals"]}
    assert deals["default"]["stage"] == "talking" and deals["default"]["value_cents"] == 50000
    assert deals[other]["stage"] == ok(core, "crm.defs")["pipelines"][1]["stages"][0]["id"]
    assert [n["text"] for n in c["notes"]] == ["nota escrita no LID"] and r["note_count"] == 1
    assert [x["text"] for x in c["reminders"]] == ["lembrete do LID"] and r["overdue"] == 1
    assert [x["key"] for x in ok(core, "crm.list")["rows"]] == [BIA]
    kinds = [i["kind"] for i in ok(core, "crm.timeline", {"chat": BIA, "limit": 50})["items"]]
    assert "merge" in kinds and "kept_aside" in kinds  # the LID's own deal is kept aside, and said so
    aside = next(i for i in ok(core, "crm.timeline", {"chat": BIA, "limit": 50})["items"] if i["kind"] == "kept_aside")
    assert aside["summary"]["pt_BR"].startswith("Vendas: o negócio de Bia (loja) (Proposta enviada) ficou guardado")


def test_splitting_gives_back_what_the_merge_took(core, clock):
    vip, atacado, novo, cidade, limite, other = setup(core)
    ok(core, "contacts.merge", {"primary": BIA, "secondary": LID})
    ok(core, "crm.note.add", {"chat": LID, "text": "nota escrita depois de unir"})  # written on the person
    deal(core, BIA, pipeline=other, stage=ok(core, "crm.defs")["pipelines"][1]["stages"][2]["id"])
    update(core, BIA, version=row(core, BIA)["version"], fields={limite: 120000})  # changed while merged
    clock.advance(60)
    before_split = row(core, BIA)["version"]
    ok(core, "contacts.split", {"key": LID})
    bia, lid = card(core, BIA), card(core, LID)
    assert lid["row"]["key"] == LID and bia["row"]["key"] == BIA
    assert bia["row"]["tags"] == [vip] and lid["row"]["tags"] == [vip, atacado, novo]
    assert bia["row"]["fields"] == {cidade: "Divinópolis", limite: 120000}  # changed since: stays
    assert lid["row"]["fields"] == {cidade: "BH", limite: 100000}
    assert bia["row"]["name"] != "Bia (loja)" and lid["row"]["name"] == "Bia (loja)"
    lid_deals = {d["pipeline"]: d for d in lid["row"]["deals"]}
    assert lid_deals["default"]["stage"] == "proposal" and lid_deals["default"]["value_cents"] == 90000  # kept aside
    assert lid_deals[other]["stage"] == ok(core, "crm.defs")["pipelines"][1]["stages"][2]["id"]  # with its progress
    assert [d["pipeline"] for d in bia["row"]["deals"]] == ["default"]
    assert [n["text"] for n in lid["notes"]] == ["nota escrita no LID"]
    assert [n["text"] for n in bia["notes"]] == ["nota escrita depois de unir"]
    assert lid["row"]["note_count"] == 1 and bia["row"]["note_count"] == 1
    assert [x["text"] for x in lid["reminders"]] == ["lembrete do LID"] and bia["reminders"] == []
    assert {x["key"] for x in ok(core, "crm.list")["rows"]} == {BIA, LID}
    # a page still holding the merged record cannot overwrite the split one
    assert err(core, "crm.record.update", {"chat": BIA, "version": before_split, "tags": []})[0] == "conflict"
    assert ok(core, "crm.timeline", {"chat": LID})["items"][0]["kind"] == "split"


def test_a_merge_the_crm_did_not_hear_is_applied_at_the_next_start(core, clock):
    """A merge stored while the CRM was not listening (an older build, a crash) is reconciled on load."""
    vip, *_ = setup(core)

    async def merge_behind_the_crms_back():
        st = core.storage
        p, s = person_merge.merge(await st.get("contacts", BIA), await st.get("contacts", LID))
        await st.put_many("contacts", [p, s])

    asyncio.run(merge_behind_the_crms_back())
    again = restart(core, clock)
    assert row(again, LID)["key"] == BIA and [x["key"] for x in ok(again, "crm.list")["rows"]] == [BIA]
    assert card(again, BIA)["notes"][0]["text"] == "nota escrita no LID"


def test_merging_into_a_person_without_a_record(core):
    contacts(core)
    vip = tag(core, "VIP")
    update(core, LID, tags=[vip])
    ok(core, "contacts.merge", {"primary": BIA, "secondary": LID})
    assert row(core, LID)["key"] == BIA and row(core, BIA)["tags"] == [vip]
    ok(core, "contacts.split", {"key": LID})
    assert row(core, LID)["tags"] == [vip] and row(core, BIA)["tags"] == []
    assert {x["key"] for x in ok(core, "crm.list")["rows"]} == {BIA, LID}


def test_a_send_to_a_chat_without_a_record_follows_the_merge(core, clock):
    contacts(core)
    asyncio.run(core.features.crm.record_send("out1", LID, "Seu pedido saiu", "manual", clock.now()))
    assert ok(core, "crm.list")["total"] == 0  # a send alone makes no record
    ok(core, "contacts.merge", {"primary": BIA, "secondary": LID})
    items = ok(core, "crm.timeline", {"chat": BIA})["items"]
    assert [(i["kind"], i["text"], i["chat"]) for i in items] == [("send", "Seu pedido saiu", LID)]
    assert ok(core, "crm.list")["total"] == 0
    ok(core, "contacts.split", {"key": LID})
    assert ok(core, "crm.timeline", {"chat": BIA})["items"] == []
    assert [i["kind"] for i in ok(core, "crm.timeline", {"chat": LID})["items"]] == ["send"]


def test_a_card_written_under_a_chats_name_follows_when_identity_links_it_to_the_number(core):
    """The newer DOM keys a chat by its name until a signal (here: the older DOM's JIDs) proves which
    number it is; the card, notes and reminders written meanwhile move to the number's record."""
    from tests.core.test_identity import CUSTOMER, NAME, capture, ids, node

    titled = capture(core, [node(i, f"m{n}", n) for n, i in enumerate(ids(4))])["chat"]
    assert titled == f"title:{NAME}"
    vip = tag(core, "VIP")
    update(core, titled, tags=[vip])
    ok(core, "crm.note.add", {"chat": titled, "text": "pediu orçamento de 3 caixas"})
    ok(core, "crm.reminder.add", {"chat": titled, "text": "ligar amanhã", "due_at": 2_000_000_000.0})
    linked = capture(core, [node(i, f"m{n}", n, chat=CUSTOMER) for n, i in enumerate(ids(5))])
    assert linked["chat"] == CUSTOMER
    person = card(core, CUSTOMER)
    assert person["row"]["key"] == CUSTOMER and person["row"]["tags"] == [vip]
    assert [n["text"] for n in person["notes"]] == ["pediu orçamento de 3 caixas"]
    assert [r["text"] for r in person["reminders"]] == ["ligar amanhã"]
    assert row(core, titled)["key"] == CUSTOMER  # the old key opens the same card
    assert [x["key"] for x in ok(core, "crm.list")["rows"]] == [CUSTOMER]


def test_people_never_scanned_from_the_chat_list_can_be_merged_and_split(core):
    """The CRM lists people the chat-list scan never saw (captured chats, imported ones): the user
    merges them all the same, and a refusal says why in both languages."""
    number, lid = "5511955520001@c.us", "123456789012345@lid"
    vip = tag(core, "VIP")
    update(core, number, tags=[vip], person_name="Dona Rosa")
    ok(core, "crm.note.add", {"chat": lid, "text": "escreveu pelo LID"})
    assert ok(core, "contacts.list", {"include_merged": True})["contacts"] == []
    ok(core, "contacts.merge", {"primary": number, "secondary": lid, "names": {lid: "Rosa (LID)"}})
    titles = {c["key"]: c["title"] for c in ok(core, "contacts.list", {"include_merged": True})["contacts"]}
    assert titles == {number: "5511955520001", lid: "Rosa (LID)"}  # the name the page showed, else the number
    person = card(core, lid)
    assert person["row"]["key"] == number and [n["text"] for n in person["notes"]] == ["escreveu pelo LID"]
    code, detail = err(core, "contacts.merge", {"primary": number, "secondary": lid})
    assert code == "conflict" and "já faz parte de outro contato" in detail["pt_BR"] and "already part" in detail["en"]
    code, detail = err(core, "contacts.merge", {"primary": number, "secondary": "120363000000001@g.us"})
    assert code == "not_found" and "grupos" in detail["pt_BR"]
    ok(core, "contacts.split", {"key": lid})
    assert [n["text"] for n in card(core, lid)["notes"]] == ["escreveu pelo LID"] and card(core, lid)["row"]["key"] == lid
    assert card(core, number)["row"]["tags"] == [vip]
